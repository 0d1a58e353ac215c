"""The collection's conventions, checked on every notebook file (nbval checks what they compute).

d2l-style structure (H1 title + italic subtitle, a link to the previous notebook and the index,
Summary, Exercises), a coding exercise with a checker in every derivation notebook, executed
cells with stored outputs, and nothing machine-specific (paths, timestamps, addresses) stored.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
# The derivation notebooks: 01-11, and the chapters from 17 on.
DERIVATIONS = [nb for nb in ALL if 1 <= int(nb.name[:2]) <= 11 or int(nb.name[:2]) >= 17]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_collection_is_numbered_without_gaps():
    numbers = [int(nb.name[:2]) for nb in ALL]
    assert numbers == list(range(len(ALL))), numbers
    assert len([nb for nb in DERIVATIONS if int(nb.name[:2]) <= 11]) == 11


@pytest.mark.parametrize("path", ALL[1:], ids=lambda p: p.name)
def test_d2l_structure(path):
    cells = _load(path)["cells"]
    first = _text(cells[0])
    assert cells[0]["cell_type"] == "markdown" and re.match(r"# \S", first), (
        "cell 1 must start with an H1 title"
    )
    subtitle = re.split(r"\n\s*\n", first)[1].strip()
    assert re.fullmatch(r"\*[^*].*[^*]\*", subtitle, flags=re.S), "an italic subtitle right under the title"
    previous = ALL[int(path.name[:2]) - 1].name
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    assert f"({previous})" in markdown, f"link the previous notebook {previous}"
    assert "(00-index.ipynb)" in markdown, "link the index"
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert "Summary" in headings and "Exercises" in headings, headings
    assert headings.index("Summary") < headings.index("Exercises")


@pytest.mark.parametrize("path", DERIVATIONS, ids=lambda p: p.name)
def test_each_derivation_has_a_checked_coding_exercise(path):
    cells = _load(path)["cells"]
    stubs = [c for c in cells if "exercise" in c["metadata"].get("tags", [])]
    checks = [c for c in cells if "exercise-check" in c["metadata"].get("tags", [])]
    assert stubs and checks, "a stub cell (tag 'exercise') and a check cell (tag 'exercise-check')"
    assert all('raise NotImplementedError("your code here")' in _text(c) for c in stubs), "stubs stay stubs"
    assert all("check.check_" in _text(c) for c in checks), "check cells call a cnnmath.check checker"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_code_cell_switches_the_formatter_off(path):
    """House style: code is laid out as ruff format does; nothing is packed with `# fmt: skip`."""
    cells = _load(path)["cells"]
    packed = [
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code" and re.search(r"#\s*fmt:\s*(skip|off)", _text(cell))
    ]
    assert not packed, f"cells {packed} switch ruff format off (# fmt: skip / off)"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_stored_outputs_are_complete_and_machine_independent(path):
    nb = _load(path)
    assert path.stat().st_size < 1_000_000, "keep notebooks under 1 MB"
    for i, cell in enumerate(nb["cells"]):
        assert "execution" not in cell["metadata"], f"cell {i}: nbconvert timing metadata (strip it)"
        if cell["cell_type"] != "code" or not _text(cell).strip():
            continue
        assert cell["execution_count"] is not None, f"cell {i} was never executed: nbval would not check it"
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell {i} stored an error"
            text = json.dumps({k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")})
            text += "".join(out.get("text", ""))
            for bad in ("/work/", "/root/", "/tmp/", "/home/", "np.float64(", "Traceback"):
                assert bad not in text, f"cell {i} output contains {bad!r}"


CONVENTIONS = {"cm": "cnnmath", "sf": "cnnmath.seedforms", "nn": "cnnmath.nn"}


def _imported_names(cells) -> dict[str, str]:
    """What the notebook's code cells import from cnnmath: local name -> dotted path."""
    names = {}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        code = "\n".join(
            line for line in _text(cell).splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return {local: path for local, path in names.items() if path.split(".")[0] == "cnnmath"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_names_the_text_quotes_exist(path, resolves):
    """A `cnnmath.name`, `cm.name` or `module.name` quoted in a markdown cell, where the notebook
    imported that module from cnnmath (or uses the collection's names cm, sf, nn for cnnmath,
    cnnmath.seedforms, cnnmath.nn), names something that exists (nbval runs the code, not the prose)."""
    cells = _load(path)["cells"]
    imported = {**CONVENTIONS, **_imported_names(cells)}
    quoted = {
        name
        for cell in cells
        if cell["cell_type"] == "markdown"
        for name in re.findall(r"`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?=\(|`)", _text(cell))
    }
    missing = sorted(
        name
        for name in quoted
        if (head := name.split(".")[0]) in imported or head == "cnnmath"
        if not resolves(".".join([imported.get(head, head), *name.split(".")[1:]]))
    )
    assert not missing, f"{path.name} quotes names that do not exist: {missing}"
