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


def test_zeroed_is_zero_when_created_and_kept_per_layout():
    a = _scratch.zeroed("test.zeroed", (2, 3), "region A")
    assert a.shape == (2, 3) and not a.any()
    a[0, 0] = 5.0  # the caller's region
    assert _scratch.zeroed("test.zeroed", (2, 3), "region A") is a  # kept: not zeroed again
    b = _scratch.zeroed("test.zeroed", (2, 3), "region B")  # another region: a fresh zero array
    assert b is not a and not b.any()
    c = _scratch.zeroed("test.zeroed", (3, 2), "region A")  # another shape: fresh as well
    assert c is not a and not c.any()


def test_zeroed_forgets_the_least_recently_used_layout():
    first = _scratch.zeroed("test.lru", (1,), 0)
    for k in range(1, _scratch._ZEROED_PER_SLOT):
        _scratch.zeroed("test.lru", (1,), k)
    assert _scratch.zeroed("test.lru", (1,), 0) is first  # used again: now the most recent
    _scratch.zeroed("test.lru", (1,), "one more")  # evicts layout 1, the least recently used
    kept = _scratch._local.zeroed["test.lru"]
    assert len(kept) == _scratch._ZEROED_PER_SLOT and ((1,), 0) in kept and ((1,), 1) not in kept
    big = _scratch.zeroed("test.lru.big", (_scratch._KEEP_MAX + 1,), 0)
    assert not big[:10].any() and "test.lru.big" not in _scratch._local.zeroed
