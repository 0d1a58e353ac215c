"""cnnmath.nn.train (batches, SGD loop, evaluation) and the PyTorch oracle: the same network,
weights and batches give the same loss curve to 1e-9."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from cnnmath import data, nn
from cnnmath.nn import torch_oracle, train


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


# ---- batches ------------------------------------------------------------------------------------


def test_batch_schedule_permutes_each_epoch_and_drops_the_ragged_end():
    schedule = train.batch_schedule(10, batch_size=3, epochs=4, seed=5)
    assert len(schedule) == 4
    rng = np.random.default_rng(5)
    for batches in schedule:
        perm = rng.permutation(10)  # one permutation per epoch from default_rng(seed)
        assert [b.tolist() for b in batches] == [perm[0:3].tolist(), perm[3:6].tolist(), perm[6:9].tolist()]
    assert schedule[0][0].tolist() != schedule[1][0].tolist()
    again = train.batch_schedule(10, batch_size=3, epochs=4, seed=5)
    assert all(
        np.array_equal(a, b) for e, f in zip(schedule, again, strict=True) for a, b in zip(e, f, strict=True)
    )
    whole = train.batch_schedule(6, batch_size=6, epochs=1, seed=0)
    assert sorted(whole[0][0].tolist()) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n": 3, "batch_size": 4, "epochs": 1, "seed": 0},
            r"batch_size=4 is larger than the number of samples n=3",
        ),
        (
            {"n": 3, "batch_size": 0, "epochs": 1, "seed": 0},
            r"batch_schedule: batch_size must be an integer >= 1",
        ),
        (
            {"n": 3, "batch_size": 1, "epochs": 0, "seed": 0},
            r"batch_schedule: epochs must be an integer >= 1",
        ),
        ({"n": 3, "batch_size": 1, "epochs": 1, "seed": -1}, r"batch_schedule: seed must be an integer >= 0"),
    ],
)
def test_batch_schedule_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.batch_schedule(kwargs.pop("n"), **kwargs)


# ---- evaluation ---------------------------------------------------------------------------------


def _linear_model():
    """Flatten -> Dense(2, 3) whose logits are (x0, x1, 0.5): class = argmax by hand."""
    model = nn.Sequential(nn.Flatten(), nn.Dense(2, 3))
    model[1].params["w"][...] = [[1, 0], [0, 1], [0, 0]]
    model[1].params["b"][...] = [0, 0, 0.5]
    return model


def test_predict_evaluate_and_confusion_matrix_by_hand():
    model = _linear_model()
    x = np.array([[2.0, 1.0], [0.0, 3.0], [0.1, 0.2], [1.0, 0.0], [0.0, 0.0]])
    assert train.predict(model, x).tolist() == [0, 1, 2, 0, 2]
    assert train.predict(model, x, batch_size=2).tolist() == [0, 1, 2, 0, 2]  # chunks give the same
    y = np.array([0, 1, 1, 2, 2])
    loss, acc = train.evaluate(model, x, y, batch_size=2)
    assert acc == 3 / 5
    logits = x @ np.array([[1, 0], [0, 1], [0, 0]]).T + [0, 0, 0.5]
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-logp[np.arange(5), y].mean(), rel=1e-14)
    counts = train.confusion_matrix(y, train.predict(model, x))
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [1, 0, 1]])
    assert train.confusion_matrix([0, 1], [1, 1], n_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match=r"confusion_matrix: labels must lie in 0..1 \(n_classes=2\)"):
        train.confusion_matrix([0, 2], [1, 1], n_classes=2)
    with pytest.raises(ValueError, match=r"confusion_matrix: y_true and y_pred must be 1-D integer arrays"):
        train.confusion_matrix([0.0, 1.0], [1, 1])
    with pytest.raises(ValueError, match=r"evaluate: y must be \(5,\) integer labels"):
        train.evaluate(model, x, y[:4])


def test_train_epoch_takes_one_sgd_step_per_batch_and_updates_the_bar(rng):
    model = nn.Sequential(nn.Flatten(), nn.Dense(4, 3, rng=rng))
    x, y = rng.normal(size=(12, 2, 2)), rng.integers(0, 3, size=12)
    batches = [np.array([0, 1, 2, 3]), np.array([4, 5, 6, 7])]
    w0, b0 = model[1].params["w"].copy(), model[1].params["b"].copy()

    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    losses = train.train_epoch(model, x, y, batches, lr=0.5, progress=bar)
    assert bar.n == 2 and losses.shape == (2,)
    # by hand: mean cross-entropy and its gradient (softmax - onehot)/N, two plain steps
    w, b = w0.copy(), b0.copy()
    for k, idx in enumerate(batches):
        xb = x[idx].reshape(4, 4)
        z = xb @ w.T + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        assert losses[k] == pytest.approx(-np.log(p[np.arange(4), y[idx]]).mean(), rel=1e-12)
        p[np.arange(4), y[idx]] -= 1
        w, b = w - 0.5 * (p / 4).T @ xb, b - 0.5 * (p / 4).sum(axis=0)
    np.testing.assert_allclose(model[1].params["w"], w, rtol=1e-12)
    np.testing.assert_allclose(model[1].params["b"], b, rtol=1e-12)


def test_digits_cnn_reaches_97_percent(digits):
    """Notebook 12's headline: the fixed recipe gives >= 97% test accuracy."""
    model, history = train.train_digits(digits)
    assert repr(history) == "History(10 epochs, 420 steps)"
    assert history.test_accuracy.shape == history.test_loss.shape == history.train_loss.shape == (10,)
    assert history.test_accuracy[-1] >= 0.97
    assert train.evaluate(model, digits.x_test, digits.y_test)[1] == history.test_accuracy[-1]
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    np.testing.assert_allclose(history.train_loss, history.step_losses.reshape(10, 42).mean(axis=1))
    with pytest.raises(ValueError, match=r"train_digits: unknown recipe keys \['epoch'\]"):
        train.train_digits(digits, epoch=3)


def test_digits_cnn_architecture_and_initialisation():
    model = train.digits_cnn()
    assert [repr(layer) for layer in model] == [
        "Conv2D(1, 16, kernel_size=3, stride=1, padding=1)",
        "ReLU()",
        "MaxPool2D(kernel_size=2, stride=2)",
        "Flatten()",
        "Dense(256, 10)",
    ]
    r = np.random.default_rng(0)  # conv w, conv b, then dense w, dense b, each U(±1/√fan_in)
    np.testing.assert_array_equal(model[0].params["w"], r.uniform(-1 / 3, 1 / 3, size=(16, 1, 3, 3)))
    np.testing.assert_array_equal(model[0].params["b"], r.uniform(-1 / 3, 1 / 3, size=16))
    np.testing.assert_array_equal(model[4].params["w"], r.uniform(-1 / 16, 1 / 16, size=(10, 256)))


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
