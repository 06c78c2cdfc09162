"""End to end: real `mkdocs build --strict` sites, read back as HTML."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import material as material_package
from bs4 import BeautifulSoup

from .helpers import FIXTURES, REPO, SHARED_DIGESTS, make_project, pagefind_documents, run_cli

HEADER_LINES = 4  # new / Get trending... / Subscribe / byAK...


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def paper_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "papers").glob("*/index.html") if p.parent.name != "az")


def raw_entries(folder: Path) -> list[tuple[str, str, str]]:
    """(file, title, abstract) straight from the digest files, independent of the parser."""
    entries = []
    for path in sorted(folder.glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        body = paragraphs[HEADER_LINES + 1 :]
        entries += [(path.name, body[i], body[i + 1]) for i in range(0, len(body), 2)]
    return entries


def normalised(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def internal_links(site: Path):
    """Yield (page, href, resolved file) for every link that stays inside the site."""
    for page in site.rglob("*.html"):
        page_url = "http://site/" + page.relative_to(site).as_posix()
        for anchor in soup(page).find_all("a", href=True):
            target = urljoin(page_url, anchor["href"])
            parts = urlsplit(target)
            if parts.netloc != "site":
                continue
            path = site / unquote(parts.path.lstrip("/"))
            if path.is_dir() or parts.path.endswith("/"):
                path = path / "index.html"
            yield page, anchor["href"], path, parts.fragment


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "digest-archive"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "digest-archive" in result.stdout


def test_fixture_site_has_every_page_at_its_fixed_url(fixture_site):
    for url in ("", "days/", "days/2024-12-30/", "papers/", "papers/az/s/", "tags/", "tags/transformers/"):
        assert (fixture_site / url / "index.html").is_file(), url
    assert len(paper_pages(fixture_site)) == 5
    assert json.loads(gzip.decompress((fixture_site / "archive.json.gz").read_bytes()))["papers"]


def test_every_internal_link_and_anchor_resolves(fixture_site):
    broken = []
    for page, href, target, fragment in internal_links(fixture_site):
        if not target.exists():
            broken.append((str(page.relative_to(fixture_site)), href))
        elif fragment and target.suffix == ".html" and not soup(target).find(id=fragment):
            broken.append((str(page.relative_to(fixture_site)), href))
    assert broken == []


def test_hazard_text_shows_exactly_and_injects_nothing(fixture_site):
    (page,) = [p for p in paper_pages(fixture_site) if p.parent.name.startswith("escaping-hazards")]
    html = soup(page)
    title = "Escaping Hazards: ``golden'' Seeds, [m]times [n] Grids and |Omega| Sets"
    abstract = raw_entries(FIXTURES / "archive")[1][2]
    assert html.select_one("article h1").get_text() == title
    assert html.select_one(".da-abstract").get_text() == abstract
    assert html.title.get_text() == f"{title} - Digest Archive"
    # The page's own <code> is the BibTeX entry; the digest's text adds no element.
    assert [code.get("id") for code in html.select("article code")] == ["bibtex"]
    assert not html.select("article b") and not html.select("article em")


def test_nav_stays_small_on_every_page(fixture_site):
    for page in [fixture_site / "index.html", *paper_pages(fixture_site)]:
        nav_links = soup(page).select("nav.md-nav--primary a.md-nav__link")
        assert len(nav_links) <= 8, page


def test_generated_pages_carry_no_empty_furniture(fixture_site):
    for page in [fixture_site / "index.html", *paper_pages(fixture_site)]:
        html = page.read_text()
        assert 'data-md-type="navigation"' in html  # the nav drawer stays
        assert 'data-md-type="toc"' not in html and "__tabbed_" not in html, page
        assert ">\n<" not in html, page


def test_search_indexes_paper_day_and_topic_pages_only(fixture_site):
    documents = pagefind_documents(fixture_site)
    papers = {f"/papers/{p.parent.name}/" for p in paper_pages(fixture_site)}
    days = {f"/days/{p.parent.name}/" for p in (fixture_site / "days").glob("*/index.html")}
    tags = {f"/tags/{p.parent.name}/" for p in (fixture_site / "tags").glob("*/index.html")}
    assert papers and days and tags
    assert set(documents) == papers | days | tags
    # Material's own search is off: only the stub its front end fetches is left.
    stub = json.loads((fixture_site / "search" / "search_index.json").read_text())
    assert stub["docs"] == []


def test_search_text_of_a_paper_is_its_title_and_abstract_not_the_page_furniture(fixture_site):
    documents = pagefind_documents(fixture_site)
    page = fixture_site / "papers" / "robust-reward-models-resist-reward-hacking-466df85c" / "index.html"
    html = soup(page)
    document = documents["/papers/robust-reward-models-resist-reward-hacking-466df85c/"]
    assert document["meta"]["title"] == "Robust Reward Models Resist Reward Hacking"
    assert html.select_one(".da-abstract").get_text() in document["content"]
    assert "Listed on" not in document["content"] and "Search arXiv" not in document["content"]


def test_search_text_of_a_day_page_leaves_out_the_papers_it_lists(fixture_site):
    documents = pagefind_documents(fixture_site)
    day = next(url for url in documents if url.startswith("/days/"))
    assert documents[day]["meta"]["title"] in documents[day]["content"]
    for url, document in documents.items():
        if url.startswith("/papers/"):
            assert document["meta"]["title"] not in documents[day]["content"]


# --- The real sample digests --------------------------------------------------------


def test_shared_digests_give_one_page_per_unique_paper(shared_site):
    entries = raw_entries(SHARED_DIGESTS)
    unique = {normalised(title) for _, title, _ in entries}
    assert len(entries) == 222 and len(unique) == 195  # counted from the four digest files
    assert len(paper_pages(shared_site)) == len(unique)


def test_shared_digests_text_fidelity_for_every_paper(shared_site):
    shown = {}
    for page in paper_pages(shared_site):
        html = soup(page)
        shown[html.select_one("article h1").get_text()] = html.select_one(".da-abstract").get_text()
    mismatches = [title for _, title, abstract in raw_entries(SHARED_DIGESTS) if shown.get(title) != abstract]
    assert mismatches == []


def test_shared_digests_duplicates_are_cross_linked_both_ways(shared_site):
    days_of = defaultdict(set)
    for name, title, _ in raw_entries(SHARED_DIGESTS):
        days_of[normalised(title)].add(name)
    repeated = 0
    for page in paper_pages(shared_site):
        html = soup(page)
        key = normalised(html.select_one("article h1").get_text())
        day_links = {a["href"].split("#")[0] for a in html.select(".da-appearances a")}
        assert len(day_links) == len(days_of[key])
        if len(day_links) < 2:
            continue
        repeated += 1
        slug = page.parent.name
        for href in day_links:
            day_page = (page.parent / href / "index.html").resolve()
            entry = soup(day_page).find(id=slug)
            assert entry is not None, (slug, href)  # the day links back to the paper ...
            assert entry.select_one(".da-badge")  # ... marks it ...
            also = {a["href"].split("#")[0] for a in entry.select(".da-entry-links a[href^='../']")}
            assert len(also) == len(day_links) - 1  # ... and links its other days
    assert repeated == 26


def test_shared_site_links_resolve(shared_site):
    assert [href for _, href, target, _ in internal_links(shared_site) if not target.exists()] == []


def test_home_page_shows_latest_day_counts_and_recurring_papers(fixture_site):
    html = soup(fixture_site / "index.html")
    assert html.select_one(".da-counts").get_text().startswith("5 papers, 3 days, 7 listings,")
    latest = next(h for h in html.select("article h2") if h.get_text().startswith("Latest day"))
    assert latest.a["href"] == "days/2025-01-05/"
    recurring = [li.a.get_text() for li in latest.find_next("h2").find_next("ol").select("li")]
    assert len(recurring) == 2 and recurring[0].startswith(("Escaping Hazards", "Sparse Autoencoders"))


def test_days_index_groups_by_month_with_counts_newest_first(fixture_site):
    html = soup(fixture_site / "days" / "index.html")
    months = [" ".join(h.get_text().split()) for h in html.select("article h2")]
    assert months == ["January 2025 2 days, 5 listings", "December 2024 1 day, 2 listings"]
    # In each month's calendar the days run forward, as on a wall calendar.
    assert [a["href"] for a in html.select(".da-calendar td a")] == [
        "../days/2025-01-02/",
        "../days/2025-01-05/",
        "../days/2024-12-30/",
    ]


def test_paper_page_has_tags_links_appearances_and_search_links(fixture_site):
    (page,) = [p for p in paper_pages(fixture_site) if p.parent.name.startswith("robust-reward-models")]
    html = soup(page)
    assert [a.get_text() for a in html.select(".da-paper-meta .da-tags > a")] == ["Reinforcement learning"]
    assert [(li.span.get_text(), li.a["href"]) for li in html.select(".da-links li")] == [
        ("Project page", "https://fixture-lab.github.io/robust-rm/")
    ]
    assert [a.get_text() for a in html.select(".da-appearances a")] == ["Jan 2, 2025"]
    search = {a.get_text(): a["href"] for a in html.select(".da-paper-links a")}
    assert (
        search["Search arXiv"]
        == "https://arxiv.org/search/?query=Robust+Reward+Models+Resist+Reward+Hacking&searchtype=title"
    )
    assert search["Search Hugging Face"] == "https://huggingface.co/papers?q=Robust+Reward+Models+Resist+Reward+Hacking"


def test_day_page_shows_tags_and_code_links(fixture_site):
    html = soup(fixture_site / "days" / "2024-12-30" / "index.html")
    entry = html.select("li.da-entry")[0]
    assert entry.select_one(".da-code")["href"] == "https://github.com/fixture-lab/sae-mono"
    assert "Transformers and attention" in [a.get_text() for a in entry.select(".da-tags > a")]
    tag_page = soup(fixture_site / "tags" / "transformers" / "index.html")
    assert entry.h2.get_text() in [a.get_text() for a in tag_page.select(".da-entry-title a")]


def test_serve_answers_on_localhost_with_the_sites_404_page(fixture_site, tmp_path):
    import socket
    import time
    import urllib.request

    from .helpers import make_project

    make_project(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "--no-build",
            "--site-dir",
            str(fixture_site),
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/days/2025-01-02/", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.2)
        assert "Graph Transformers Without Positional Encodings" in body
        # A missing page gets the site's own 404 page; a NUL byte a clean 400, not a
        # dropped connection and a traceback.
        assert fetch_status(port, "/papers/no-such-paper/") == (404, (fixture_site / "404.html").read_text())
        assert fetch_status(port, "/%00")[0] == 400
        assert fetch_status(port, "/papers/%00/index.html")[0] == 400
        assert fetch_status(port, "/")[0] == 200  # still serving
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert "Traceback" not in errors


def fetch_status(port: int, path: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_icons_come_from_the_sprite_and_resolve(fixture_site):
    sprite = (fixture_site / "assets" / "images" / "archive-icons.svg").read_text()
    for page in [fixture_site / "index.html", paper_pages(fixture_site)[0]]:
        html = soup(page)
        uses = html.select("svg use")
        assert len(uses) >= 2 and not html.select("svg path"), page
        for use in uses:
            target, symbol = urljoin(f"http://site/{page.relative_to(fixture_site).as_posix()}", use["href"]).split("#")
            assert target == "http://site/assets/images/archive-icons.svg"
            assert f'<symbol id="{symbol}"' in sprite
    # The palette and search icons and the drawer's logo, inserted by archive-chrome.js.
    script = (fixture_site / "assets" / "javascripts" / "archive-chrome.js").read_text()
    symbols = re.findall(r"qzxdachromerootqzx/assets/images/archive-icons.svg#([a-z-]+)", script)
    assert {"magnify", "close", "weather-night", "weather-sunny", "library"} <= set(symbols)
    assert all(f'<symbol id="{symbol}"' in sprite for symbol in symbols)


def test_parts_that_need_javascript_are_in_one_script_not_in_every_page(fixture_site):
    material = Path(material_package.__file__).parent / "templates" / "partials" / "javascripts"
    script = (fixture_site / "assets" / "javascripts" / "archive-chrome.js").read_text()
    palette_code = re.search(r"<script>(.*)</script>", (material / "palette.html").read_text(), re.S).group(1)
    start_code = re.search(r"<script>(.*)</script>", (material / "base.html").read_text(), re.S).group(1)
    assert palette_code in script
    assert (
        start_code.replace('"{{ config.extra.scope | d(base_url) }}"', 'new URL("../..", document.currentScript.src)')
        in script
    )
    for needed in (
        'data-md-component=\\"palette\\"',
        'data-md-component=\\"search-query\\"',
        '<script id=\\"__config\\"',
    ):
        assert needed in script, needed
    for page in [fixture_site / "index.html", *paper_pages(fixture_site)]:
        html = page.read_text()
        assert "archive-chrome.js" in html and "archiveChrome.header()" in html and "archiveChrome.config()" in html
        assert "md-search__input" not in html and "__config" not in html and "__md_scope" not in html, page
        assert ("Material for MkDocs" in html) == (page == fixture_site / "index.html"), page
        assert '<meta name="generator"' not in html, page


def test_shared_paper_pages_list_their_most_similar_papers_above_the_floor(shared_site):
    # Up to five by cosine (title three times and abstract, IDF squared) among the papers
    # sharing a topic, none below the floor or half the paper's best cosine, and each
    # counting the paper among its own five closest: worked out here by brute force over
    # every pair; links resolving is checked for the whole site above.
    import numpy as np

    from generator.analysis.assemble import build_model, comparable_text
    from generator.analysis.related import MIN_RELATED_SIMILARITY, MUTUAL_RANK, RELATIVE_FLOOR, tfidf_vectors
    from generator.analysis.taxonomy import load_taxonomy
    from generator.pipeline import load_digests
    from generator.site.urls import paper_url

    archive = build_model(load_digests(SHARED_DIGESTS, 2025).digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    papers = list(archive.papers.values())
    vectors = tfidf_vectors([comparable_text(p) for p in papers])
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, 0)

    def close(row: int) -> list[int]:
        """The row's papers within its relative floor, most similar first."""
        order = np.argsort(-similarity[row], kind="stable")
        best = similarity[row, order[0]]
        return [int(c) for c in order if similarity[row, c] > 0 and similarity[row, c] >= RELATIVE_FLOOR * best]

    closest = [close(row)[:MUTUAL_RANK] for row in range(len(papers))]
    lengths = []
    for row, paper in enumerate(papers):
        expected = [
            papers[c]
            for c in close(row)
            if similarity[row, c] >= MIN_RELATED_SIMILARITY
            and set(paper.tags) & set(papers[c].tags)
            and row in closest[c]
        ][:5]
        page = shared_site / paper_url(paper.slug) / "index.html"
        shown = [a.get_text() for a in soup(page).select(".da-related a")]
        assert shown == [p.title for p in expected], paper.title
        lengths.append(len(shown))
    # The floor at work: short lists and empty ones (a paper with no neighbour in these
    # four days lists none), yet most papers list some.
    assert 0 in lengths and any(0 < n < 5 for n in lengths) and max(lengths) >= 4
    assert sum(1 for n in lengths if n) >= 0.5 * len(papers)


