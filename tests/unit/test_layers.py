"""What the import-linter contracts in pyproject.toml cannot say about the layout.

The layering itself (DESIGN.md: rules ← models ← services ← {flows, web, commands} ← demo,
pure rules, config below everything, entry points through packages' public names) is checked
by ``lint-imports`` in the test command, before pytest.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"config", "rules", "models", "services", "notify", "maps", "flows", "web", "commands", "demo", "cli"}


def test_no_flow_module_shadows_a_top_level_package():
    """Prefect puts a flow file's folder first on sys.path: flows/maps.py would hide maps/."""
    flows = sorted(p.stem for p in (ROOT / "flows").glob("*.py"))
    assert "registry" in flows  # the folder is the one we mean
    assert not set(flows) & PROJECT


@pytest.mark.parametrize("package", sorted(PROJECT))
def test_every_package_is_imported_from_this_repository(package):
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__


def test_every_capability_package_says_what_it_owns():
    packages = [p for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists()]
    assert len(packages) >= 9
    for p in packages:
        doc = importlib.import_module(f"services.{p.name}").__doc__ or ""
        assert len(doc.split()) >= 15, f"services/{p.name}/__init__.py needs a docstring saying what it owns"


def test_services_keeps_at_most_twelve_modules_at_its_top():
    top = [p.name for p in (ROOT / "services").glob("*.py")]
    assert "uow.py" in top and len(top) <= 12, top
