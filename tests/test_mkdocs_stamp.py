"""Stamped pages: Material's frame rendered once per page shape, checked, then reused."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest

from generator.mkdocs.stamp import CHECKED_PAGES, Frame, FrameCache, marked_copy, shape_of

from .helpers import FIXTURES, REPO, make_project, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_archive  # noqa: E402


def fake_page(url: str, title: str, content: str, **meta) -> SimpleNamespace:
    return SimpleNamespace(
        url=url,
        content=content,
        canonical_url=None,
        edit_url=None,
        previous_page=None,
        next_page=None,
        parent=None,
        meta={"title": title, "description": f"About {title}", "template": "frame.html", **meta},
    )


def fake_theme(page, context) -> str:
    """A stand-in for Material: the values in a frame, with white space around the content."""
    root = "../" * page.url.count("/")
    heading = "" if "<h1" in page.content else f"<h1>{page.meta['title']}</h1>"
    return (
        f'<title>{page.meta["title"]} - Site</title><meta content="{page.meta["description"]}">'
        f'<a href="{root}">home</a><article>\n  {heading}{page.content}\n  </article>'
    )


def cache(theme=fake_theme) -> FrameCache:
    return FrameCache(render_marked=theme, finish=lambda html, page: html.replace("\n  ", ""))


def build(frames: FrameCache, pages, theme=fake_theme) -> list[str]:
    """What the plugin does with each page: stamp it when ready, else render and check."""
    outputs = []
    for page in pages:
        if frames.ready(page):
            outputs.append(frames.stamp(page))
        else:
            frames.prepare(page, {})
            rendered = frames.finish(theme(page, {}), page)
            frames.check(page, rendered)
            outputs.append(rendered)
    return outputs


def test_frame_cut_at_markers_stamps_each_pages_values():
    page = fake_page("papers/a/", "A", "<h1>A</h1><p>x</p>")
    marked = marked_copy(page)
    frame = Frame.from_marked_output(fake_theme(marked, {}), "<h1>")
    values = {"title": "B & C", "description": "d", "content": "<h1>B</h1>"}
    assert (
        frame.stamp(values)
        == '<title>B & C - Site</title><meta content="d"><a href="../../">home</a><article><h1>B</h1></article>'
    )


def test_pages_are_stamped_only_after_two_checked_renders_and_equal_the_theme_output():
    frames = cache()
    pages = [fake_page(f"papers/p{n}/", f"Paper {n} <i>", f"<h1>Paper {n}</h1><p>{n}</p>") for n in range(6)]
    outputs = build(frames, pages)
    assert outputs == [frames.finish(fake_theme(p, {}), p) for p in pages]
    assert frames.rendered == CHECKED_PAGES and frames.stamped == len(pages) - CHECKED_PAGES


def test_a_value_outside_the_markers_fails_the_check_and_nothing_is_stamped():
    def theme_showing_url(page, context):
        return fake_theme(page, context) + f'<link href="{page.url}">'

    frames = cache(theme_showing_url)
    pages = [fake_page(f"papers/p{n}/", f"P{n}", f"<h1>P{n}</h1>") for n in range(5)]
    outputs = build(frames, pages, theme_showing_url)
    # The first page's own URL is in its frame: the second page's check catches it.
    assert outputs == [frames.finish(theme_showing_url(p, {}), p) for p in pages]
    assert frames.stamped == 0


def test_shapes_split_by_folder_heading_and_present_values():
    base = fake_page("papers/a/", "A", "<h1>A</h1>")
    assert shape_of(base) == shape_of(fake_page("papers/b/", "B", "<h1>B</h1>"))
    assert shape_of(base) != shape_of(fake_page("days/a/", "A", "<h1>A</h1>"))
    assert shape_of(base) != shape_of(fake_page("papers/c/", "C", "<p>no heading</p>"))
    no_description = fake_page("papers/d/", "D", "<h1>D</h1>")
    del no_description.meta["description"]
    assert shape_of(base) != shape_of(no_description)


def test_a_page_in_the_nav_is_a_shape_of_its_own():
    # Top-level pages share a folder; those in the nav render their own active tab and
    # previous/next links, so a frame from a page outside the nav must never fit them.
    outside = fake_page("reading-list/", "Reading list", "<h1>R</h1>")
    stats = fake_page("stats/", "Statistics", "<h1>S</h1>")
    stats.previous_page = SimpleNamespace(url="top/")
    top = fake_page("top/", "Most voted", "<h1>T</h1>")
    top.next_page = SimpleNamespace(url="stats/")
    assert shape_of(outside) == shape_of(fake_page("for-you/", "For you", "<h1>F</h1>"))
    assert shape_of(stats) != shape_of(outside)
    assert shape_of(stats) != shape_of(top)


def test_page_without_heading_gets_the_theme_heading_when_stamped():
    frames = cache()
    pages = [fake_page(f"days/d{n}/", f"Day {n}", f"<p>{n}</p>") for n in range(4)]
    assert build(frames, pages)[3] == (
        '<title>Day 3 - Site</title><meta content="About Day 3"><a href="../../">home</a>'
        "<article><h1>Day 3</h1><p>3</p></article>"
    )
    assert frames.stamped == 2


@pytest.mark.parametrize("archive", ["fixture", "metadata"])
def test_stamped_site_equals_the_site_material_renders_page_by_page(tmp_path, archive):
    if archive == "fixture":
        digests = FIXTURES / "archive"
    else:
        # Paper pages with authors, citation meta tags and a BibTeX <pre>, enough of them
        # that most are stamped.
        digests = tmp_path / "digests"
        write_archive(80, digests, metadata=True)

    def build_site(name: str, stamp: bool):
        project = make_project(tmp_path / name)
        if not stamp:
            config = project / "mkdocs.yml"
            text = config.read_text()
            assert "  - digest-archive\n" in text
            config.write_text(text.replace("  - digest-archive\n", "  - digest-archive:\n      stamp_frames: false\n"))
        result = run_cli("build", "--digests", str(digests), "--strict", cwd=project)
        assert result.returncode == 0, result.stderr
        return project / "site", result.stderr

    stamped, log = build_site("stamped", stamp=True)
    unstamped, unstamped_log = build_site("unstamped", stamp=False)
    counts = re.search(r"pages stamped from checked frames: (\d+); rendered by the theme: (\d+)", log)
    assert counts and int(counts.group(1)) >= 10, log
    if archive == "metadata":
        # Paper pages (80, each with a BibTeX <pre>) are stamped, beyond the checked ones.
        assert int(counts.group(1)) > 80 + 30, log
    assert "pages stamped" not in unstamped_log
    pages = sorted(p.relative_to(stamped) for p in stamped.rglob("*.html"))
    assert len(pages) > 20
    assert pages == sorted(p.relative_to(unstamped) for p in unstamped.rglob("*.html"))
    for page in pages:
        assert (stamped / page).read_bytes() == (unstamped / page).read_bytes(), page


def test_a_front_matter_value_a_template_may_read_is_part_of_the_shape():
    paper = fake_page("papers/a/", "A", "<h1>A</h1>", share="true")
    assert shape_of(paper) == shape_of(fake_page("papers/b/", "B", "<h1>B</h1>", share="true"))
    assert shape_of(paper) != shape_of(fake_page("papers/c/", "C", "<h1>C</h1>", share="false"))
    assert shape_of(paper) != shape_of(fake_page("papers/d/", "D", "<h1>D</h1>", share="true", hide=["toc"]))
    # The stamped values themselves do not split shapes.
    assert shape_of(paper) == shape_of(fake_page("papers/e/", "E & F", "<h1>E</h1><p>x</p>", share="true"))


def test_later_pages_are_sampled_and_a_difference_after_stamping_began_fails_the_build():
    from generator.mkdocs.stamp import SAMPLE_EVERY, StampMismatch

    def theme(page, context):
        # From page 100 on, the theme puts something per page outside the markers.
        extra = (
            '<meta name="n">'
            if int(page.url.split("/")[1][1:]) >= 100 and page.meta["title"] != "qzxdaframetitlemarkerqzx"
            else ""
        )
        return fake_theme(page, context) + extra

    frames = cache(theme)
    pages = [fake_page(f"papers/p{n}/", f"P{n}", f"<h1>P{n}</h1>") for n in range(CHECKED_PAGES + SAMPLE_EVERY)]
    outputs = build(frames, pages, theme)
    assert frames.rendered == CHECKED_PAGES and frames.stamped == SAMPLE_EVERY
    sampled = fake_page("papers/p64/", "P64", "<h1>P64</h1>")
    assert not frames.ready(sampled)  # the next page is rendered by the theme and compared
    assert build(frames, [sampled], theme) == [frames.finish(theme(sampled, {}), sampled)]
    assert frames.ready(fake_page("papers/p65/", "P65", "<h1>P65</h1>"))
    # The next sampled page after the change (within SAMPLE_EVERY pages of it) catches it.
    with pytest.raises(StampMismatch, match=r"papers/p1[0-6]\d/: Material rendered this page differently"):
        for n in range(66, 66 + 2 * SAMPLE_EVERY):
            build(frames, [fake_page(f"papers/p{n}/", f"P{n}", f"<h1>P{n}</h1>")], theme)
    assert outputs[0] == frames.finish(theme(pages[0], {}), pages[0])


def test_a_value_of_whole_tags_joins_the_tags_around_it_as_lean_html_does():
    # After lean_html a line break stays between a tag and text (the marker) but not
    # between two tags: the frame drops it around a value that is tags.
    output = '<meta name="a">\nqzxdaframecitationmarkerqzx\n</head><body>'
    frame = Frame.from_marked_output(output, "")
    assert frame.stamp({"citation_tags": '<meta name="citation_title" content="T">'}) == (
        '<meta name="a"><meta name="citation_title" content="T"></head><body>'
    )
