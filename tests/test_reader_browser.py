"""The reader's tools in Chromium, at desktop and phone sizes (archive-reader.js): stars
and the reading list with its exports and imports, read marks, keyword and topic
filters, followed topics and /for-you/, keys, abstracts in place, the topics table, the
search box's filters, garbage in localStorage, and pages with JavaScript off.

Every test fails on a console error, an uncaught exception or a failed request.
"""

from __future__ import annotations

import json
import re

import pytest

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
KEY = "digest-archive:/"


@pytest.fixture
def base(fixture_base):
    return fixture_base


class Visit:
    """A fresh browser context (empty localStorage) that records every error."""

    def __init__(self, browser, viewport="desktop", javascript=True, storage=None):
        self.context = browser.new_context(
            viewport=VIEWPORTS[viewport], java_script_enabled=javascript, accept_downloads=True
        )
        if storage is not None:
            self.context.add_init_script(f"localStorage.setItem({json.dumps(KEY)}, {json.dumps(storage)})")
        self.problems: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))

    def go(self, url: str):
        self.page.goto(url, wait_until="networkidle")
        return self.page

    def stored(self) -> dict:
        return json.loads(self.page.evaluate(f"localStorage.getItem({json.dumps(KEY)})") or "{}")

    def close(self):
        self.context.close()
        assert self.problems == []


@pytest.fixture
def visit(browser):
    opened = []

    def open_(*args, **kwargs) -> Visit:
        opened.append(Visit(browser, *args, **kwargs))
        return opened[-1]

    yield open_
    for item in opened:
        item.close()


def entry_ids(page, selector="li.da-entry") -> list[str]:
    return page.eval_on_selector_all(selector, "items => items.map(item => item.id)")


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("li.da-entry", "items => items.filter(i => i.offsetParent).map(i => i.id)")


def latest_day(site) -> str:
    return max(folder.name for folder in (site / "days").iterdir() if folder.is_dir())


def busiest_day(site) -> str:
    days = [folder for folder in (site / "days").iterdir() if folder.is_dir()]
    return max(days, key=lambda d: (d / "index.html").read_text().count('class="da-entry"')).name


