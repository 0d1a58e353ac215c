"""LeNet-5's parameter and connection counts from its layer shapes (seed 001's homework).

LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to document recognition",
Proc. IEEE 86(11), section II.B: a 32×32 input, then

    C1 conv 6@5×5 -> S2 subsample 2×2 -> C3 conv 16@5×5 (partial, Table I) -> S4 subsample 2×2
    -> C5 conv 120@5×5 -> F6 full 84 -> OUTPUT 10 Euclidean RBF units

Counting rules (the paper's): a conv map has k² weights per input map it reads plus one bias; a
subsampling map has one trainable coefficient and one bias (the 2×2 sum is multiplied by the
coefficient); a full layer has (inputs + 1) × outputs; each RBF unit holds an 84-vector of fixed
(not trained) parameters. "Connections" count every multiply-add feeding a unit, bias included:
params × output positions for a conv or subsampling layer (shared weights are counted once as
parameters but at every position as connections).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn.layers import check_model
from ..ops.checks import as_array, check_int, check_sizes

__all__ = ["C3_TABLE", "LayerCount", "count_parameters", "fully_connected_params", "lenet5", "table"]

# LeCun et al. 1998, Table I: C3_TABLE[i, j] is True when C3 map j reads S2 map i. Columns 0-5 read
# 3 contiguous maps, 6-11 four contiguous, 12-14 four non-contiguous, 15 all six (60 in total).
_C3_INPUTS = [[(j + d) % 6 for d in range(3)] for j in range(6)]
_C3_INPUTS += [[(j + d) % 6 for d in range(4)] for j in range(6)]
_C3_INPUTS += [[0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], list(range(6))]
C3_TABLE = np.zeros((6, 16), dtype=bool)
for _j, _rows in enumerate(_C3_INPUTS):
    C3_TABLE[_rows, _j] = True
C3_TABLE.flags.writeable = False


@dataclass(frozen=True)
class LayerCount:
    """One layer: ``maps`` output maps (or units) of ``size`` (h, w), ``params`` trainable (or, for
    the RBF output, fixed) parameters and ``connections`` multiply-adds."""

    name: str
    kind: str
    maps: int
    size: tuple[int, int]
    params: int
    connections: int


def _conv(name, in_hw, maps, k, reads) -> LayerCount:
    """reads: how many input maps each of the ``maps`` output maps reads (a list of ``maps`` ints)."""
    h, w = in_hw[0] - k + 1, in_hw[1] - k + 1
    if h < 1 or w < 1:
        raise ValueError(f"lenet5: {name}'s {k}×{k} kernels do not fit its {in_hw[0]}×{in_hw[1]} input")
    params = sum(reads) * k * k + maps
    return LayerCount(name, f"conv {k}×{k}", maps, (h, w), params, params * h * w)


def _subsample(name, in_hw, maps) -> LayerCount:
    if in_hw[0] % 2 or in_hw[1] % 2:
        raise ValueError(f"lenet5: {name} halves its {in_hw[0]}×{in_hw[1]} input, which must be even")
    h, w = in_hw[0] // 2, in_hw[1] // 2
    return LayerCount(name, "subsample 2×2", maps, (h, w), 2 * maps, (4 + 1) * maps * h * w)


def lenet5(input_hw=(32, 32), *, c3_table=C3_TABLE) -> list[LayerCount]:
    """The seven layers of LeNet-5 for an input of ``input_hw`` (H, W), counted from their shapes.

    c3_table: the (6, 16) boolean table of which S2 maps each C3 map reads (default: the paper's;
    pass ``np.ones((6, 16), bool)`` for a fully connected C3). For inputs larger than 32×32, C5 is
    a map bigger than 1×1 and F6 is fully connected to all of it, as the paper's layers would be.
    """
    H, W = check_sizes("lenet5", "input_hw", input_hw, "(H, W)")
    raw = as_array("lenet5", "c3_table", c3_table, dtype=None)
    if raw.shape != (6, 16):
        raise ValueError(f"lenet5: c3_table must be (6, 16) (S2 maps × C3 maps), got shape {raw.shape}")
    if raw.dtype == object or not np.isin(raw, (0, 1)).all():
        raise ValueError(f"lenet5: c3_table must hold only True/False (or 1/0), got dtype {raw.dtype}")
    table = raw.astype(bool)
    c1 = _conv("C1", (H, W), 6, 5, [1] * 6)
    s2 = _subsample("S2", c1.size, 6)
    c3 = _conv("C3", s2.size, 16, 5, [int(n) for n in table.sum(axis=0)])
    s4 = _subsample("S4", c3.size, 16)
    c5 = _conv("C5", s4.size, 120, 5, [16] * 120)
    n5 = 120 * c5.size[0] * c5.size[1]
    f6 = LayerCount("F6", "full", 84, (1, 1), (n5 + 1) * 84, (n5 + 1) * 84)
    out = LayerCount("OUTPUT", "RBF (fixed)", 10, (1, 1), 84 * 10, 84 * 10)
    return [c1, s2, c3, s4, c5, f6, out]


def fully_connected_params(input_hw, maps: int = 6, k: int = 5) -> int:
    """Parameters of a dense layer doing C1's job without sharing or locality: every one of the
    maps·(H-k+1)·(W-k+1) outputs gets its own weight from every one of the H·W pixels, plus a bias."""
    fn = "fully_connected_params"
    maps, k = check_int(fn, "maps", maps, minimum=1), check_int(fn, "k", k, minimum=1)
    H, W = check_sizes(fn, "input_hw", input_hw, "(H, W)", minimum=k)
    return (H * W + 1) * maps * (H - k + 1) * (W - k + 1)


def count_parameters(model) -> int:
    """Σ of the sizes of all parameter arrays of a :mod:`cnnmath.nn` model (its ``parameters()``)."""
    check_model("count_parameters", model)
    return sum(layer.params[name].size for layer, name in model.parameters())


def table(layers: list[LayerCount]) -> str:
    """A fixed-width text table of ``layers`` with a total row (deterministic, for printing)."""
    if not isinstance(layers, list | tuple) or not all(isinstance(c, LayerCount) for c in layers):
        raise ValueError(
            f"table: layers must be a list of LayerCount (what lenet5 returns), got {layers!r:.80}"
        )
    lines = [f"{'layer':7} {'kind':14} {'output':>12} {'parameters':>11} {'connections':>12}"]
    for c in layers:
        out = f"{c.maps}@{c.size[0]}×{c.size[1]}" if c.size != (1, 1) else f"{c.maps}"
        lines.append(f"{c.name:7} {c.kind:14} {out:>12} {c.params:>11,} {c.connections:>12,}")
    total_p, total_c = sum(c.params for c in layers), sum(c.connections for c in layers)
    lines.append(f"{'total':7} {'':14} {'':>12} {total_p:>11,} {total_c:>12,}")
    return "\n".join(lines)