def test_cli_reports_tags_and_duplicates(tmp_path):
    make_project(tmp_path)
    tags = run_cli("tags", "--report", "--digests", str(FIXTURES / "archive"), "--year", "2025", cwd=tmp_path)
    assert tags.returncode == 0, tags.stderr
    assert re.match(r"\d+ papers; \d+ tagged \(\d+\.\d%\), \d+ untagged", tags.stdout)
    assert "Untagged papers" in tags.stdout
    duplicates = run_cli("duplicates", "--digests", str(FIXTURES / "archive"), "--year", "2025", cwd=tmp_path)
    assert duplicates.returncode == 0, duplicates.stderr
    assert duplicates.stdout == "No near-duplicates merged.\n"


def test_an_override_naming_no_paper_is_a_warning_with_file_and_line(tmp_path):
    make_project(tmp_path)
    (tmp_path / "tag_overrides.yml").write_text("papers:\n  No Such Paper:\n    add: [privacy]\n")
    result = run_cli("tags", "--digests", str(FIXTURES / "archive"), "--year", "2025", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: tag_overrides.yml:2: no paper 'No Such Paper'" in result.stderr


def test_back_to_top_is_on_long_pages_not_on_paper_pages(fixture_site):
    assert not any(soup(page).select("button.md-top") for page in paper_pages(fixture_site))
    assert soup(fixture_site / "days" / "2025-01-02" / "index.html").select("button.md-top")


def test_a_dropped_connection_is_not_a_traceback_on_the_server_console(fixture_site, capfd):
    import socket
    import urllib.request

    from generator.preview import serving

    with serving(fixture_site) as base:
        port = int(base.rsplit(":", 1)[1].rstrip("/"))
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", port)) as connection:
                # Ask for a large file and hang up at once, as a browser leaving a page does.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                connection.sendall(b"GET /archive.json.gz HTTP/1.1\r\nHost: x\r\n\r\n")
        with urllib.request.urlopen(base, timeout=5) as response:
            assert response.status == 200
    assert "Traceback" not in capfd.readouterr().err