# --- Stars and the reading list -------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_stars_are_named_buttons_kept_across_pages_and_reloads(visit, base, fixture_site, viewport):
    v = visit(viewport)
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    entries = page.locator("li.da-entry")
    first = entries.first
    title = first.locator(".da-entry-title a").inner_text()
    star = first.get_by_role("button", name=f"Star: {title}")
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    assert star.get_attribute("aria-pressed") == "true" and star.inner_text() == "Star"
    slug = first.get_attribute("id")
    assert slug in v.stored()["stars"]
    page.reload(wait_until="networkidle")
    assert page.locator(f"#{slug}").get_by_role("button", name=f"Star: {title}").get_attribute("aria-pressed") == "true"
    # The paper's own page shows it starred too, and unstars it.
    page.locator(f"#{slug} .da-entry-title a").click()
    page.wait_for_load_state("networkidle")
    paper_star = page.locator(".da-paper-links").get_by_role("button", name=f"Star: {title}")
    assert paper_star.get_attribute("aria-pressed") == "true"
    paper_star.click()
    assert slug not in v.stored()["stars"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def star_papers(v: Visit, base: str, day: str, count: int) -> list[str]:
    page = v.go(base + f"days/{day}/")
    slugs = entry_ids(page)[:count]
    for slug in slugs:
        page.locator(f"#{slug} .da-tools .da-act").first.click()
    return slugs


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_reading_list_shows_starred_papers_and_exports_and_imports_them(
    visit, base, fixture_site, tmp_path, viewport
):
    v = visit(viewport)
    day = busiest_day(fixture_site)
    slugs = star_papers(v, base, day, 3)
    page = v.go(base + "reading-list/")
    assert sorted(entry_ids(page, "#da-reading-list li.da-entry")) == sorted(slugs)
    assert "3 starred papers" in page.inner_text("#da-reading-list")
    files = {}
    for label, suffix in (("Export BibTeX", "bib"), ("Export Markdown", "md"), ("Export JSON", "json")):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / f"{viewport}.{suffix}"
        download.value.save_as(path)
        files[suffix] = path
    bib = files["bib"].read_text()
    assert bib.count("@misc{") == 3
    for slug in slugs:
        # Each entry is the paper's own .bib, after a comment with the page's address.
        assert f"% {base}papers/{slug}/\n" + (fixture_site / "papers" / f"{slug}.bib").read_text().strip() in bib
    markdown = files["md"].read_text()
    assert markdown.startswith("# Reading list\n") and all(f"({base}papers/{slug}/)" in markdown for slug in slugs)
    exported = json.loads(files["json"].read_text())
    assert exported["version"] == 1 and sorted(p["slug"] for p in exported["papers"]) == sorted(slugs)
    # Each export imports into a browser that has no stars.
    for suffix, path in files.items():
        fresh = visit(viewport)
        page = fresh.go(base + "reading-list/")
        assert "No starred papers yet" in page.inner_text("#da-reading-list")
        page.set_input_files("#da-reading-list input[type=file]", path)
        page.wait_for_function("document.querySelectorAll('#da-reading-list li.da-entry').length === 3")
        assert "Imported 3 papers" in page.inner_text("#da-reading-list"), suffix
        assert sorted(fresh.stored()["stars"]) == sorted(slugs)


def test_importing_a_file_naming_no_paper_says_so_and_changes_nothing(visit, base, tmp_path):
    v = visit()
    page = v.go(base + "reading-list/")
    junk = tmp_path / "junk.bib"
    junk.write_text("@misc{other, title={Not from here}, url={https://example.org/papers/x/}}")
    page.set_input_files("#da-reading-list input[type=file]", junk)
    page.wait_for_function("document.querySelector('#da-reading-list [role=status]').textContent.includes('Imported')")
    assert "no paper of this archive" in page.inner_text(
        "#da-reading-list"
    ) or "not in this archive" in page.inner_text("#da-reading-list")
    assert v.stored().get("stars", {}) == {}


# --- Read marks, keyword filters, topics ---------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_mark_read_and_hide_read(visit, base, fixture_site, viewport):
    v = visit(viewport)
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    slug = entry_ids(page)[0]
    title = page.inner_text(f"#{slug} .da-entry-title a")
    page.get_by_role("button", name=f"Read: {title}").click()
    assert "da-read" in page.get_attribute(f"#{slug}", "class")
    page.get_by_label("Hide read").check()
    assert slug not in visible_ids(page)
    assert "1 hidden by your filters" in page.inner_text(".da-filters")
    page.get_by_role("button", name="Show hidden").click()
    assert slug in visible_ids(page)
    page.reload(wait_until="networkidle")
    assert slug not in visible_ids(page) and page.get_by_label("Hide read").is_checked()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_include_words_lift_and_highlight_exclude_words_hide_on_every_listing(visit, base, fixture_site, viewport):
    v = visit(viewport)
    day = busiest_day(fixture_site)
    page = v.go(base + f"days/{day}/")
    ids = entry_ids(page)
    assert len(ids) >= 2
    last, first = ids[-1], ids[0]
    # A word of the last paper's title lifts it to the top, highlighted.
    word = max(re.findall(r"[A-Za-z]{5,}", page.inner_text(f"#{last} .da-entry-title")), key=len)
    page.get_by_label("Highlight").fill(word)
    page.get_by_label("Highlight").press("Enter")
    assert visible_ids(page)[0] == last and "da-lifted" in page.get_attribute(f"#{last}", "class")
    # A word of the first paper's title hides it.
    word = max(re.findall(r"[A-Za-z]{5,}", page.inner_text(f"#{first} .da-entry-title")), key=len)
    page.get_by_label("Hide", exact=True).fill(word)
    page.get_by_label("Hide", exact=True).press("Enter")
    assert first not in visible_ids(page)
    assert "hidden by your filters" in page.inner_text(".da-filters")
    # The filters hold on the week page too.
    page.locator('.da-pager a[href*="weeks/"]').click()
    page.wait_for_load_state("networkidle")
    assert first not in visible_ids(page) and first in entry_ids(page)
    assert page.get_by_label("Hide", exact=True).input_value() == word.lower()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_hidden_topic_leaves_listings_and_a_followed_one_is_lifted(visit, base, fixture_site, viewport):
    v = visit(viewport)
    page = v.go(base + "tags/transformers/")
    name = page.inner_text("h1")
    page.get_by_role("button", name=f"Hide from listings: {name}").click()
    assert v.stored()["hide"] == ["transformers"]
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    tagged = page.eval_on_selector_all(
        "li.da-entry",
        "items => items.filter(i => i.querySelector('.da-tags > a[href$=\"tags/transformers/\"]')).map(i => i.id)",
    )
    assert tagged and not set(tagged) & set(visible_ids(page))
    page = v.go(base + "tags/transformers/")
    page.get_by_role("button", name=f"Hide from listings: {name}").click()
    page.get_by_role("button", name=f"Follow topic: {name}").click()
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    assert set(visible_ids(page)[: len(tagged)]) == set(tagged)


# --- /for-you/ --------------------------------------------------------------------------


def test_for_you_ranks_recent_papers_by_their_links_to_the_starred_ones(visit, shared_base, shared_site):
    # The real digests: the fixture's five papers are on five unrelated subjects, and
    # unrelated papers are never listed as related.
    v = visit()
    page = v.go(shared_base + "for-you/")
    assert "Star papers" in page.inner_text("#da-for-you")
    day = latest_day(shared_site)
    page = v.go(shared_base + f"days/{day}/")
    with_related = [
        slug
        for slug in entry_ids(page)
        if 'class="da-related"' in (shared_site / "papers" / slug / "index.html").read_text()
    ]
    starred = with_related[:1]
    page.locator(f"#{starred[0]} .da-tools .da-act").first.click()
    page = v.go(shared_base + "for-you/")
    page.wait_for_selector("#da-for-you li.da-entry")
    shown = entry_ids(page, "#da-for-you li.da-entry")
    # Related to the star either way: in its page's list, or it in theirs (the recent index).
    page_html = (shared_site / "papers" / starred[0] / "index.html").read_text()
    recent = json.loads((shared_site / "data" / "recent.json").read_text())
    records = {r[0]: dict(zip(recent["fields"], r, strict=True)) for r in recent["papers"]}
    related = {s for s in records if f'href="../{s}/"' in page_html.split('class="da-related"')[1].split("</ul>")[0]}
    related |= {s for s, r in records.items() if starred[0] in r["related"]}
    assert shown and set(shown) <= related and starred[0] not in shown
    assert page.inner_text("#da-for-you .da-why").startswith("Related to “")


# --- Keys, abstracts in place, the topics table ----------------------------------------


def test_keys_move_star_mark_open_and_change_days(visit, base, fixture_site):
    v = visit()
    days = sorted(folder.name for folder in (fixture_site / "days").iterdir() if folder.is_dir())
    middle = days[1]
    page = v.go(base + f"days/{middle}/")
    ids = entry_ids(page)
    page.keyboard.press("j")
    assert page.get_attribute(f"#{ids[0]}", "class").count("da-current") == 1
    assert page.evaluate("document.activeElement.closest('li').id") == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('.da-current').id") == ids[0]
    page.keyboard.press("s")
    page.keyboard.press("m")
    assert ids[0] in v.stored()["stars"] and ids[0] in v.stored()["read"]
    page.keyboard.press("a")
    page.wait_for_selector(f"#abstract-{ids[0]} .da-abstract")
    page.keyboard.press("?")
    assert page.locator("dialog.da-help").is_visible()
    assert "next paper" in page.inner_text("dialog.da-help")
    page.keyboard.press("Escape")
    assert not page.locator("dialog.da-help").is_visible()
    # Keys typed into a filter box are text, not commands.
    page.get_by_label("Highlight").fill("")
    page.get_by_label("Highlight").press("n")
    assert page.url.endswith(f"days/{middle}/")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("n")
    page.wait_for_url(f"**/days/{days[2]}/")
    page.keyboard.press("p")
    page.wait_for_url(f"**/days/{middle}/")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/papers/{ids[0]}/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_abstract_opens_in_place_exactly_as_on_the_paper_page(visit, base, fixture_site, viewport):
    v = visit(viewport)
    page = v.go(base + "tags/transformers/")
    slug = entry_ids(page)[0]
    title = page.inner_text(f"#{slug} .da-entry-title a")
    button = page.get_by_role("button", name=f"Abstract: {title}")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    page.wait_for_selector(f"#abstract-{slug} .da-abstract")
    shown = page.inner_text(f"#abstract-{slug} .da-abstract")
    paper = v.go(base + f"papers/{slug}/")
    assert shown == paper.inner_text(".da-abstract")
    page = v.go(base + "tags/transformers/")
    page.get_by_role("button", name=f"Abstract: {title}").click()
    page.get_by_role("button", name=f"Abstract: {title}").click()
    assert page.locator(f"#abstract-{slug}").is_hidden()


def test_the_topics_table_sorts_by_name_and_by_size(visit, base):
    v = visit()
    page = v.go(base + "tags/")

    def names():
        return page.eval_on_selector_all(
            "table.da-topic-table tbody tr td:first-child a", "a => a.map(x => x.textContent)"
        )

    def sizes():
        return page.eval_on_selector_all(
            "table.da-topic-table tbody tr td[data-value]", "t => t.map(x => +x.dataset.value)"
        )

    assert sizes() == sorted(sizes(), reverse=True)
    page.get_by_role("button", name="Topic").click()
    assert names() == sorted(names(), key=str.lower)
    assert page.get_attribute("th[data-sort=name]", "aria-sort") == "ascending"
    page.get_by_role("button", name="Topic").click()
    assert names() == sorted(names(), key=str.lower, reverse=True)
    page.get_by_role("button", name="Papers").click()
    assert sizes() == sorted(sizes(), reverse=True)


# --- Search filters ---------------------------------------------------------------------


def open_search(page, query: str):
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").fill(query)
    page.locator(".md-search__input").press("End")


def result_facts(page) -> list[str]:
    page.wait_for_selector(".md-search-result__item .da-result-facts")
    return page.eval_on_selector_all(".md-search-result__item .da-result-facts", "f => f.map(x => x.textContent)")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_search_filters_by_topic_and_year_and_results_show_date_and_topics(visit, base, viewport):
    v = visit(viewport)
    page = v.go(base + "days/")
    if viewport == "phone":
        page.locator("label.md-header__button[for=__search]").click()
    open_search(page, "models")
    page.wait_for_selector(".da-search-filters:not([hidden])")
    facts = result_facts(page)
    assert all(re.match(r"[A-Z][a-z]{2} \d+, \d{4}", f) for f in facts)
    page.get_by_label("Topic filter").select_option("Transformers and attention")
    assert page.locator(".md-search__input").input_value() == 'topic:"Transformers and attention" models'
    page.wait_for_function(
        "() => [...document.querySelectorAll('.da-result-facts')].every(f => f.textContent.includes('Transformers'))"
    )
    assert all("Transformers and attention" in f for f in result_facts(page))
    page.get_by_label("Topic filter").select_option("")
    page.get_by_label("Year filter").select_option("2024")
    page.wait_for_function(
        "() => { const f = [...document.querySelectorAll('.da-result-facts')];"
        " return f.length > 0 && f.every(x => x.textContent.includes('2024')); }"
    )
    # A filter typed into the box shows in the filter bar.
    page.locator(".md-search__input").fill("year:2025 reward")
    page.locator(".md-search__input").press("End")
    assert page.get_by_label("Year filter").input_value() == "2025"


# --- Robustness: garbage in storage, JavaScript off -------------------------------------

GARBAGE = [
    "{",
    "null",
    "[]",
    '"text"',
    '{"version": 99, "stars": {"x": 1}}',
    '{"version": 1, "stars": "all", "read": [1, 2], "include": "x", "exclude": {"a": 1}, "follow": 7, "hide": null}',
    '{"version": 1, "stars": {"../../evil": 1, "<img src=x>": 2, "ok-slug": "yesterday"}, "include": [1, null, ""]}',
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_local_storage_never_breaks_a_page(visit, base, fixture_site, garbage):
    v = visit(storage=garbage)
    for path in (f"days/{busiest_day(fixture_site)}/", "reading-list/", "for-you/", "tags/transformers/"):
        page = v.go(base + path)
        assert page.locator("article h1").count() == 1
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    assert visible_ids(page) == entry_ids(page)
    page.locator("li.da-entry .da-tools .da-act").first.click()
    assert len(v.stored()["stars"]) == 1


def test_full_storage_is_reported_and_leaves_pages_working(visit, base, fixture_site):
    v = visit()
    # A full (or read-only) localStorage refuses writes; the page says so and goes on.
    v.context.add_init_script(
        "const setItem = Storage.prototype.setItem; Storage.prototype.setItem = function (key, value) {"
        f" if (key === {json.dumps(KEY)}) throw new DOMException('full', 'QuotaExceededError');"
        " return setItem.call(this, key, value); };"
    )
    page = v.go(base + f"days/{busiest_day(fixture_site)}/")
    page.locator("li.da-entry .da-tools .da-act").first.click()
    assert "Not saved" in page.inner_text("[role=status].da-visually-hidden")
    page = v.go(base + "reading-list/")
    assert page.locator("#da-reading-list").is_visible()


def test_with_javascript_off_pages_are_complete_and_show_no_dead_control(visit, base, fixture_site):
    v = visit(javascript=False)
    day = busiest_day(fixture_site)
    page = v.go(base + f"days/{day}/")
    html = (fixture_site / "days" / day / "index.html").read_text()
    assert len(entry_ids(page)) == html.count('class="da-entry"') >= 2
    # (Material's back-to-top button is in the page, transparent, as Material leaves it.)
    assert (
        page.locator(".da-tools, .da-filters, .da-sort:visible, .da-copy:visible, article button:visible").count() == 0
    )
    assert page.locator("li.da-entry .da-excerpt").first.is_visible()
    page = v.go(base + "reading-list/")
    assert "needs JavaScript" in page.inner_text("article")
    page = v.go(base + "days/")
    assert page.locator("table.da-calendar td a").count() == len(list((fixture_site / "days").glob("*/index.html")))


# --- What the issue asks a reader to be able to do, on the real sample digests ---------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_reader_finds_yesterday_hides_a_topic_stars_three_exports_and_gets_recommendations(
    visit, shared_base, shared_site, tmp_path, viewport
):
    v = visit(viewport)
    # Yesterday's papers: the latest day, marked on the calendar.
    page = v.go(shared_base + "days/")
    page.locator("td.da-latest a").click()
    page.wait_for_url(f"**/days/{latest_day(shared_site)}/")
    listed = entry_ids(page)
    # Hide a topic from its page: its papers leave the day's listing.
    chip = page.locator("li.da-entry .da-tags > a").first
    topic = chip.inner_text()
    chip.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=f"Hide from listings: {topic}").click()
    page.go_back(wait_until="networkidle")
    hidden = [slug for slug in listed if slug not in visible_ids(page)]
    assert hidden and all(topic in page.inner_text(f"#{slug} .da-tags") for slug in hidden)
    # Star three papers.
    shown = visible_ids(page)[:3]
    for slug in shown:
        page.locator(f"#{slug} .da-tools .da-act").first.click()
    # Export them as BibTeX.
    page = v.go(shared_base + "reading-list/")
    page.wait_for_function("document.querySelectorAll('#da-reading-list li.da-entry').length === 3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export BibTeX").click()
    path = tmp_path / "list.bib"
    download.value.save_as(path)
    assert path.read_text().count("@misc{") == 3
    # Related recent papers on /for-you/, none of them in the hidden topic.
    page = v.go(shared_base + "for-you/")
    page.wait_for_selector("#da-for-you li.da-entry")
    recommended = page.locator("#da-for-you li.da-entry")
    assert recommended.count() >= 1
    assert topic not in page.inner_text("#da-for-you ol")
    assert not set(entry_ids(page, "#da-for-you li.da-entry")) & set(shown)


