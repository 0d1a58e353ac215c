"""cnnmath.nn.torch_oracle: the same network in PyTorch, float64, with the same weights. Trained on the
same batches, cnnmath.nn.train and the PyTorch copy give the same loss curve to 1e-9; bad input; the
message when PyTorch is missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from cnnmath import nn
from cnnmath.nn import torch_oracle, train

# ---- the PyTorch oracle --------------------------------------------------------------------------


def test_digits_training_follows_pytorch_loss_curve(torch, digits):
    """Same initial weights, same batches, 3 epochs (126 SGD steps): every minibatch loss agrees to
    1e-9 and so do the final weights. Max-pool ties (all-zero windows after ReLU) are common here;
    cnnmath's first-maximum rule is PyTorch's, which is what makes this possible."""
    model = train.digits_cnn()
    tmodel = torch_oracle.to_torch(model)
    schedule = train.batch_schedule(len(digits.y_train), batch_size=32, epochs=3, seed=1)
    ours = train.fit(model, digits.x_train, digits.y_train, schedule, lr=0.1).step_losses
    theirs = torch_oracle.fit_torch(tmodel, digits.x_train, digits.y_train, schedule, lr=0.1)
    assert ours.shape == theirs.shape == (126,)
    assert np.max(np.abs(ours - theirs)) < 1e-9
    assert ours[-1] < 0.5 * ours[0]  # it did learn
    np.testing.assert_allclose(model[0].params["w"], tmodel[0].weight.detach().numpy(), atol=1e-9, rtol=0)
    np.testing.assert_allclose(model[4].params["w"], tmodel[4].weight.detach().numpy(), atol=1e-9, rtol=0)
    # the two copies are independent: training one did not move the other's initial weights
    assert not np.array_equal(train.digits_cnn()[0].params["w"], model[0].params["w"])


def test_oracle_weight_decay_decays_weights_only_and_other_layers(torch, rng):
    model = nn.Sequential(
        nn.Conv2D(2, 3, 3, stride=2, padding=1, rng=rng),
        nn.Tanh(),
        nn.AvgPool2D(2),
        nn.Sigmoid(),
        nn.Flatten(),
        nn.Dense(3, 4, rng=rng),
    )
    tmodel = torch_oracle.to_torch(model)
    x, y = rng.normal(size=(12, 2, 5, 5)), rng.integers(0, 4, size=12)
    schedule = train.batch_schedule(12, batch_size=4, epochs=2, seed=3)
    ours = train.fit(model, x, y, schedule, lr=0.3, weight_decay=0.1).step_losses
    theirs = torch_oracle.fit_torch(tmodel, x, y, schedule, lr=0.3, weight_decay=0.1)
    np.testing.assert_allclose(ours, theirs, atol=1e-12, rtol=0)
    np.testing.assert_allclose(model[5].params["b"], tmodel[5].bias.detach().numpy(), atol=1e-12, rtol=0)


def test_to_torch_bad_input(torch):
    with pytest.raises(ValueError, match=r"to_torch: model must be a cnnmath.nn.Sequential, got Dense"):
        torch_oracle.to_torch(nn.Dense(2, 2))

    class Odd(nn.ReLU):
        pass

    with pytest.raises(ValueError, match=r"to_torch: no PyTorch counterpart for Odd\(\)"):
        torch_oracle.to_torch(nn.Sequential(Odd()))


def test_require_torch_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(ImportError, match=r"needs PyTorch \(optional\): pip install torch==2.13.0"):
        torch_oracle.require_torch()
