"""Progress reporting: plain milestone lines off a terminal, silence for small runs."""

from __future__ import annotations

import io
from types import SimpleNamespace

from generator.mkdocs.lean import collapse_whitespace
from generator.mkdocs.plugin import ArchivePlugin
from generator.progress import Progress
from generator.site.escaping import HTML_BODY_KEY


def test_off_a_terminal_progress_is_a_line_per_tenth_and_a_summary():
    stream = io.StringIO()
    progress = Progress("rendering", 5000, stream=stream)
    for _ in range(5000):
        progress.advance()
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "rendering: 500/5,000 pages (10%)"
    assert lines[8] == "rendering: 4,500/5,000 pages (90%)"
    assert len(lines) == 10 and lines[-1].startswith("rendering: 5,000 pages in ")
    assert "\r" not in stream.getvalue()


def test_small_runs_print_nothing(capsys):
    progress = Progress("writing", 10)
    progress.advance(10)
    progress.close()
    assert capsys.readouterr().err == ""


def test_mkdocs_plugin_counts_rendered_pages(capsys):
    class Files:
        def documentation_pages(self):
            return range(3000)

        def get_file_from_path(self, path):
            return None  # a project without the reader script

    plugin = ArchivePlugin()
    plugin.on_files(Files(), config={})
    for _ in range(3000):
        assert (
            plugin.on_post_page("<html>\n  <body>", page=SimpleNamespace(meta={}, canonical_url=None), config={})
            == "<html>\n<body>"
        )
    plugin.on_post_build(config=SimpleNamespace(site_url=None))
    err = capsys.readouterr().err
    assert "mkdocs build: 300/3,000 pages (10%)" in err and "mkdocs build: 3,000 pages in" in err


def test_collapse_whitespace_keeps_what_a_browser_shows():
    html = '<div>\n    <p>Text  with  two spaces</p>\n\n\t  <a href="x">link</a> \n  tail</div>'
    assert collapse_whitespace(html) == '<div>\n<p>Text  with  two spaces</p>\n<a href="x">link</a>\ntail</div>'
    with_pre = "<pre>\n    code\n</pre>"
    assert collapse_whitespace(with_pre) == with_pre


class _Page:
    def __init__(self, uri: str, meta: dict) -> None:
        self.meta = meta
        self.file = type("File", (), {"src_uri": uri})()
        self.content = None

    def render(self, config, files) -> None:
        self.content = f"<p>converted {self.markdown}</p>"


def test_generated_pages_skip_markdown_and_hand_written_pages_do_not():
    plugin = ArchivePlugin()
    generated = _Page("papers/x.md", {"html_body": True, "title": "X"})
    body = "<article data-pagefind-body>\n<p>*not emphasis* 50\\% [m]times [n]</p>\n</article>\n"
    generated.markdown = plugin.on_page_markdown(body, page=generated, config={}, files=None)
    generated.render({}, None)
    assert generated.content == body and generated.present_anchor_ids == set()
    written = _Page("about.md", {"title": "About"})
    written.markdown = plugin.on_page_markdown("# About *me*", page=written, config={}, files=None)
    written.render({}, None)
    assert written.content == "<p>converted # About *me*</p>"
    # A page that merely says html_body: "yes" is not taken for generated output.
    loose = _Page("loose.md", {"html_body": "yes"})
    loose.markdown = plugin.on_page_markdown("*x*", page=loose, config={}, files=None)
    loose.render({}, None)
    assert loose.content == "<p>converted *x*</p>"


def test_line_breaks_between_tags_go_on_generated_pages_only():
    plugin = ArchivePlugin()
    html = "<ul>\n  <li><code>a</code>\n<code>b</code></li>\n</ul>"
    generated = plugin.on_post_page(
        html, page=SimpleNamespace(meta={HTML_BODY_KEY: True}, canonical_url=None), config={}
    )
    assert generated == "<ul><li><code>a</code><code>b</code></li></ul>"
    # In hand-written Markdown a line break between two code spans is the space between them.
    written = plugin.on_post_page(html, page=SimpleNamespace(meta={}, canonical_url=None), config={})
    assert written == "<ul>\n<li><code>a</code>\n<code>b</code></li>\n</ul>"


def test_collapse_whitespace_keeps_pre_elements_byte_for_byte_and_collapses_around_them():
    html = "<div>\n    <p>a</p>\n    <pre><code>@misc{k,\n  title = {T}\n}\n</code></pre>\n    <p>b</p>\n</div>"
    collapsed = collapse_whitespace(html, between_tags=True)
    assert collapsed == "<div><p>a</p><pre><code>@misc{k,\n  title = {T}\n}\n</code></pre><p>b</p></div>"
    # A <pre> left open: where its spacing ends cannot be told, so nothing changes.
    broken = "<div>\n    <pre>\n  x\n</div>"
    assert collapse_whitespace(broken, between_tags=True) == broken