# --- Design: contrast, no empty sidebar, charts on a phone -----------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_titles_are_in_full_contrast_and_no_sidebar_holds_only_the_section_name(visit, base, viewport):
    v = visit(viewport)
    for path in ("days/2025-01-02/", "papers/robust-reward-models-resist-reward-hacking-466df85c/", "tags/"):
        page = v.go(base + path)
        colours = page.evaluate(
            "[getComputedStyle(document.querySelector('article h1')).color,"
            " getComputedStyle(document.querySelector('article')).color]"
        )
        assert colours[0] == colours[1]
        sidebar = page.locator(".md-sidebar--primary")
        if viewport == "desktop":
            assert sidebar.count() == 0 or not sidebar.is_visible()
        else:  # the navigation drawer, closed: off the screen until the menu button opens it
            assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_chart_labels_stay_legible_on_a_phone(visit, base):
    v = visit("phone")
    page = v.go(base + "stats/")
    heights = page.eval_on_selector_all(".da-chart-grid text", "t => t.map(x => x.getBoundingClientRect().height)")
    assert heights and min(heights) >= 10
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_reader_pages_are_reached_from_the_tabs_and_the_drawer(visit, base, viewport):
    v = visit(viewport)
    page = v.go(base + "papers/robust-reward-models-resist-reward-hacking-466df85c/")
    if viewport == "desktop":
        page.locator(".md-tabs__link", has_text="Reading list").click()
    else:
        page.locator("label.md-header__button[for=__drawer]").click()
        page.locator(".md-nav--primary .md-nav__link", has_text="For you").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("reading-list/" if viewport == "desktop" else "for-you/")
    active = ".md-tabs__item--active .md-tabs__link" if viewport == "desktop" else ".md-nav__link--active"
    assert page.locator(active).inner_text().strip() == ("Reading list" if viewport == "desktop" else "For you")
