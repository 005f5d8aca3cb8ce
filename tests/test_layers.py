"""The import-linter contracts in pyproject.toml hold, and they catch an import that breaks them.

Each wrong import is written into a scratch copy of the Python sources in a temporary folder,
never into the working tree, so a failing or interrupted test leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def scratch_tree(tmp_path: Path) -> Path:
    """The Python files of every root package and pyproject.toml, copied; nothing else."""
    for package in CONFIG["root_packages"]:
        for source in (ROOT / package).rglob("*.py"):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_real_tree_keeps_every_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in result.stdout


def test_the_scratch_copy_keeps_every_contract_before_it_is_changed(scratch_tree):
    # Shows the failures below come from the one wrong import, not from the copying.
    result = lint_imports(scratch_tree)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract_id"),
    [
        ("reports/_scratch.py", "import triage.models", "layers"),
        ("training/_scratch.py", "import reports.models", "layers"),
        ("harmsportal/people/_scratch.py", "import reports.models", "layers"),
        ("triage/_scratch.py", "import harmsportal.trends", "layers"),
        ("harmsportal/views.py", "import harmsportal.trends", "trends-on-top"),
        ("reports/_scratch.py", "import harmsportal.urls", "wiring-on-top"),
    ],
)
def test_a_wrong_import_breaks_its_contract(scratch_tree, module, wrong_import, contract_id):
    path = scratch_tree / module
    path.write_text(f"{path.read_text() if path.exists() else ''}\n{wrong_import}  # noqa\n")
    (contract,) = [c for c in CONFIG["contracts"] if c["id"] == contract_id]

    result = lint_imports(scratch_tree)

    report = " ".join(result.stdout.split())
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract['name']} BROKEN" in report
    assert f"Contracts: {len(CONFIG['contracts']) - 1} kept, 1 broken." in report
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"- {importer} -> " in report


def test_every_project_app_is_inside_a_root_package_the_contracts_see():
    # An app outside root_packages (a new top-level `campaigns`) would be invisible to the
    # contracts, and every one of them would still pass.
    project_apps = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
        and not Path(config.path).is_relative_to(sys.prefix)
    ]

    assert project_apps
    for name in project_apps:
        assert name.split(".")[0] in CONFIG["root_packages"], name


def test_installed_apps_run_bottom_layer_first():
    # seed_demo seeds each app's demo in INSTALLED_APPS order, so an app's demo can use the
    # data of the apps below it only if they come first.
    (layers,) = [c["layers"] for c in CONFIG["contracts"] if c["id"] == "layers"]
    height = {
        name.strip(" ()"): len(layers) - position
        for position, layer in enumerate(layers)
        for name in layer.replace("|", ":").split(":")
    }
    heights = [height[c.name] for c in apps.get_app_configs() if c.name in height]

    assert len(heights) >= 6
    assert heights == sorted(heights)
