"""Seed 001's general form of a CNN, read off a :class:`cnnmath.nn.Sequential`:

    Input → [Conv × N → Pool × M] × L → FC × K,      N ≥ 1, M ≥ 0, L ≥ 0, K ≥ 1

(卷积神经网络一般结构). Every block has the same N convolutions and M pools. Activations (ReLU,
Sigmoid, Tanh) and Flatten do not count: the form lists the layers with weights or windows, and
an activation belongs to the layer before it.

Two readings need a rule, and :func:`general_form` states them:

- With M = 0 the blocks have no pools to separate them: Conv × 4 is [Conv × 4] × 1, [Conv × 2] × 2
  or [Conv × 1] × 4. We report the coarsest, L = 1 (N = all the convolutions).
- A convolution whose kernel covers its whole input (no padding), so that each map gives a single
  number, is a fully connected layer on the flattened input (LeNet-5's C5: LeCun et al. call it a
  convolution only because a larger input would give larger maps). Given ``input_shape``, such a
  layer counts as FC; without it, every Conv2D counts as Conv.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ops.checks import check_sizes
from .layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sigmoid, Tanh
from .pool_weighted import GaussianPool2D, TrainablePool2D
from .sequential import Sequential

__all__ = ["GeneralForm", "general_form", "layer_kinds"]

POOLS = (MaxPool2D, AvgPool2D, GaussianPool2D, TrainablePool2D)
IGNORED = (ReLU, Sigmoid, Tanh, Flatten)


@dataclass(frozen=True)
class GeneralForm:
    """Input → [Conv × N → Pool × M] × L → FC × K. N and M are None when L = 0 (no blocks)."""

    N: int | None
    M: int | None
    L: int
    K: int

    def __str__(self) -> str:
        if self.L == 0:
            return f"Input → FC × {self.K}   (L = 0, K = {self.K})"
        return (
            f"Input → [Conv × {self.N} → Pool × {self.M}] × {self.L} → FC × {self.K}   "
            f"(N = {self.N}, M = {self.M}, L = {self.L}, K = {self.K})"
        )


def _covers_its_input(layer: Conv2D, x_hw: tuple[int, int]) -> bool:
    return layer.padding == 0 and tuple(layer.kernel_size) == tuple(x_hw)


def layer_kinds(model: Sequential, input_shape=None) -> list[str]:
    """ "Conv", "Pool" or "FC" for each counted layer of ``model``, in order (see the module docstring).

    input_shape: (C, H, W) of one sample, or None. With it, a zero batch of one is run through the
    layers (their caches are overwritten) to find the convolutions that cover their whole input.
    """
    if not isinstance(model, Sequential):
        raise ValueError(f"general_form: model must be a cnnmath.nn.Sequential, got {type(model).__name__}")
    x = None
    if input_shape is not None:
        x = np.zeros((1, *check_sizes("general_form", "input_shape", input_shape, "(C, H, W)")))
    kinds = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Conv2D):
            whole = x is not None and x.ndim == 4 and _covers_its_input(layer, x.shape[-2:])
            kinds.append("FC" if whole else "Conv")
        elif isinstance(layer, POOLS):
            kinds.append("Pool")
        elif isinstance(layer, Dense):
            kinds.append("FC")
        elif not isinstance(layer, IGNORED):
            raise ValueError(
                f"general_form: layer {i} ({layer!r}) is neither Conv, Pool, FC nor an activation/Flatten"
            )
        if x is not None:
            try:
                x = layer.forward(x)
            except ValueError as e:
                raise ValueError(
                    f"general_form: input_shape={tuple(input_shape)} does not fit layer {i}: {e}"
                ) from None
    return kinds


def general_form(model: Sequential, input_shape=None) -> GeneralForm:
    """(N, M, L, K) of seed 001's Input → [Conv × N → Pool × M] × L → FC × K for ``model``, or a
    ValueError that says where the layers leave the form. See the module docstring for the rules."""
    kinds = layer_kinds(model, input_shape)
    text = " → ".join(["Input", *kinds])
    k = len(kinds)
    while k and kinds[k - 1] == "FC":
        k -= 1
    K, body = len(kinds) - k, kinds[:k]
    if K == 0:
        raise ValueError(f"general_form: the layers must end in FC × K with K ≥ 1, got {text}")
    if "FC" in body:
        raise ValueError(f"general_form: an FC layer comes before a Conv or Pool layer in {text}")
    if not body:
        return GeneralForm(None, None, 0, K)
    if body[0] != "Conv":
        raise ValueError(f"general_form: a block must start with a Conv (N ≥ 1), got {text}")
    blocks = []  # (convs, pools) runs
    for kind in body:
        if kind == "Conv" and (not blocks or blocks[-1][1] > 0):
            blocks.append([0, 0])
        blocks[-1][0 if kind == "Conv" else 1] += 1
    shapes = {tuple(b) for b in blocks}
    if len(shapes) > 1:
        found = ", ".join(f"[Conv × {n} → Pool × {m}]" for n, m in blocks)
        raise ValueError(f"general_form: the blocks differ ({found}), so no single N, M fits {text}")
    N, M = blocks[0]
    return GeneralForm(N, M, len(blocks), K)
