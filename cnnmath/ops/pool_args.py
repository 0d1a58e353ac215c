"""Checking and normalising the arguments of a pooling layer (shared by the fast and loop forms)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import as_array, check_int, check_kernel_size, check_real
from .conv_args import _out_len

__all__ = ["PoolArgs", "check_dy", "check_p", "pool_args", "pool_stride"]


@dataclass(frozen=True)
class PoolArgs:
    """Validated pooling arguments. x: (..., H, W); window (kh, kw); strides (sh, sw)."""

    x: np.ndarray
    kh: int
    kw: int
    sh: int
    sw: int

    @property
    def out_hw(self) -> tuple[int, int]:
        """floor((H - kh)/sh) + 1, floor((W - kw)/sw) + 1: windows that do not fit are dropped."""
        H, W = self.x.shape[-2:]
        return _out_len(H, self.kh, self.sh, 0), _out_len(W, self.kw, self.sw, 0)

    @property
    def y_shape(self) -> tuple[int, ...]:
        return (*self.x.shape[:-2], *self.out_hw)

    def describe(self) -> str:
        return f"x.shape={self.x.shape}, kernel_size={(self.kh, self.kw)}, stride={(self.sh, self.sw)}"


def pool_args(fn: str, x, kernel_size, stride=None, *, symbolic: bool = False) -> PoolArgs:
    """x: (..., H, W) with at least 2 dimensions; kernel_size: k or (kh, kw); stride: None (= the
    window, non-overlapping), an int, or a pair. The window must fit inside the input."""
    x = as_array(fn, "x", x, dtype=None if symbolic else np.float64)
    if symbolic and x.dtype != object:
        x = x.astype(np.float64)
    if x.ndim < 2:
        raise ValueError(f"{fn}: x must have at least 2 dimensions (..., H, W), got shape {x.shape}")
    kh, kw = check_kernel_size(fn, kernel_size)
    sh, sw = pool_stride(fn, stride, (kh, kw))
    H, W = x.shape[-2:]
    if kh > H or kw > W:
        raise ValueError(
            f"{fn}: the pooling window kernel_size={(kh, kw)} is larger than the input's last two "
            f"axes (H, W)={(H, W)} (x.shape={x.shape})"
        )
    return PoolArgs(x, kh, kw, sh, sw)


def pool_stride(fn: str, stride, window: tuple[int, int]) -> tuple[int, int]:
    """(sh, sw) for a stride given as None (= the window, non-overlapping), an int or a pair."""
    if stride is None:
        return window
    if isinstance(stride, tuple | list):
        if len(stride) != 2:
            raise ValueError(f"{fn}: stride must be an int or a pair (sh, sw), got {stride!r}")
        sh, sw = (check_int(fn, f"stride[{i}]", v, minimum=1) for i, v in enumerate(stride))
        return sh, sw
    s = check_int(fn, "stride", stride, minimum=1)
    return s, s


def check_dy(fn: str, a: PoolArgs, dy, *, name: str = "dy", symbolic: bool = False) -> np.ndarray:
    """The upstream gradient must have exactly the forward output's shape. ``name`` is the
    argument's name as the caller knows it (``dout`` for a layer's backward)."""
    dy = as_array(fn, name, dy, dtype=None if symbolic else np.float64)
    if dy.shape != a.y_shape:
        raise ValueError(
            f"{fn}: {name} has shape {dy.shape}, expected {a.y_shape}, the pooled output shape for "
            f"{a.describe()}"
        )
    return dy


def check_p(fn: str, p):
    """The exponent of Lp pooling: a finite real number >= 1 (returned as given, so a SymPy Rational
    stays exact for the loops)."""
    return check_real(fn, "p", p, minimum=1, why=" (the Lp norm's exponent)")
