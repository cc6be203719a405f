"""The layering in DESIGN.md, enforced: each package imports only what sits below it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"config", "rules", "models", "services", "notify", "maps", "flows", "web", "commands", "cli"}
ALLOWED = {
    "rules": {"rules"},
    "config": {"config"},
    "models": {"models", "rules"},
    "notify": {"notify", "rules", "config"},
    "maps": {"maps", "rules", "config"},
    "services": {"services", "models", "rules", "config", "notify", "maps"},
    "flows": {"flows", "services", "models", "rules", "config", "notify", "maps"},
    "web": {"web", "services", "models", "rules", "config", "notify", "maps"},
    "commands": {"commands", "flows", "web", "services", "models", "rules", "config", "notify", "maps"},
    "cli": {"commands", "flows", "web", "services", "models", "rules", "config", "notify", "maps"},
}
RULES_FORBIDDEN = {"sqlalchemy", "prefect", "httpx", "fastapi", "starlette", "geopandas", "folium",
                   "shapely", "pandas", "numpy", "pyproj", "chinese_calendar", "yaml", "pydantic"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _files(package: str) -> list[Path]:
    if package == "cli":
        return [ROOT / "cli.py"]
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_below_it(package):
    bad = []
    for f in _files(package):
        for name in _imports(f) & PROJECT:
            if name not in ALLOWED[package]:
                bad.append(f"{f.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_rules_use_the_standard_library_only():
    bad = [f"{f.relative_to(ROOT)} imports {n}" for f in _files("rules") for n in _imports(f) & RULES_FORBIDDEN]
    assert not bad, bad


def test_no_flow_module_shadows_a_top_level_package():
    shadows = [p.name for p in (ROOT / "flows").glob("*.py") if p.stem in PROJECT]
    assert not shadows


@pytest.mark.parametrize("package", sorted(PROJECT))
def test_every_package_is_imported_from_this_repository(package):
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__
