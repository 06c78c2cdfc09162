"""Theme drift: the trick layers stay in step with the installed Material and MkDocs.

The layers in generator/mkdocs/theme copy small pieces of Material (the header, the
configuration script, the sidebar, icons, ...), the search worker speaks Material's
private worker protocol, and the plugin relies on a few MkDocs internals. These tests
fail when an upgrade changes any of them, so the copy is refreshed instead of silently
drifting. The deploy workflow runs them before it publishes, and the canary workflow
runs them on the newest versions pyproject.toml allows.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import material
import mkdocs.commands.build as mkdocs_build
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from generator.mkdocs.search import WORKER_SOURCE
from generator.mkdocs.theme import MATERIAL_TEMPLATES, THEME, material_search_worker

MATERIAL = Path(material.__file__).parent / "templates"
JAVASCRIPTS = MATERIAL / "assets" / "javascripts"
assert MATERIAL == MATERIAL_TEMPLATES


def without_leading_comment(template: str) -> str:
    return re.sub(r"\A\{#-.*?-#\}\n", "", template, flags=re.S)


def layer(path: str) -> str:
    return without_leading_comment((THEME / path).read_text())


def materials(path: str) -> str:
    return without_leading_comment((MATERIAL / path).read_text())


def source_map(pattern: str) -> dict[str, str]:
    """The TypeScript sources of one of Material's bundles, by path."""
    document = json.loads(next(JAVASCRIPTS.glob(pattern)).read_text())
    return dict(zip(document["sources"], document["sourcesContent"], strict=True))


def interface_fields(sources: dict[str, str], name: str) -> dict[str, bool]:
    """The fields of a TypeScript interface: {name: required}."""
    for text in sources.values():
        match = re.search(rf"export interface {name}\b[^{{]*\{{(.*?)\n\}}", text, re.S)
        if match:
            fields = re.findall(r"^\s*(\w+)(\??):", match.group(1), re.M)
            return {field: not optional for field, optional in fields}
    raise AssertionError(f"interface {name} not found")


# --- chrome_script ------------------------------------------------------------------


def test_chrome_header_is_materials_with_the_scripted_part_moved_out():
    ours = layer("chrome/partials/header.html")
    scripted = layer("chrome/partials/archive-scripted-header.html")
    theirs = materials("partials/header.html")
    call = "    <script>archiveChrome.header()</script>\n"
    assert ours.count(call) == 1
    before, after = ours.split(call)
    # Material's order: palette, alternate languages, search; the call stands for the
    # palette and search, the alternate-language menu stays in the page.
    search_start = "    {% if archive_search_plugin in config.plugins %}"
    palette, search = scripted.split(search_start)
    alternate = '    {% if config.extra.alternate %}\n      {% include "partials/alternate.html" %}\n    {% endif %}\n'
    assert after.startswith(alternate)
    rebuilt = before + palette + alternate + search_start + search + after[len(alternate) :]
    assert rebuilt == with_search_plugin_named(theirs)


def with_search_plugin_named(header: str) -> str:
    """Material's header with its search plugin's name replaced by the plugin's choice."""
    named = header.replace(
        '{% if "material/search" in config.plugins %}', "{% if archive_search_plugin in config.plugins %}"
    ).replace(
        '{% set search = config.plugins["material/search"] | attr("config") %}',
        '{% set search = config.plugins[archive_search_plugin] | attr("config") %}',
    )
    assert named.count("archive_search_plugin") == 2
    return named


def test_search_layer_header_is_materials_with_the_search_plugin_named():
    assert layer("search/partials/header.html") == with_search_plugin_named(materials("partials/header.html"))


def test_chrome_start_script_and_nav_stand_for_materials():
    start = materials("partials/javascripts/base.html")
    assert start.startswith("<script>__md_scope=new URL(") and start.count("<script>") == 1
    assert "archive_urls.chrome_script" in layer("chrome/partials/javascripts/base.html")
    nav = layer("chrome/partials/nav.html")
    assert '{% include "digest-archive-material/partials/nav.html" %}' in nav
    assert "<script>archiveChrome.drawer()</script>" in nav
    assert (MATERIAL / "partials" / "nav.html").is_file()


# --- The configuration script and the search worker (a private protocol) ------------


def test_configuration_script_is_materials_with_the_search_worker_named():
    ours = layer("archive/partials/archive-config.html")
    base = (MATERIAL / "base.html").read_text()
    theirs = re.search(r"\{% block config %\}\n(.*?)    \{% endblock %\}", base, re.S).group(1)
    (worker_line,) = [line for line in theirs.splitlines(keepends=True) if '"search":' in line]
    assert ours == theirs.replace(worker_line, '          "search": archive_search_worker | url,\n')
    # Material's own worker, used when digest-archive-search is off, is the one it names.
    assert f'"search": "{material_search_worker()}" | url,' in worker_line


def test_material_still_starts_the_worker_named_in_the_configuration():
    bundle = source_map("bundle.*.min.js.map")
    assert any("setupSearchWorker(config.search, index$)" in text for text in bundle.values())
    assert any("new Worker(url" in text or "watchWorker" in text for text in bundle.values())


