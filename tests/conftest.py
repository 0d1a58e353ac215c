"""Shared fixtures: a seeded ``rng``, hypothesis profiles, and the optional PyTorch oracle."""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# CI runs >= 1,000 examples per layer property; a local run stays quick.
settings.register_profile(
    "ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture
def seed003_a() -> np.ndarray:
    """Seed 003's 6×6 table A^[l] (4-2 卷积神经网络 I), typed from the lecture: the pooling examples'
    input. Window (1, 0) of its 2×2 pooling, rows 2-3 and columns 0-1, is [[5, 0], [5, 2]]: a tie."""
    return np.array(
        [
            [3, 6, 5, 4, 8, 9],
            [1, 7, 9, 6, 8, 0],
            [5, 0, 9, 6, 2, 0],
            [5, 2, 6, 3, 7, 0],
            [9, 0, 3, 2, 3, 1],
            [3, 1, 3, 7, 1, 7],
        ],
        dtype=float,
    )


def _require(module: str):
    """Import an optional test dependency.

    Outside CI a missing module skips the test; under ``CI=true`` it fails, so CI
    cannot go green by skipping the oracle tests.
    """
    if IN_CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is not installed (optional oracle)")


def _unavailable(reason: str):
    """Something optional outside Python (a browser, say) is missing: skip locally, fail under CI."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


# Fixtures, not imports: `from conftest import ...` is ambiguous once pytest also collects
# notebooks/, which has a conftest.py of its own.
@pytest.fixture(scope="session")
def require():
    """``require("module")``: the module, or a skip (locally) / failure (CI=true) when it is missing."""
    return _require


@pytest.fixture(scope="session")
def unavailable():
    """``unavailable(reason)``: skip locally, fail under CI=true."""
    return _unavailable


@pytest.fixture
def torch():
    t = _require("torch")
    t.set_num_threads(1)
    return t


def _resolves(path: str) -> bool:
    """Whether a dotted path (a module, then attributes or submodules) names something."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module(".".join(parts[: k + 1]))
        except ImportError:
            return False
    return True


@pytest.fixture(scope="session")
def resolves():
    """``resolves("cnnmath.ops.pool.max_pool2d")``: whether that dotted path names something."""
    return _resolves
