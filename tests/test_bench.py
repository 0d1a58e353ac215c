"""`make bench` itself (benchmarks/bench.py) on tiny shapes, so the script cannot rot unnoticed.

Times are printed, never asserted: here only that every case gets a row with its numbers."""

from __future__ import annotations

import functools
import importlib.util
import mmap
import re
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("cnnmath_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_prints_a_row_for_every_case(monkeypatch, capsys, torch):
    bench = load_bench()
    monkeypatch.setattr(bench, "race", functools.partial(bench.race, min_time=0.01, block=0.001))
    monkeypatch.setattr(
        bench,
        "CONV_SHAPES",
        [((2, 1, 5, 5), 2, 3, 0, "tiny conv"), ((3, 2, 6, 4), 3, 3, 1, "tiny conv, pad 1")],
    )
    monkeypatch.setattr(bench, "POOL_SHAPE", (2, 3, 4, 6))
    monkeypatch.setattr(bench, "EXTRA_BENCHMARKS", [])
    assert bench.main() == 0
    out = capsys.readouterr().out
    number = r"\s+([\d.]+)(?:ms|s)"
    ratio = r"\s+([\d.]+)x"
    faults = r"\s+(\d+) / (\d+)"  # minor page faults per step, cnnmath / torch
    labels = ["tiny conv", "tiny conv, pad 1", "tiny conv, Conv2D", "tiny conv, pad 1, Conv2D"]
    for label in [*labels, "max-pool 2x2, 2x3x4x6"]:
        m = re.search(
            rf"^{re.escape(label)}\s{{2,}}{number}{number}{ratio}{number}{ratio}{faults}$", out, re.MULTILINE
        )
        assert m, f"no complete row for {label!r} in:\n{out}"
        assert all(float(v) > 0 for v in m.groups()[:5])
    assert f"torch {torch.__version__}" in out


def test_race_times_every_function_in_turn():
    bench = load_bench()
    calls = {"a": 0, "b": 0}

    def count(name):
        calls[name] += 1

    t = bench.race({k: functools.partial(count, k) for k in calls}, min_time=0.005, block=0.001)
    assert set(t) == {"a", "b"} and all(v > 0 for v in t.values())
    assert min(calls.values()) >= 15  # at least 15 timed calls each, plus the untimed warm-ups


def test_race_counts_the_page_faults_of_each_function():
    """A function that maps 64 new pages and writes to each faults at least 64 times a call; one that
    touches nothing new faults (almost) never."""
    bench = load_bench()
    pages = 64

    def touch_new_pages():
        with mmap.mmap(-1, pages * mmap.PAGESIZE) as m:
            for k in range(pages):
                m[k * mmap.PAGESIZE] = 1

    faults = {}
    bench.race({"touch": touch_new_pages, "idle": lambda: None}, min_time=0.01, block=0.001, faults=faults)
    assert faults["touch"] >= pages
    assert faults["idle"] < 1
