"""The lock files pin the whole dependency tree with hashes, in step with pyproject.toml.

``make lock`` writes them (uv pip compile, README "Dependencies"); this fails
when pyproject.toml gained, lost or changed a dependency since, so a lock
cannot silently install something else than the project asks for.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "requirements.lock"
DEV = ROOT / "requirements-dev.lock"
PROJECT = "apoc (pyproject.toml)"


@dataclass
class Pin:
    version: str
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        pinned = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", raw)
        if pinned:
            current = pins[canonicalize_name(pinned.group(1))] = Pin(pinned.group(2))
        elif line.startswith("--hash=sha256:") and current is not None:
            current.hashes.append(line.split(":", 1)[1].rstrip(" \\"))
        elif line.startswith("#") and current is not None:
            text = line.lstrip("#").strip()
            if text.startswith("via "):
                current.via.append(text[4:])
            elif text and text != "via":
                current.via.append(text)
        elif line and not line.startswith("#"):
            pytest.fail(f"{path.name}: a line that is no pin, hash or comment: {raw!r}")
    return pins


def project_requirements(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(text) for text in project["dependencies"]]
    if dev:
        found += [Requirement(text) for text in project["optional-dependencies"]["dev"]]
    return found


@pytest.mark.parametrize(("path", "dev"), [(RUNTIME, False), (DEV, True)], ids=["runtime", "dev"])
def test_the_lock_pins_each_dependency_of_pyproject_within_its_range(path, dev):
    pins = read_lock(path)
    wanted = project_requirements(dev=dev)
    wrong = []
    for requirement in wanted:
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            wrong.append(f"{requirement} is not in {path.name}")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            wrong.append(f"{requirement}: {path.name} pins {pin.version}")
        elif PROJECT not in pin.via:
            wrong.append(f"{requirement}: {path.name} does not say it is the project's")
        for extra in sorted(requirement.extras):  # psycopg[binary] brings psycopg-binary
            if canonicalize_name(f"{requirement.name}-{extra}") not in pins:
                wrong.append(f"{requirement}: the extra {extra!r} is not locked")
    direct = {canonicalize_name(r.name) for r in wanted}
    stale = sorted(name for name, pin in pins.items() if PROJECT in pin.via and name not in direct)
    if stale:
        wrong.append(f"{path.name} locks {stale} for the project, which no longer asks for them")
    assert not wrong, "\n".join([*wrong, "Run `make lock` and commit both lock files."])


@pytest.mark.parametrize("path", [RUNTIME, DEV], ids=["runtime", "dev"])
def test_every_package_of_the_lock_is_pinned_with_hashes(path):
    pins = read_lock(path)
    assert len(pins) >= (15 if path == RUNTIME else 30)
    unhashed = [name for name, pin in pins.items() if not pin.hashes]
    assert not unhashed, f"{path.name}: no hash for {unhashed}"
    for pin in pins.values():
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in pin.hashes), pin
        assert pin.via, "every pin says what asked for it"
    assert "make lock" in path.read_text().splitlines()[1]
    for forbidden in ("--index-url", "--extra-index-url", "--find-links", "file://", "-e "):
        assert forbidden not in path.read_text(), (path.name, forbidden)


def test_production_and_development_pin_the_same_versions():
    runtime, dev = read_lock(RUNTIME), read_lock(DEV)
    missing = sorted(set(runtime) - set(dev))
    assert not missing, f"requirements-dev.lock lacks {missing}"
    differ = {
        n: (p.version, dev[n].version) for n, p in runtime.items() if dev[n].version != p.version
    }
    assert not differ, differ


def test_make_installs_from_the_lock_and_again_when_it_changes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(VENV\)/\.installed: \$\(LOCK\) pyproject\.toml$", makefile, re.M)
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert '-e ".[dev]"' not in makefile
    assert "make install" in (ROOT / ".ci" / "run").read_text()
