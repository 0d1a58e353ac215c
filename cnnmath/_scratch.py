"""Scratch buffers that the fast kernels reuse from one call to the next.

numpy allocates a large temporary with malloc and frees it at the end of the call; glibc hands such
blocks back to the operating system, so the next call touches fresh pages and pays the page faults
again. Measured here: the 64x1x8x8 backward pass took 400 µs with fresh temporaries and 160 µs
with reused ones. So the kernels in :mod:`cnnmath.conv` and :mod:`cnnmath._col2im` take their
temporaries from here (PyTorch's CPU allocator caches blocks for the same reason).

A buffer never leaves the call that asked for it: results handed to the caller are always new
arrays. One set of buffers per thread; each named slot grows to the largest size asked of it, up
to 64 MiB: a larger temporary is allocated for the call and freed with it, as numpy would.

:func:`zeroed` is for buffers that are mostly zeros around a region that each call overwrites
(the padded grid of :mod:`cnnmath._col2im`): they are zeroed once, when created, instead of on
every call (64x1x28x28: 170 µs of a 4 ms training step).
"""

from __future__ import annotations

import math
import threading

import numpy as np

_local = threading.local()
_KEEP_MAX = 1 << 23  # float64 entries (64 MiB) that one slot may keep between calls


def scratch(slot: str, shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised, C-contiguous float64 array of ``shape``, backed by this thread's ``slot``."""
    size = math.prod(shape)
    if size > _KEEP_MAX:
        return np.empty(shape)
    buffers = _local.__dict__.setdefault("buffers", {})
    buf = buffers.get(slot)
    if buf is None or buf.size < size:
        buf = buffers[slot] = np.empty(size)
    return buf[:size].reshape(shape)


_ZEROED_PER_SLOT = 4  # layouts (e.g. conv layers of a network) that one zeroed slot keeps


def zeroed(slot: str, shape: tuple[int, ...], region) -> np.ndarray:
    """A C-contiguous float64 array of ``shape`` that is 0 everywhere outside ``region``.

    ``region`` is a hashable description of the only entries the caller ever writes. The array is
    kept for (shape, region) and zeroed only when it is created; so the caller must never write
    outside that region, or the next call with the same key finds the values it left there."""
    size = math.prod(shape)
    if size > _KEEP_MAX:
        return np.zeros(shape)
    kept = _local.__dict__.setdefault("zeroed", {}).setdefault(slot, {})
    key = (shape, region)
    buf = kept.pop(key, None)
    if buf is None:
        buf = np.zeros(shape)
        while len(kept) >= _ZEROED_PER_SLOT:
            del kept[next(iter(kept))]  # the least recently used layout
    kept[key] = buf  # now the most recently used
    return buf
