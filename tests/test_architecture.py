"""The direction of imports and the rules that have one home (DESIGN.md §2, docs/decisions.md).

Read from the sources with :mod:`ast`, so a wrong import fails here, not in review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("cpr", "jobnet", "registrations", "documents")

#: Pure modules: rules and readers without Django, with ``today`` passed in.
PURE = [
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "documents").glob("*.py")),
    "apoc/dates.py",
    "cpr/personnummer.py",
    "cpr/eligibility.py",
    "cpr/countries.py",
    "cpr/statuses.py",
    "apoc/accounts/municipalities.py",
    "apoc/accounts/contact.py",
    "apoc/accounts/roles.py",
    "apoc/accounts/claims.py",
    "jobnet/credentials.py",
    "jobnet/letters.py",
    "registrations/intake.py",
    "registrations/tally.py",
    "registrations/uploads.py",
    "registrations/pdf_render.py",
]
#: What a pure module may import from the project: the base errors and other pure modules.
PURE_PROJECT_IMPORTS = {"apoc.exceptions"} | {p.removesuffix(".py").replace("/", ".") for p in PURE}


def imports(path: Path) -> set[str]:
    """Every module a file imports, absolute (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).parent.as_posix().replace("/", ".")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                found.update(f"{module}.{alias.name}" for alias in node.names)
                found.add(module)
            else:
                found.add(node.module or "")
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def app_code(folder: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    ]


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_nothing_of_django_or_the_apps(module):
    found = imports(ROOT / module)
    django = sorted(name for name in found if name == "django" or name.startswith("django."))
    assert not django, f"{module} imports {django}"
    project = {
        name
        for name in found
        if name.split(".")[0] in (*APPS, "apoc")
        and not any(name == ok or name.startswith(ok + ".") for ok in PURE_PROJECT_IMPORTS)
    }
    assert not project, f"{module} imports {sorted(project)}"


@pytest.mark.parametrize("path", app_code("apoc"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_base_layer_imports_no_app(path):
    wrong = sorted(name for name in imports(path) if name.split(".")[0] in APPS)
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


@pytest.mark.parametrize("app", ["cpr", "jobnet", "documents"])
def test_no_app_imports_registrations(app):
    for path in app_code(app):
        wrong = sorted(n for n in imports(path) if n.split(".")[0] == "registrations")
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_personnummer_pattern_is_written_once():
    pattern = re.compile(r"\[0-9\]\{6\}|\\d\{6\}")
    places = [
        path.relative_to(ROOT).as_posix()
        for folder in ("apoc", *APPS)
        for path in app_code(folder)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert places == ["cpr/personnummer.py"]


def test_the_jobcentre_scope_is_decided_in_one_place():
    places = [
        path.relative_to(ROOT).as_posix()
        for folder in ("apoc", *APPS)
        for path in app_code(folder)
        if "view_all_jobcentres" in path.read_text(encoding="utf-8")
    ]
    assert places == ["apoc/accounts/models.py", "apoc/accounts/roles.py", "apoc/accounts/scope.py"]
