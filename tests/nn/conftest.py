"""Fixtures shared by the tests of cnnmath.nn."""

from __future__ import annotations

import pytest

from cnnmath import data


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()
