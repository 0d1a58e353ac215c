"""The README, Makefile, pyproject.toml and environment.yml agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins_from_pyproject(extras=("lab", "test", "teach", "book")) -> dict[str, str]:
    proj = _pyproject()["project"]
    reqs = list(proj["dependencies"])
    for extra in extras:
        reqs += proj["optional-dependencies"][extra]
    pins = {}
    for r in reqs:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^;\s]*)", r.strip())
        assert m, f"pyproject.toml requirement {r!r} is not pinned exactly (name==version)"
        pins[m[1].lower()] = m[2]
    return pins


def _pins_from_environment() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\s*-\s*([A-Za-z0-9_.-]+)=([0-9][^\s#]*)\s*(#.*)?", line)
        if m and m[1] != "python":
            pins[m[1].lower()] = m[2]
    return pins


def test_environment_yml_lists_the_same_pins_as_pyproject():
    assert _pins_from_environment() == _pins_from_pyproject()


def test_python_versions_agree():
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    py = re.search(r"-\s*python=(3\.\d+)", env)[1]
    assert _pyproject()["project"]["requires-python"] == f">={py}"


def test_readme_commands_are_make_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    commands = set(re.findall(r"^\s*make ([a-z][a-z-]*)\s*$", readme, flags=re.M))
    assert {"lab", "test"} <= commands, "the README must show `make lab` and `make test`"
    assert commands <= targets, f"README mentions make targets the Makefile lacks: {commands - targets}"


def test_make_test_runs_pytest_and_ci_runs_make_test():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.M)[1]
    assert "pytest" in recipe
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), flags=re.M)
    assert "nbval" in " ".join(_pyproject()["tool"]["pytest"]["ini_options"]["addopts"])


def test_torch_oracle_is_optional_and_pinned():
    proj = _pyproject()["project"]
    assert not any(r.startswith("torch") for r in proj["dependencies"])
    assert proj["optional-dependencies"]["torch"] == ["torch==2.13.0"]
    assert "torch==2.13.0" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_notebook_is_listed_in_the_index():
    import json

    index = json.loads((ROOT / "notebooks" / "00-index.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in index["cells"])
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", nb.name), nb.name
        if nb.name != "00-index.ipynb":
            assert f"({nb.name})" in text, f"00-index.ipynb does not link {nb.name}"


def test_nbgrader_is_an_optional_pinned_extra_installed_by_ci():
    proj = _pyproject()["project"]
    assert not any(r.startswith("nbgrader") for r in proj["dependencies"])
    assert proj["optional-dependencies"]["teach"] == ["nbgrader==0.9.6"]
    assert ".[teach]" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "_build/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
