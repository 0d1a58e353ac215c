"""Seed 001's Input → [Conv × N → Pool × M] × L → FC × K, read off Sequential models built by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnmath import nn
from cnnmath.nn import GaussianPool2D, TrainablePool2D, train
from cnnmath.nn.architecture import GeneralForm, general_form, layer_kinds


def _build(N, M, L, K):
    """A model of the form, written out layer by layer (activations after every conv and FC but the last)."""
    layers = []
    for _ in range(L):
        for _ in range(N):
            layers += [nn.Conv2D(1, 1, 1), nn.ReLU()]
        layers += [nn.MaxPool2D(1) for _ in range(M)]
    layers.append(nn.Flatten())
    for k in range(K):
        layers.append(nn.Dense(4, 4))
        if k < K - 1:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))
def test_reads_back_the_numbers_it_was_built_with(N, M, L, K):
    form = general_form(_build(N, M, L, K))
    assert form == (GeneralForm(N, M, L, K) if L else GeneralForm(None, None, 0, K))


def test_without_pools_the_blocks_merge_into_one():
    assert general_form(_build(2, 0, 3, 1)) == GeneralForm(6, 0, 1, 1)  # [Conv × 6 → Pool × 0] × 1


def test_digits_network():
    assert general_form(train.digits_cnn()) == GeneralForm(1, 1, 1, 1)
    assert general_form(train.digits_cnn(), input_shape=(1, 8, 8)) == GeneralForm(1, 1, 1, 1)


def _lenet5():
    return nn.Sequential(
        nn.Conv2D(1, 6, 5),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(16, 120, 5),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dense(120, 84),
        nn.ReLU(),
        nn.Dense(84, 10),
    )


def test_lenet5_c5_is_fully_connected_on_a_32x32_input():
    model = _lenet5()
    assert layer_kinds(model, (1, 32, 32)) == ["Conv", "Pool", "Conv", "Pool", "FC", "FC", "FC"]
    assert general_form(model, input_shape=(1, 32, 32)) == GeneralForm(1, 1, 2, 3)
    with pytest.raises(ValueError, match=r"\[Conv × 1 → Pool × 1\], \[Conv × 1 → Pool × 1\], \[Conv × 1"):
        general_form(model)  # without the input shape, C5 is a Conv with no pool after it
    with pytest.raises(ValueError, match="does not fit layer 9"):  # on 36×36, C5 gives 2×2 maps: 480 ≠ 120
        general_form(model, input_shape=(1, 36, 36))


def test_weighted_pools_count_as_pools():
    model = nn.Sequential(
        nn.Conv2D(1, 2, 3), GaussianPool2D(3, 1.0, stride=1), TrainablePool2D(2), nn.Flatten(), nn.Dense(8, 3)
    )
    assert general_form(model, input_shape=(1, 8, 8)) == GeneralForm(1, 2, 1, 1)


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([nn.Conv2D(1, 1, 1), nn.MaxPool2D(1)], ["FC × K", "Input → Conv → Pool"]),
        ([nn.MaxPool2D(1), nn.Flatten(), nn.Dense(1, 1)], ["start with a Conv", "Input → Pool → FC"]),
        ([nn.Flatten(), nn.Dense(1, 1), nn.Conv2D(1, 1, 1), nn.Dense(1, 1)], ["FC layer comes before"]),
        (
            [
                nn.Conv2D(1, 1, 1),
                nn.MaxPool2D(1),
                nn.Conv2D(1, 1, 1),
                nn.Conv2D(1, 1, 1),
                nn.MaxPool2D(1),
                nn.Dense(1, 1),
            ],
            ["blocks differ", "[Conv × 2 → Pool × 1]"],
        ),
    ],
)
def test_models_outside_the_form_raise(layers, words):
    with pytest.raises(ValueError) as err:
        general_form(nn.Sequential(*layers))
    assert all(w in str(err.value) for w in words), str(err.value)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Sequential"):
        general_form(nn.Dense(2, 2))
    with pytest.raises(ValueError, match=r"input_shape must be \(C, H, W\)"):
        general_form(train.digits_cnn(), input_shape=(8, 8))
    for shape, message in [  # these failed in tuple(6) or np.zeros
        (6, r"^general_form: input_shape must be \(C, H, W\), got 6$"),
        ((True, 8, 8), r"^general_form: input_shape\[0\] must be an integer >= 1, got True$"),
        ((1, 8.0, 8), r"^general_form: input_shape\[1\] must be an integer >= 1, got 8.0$"),
    ]:
        with pytest.raises(ValueError, match=message):
            general_form(train.digits_cnn(), input_shape=shape)
    with pytest.raises(ValueError, match=r"does not fit layer 0"):
        general_form(train.digits_cnn(), input_shape=(3, 8, 8))

    class Odd(nn.Layer):
        pass

    with pytest.raises(ValueError, match="layer 1"):
        general_form(nn.Sequential(nn.Conv2D(1, 1, 1), Odd(), nn.Dense(1, 1)))


def test_str():
    text = "Input → [Conv × 1 → Pool × 1] × 2 → FC × 3   (N = 1, M = 1, L = 2, K = 3)"
    assert str(GeneralForm(1, 1, 2, 3)) == text
    assert str(GeneralForm(None, None, 0, 2)) == "Input → FC × 2   (L = 0, K = 2)"
