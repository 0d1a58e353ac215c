"""teach/assignments.py (`make assignments`): the coding exercises as an nbgrader course.

Without nbgrader: every exercise's working solution passes its checker inside the autograded cell
the generator writes, and the untouched stub fails it. With nbgrader (the `.[teach]` extra; locally
the round trip skips without it, under CI=true it fails): `nbgrader generate_assignment` makes a
release that shows the published stubs, and `nbgrader autograde`, offline in a temporary course,
gives a correct student full points and a buggy one partial points and the untouched release zero.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import importlib.util
import io
import json
import os

import numpy as np
import pytest

from cnnmath import check
from teach import assignments as asg

ALL = [(ex.notebook, ex) for name in asg.notebooks() for ex in asg.exercises(name)]


def _cells(notebook: str, ex: asg.Exercise) -> tuple[str, str]:
    cells = asg.load(notebook)["cells"]
    return asg._source(cells[ex.stub]), asg._source(cells[ex.check])


def _run(*sources: str) -> str:
    """Run cells in one fresh namespace (the notebooks' imports: np, check); return what they print."""
    namespace = {"np": np, "check": check}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in sources:
            exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_every_tagged_coding_exercise_is_in_the_table_with_a_solution():
    problems = asg.missing()  # scans every notebook: a new one's exercise shows up here by name
    assert not problems, "\n".join(problems)
    tagged = []
    for path in sorted(asg.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any("exercise" in asg._tags(c) for c in cells):
            tagged.append(path.stem)
    assert tagged == asg.notebooks()
    assert [(name, ex.function) for name, ex in ALL] == [(name, fn) for name, fn, _ in asg.EXERCISES]
    assert {"01-fully-connected-backprop", "11-notation-crosswalk", "19-two-conv-layers"} <= set(tagged)
    assert all(ex.points > 0 for _, ex in ALL)


def test_missing_names_an_exercise_without_row_or_solution_and_a_row_without_exercise(tmp_path, monkeypatch):
    for path in asg.SOLUTIONS.glob("nb*.py"):
        if path.name != "nb17_softmax_cross_entropy.py":
            (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    rows = [row for row in asg.EXERCISES if row[0] != "18-gradient-checking"]
    monkeypatch.setattr(asg, "EXERCISES", (*rows, ("07-pooling", "no_such_exercise", 1)))
    monkeypatch.setattr(asg, "SOLUTIONS", tmp_path)
    problems = asg.missing()
    expected = [
        "18-gradient-checking: the exercise numerical_gradient has no row in EXERCISES: add "
        "('18-gradient-checking', 'numerical_gradient', POINTS)",
        f"17-softmax-cross-entropy: no solution for softmax_cross_entropy: write "
        f"{tmp_path / 'nb17_softmax_cross_entropy.py'}",
        "EXERCISES has ('07-pooling', 'no_such_exercise'), but notebooks/07-pooling.ipynb has no stub of "
        "no_such_exercise tagged `exercise`",
    ]
    assert all(e in problems for e in expected), problems
    assert not any("19-two-conv-layers" in p or "01-fully" in p for p in problems), problems
    with pytest.raises(ValueError, match="are not EXERCISES'"):
        asg.exercises("07-pooling")


@pytest.mark.parametrize(("notebook", "ex"), ALL, ids=lambda v: v if isinstance(v, str) else v.function)
def test_the_solution_passes_its_autograded_cell(notebook, ex):
    stub, check_cell = _cells(notebook, ex)
    solution = asg.solution_cell_source(stub, asg.solution_body(ex, stub))
    printed = _run(solution, asg.test_cell_source(check_cell))
    assert printed.startswith("✓ ") and "all" in printed and "cases pass" in printed, printed


@pytest.mark.parametrize(("notebook", "ex"), ALL, ids=lambda v: v if isinstance(v, str) else v.function)
def test_the_untouched_stub_fails_the_autograded_cell_but_not_the_published_one(notebook, ex):
    stub, check_cell = _cells(notebook, ex)
    assert "exercise not done yet" in _run(stub, check_cell)  # the published notebook: no failure
    with pytest.raises(check.ExerciseFailed, match="raises NotImplementedError"):
        _run(stub, asg.test_cell_source(check_cell))


@pytest.mark.parametrize("path", sorted(asg.SOLUTIONS.glob("nb*.py")), ids=lambda p: p.name)
def test_solutions_are_written_out_not_imported_from_cnnmath(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"numpy"}, imported
    assert path in {ex.solution_file for _, ex in ALL}, "a solution no exercise uses"


def test_solution_cell_keeps_the_stub_below_the_solution():
    stub = 'def f(x):\n    """doc"""\n    raise NotImplementedError("your code here")'
    got = asg.solution_cell_source(stub, "y = x + 1\n\nreturn y")
    assert got == (
        'def f(x):\n    """doc"""\n    ### BEGIN SOLUTION\n    y = x + 1\n\n    return y\n'
        '    ### END SOLUTION\n    raise NotImplementedError("your code here")'
    )


def test_test_cell_wraps_only_the_checked_function():
    cell = "from cnnmath import check\n\ncheck.check_conv2d_backward(conv2d_backward, parts=('dx',))"
    got = asg.test_cell_source(cell)
    assert got.startswith(asg.GUARD)
    assert got.endswith("check.check_conv2d_backward(_graded(conv2d_backward), parts=('dx',))")


@pytest.mark.parametrize(
    "call", ["check.check_twoconv_backward(backward)", "chapters.check_x(backward)", "check_x(backward)"]
)
def test_test_cell_finds_the_checker_however_it_is_imported(call):
    assert asg.test_cell_source(call) == asg.GUARD + call.replace("(backward)", "(_graded(backward))")


@pytest.mark.parametrize("cell", ["print(backward)", "check.check_x(a)\ncheck.check_y(b)", "check.check_x()"])
def test_a_check_cell_without_exactly_one_checker_call_is_refused(cell):
    with pytest.raises(ValueError, match=r"calls one cnnmath\.check checker"):
        asg.test_cell_source(cell)


# A wrong solution must still fail inside the autograded cell (the guard hides only NotImplementedError):
# one common mistake per exercise, planted in its working solution; what the checker's message says.
MISTAKES = [
    (
        "04-conv-layer-delta",
        "conv2d_backward",
        "w_rot = w[:, :, ::-1, ::-1]",
        "w_rot = w",
        "WITHOUT the 180° rotation",
    ),
    (
        "17-softmax-cross-entropy",
        "softmax_cross_entropy",
        "dlogits = (np.exp(log_p) - y) / N",
        "dlogits = np.exp(log_p) - y",
        "a SUM over the batch",
    ),
    ("18-gradient-checking", "numerical_gradient", "(2 * eps)", "eps", "divided by eps instead of 2·eps"),
    ("19-two-conv-layers", "backward", " * (fwd.z1[:, :, a, b] > 0)", "", r"misses the factor f′\(z1\)"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m[0][:2]}-{m[1]}")
def test_a_wrong_solution_fails_its_autograded_cell(mistake):
    notebook, function, right, wrong, message = mistake
    ex = next(ex for name, ex in ALL if (name, ex.function) == (notebook, function))
    stub, check_cell = _cells(notebook, ex)
    body = asg.solution_body(ex, stub)
    assert body.count(right) == 1, f"the planted mistake no longer fits {ex.solution_file.name}"
    wrong_cell = asg.solution_cell_source(stub, body.replace(right, wrong))
    with pytest.raises(check.ExerciseFailed, match=message):
        _run(wrong_cell, asg.test_cell_source(check_cell))


def test_a_solution_with_another_signature_is_refused(tmp_path, monkeypatch):
    (tmp_path / "nb01_dense_backward.py").write_text("def dense_backward(dz, x):\n    return dz\n")
    monkeypatch.setattr(asg, "SOLUTIONS", tmp_path)
    ex = asg.exercises("01-fully-connected-backprop")[0]
    with pytest.raises(ValueError, match="does not have the stub's signature"):
        asg.solution_body(ex, _cells(ex.notebook, ex)[0])


# --- the nbgrader round trip -------------------------------------------------------------------

NOTEBOOK = "07-pooling"  # the one notebook with two exercises (so partial credit shows)
# the common bug: "=" instead of "+=", so where windows overlap the last one overwrites the others
BUG = ("dx[m, i * sh + r, j * sw + t] += dys[m, i, j]", "dx[m, i * sh + r, j * sw + t] = dys[m, i, j]")


@pytest.fixture(scope="module")
def nbgrader_env(tmp_path_factory, unavailable):
    if importlib.util.find_spec("nbgrader") is None:
        unavailable("nbgrader is not installed: pip install -e '.[teach]' (.ci/run installs it)")
    root = tmp_path_factory.mktemp("nbgrader-home")
    env = dict(os.environ)
    for var in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (root / var).mkdir()
        env[var] = str(root / var)  # nothing read from or written to the user's ~/.jupyter
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def _solution_def(ex: asg.Exercise) -> str:
    text = ex.solution_file.read_text(encoding="utf-8")
    fn = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == ex.function)
    return ast.get_source_segment(text, fn)


def _submit(course, student: str, answers: dict[str, str]) -> None:
    """Copy the release into submitted/<student>/ and write the answers into its solution cells."""
    release = course / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    nb = json.loads(release.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            name = asg._stub_def(asg._source(cell)).name
            cell["source"] = answers.get(name, asg._source(cell))
    folder = course / "submitted" / student / NOTEBOOK
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, nbgrader_env):
    """A course with the release of notebook 07, three students autograded; their grades.csv rows."""
    course = tmp_path_factory.mktemp("course")
    asg.build(course, [NOTEBOOK], env=nbgrader_env)
    correct = {ex.function: _solution_def(ex) for ex in asg.exercises(NOTEBOOK)}
    assert BUG[0] in correct["max_pool2d_backward"]
    _submit(course, "correct", correct)
    _submit(course, "buggy", correct | {"max_pool2d_backward": correct["max_pool2d_backward"].replace(*BUG)})
    _submit(course, "untouched", {})
    asg.nbgrader(course, "autograde", NOTEBOOK, "--create", env=nbgrader_env)
    asg.nbgrader(course, "export", "--to", "grades.csv", env=nbgrader_env)
    with (course / "grades.csv").open(encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    return course, rows


def test_release_shows_the_published_stubs(graded):
    course, _ = graded
    release = json.loads((course / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    published = asg.load(NOTEBOOK)
    assert len(release["cells"]) == len(published["cells"])
    for ex in asg.exercises(NOTEBOOK):
        got = asg._source(release["cells"][ex.stub])
        assert asg.BEGIN not in got and "np.argmax" not in got and "+=" not in got  # no solution left
        expected = asg._source(published["cells"][ex.stub])
        assert [line for line in got.split("\n") if line.strip()] == expected.split("\n")
        assert release["cells"][ex.check]["metadata"]["nbgrader"]["points"] == ex.points


def test_autograde_full_partial_and_zero_points(graded):
    course, rows = graded
    total = sum(ex.points for ex in asg.exercises(NOTEBOOK))
    scores = {s: (float(r["score"]), float(r["max_score"])) for s, r in rows.items()}
    print(f"nbgrader autograde, {NOTEBOOK}: {scores}")
    assert scores == {"correct": (total, total), "buggy": (total - 2, total), "untouched": (0, total)}
    # the buggy student's max-pool cell failed in the checker (not, say, with a NameError)
    nb = json.loads((course / "autograded" / "buggy" / NOTEBOOK / f"{NOTEBOOK}.ipynb").read_text("utf-8"))
    first = asg.exercises(NOTEBOOK)[0]
    errors = [o for o in nb["cells"][first.check]["outputs"] if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["ExerciseFailed"]
    assert "max_pool2d_backward" in errors[0]["evalue"], errors[0]["evalue"]
