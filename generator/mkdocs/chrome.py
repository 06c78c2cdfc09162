"""chrome_script: ``assets/javascripts/archive-chrome.js``, the parts of Material's pages
that work only with JavaScript, written once per build instead of into every page.

Material puts into every page a palette toggle, a search box and a configuration script
(about 3.5 KB), none of which does anything without JavaScript, and an inline start-up
script. At 50,000 pages that is 175 MB of a site GitHub Pages caps at 1 GB. The theme
overrides leave them out of the pages and call this script instead:

* in ``<head>``, ``<script src=".../archive-chrome.js">`` runs Material's start-up
  script (local storage helpers scoped to the site);
* in the header, ``archiveChrome.header()`` inserts the palette toggle and search box
  (``partials/archive-scripted-header.html``) and then runs their scripts;
* before Material's bundle, ``archiveChrome.config()`` inserts the configuration
  (``partials/archive-config.html``);
* in the navigation drawer of a page that is not in the nav (every paper, day and topic
  page), ``archiveChrome.drawer()`` inserts Material's navigation (``partials/nav.html``
  with no item active, 1.1 KB): on a narrow screen the drawer only opens with
  JavaScript, and on a wide one the tabs show the same links.

The templates are those of ``theme/chrome`` and ``theme/archive``.

The pieces are rendered from the theme with the site root as a marker, which the script
replaces with the real root, found from its own URL. Every insertion happens while the
page is parsed, before Material's bundle runs, so Material finds the page as it would
have been served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jinja2
from mkdocs.commands.build import get_context

from .theme import MATERIAL_PREFIX

ROOT_MARK = "qzxdachromerootqzx"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_WRAPPER = '{% import "partials/language.html" as lang with context %}{% include name %}'

_CHROME_TEMPLATE = """\
/* The parts of Material for MkDocs pages that work only with JavaScript, written by the
   digest-archive MkDocs plugin from the theme (see generator/mkdocs/chrome.py). */
var archiveChrome = (function () {
  var root = new URL("../..", document.currentScript.src).href;
  function insert(html) {
    document.currentScript.insertAdjacentHTML(
      "beforebegin", html.split(@MARK@ + "/").join(root).split(@MARK@).join(root));
  }
  return {
    header: function () { insert(@HEADER@); @HEADER_SCRIPTS@ },
    drawer: function () { insert(@DRAWER@); },
    config: function () { insert(@CONFIG@); }
  };
})();
@START_SCRIPT@
"""
_SLOT = re.compile(r"@(MARK|HEADER|HEADER_SCRIPTS|DRAWER|CONFIG|START_SCRIPT)@")


def chrome_script(env: jinja2.Environment, config, nav, files, tidy: Callable[[str], str]) -> str:
    """The text of archive-chrome.js for this build's theme and configuration.

    ``tidy`` is applied to the HTML pieces, as the plugin applies it to pages.
    """
    context: dict[str, Any] = dict(get_context(nav, files, config, base_url=ROOT_MARK))
    context["features"] = config.theme.get("features") or []
    wrapper = env.from_string(_WRAPPER)
    header = wrapper.render({**context, "name": "partials/archive-scripted-header.html"})
    configuration = wrapper.render({**context, "name": "partials/archive-config.html"})
    # After the build no nav item is active: the navigation as a page outside the nav has it.
    drawer = wrapper.render({**context, "name": f"{MATERIAL_PREFIX}/partials/nav.html"})
    # Material's own start-up script: the chrome layer overrides its file to load this one.
    start = env.get_template(f"{MATERIAL_PREFIX}/partials/javascripts/base.html").render(context)
    # Its scope is the site root: the one place the marker stands in code, not in HTML.
    start_code = "".join(_INLINE_SCRIPT.findall(start)).replace(
        json.dumps(ROOT_MARK), 'new URL("../..", document.currentScript.src)'
    )
    slots = {
        "MARK": json.dumps(ROOT_MARK),
        "HEADER": json.dumps(tidy(_INLINE_SCRIPT.sub("", header)).strip()),
        "HEADER_SCRIPTS": ";".join(script.strip() for script in _INLINE_SCRIPT.findall(header)),
        "DRAWER": json.dumps(tidy(drawer).strip()),
        "CONFIG": json.dumps(tidy(configuration).strip()),
        "START_SCRIPT": start_code,
    }
    return _SLOT.sub(lambda match: slots[match.group(1)], _CHROME_TEMPLATE)