def test_worker_speaks_materials_search_message_numbers():
    bundle = source_map("bundle.*.min.js.map")
    (message,) = [text for path, text in bundle.items() if path.endswith("search/worker/message/index.ts")]
    enum = re.search(r"export const enum SearchMessageType \{(.*?)\}", message, re.S).group(1)
    names = re.findall(r"^\s*([A-Z]+),?", enum, re.M)
    assert names == ["SETUP", "READY", "QUERY", "RESULT"]
    worker = WORKER_SOURCE.read_text()
    for number, name in enumerate(names):
        assert f"const {name} = {number};" in worker


def test_worker_results_have_the_fields_materials_result_list_reads():
    sources = source_map("workers/search.*.min.js.map")
    result = interface_fields(sources, "SearchResult")
    item = {**interface_fields(sources, "SearchDocument"), **interface_fields(sources, "SearchItem")}
    assert result == {"items": True, "suggest": False}
    required = {field for field, needed in item.items() if needed}
    assert required == {"location", "title", "text", "score", "terms"}
    worker = WORKER_SOURCE.read_text()
    (item_literal,) = re.findall(r"return \[\{\n(.*?)\}\];", worker, re.S)
    sent = set(re.findall(r"^\s*(\w+):", item_literal, re.M))
    assert required <= sent <= set(item)
    assert "data: { items, total: items.length }" in worker  # items as Material reads them


# --- The other layers -----------------------------------------------------------------


def test_every_icon_override_points_at_a_sprite_symbol_equal_to_materials_icon():
    sprite = (THEME / "icons" / "assets" / "images" / "archive-icons.svg").read_text()
    symbols = dict(re.findall(r'<symbol id="([^"]+)" viewBox="0 0 24 24">(.*?)</symbol>', sprite))
    overrides = sorted((THEME / "icons" / ".icons" / "material").glob("*.svg"))
    assert len(overrides) == len(symbols) >= 8
    for override in overrides:
        name = override.stem
        text = override.read_text()
        assert f'{{{{ archive_urls.icon_sprite | url }}}}#{name}"' in text, override
        original = (MATERIAL / ".icons" / "material" / override.name).read_text()
        assert symbols[name] in original, name


def test_tabs_script_is_materials_inside_a_tabbed_extension_check():
    ours = layer("tabs-script/partials/javascripts/content.html")
    theirs = materials("partials/javascripts/content.html")
    assert ours == '{% if "pymdownx.tabbed" in config.markdown_extensions %}\n' + theirs + "{% endif %}\n"


def test_lean_sidebar_is_materials_primary_sidebar():
    ours = (THEME / "archive" / "base.html").read_text()
    primary = re.search(r"    \{% if nav %\}\n(.*?)    \{% endif %\}\n  \{% else %\}", ours, re.S).group(1)
    theirs = (MATERIAL / "base.html").read_text()

    def stripped(text: str) -> str:
        return "\n".join(line.strip() for line in text.splitlines())

    assert stripped(primary) in stripped(theirs)
    assert "{{ super() }}" in ours  # pages with a table of contents get Material's sidebars


def test_layer_base_extends_materials_and_overrides_blocks_it_has():
    ours = (THEME / "archive" / "base.html").read_text()
    assert '{% extends "digest-archive-material/base.html" %}' in ours
    theirs = (MATERIAL / "base.html").read_text()
    for block in re.findall(r"\{% block (\w+) %\}", ours):
        assert f"{{% block {block} %}}" in theirs, block


def test_copyright_is_materials_with_the_credit_on_the_home_page_only():
    assert layer("credit/partials/copyright.html") == materials("partials/copyright.html").replace(
        "{% if not config.extra.generator == false %}",
        "{% if not config.extra.generator == false and page.is_homepage %}",
    )


def test_back_to_top_button_is_materials_but_not_on_paper_pages():
    ours = layer("top/partials/top.html")
    theirs = materials("partials/top.html")
    assert ours == "{% if not (page and page.meta and page.meta.share) %}\n" + theirs + "{% endif %}\n"


# --- MkDocs internals the plugin relies on ------------------------------------------


def test_mkdocs_builds_pages_before_the_env_event_and_renders_them_with_page_render():
    source = inspect.getsource(mkdocs_build.build)
    # Pages are read (on_page_markdown) before on_env: the plugin sets frame templates then.
    assert source.index("_populate_page(") < source.index("plugins.on_env(")
    populate = inspect.getsource(mkdocs_build._populate_page)
    # pass_through_html swaps Page.render between on_page_markdown and the render call.
    assert populate.index("on_page_markdown") < populate.index("page.render(config, files)")
    render = inspect.getsource(Page.render)
    for attribute in ("self.content", "self.toc", "self.present_anchor_ids"):
        assert attribute in render, attribute


def test_mkdocs_get_context_and_generated_files_keep_their_signatures():
    parameters = list(inspect.signature(mkdocs_build.get_context).parameters)
    assert parameters[:3] == ["nav", "files", "config"] and "base_url" in parameters
    assert "content" in inspect.signature(File.generated).parameters
