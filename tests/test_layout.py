"""The layout of cnnmath/ (README's "How the code is laid out"): what ``import cnnmath`` loads; the
README's tree, the package's folders and the test folders agree; every module has its test file."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "matplotlib", "ipywidgets", "sklearn", "torch")

# Tests mirror the modules: cnnmath/<part>/<name>.py is tested in tests/<part>/test_<name>.py (a private
# _name in test_<name>.py), and a package __init__.py that defines functions or classes in
# tests/<part>/test_<part>.py. Test file names are unique (pytest imports a test file by its base name),
# so where two parts have a module of one name the fast form (ops) keeps test_<name>.py and the loops
# and the layers add the word for their form: tests/reference/test_conv_loops.py,
# tests/nn/test_pool_weighted_layers.py.
FORM_WORD = {"reference": "loops", "nn": "layers"}
# Modules without a test file of their own: the test file that exercises each, and how.
TESTED_ELSEWHERE = {
    "check/_hints.py": ("check/test_check.py", "every mutant's report must carry its diagnosis and hint"),
    "ops/_tuning.py": (
        "ops/test_col2im.py",
        "named constants only; each col2im strategy is forced in turn, over several CHUNK_BYTES",
    ),
    "reference/_arrays.py": (
        "reference/test_conv_loops.py",
        "zeros of the inputs' dtype: every test of the loops on SymPy symbols needs its object arrays",
    ),
    "widgets/_glyphs.py": (
        "widgets/test_canvas.py",
        "the canvas's number stamps: a stamped number is inked, a character without a glyph refused",
    ),
    "widgets/presets.py": (
        "widgets/test_sliding.py",
        "the widgets' start data: seed 001's published output (seed 003's tables: test_pooling.py)",
    ),
}
# Modules no test checks yet (a gap, not a design):
NOT_TESTED_YET: dict[str, str] = {}


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


def _defines_something(init: Path) -> bool:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.ClassDef) for node in tree.body)


def test_every_module_has_a_test_file_named_after_it():
    modules = sorted((ROOT / "cnnmath").glob("*/*.py"))
    names = [m.stem.removeprefix("_") for m in modules if m.name != "__init__.py"]
    expected = {}  # "part/module.py" -> "part/test_name.py"
    for m in modules:
        part, name = m.parent.name, m.stem.removeprefix("_")
        if m.name == "__init__.py":
            if _defines_something(m):
                expected[f"{part}/{m.name}"] = f"{part}/test_{part}.py"
            continue
        word = f"_{FORM_WORD[part]}" if names.count(name) > 1 and part in FORM_WORD else ""
        expected[f"{part}/{m.name}"] = f"{part}/test_{name}{word}.py"
    bases = [Path(test).name for test in expected.values()]
    shared = sorted({b for b in bases if bases.count(b) > 1})
    assert not shared, f"modules of one name would share a test file name {shared}: give FORM_WORD a word"
    tests = ROOT / "tests"
    missing = [
        f"{module} -> tests/{test}"
        for module, test in expected.items()
        if not (tests / test).is_file() and module not in TESTED_ELSEWHERE | NOT_TESTED_YET
    ]
    assert not missing, f"modules without their test file: {missing}"
    for module in TESTED_ELSEWHERE | NOT_TESTED_YET:
        assert module in expected, f"{module} is listed as an exception but is not a module of cnnmath"
        assert not (tests / expected[module]).is_file(), f"{module} has tests/{expected[module]}: unlist it"
    for module, (test, _) in TESTED_ELSEWHERE.items():
        assert (tests / test).is_file(), f"{module} is said to be tested in tests/{test}, which is missing"


@pytest.mark.parametrize("folder", ["cnnmath", "teach", "README.md"])
def test_names_the_docs_quote_exist(folder, resolves):
    """Every `cnnmath.x.y` that a docstring or the README quotes names something that exists: a module
    moved by a layout change leaves no dangling reference behind (the notebooks' text:
    test_notebooks.py)."""
    base = ROOT / folder
    files = [base] if base.is_file() else [p for p in base.rglob("*") if p.suffix in {".py", ".md"}]
    quoted = {
        (path.relative_to(ROOT).as_posix(), name)
        for path in files
        for name in re.findall(r"`(cnnmath(?:\.[A-Za-z_]\w*)+)(?=\(|`)", path.read_text(encoding="utf-8"))
    }
    assert quoted, f"nothing quoted in {folder}: is the pattern still right?"
    missing = sorted(f"{where}: {name}" for where, name in quoted if not resolves(name))
    assert not missing, missing
