"""The layout shows the pipeline: one URL table, imports flowing one way, honest names.

* A site path is written only in generator/site/urls.py: these tests fail if a path of
  the URL table appears as a literal in the generator's code, its templates, the theme
  layers, the project's theme overrides or the search worker.
* Stages import only stages before them (sources -> analysis -> site -> mkdocs ->
  pipeline -> cli) and no module imports itself back through others.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.site.urls import URLS, static_prefix

from .helpers import REPO

GENERATOR = REPO / "generator"
URL_TABLE = GENERATOR / "site" / "urls.py"

# The fixed part of every path in the table, as it would be written out.
_FIXED_PARTS = sorted({part for kind in URLS if (part := static_prefix(kind))})
# Addresses on other sites (arXiv, the Hugging Face API) may share a folder name.
OTHER_SITE = re.compile(r"[a-z]+://|/api/")
SITE_PATH = re.compile(r"(?<![\w.-])(?:" + "|".join(re.escape(part) for part in _FIXED_PARTS) + r")")


def python_literals(path: Path) -> list[str]:
    """The string literals of a Python file, docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def template_literals(path: Path) -> list[str]:
    """Quoted strings and attribute values of a template or script, comments left out."""
    text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return re.findall(r"'([^'\n]*)'|\"([^\"\n]*)\"|`([^`\n]*)`", text)


def site_paths_in(path: Path) -> list[str]:
    if path.suffix == ".py":
        literals = python_literals(path)
    else:
        literals = ["".join(groups) for groups in template_literals(path)]
    return [literal for literal in literals if SITE_PATH.search(literal) and not OTHER_SITE.match(literal)]


def scanned_files() -> list[Path]:
    files = [p for p in GENERATOR.rglob("*.py") if p != URL_TABLE]
    files += list(GENERATOR.rglob("*.j2")) + list((GENERATOR / "mkdocs").rglob("*.js"))
    files += [p for p in (GENERATOR / "mkdocs" / "theme").rglob("*") if p.suffix in (".html", ".svg")]
    files += list((REPO / "theme_overrides").rglob("*.html"))
    return sorted(files)


def test_the_scan_sees_templates_and_code():
    assert len(scanned_files()) > 50
    assert {"days/", "papers/", "papers/az/", "tags/", "stats/", "feeds/days.xml", "archive.json.gz"} <= set(
        _FIXED_PARTS
    )


@pytest.mark.parametrize(
    "literal",
    ["days/", "papers/{slug}/", "feeds/tags/x.xml", "archive.json.gz", "pagefind/", "pagefind-2/", "stats/"],
)
def test_the_scan_catches_a_site_path(tmp_path, literal):
    code = tmp_path / "module.py"
    code.write_text(f'"""Docstrings may name {literal}."""\nPATH = "{literal}"\n')
    template = tmp_path / "page.html.j2"
    template.write_text(f'{{# comments may name {literal} #}}<a href="{{{{ root }}}}{literal}">x</a>\n')
    assert site_paths_in(code) == [literal]
    assert site_paths_in(template) == ["{{ root }}" + literal]


def test_the_scan_lets_ordinary_words_through(tmp_path):
    code = tmp_path / "module.py"
    code.write_text(
        'A = "papers"\nB = "python -m pagefind"\nC = "2 days"\nD = "on 3 days, last Mar 2"\n'
        'E = "https://huggingface.co/papers/{id}"\nF = "/api/papers/search"\n'
    )
    assert site_paths_in(code) == []


def test_site_paths_are_written_only_in_the_url_table():
    found = {str(path.relative_to(REPO)): literals for path in scanned_files() if (literals := site_paths_in(path))}
    assert found == {}


# --- Imports ----------------------------------------------------------------------------

LAYERS = [
    ("errors", "model", "progress", "parallel", "folder_swap", "lock"),
    ("sources",),
    ("analysis",),
    ("site",),
    ("mkdocs",),
    ("config", "pipeline", "reports", "preview", "fetching", "embedding"),
    ("cli",),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else ""
    for number, members in enumerate(LAYERS):
        if top in members:
            return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def imports_of(path: Path) -> set[str]:
    """The generator modules ``path`` imports (relative imports resolved)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("generator"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("generator"))
    modules = {module_name(p) for p in GENERATOR.rglob("*.py")}
    return {name for name in found if name in modules and name != module}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in GENERATOR.rglob("*.py") if module_name(p) != "generator"}


def test_every_module_imports_only_its_own_stage_or_earlier_ones():
    wrong = []
    for module, imported in import_graph().items():
        for other in imported:
            if other != "generator" and layer_of(other) > layer_of(module):
                wrong.append(f"{module} -> {other}")
    assert wrong == []


def test_imports_have_no_cycles():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph.get(module, ())):
            if state.get(other) == 1:
                cycles.append(trail[trail.index(other) :] + [other] if other in trail else [module, other])
            elif other not in state:
                visit(other, [*trail, other])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_a_layer_violation_would_be_caught():
    assert layer_of("generator.site.plan") > layer_of("generator.analysis.identity")
    assert layer_of("generator.cli") == len(LAYERS) - 1


def test_templates_are_named_by_what_they_make():
    templates = sorted((GENERATOR / "site" / "templates").glob("*.j2"))
    assert templates
    for template in templates:
        assert template.name.endswith((".html.j2", ".xml.j2")), template.name
        head = template.read_text().lstrip()
        if template.name.endswith(".xml.j2"):
            assert "<?xml" in head, template.name
