"""The layout of cnnmath/ (README's "How the code is laid out"): what ``import cnnmath`` loads, and
the README's tree, the package's folders and the test folders agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "matplotlib", "ipywidgets", "sklearn", "torch")


@pytest.mark.parametrize("module", ["cnnmath", "cnnmath.ops", "cnnmath.nn", "cnnmath.data"])
def test_the_numeric_core_imports_numpy_only(module):
    """Run in a fresh interpreter: what the import really loads (import-linter's static graph does
    not see the package __init__ modules that importing a submodule runs)."""
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import {module} loaded {out.strip()}"
    code = f"import sys, {module}; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def _readme_tree() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1]
    tree = re.search(r"```\ncnnmath/\n(.*?)```", section, re.S)[1]
    return re.findall(r"^  ([a-z_]+)/ ", tree, re.M)


def test_readme_tree_lists_every_folder_of_the_package():
    folders = sorted(p.name for p in (ROOT / "cnnmath").iterdir() if (p / "__init__.py").is_file())
    assert sorted(_readme_tree()) == folders


def test_test_folders_mirror_the_package():
    test_dirs = sorted(
        p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    package = {p.name for p in (ROOT / "cnnmath").iterdir() if (p / "__init__.py").is_file()}
    assert set(test_dirs) <= package, f"test folders without a package folder: {set(test_dirs) - package}"


def test_test_file_names_are_unique():
    """Test folders have no __init__.py, so pytest imports test files by their base name."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
