"""LeNet-5's counts against the numbers LeCun et al. (1998) publish, and counts from real arrays."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import nn
from cnnmath.viz import lenet

# LeCun et al. 1998, Table I, row by row: the C3 maps (columns) that read each S2 map.
PAPER_TABLE_ROWS = [
    [0, 4, 5, 6, 9, 10, 11, 12, 14, 15],
    [0, 1, 5, 6, 7, 10, 11, 12, 13, 15],
    [0, 1, 2, 6, 7, 8, 11, 13, 14, 15],
    [1, 2, 3, 6, 7, 8, 9, 12, 14, 15],
    [2, 3, 4, 7, 8, 9, 10, 12, 13, 15],
    [3, 4, 5, 8, 9, 10, 11, 13, 14, 15],
]


def test_c3_table_is_the_papers_table_one():
    t = lenet.C3_TABLE
    assert t.shape == (6, 16) and t.dtype == bool
    for i, cols in enumerate(PAPER_TABLE_ROWS):
        assert np.flatnonzero(t[i]).tolist() == cols, f"row {i}"
    assert t.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    assert int(t.sum()) == 60
    with pytest.raises(ValueError, match="read-only"):
        t[0, 0] = False


def test_lenet5_counts_match_the_paper():
    """Section II.B gives every layer's trainable parameters and connections."""
    layers = lenet.lenet5()
    assert [c.name for c in layers] == ["C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"]
    assert [c.params for c in layers[:-1]] == [156, 12, 1516, 32, 48120, 10164]
    assert [c.connections for c in layers[:-1]] == [122304, 5880, 151600, 2000, 48120, 10164]
    assert [(c.maps, c.size) for c in layers[:5]] == [
        (6, (28, 28)),
        (6, (14, 14)),
        (16, (10, 10)),
        (16, (5, 5)),
        (120, (1, 1)),
    ]
    # "340,908 connections, but only 60,000 trainable free parameters" (the RBF output is fixed)
    assert sum(c.connections for c in layers) == 340908
    assert sum(c.params for c in layers[:-1]) == 60000
    assert layers[-1].params == 840


def test_full_c3_and_larger_inputs():
    full = lenet.lenet5(c3_table=np.ones((6, 16), bool))
    assert full[2].params == 6 * 16 * 25 + 16 == 2416
    big = lenet.lenet5((64, 64))
    assert [c.size for c in big[:5]] == [(60, 60), (30, 30), (26, 26), (13, 13), (9, 9)]
    assert [c.params for c in big[:5]] == [156, 12, 1516, 32, 48120]  # weight sharing: size-free
    assert big[5].params == (120 * 81 + 1) * 84
    assert lenet.fully_connected_params((32, 32)) == (32 * 32 + 1) * 6 * 28 * 28 == 4_821_600
    assert lenet.fully_connected_params((6, 5), maps=2, k=3) == (30 + 1) * 2 * 4 * 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lenet.lenet5((30, 30)), r"lenet5: S4 halves its 9×9 input, which must be even"),
        (lambda: lenet.lenet5((20, 20)), r"lenet5: C5's 5×5 kernels do not fit its 2×2 input"),
        (lambda: lenet.lenet5((0, 32)), r"lenet5: input_hw\[0\] must be an integer >= 1"),
        (lambda: lenet.lenet5(c3_table=np.ones((16, 6))), r"c3_table must be \(6, 16\)"),
        (
            lambda: lenet.fully_connected_params((4, 9)),
            r"^fully_connected_params: input_hw\[0\] must be an integer >= 5, got 4$",
        ),
        # these failed in unpacking, or (maps, k, c3_table's values) returned counts for nonsense
        (lambda: lenet.lenet5((32,)), r"^lenet5: input_hw must be \(H, W\), got \(32,\)$"),
        (lambda: lenet.lenet5(32), r"^lenet5: input_hw must be \(H, W\), got 32$"),
        (
            lambda: lenet.lenet5(c3_table=np.full((6, 16), 0.5)),
            r"^lenet5: c3_table must hold only True/False",
        ),
        (lambda: lenet.lenet5(c3_table=np.full((6, 16), 2)), r"^lenet5: c3_table must hold only True/False"),
        (
            lambda: lenet.lenet5(c3_table=np.full((6, 16), np.nan)),
            r"^lenet5: c3_table must hold only True/False",
        ),
        (lambda: lenet.fully_connected_params((32,)), r"^fully_connected_params: input_hw must be \(H, W\)"),
        (
            lambda: lenet.fully_connected_params((32, 32), maps=-1),
            r"^fully_connected_params: maps must be an integer >= 1",
        ),
        (
            lambda: lenet.fully_connected_params((32, 32), maps=1.5),
            r"^fully_connected_params: maps must be an integer",
        ),
        (
            lambda: lenet.fully_connected_params((32, 32), k=0),
            r"^fully_connected_params: k must be an integer >= 1, got 0$",
        ),
        (
            lambda: lenet.fully_connected_params((32, 32), k=True),
            r"^fully_connected_params: k must be an integer",
        ),
        (
            lambda: lenet.count_parameters("m"),
            r"^count_parameters: model must be a cnnmath.nn layer or Sequential",
        ),
        (lambda: lenet.table([1, 2]), r"^table: layers must be a list of LayerCount"),
    ],
)
def test_lenet_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _modern_lenet(rng):
    """Today's usual LeNet-5: full C3, max pooling, a dense output layer."""
    return nn.Sequential(
        nn.Conv2D(1, 6, 5, rng=rng),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(6, 16, 5, rng=rng),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(16, 120, 5, rng=rng),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dense(120, 84, rng=rng),
        nn.ReLU(),
        nn.Dense(84, 10, rng=rng),
    )


def test_count_parameters_from_arrays_agrees_with_the_shape_formula(rng):
    model = _modern_lenet(rng)
    assert model.forward(rng.normal(size=(2, 1, 32, 32))).shape == (2, 10)
    shapes = lenet.lenet5(c3_table=np.ones((6, 16), bool))
    no_pool_params = sum(c.params for c in shapes if not c.name.startswith("S"))
    assert lenet.count_parameters(model) == no_pool_params - 840 + 850 == 61706


def test_count_parameters_agrees_with_torch(torch, rng):
    from cnnmath.nn.torch_oracle import to_torch

    model = _modern_lenet(rng)
    assert sum(p.numel() for p in to_torch(model).parameters()) == lenet.count_parameters(model)


def test_table_text():
    text = lenet.table(lenet.lenet5())
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "kind", "output", "parameters", "connections"]
    assert lines[3].split() == ["C3", "conv", "5×5", "16@10×10", "1,516", "151,600"]
    assert lines[-1].split() == ["total", "60,840", "340,908"]
