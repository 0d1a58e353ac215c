"""``make assignments``: the collection's coding exercises as an nbgrader course.

For every notebook with coding exercises (those with a row in :data:`EXERCISES`: 01–11 and 17–21)
this writes an nbgrader *source* notebook,
``_build/nbgrader/source/<notebook>/<notebook>.ipynb``, a copy of the notebook in which

* each exercise stub (cell tag ``exercise``) becomes an nbgrader **solution cell**: the working
  solution from ``teach/solutions/nbNN_<function>.py`` sits between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``, just above the stub's own ``raise NotImplementedError("your code here")``,
  so the release (where nbgrader drops the solution) shows the published stub;
* each check cell (tag ``exercise-check``) becomes an **autograded test cell** worth the points in
  :data:`EXERCISES`. The checker is called on the learner's function wrapped by ``_graded``: in the
  published notebook a checker that meets the stub's NotImplementedError grades the reference
  solution instead and passes, so without the wrapper an untouched release would score full points.
  The wrapper turns NotImplementedError into a RuntimeError, which the checkers' runner
  (``cnnmath.check._run``, shared by every checker) reports as an exception of the learner's function,
  an ``ExerciseFailed``: the cell fails, 0 points;

then runs ``nbgrader generate_assignment`` (nbgrader's own command line) on each, which writes the
student versions to ``_build/nbgrader/release/``. The course directory holds its own
``nbgrader_config.py``; teachers collect, ``nbgrader autograde`` and ``nbgrader export`` there as
usual (README, "Grading with nbgrader").

A new notebook's exercise (stub + check cell, tagged as above) joins the course with one row in
:data:`EXERCISES` and one file ``teach/solutions/nbNN_<function>.py``; :func:`missing` (and
tests/test_assignments.py) names every tagged exercise that lacks either.

    python -m teach.assignments                 # every notebook, into _build/nbgrader
    python -m teach.assignments --course DIR 07-pooling
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"
COURSE = ROOT / "_build" / "nbgrader"

STUB = 'raise NotImplementedError("your code here")'
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SCHEMA_VERSION = 3  # nbgrader's cell metadata schema (nbgrader 0.9)

# One row per coding exercise, in notebook order: (notebook, function, points of its check cell).
# The points are the only grading knob; a teacher changes them here. Every stub tagged `exercise` in
# notebooks/ needs its row here and its solution in teach/solutions/ (see `missing`).
EXERCISES: tuple[tuple[str, str, int], ...] = (
    ("01-fully-connected-backprop", "dense_backward", 2),
    ("02-why-convolution", "conv_matrix", 2),
    ("03-convolution-forward", "conv2d", 3),
    ("04-conv-layer-delta", "conv2d_backward", 3),
    ("05-stride-depth-filters", "conv2d_backward", 3),
    ("06-weight-and-bias-gradients", "conv2d_backward", 3),
    ("07-pooling", "max_pool2d_backward", 2),
    ("07-pooling", "avg_pool2d_backward", 2),
    ("08-cnn-as-sparse-fc", "conv_matrix", 2),
    ("09-complete-small-cnn", "dense_backward", 1),
    ("10-vectorized-batch-form", "conv2d", 3),
    ("11-notation-crosswalk", "conv2d_nhwc", 2),
    ("17-softmax-cross-entropy", "softmax_cross_entropy", 2),
    ("18-gradient-checking", "numerical_gradient", 2),
    ("19-two-conv-layers", "backward", 4),
    ("20-transposed-convolution", "conv_transpose2d", 3),
    ("21-dilated-convolution", "conv2d_dilated_backward", 3),
)

# Prepended to every autograded check cell. It turns "the stub still raises NotImplementedError"
# (which the checkers answer by grading the reference solution) into a failure worth 0 points.
GUARD = '''\
def _graded(fn):
    """Autograding: a function that still raises NotImplementedError fails (0 points)."""

    def graded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            raise RuntimeError("the exercise is not done: the function raises NotImplementedError") from None

    return graded

'''

CONFIG = '''\
"""nbgrader configuration of the cnnmath course (written by `make assignments`)."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "cnnmath"
# The solution region is dropped without a replacement: the stub's own
# `raise NotImplementedError("your code here")` stays right below it.
c.ClearSolutions.code_stub = {"python": ""}
# Autograding re-runs the whole notebook; its slowest cell takes a few seconds here.
c.Execute.timeout = 300
'''


@dataclass(frozen=True)
class Exercise:
    notebook: str
    function: str
    points: int
    stub: int  # cell index of the stub (tag "exercise")
    check: int  # cell index of its check cell (tag "exercise-check")

    @property
    def solution_file(self) -> Path:
        return solution_file(self.notebook, self.function)


def solution_file(notebook: str, function: str) -> Path:
    """The working solution of ``function`` in ``notebook``: teach/solutions/nbNN_<function>.py."""
    return SOLUTIONS / f"nb{notebook[:2]}_{function}.py"


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def load(notebook: str) -> dict:
    return json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))


def tagged(nb: dict) -> list[str]:
    """The functions the notebook's exercise stubs (cell tag ``exercise``) define, in cell order."""
    return [_stub_def(_source(c)).name for c in nb["cells"] if "exercise" in _tags(c)]


def missing() -> list[str]:
    """What keeps the course from matching notebooks/: one sentence per tagged exercise without a row
    in EXERCISES or without its solution file, and per row without its tagged exercise ([] if none)."""
    found, problems = {}, []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        try:
            found[path.stem] = tagged(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as e:  # a stub cell that does not define exactly one function
            problems.append(f"{path.stem}: {e}")
    rows = [(name, fn) for name, fn, _ in EXERCISES]
    for name, functions in found.items():
        listed = [fn for n, fn in rows if n == name]
        absent = [fn for fn in functions if fn not in listed]
        problems += [
            f"{name}: the exercise {fn} has no row in EXERCISES: add ({name!r}, {fn!r}, POINTS)"
            for fn in absent
        ]
        if not absent and listed != functions and set(listed) <= set(functions):
            problems.append(
                f"{name}: EXERCISES lists {listed}, the notebook's stubs are {functions} in this order"
            )
        problems += [
            f"{name}: no solution for {fn}: write {solution_file(name, fn)}"
            for fn in functions
            if not solution_file(name, fn).is_file()
        ]
    problems += [
        f"EXERCISES has ({name!r}, {fn!r}), but notebooks/{name}.ipynb has no stub of {fn} tagged `exercise`"
        for name, fn in rows
        if fn not in found.get(name, [])
    ]
    return problems


def exercises(notebook: str, nb: dict | None = None) -> list[Exercise]:
    """The notebook's exercises: its k-th stub paired with its k-th check cell, with EXERCISES' points."""
    nb = load(notebook) if nb is None else nb
    stubs = [i for i, c in enumerate(nb["cells"]) if "exercise" in _tags(c)]
    checks = [i for i, c in enumerate(nb["cells"]) if "exercise-check" in _tags(c)]
    rows = [(fn, pts) for name, fn, pts in EXERCISES if name == notebook]
    found = tagged(nb)
    if len(stubs) != len(checks) or any(s > c for s, c in zip(stubs, checks, strict=True)):
        raise ValueError(
            f"{notebook}: every stub cell needs its check cell after it, got {stubs} and {checks}"
        )
    if found != [fn for fn, _ in rows]:
        raise ValueError(f"{notebook}: the notebook's exercises {found} are not EXERCISES' {rows}")
    return [Exercise(notebook, fn, pts, s, c) for (fn, pts), s, c in zip(rows, stubs, checks, strict=True)]


def _stub_def(source: str) -> ast.FunctionDef:
    defs = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    if len(defs) != 1:
        raise ValueError(f"an exercise stub defines exactly one function, got {len(defs)}:\n{source}")
    return defs[0]


def solution_body(ex: Exercise, stub_source: str) -> str:
    """The body of the solution function (its comments included, its docstring left out), dedented.

    The solution's signature must be the stub's: the body is pasted under the stub's own ``def``.
    """
    path = ex.solution_file
    if not path.is_file():
        raise FileNotFoundError(f"{ex.notebook}: no solution for {ex.function}: write {path}")
    text = path.read_text(encoding="utf-8")
    fns = [n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == ex.function]
    if len(fns) != 1:
        raise ValueError(f"{path.name} must define {ex.function} once")
    fn, stub = fns[0], _stub_def(stub_source)
    if ast.dump(fn.args) != ast.dump(stub.args):
        raise ValueError(
            f"{path.name}: {ex.function}{ast.unparse(fn.args)!s} does not have the stub's signature"
            f" ({ast.unparse(stub.args)})"
        )
    body = fn.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1:
        body = body[1:]  # the stub keeps its own docstring
    lines = text.splitlines()[body[0].lineno - 1 : body[-1].end_lineno]
    return textwrap.dedent("\n".join(lines))


def solution_cell_source(stub_source: str, body: str) -> str:
    """The stub with ``body`` between the solution delimiters, just above its ``raise`` line."""
    lines = stub_source.rstrip("\n").split("\n")
    at = [i for i, line in enumerate(lines) if line.strip() == STUB]
    if len(at) != 1:
        raise ValueError(f"an exercise stub ends in exactly one `{STUB}` line:\n{stub_source}")
    indent = lines[at[0]][: len(lines[at[0]]) - len(lines[at[0]].lstrip())]
    region = [BEGIN, *body.split("\n"), END]
    return "\n".join(lines[: at[0]] + [indent + r if r else r for r in region] + lines[at[0] :])


def _checker(call: ast.Call) -> bool:
    """A call of a cnnmath checker: ``check.check_x(...)``, ``chapters.check_x(...)``, ``check_x(...)``."""
    fn = call.func
    name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
    return name.startswith("check_")


def test_cell_source(check_source: str) -> str:
    """The check cell with the checker's first argument wrapped in ``_graded(...)``, the guard above it."""
    tree = ast.parse(check_source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _checker(n)]
    if len(calls) != 1 or not calls[0].args:
        raise ValueError(f"a check cell calls one cnnmath.check checker on the function:\n{check_source}")
    arg = calls[0].args[0]
    lines = check_source.split("\n")
    if arg.lineno != arg.end_lineno:
        raise ValueError(f"the checker's first argument must fit on one line:\n{check_source}")
    line = lines[arg.lineno - 1]
    # ast offsets are in UTF-8 bytes
    raw = line.encode()
    start, end = arg.col_offset, arg.end_col_offset
    lines[arg.lineno - 1] = (raw[:start] + b"_graded(" + raw[start:end] + b")" + raw[end:]).decode()
    return GUARD + "\n".join(lines)


def _nbgrader(cell: dict, grade_id: str, *, solution: bool, points: int | None = None) -> None:
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    cell["metadata"]["nbgrader"] = meta
    cell["outputs"], cell["execution_count"] = [], None


def source_notebook(notebook: str) -> dict:
    """The nbgrader source version of one notebook (a new dict; the notebook file is not touched)."""
    nb = copy.deepcopy(load(notebook))
    for k, ex in enumerate(exercises(notebook, nb), 1):
        stub, check = nb["cells"][ex.stub], nb["cells"][ex.check]
        stub_source = _source(stub)
        stub["source"] = solution_cell_source(stub_source, solution_body(ex, stub_source))
        check["source"] = test_cell_source(_source(check))
        _nbgrader(stub, f"exercise-{k}-{ex.function}", solution=True)
        _nbgrader(check, f"exercise-{k}-{ex.function}-check", solution=False, points=ex.points)
    return nb


def notebooks() -> list[str]:
    return list(dict.fromkeys(name for name, _, _ in EXERCISES))


def build(course: Path = COURSE, names: list[str] | None = None, *, env: dict | None = None) -> Path:
    """Write the course's config and source notebooks, then ``nbgrader generate_assignment`` each.

    ``env``: the environment nbgrader runs in (default: this process's). Returns the course
    directory; the release versions are in ``course/release/<notebook>/``.
    """
    names = notebooks() if names is None else names
    unknown = sorted(set(names) - set(notebooks()))
    if unknown:
        raise ValueError(f"no coding exercises in {unknown}; choose from {notebooks()}")
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    for name in names:
        folder = course / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(source_notebook(name), ensure_ascii=False, indent=1) + "\n"
        (folder / f"{name}.ipynb").write_text(text, encoding="utf-8")
        nbgrader(course, "generate_assignment", name, "--force", "--create", env=env)
    return course


def nbgrader(course: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course directory (so its nbgrader_config.py applies); fail loudly."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ if env is None else env)
    # nbgrader runs `alembic` (its database migrations) from PATH: put this Python's scripts first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"`nbgrader {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m teach.assignments", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help=f"default: all of {', '.join(notebooks())}")
    parser.add_argument("--course", type=Path, default=COURSE, help=f"course directory (default {COURSE})")
    args = parser.parse_args(argv)
    course = build(args.course, args.notebooks or None)
    for name in args.notebooks or notebooks():
        points = sum(p for n, _, p in EXERCISES if n == name)
        print(f"{name}: release/{name}/{name}.ipynb ({points} points)")
    print(f"nbgrader course in {course}")


if __name__ == "__main__":
    main()
