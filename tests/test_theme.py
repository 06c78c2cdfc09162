"""theme_overrides stays in step with the installed Material for MkDocs.

The overrides copy small pieces of Material (the header, the palette script, icon paths);
these tests fail when a Material upgrade changes a piece, so the copy is refreshed
instead of silently drifting.
"""

from __future__ import annotations

import re
from pathlib import Path

import material

from .helpers import REPO

MATERIAL = Path(material.__file__).parent / "templates"
OVERRIDES = REPO / "theme_overrides"


def without_leading_comment(template: str) -> str:
    return re.sub(r"\A\{#-.*?-#\}\n", "", template, flags=re.S)


def test_header_is_materials_with_the_scripted_part_moved_out():
    ours = without_leading_comment((OVERRIDES / "partials" / "header.html").read_text())
    scripted = without_leading_comment((OVERRIDES / "partials" / "archive-scripted-header.html").read_text())
    theirs = without_leading_comment((MATERIAL / "partials" / "header.html").read_text())
    call = "    <script>archiveChrome.header()</script>\n"
    assert ours.count(call) == 1
    before, after = ours.split(call)
    # Material's order: palette, alternate languages, search; the call stands for the
    # palette and search, the alternate-language menu stays in the page.
    search_start = '    {% if "digest-archive-search" in config.plugins %}'
    palette, search = scripted.split(search_start)
    alternate = '    {% if config.extra.alternate %}\n      {% include "partials/alternate.html" %}\n    {% endif %}\n'
    assert after.startswith(alternate)
    rebuilt = before + palette + alternate + search_start + search + after[len(alternate):]
    assert rebuilt == theirs.replace('"material/search"', '"digest-archive-search"')


def test_configuration_has_materials_keys_with_the_search_worker_swapped():
    ours = without_leading_comment((OVERRIDES / "partials" / "archive-config.html").read_text())
    theirs = (MATERIAL / "base.html").read_text()
    theirs = theirs[theirs.index('<script id="__config"') : theirs.index("</script>", theirs.index('<script id="__config"'))]
    keys = re.compile(r'^\s*"([a-z.]+)":', re.M)
    assert sorted(keys.findall(ours)) == sorted(keys.findall(theirs))
    assert '"search": "assets/javascripts/archive-search.js" | url,' in ours


def test_every_icon_override_points_at_a_sprite_symbol_equal_to_materials_icon():
    sprite = (OVERRIDES / "assets" / "images" / "archive-icons.svg").read_text()
    symbols = dict(re.findall(r'<symbol id="([^"]+)" viewBox="0 0 24 24">(.*?)</symbol>', sprite))
    overrides = sorted((OVERRIDES / ".icons" / "material").glob("*.svg"))
    assert len(overrides) == len(symbols) >= 8
    for override in overrides:
        name = override.stem
        assert f"#{name}\"" in override.read_text(), override
        original = (MATERIAL / ".icons" / "material" / override.name).read_text()
        assert symbols[name] in original, name


def test_worker_speaks_materials_search_message_numbers():
    # Material's SearchMessageType enum: SETUP 0, READY 1, QUERY 2, RESULT 3.
    bundle_map = next((MATERIAL / "assets" / "javascripts").glob("bundle.*.min.js.map")).read_text()
    assert "SETUP,                               /* Search index setup */\\n  READY," in bundle_map
    assert "QUERY,                               /* Search query */\\n  RESULT" in bundle_map
    worker = (OVERRIDES / "assets" / "javascripts" / "archive-search.js").read_text()
    for name, number in {"SETUP": 0, "READY": 1, "QUERY": 2, "RESULT": 3}.items():
        assert f"const {name} = {number};" in worker


def test_content_script_is_materials_inside_a_tabbed_extension_check():
    ours = without_leading_comment((OVERRIDES / "partials" / "javascripts" / "content.html").read_text())
    theirs = without_leading_comment((MATERIAL / "partials" / "javascripts" / "content.html").read_text())
    assert ours == '{% if "pymdownx.tabbed" in config.markdown_extensions %}\n' + theirs + "{% endif %}\n"


def test_sidebar_without_toc_is_materials_primary_sidebar():
    ours = (OVERRIDES / "main.html").read_text()
    primary = re.search(r"{% elif nav %}\n(.*?)  {% endif %}\n{% endblock %}", ours, re.S).group(1)
    theirs = (MATERIAL / "base.html").read_text()

    def stripped(text: str) -> str:
        return "\n".join(line.strip() for line in text.splitlines())

    # Ours inserts the navigation by script on pages outside the nav; otherwise Material's.
    drawer = re.compile(
        r'{% if nav.pages \| selectattr\("active"\) \| first is defined %}\n(.*?)\n{% else %}\n'
        r"<script>archiveChrome.drawer\(\)</script>\n{% endif %}\n"
    )
    materials = drawer.sub(r"\1\n", stripped(primary))
    assert materials != stripped(primary)
    assert materials in stripped(theirs)


def test_copyright_is_materials_with_the_credit_on_the_home_page_only():
    ours = without_leading_comment((OVERRIDES / "partials" / "copyright.html").read_text())
    theirs = without_leading_comment((MATERIAL / "partials" / "copyright.html").read_text())
    assert ours == theirs.replace(
        "{% if not config.extra.generator == false %}",
        "{% if not config.extra.generator == false and page.is_homepage %}",
    )


def test_back_to_top_button_is_materials_but_not_on_paper_pages():
    ours = without_leading_comment((OVERRIDES / "partials" / "top.html").read_text())
    theirs = without_leading_comment((MATERIAL / "partials" / "top.html").read_text())
    assert ours == "{% if not (page and page.meta and page.meta.share) %}\n" + theirs + "{% endif %}\n"
