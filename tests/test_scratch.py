"""Scratch buffers reused by the fast kernels (cnnmath._scratch)."""

from __future__ import annotations

from cnnmath import _scratch


def test_scratch_reuses_a_slot_and_does_not_keep_huge_buffers():
    a = _scratch.scratch("test.slot", (3, 4))
    b = _scratch.scratch("test.slot", (2, 5))
    assert b.base is a.base and b.flags.c_contiguous and b.shape == (2, 5)
    big = _scratch.scratch("test.big", (_scratch._KEEP_MAX + 1,))
    assert big.base is None  # a fresh array, not kept in the slot
    assert "test.big" not in _scratch._local.buffers
