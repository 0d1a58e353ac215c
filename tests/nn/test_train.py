"""cnnmath.nn.train: batches, the SGD loop, evaluation and the digits CNN. (The same training in
PyTorch, loss curve for loss curve: tests/nn/test_torch_oracle.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import nn
from cnnmath.nn import train

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
        train.confusion_matrix([0, 1], [1, 1, 1])
    with pytest.raises(
        ValueError,
        match=r"^confusion_matrix: y_true must be integer class ids, got dtype float64 \(shape \(2,\)\)$",
    ):
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


# ---- bad input to the training loop ----------------------------------------------------------------


def _data():
    model = _linear_model()
    x, y = np.array([[2.0, 1.0], [0.0, 3.0], [0.1, 0.2], [1.0, 0.0]]), np.array([0, 1, 2, 0])
    return model, x, y


BAD_TRAINING = [
    (
        lambda m, x, y: train.train_epoch(m, x, y, None, lr=0.1),
        r"^train_epoch: batches must be a list of index",
    ),
    (
        lambda m, x, y: train.train_epoch(m, x, y, [np.array([0, 7])], lr=0.1),
        r"^train_epoch: batches\[0\] must be a non-empty 1-D integer array of row indices in 0..3, "
        r"got dtype int64, shape \(2,\), values 0..7$",
    ),
    (
        lambda m, x, y: train.train_epoch(m, x, y, [np.array([0.0, 1.0])], lr=0.1),
        r"^train_epoch: batches\[0\] must be a non-empty 1-D integer array .* dtype float64, shape \(2,\)$",
    ),
    (
        lambda m, x, y: train.train_epoch(m, x, y, [np.array([], dtype=int)], lr=0.1),
        r"^train_epoch: batches\[0\] must be a non-empty 1-D integer array .* got dtype int64, shape \(0,\)$",
    ),
    (
        lambda m, x, y: train.train_epoch(
            m, x, y, train.batch_schedule(4, batch_size=2, epochs=2, seed=0), lr=0.1
        ),
        r"^train_epoch: batches\[0\] must be a non-empty 1-D integer array .* shape \(2, 2\), values 0..3$",
    ),
    (
        lambda m, x, y: train.train_epoch(m, x, y, [[0, 1]], lr=-1),
        r"^train_epoch: lr must be a finite number >= 0",
    ),
    (
        lambda m, x, y: train.train_epoch("m", x, y, [[0, 1]], lr=0.1),
        r"^train_epoch: model must be a cnnmath.nn",
    ),
    (
        lambda m, x, y: train.train_epoch(m, 1.0, y, [[0]], lr=0.1),
        r"^train_epoch: x must be a batch \(N, ...\)",
    ),
    (
        lambda m, x, y: train.predict("m", x),
        r"^predict: model must be a cnnmath.nn layer or Sequential, got str$",
    ),
    (
        lambda m, x, y: train.predict(m, 1.0),
        r"^predict: x must be a batch \(N, ...\) with N >= 0, got shape \(\)$",
    ),
    (lambda m, x, y: train.evaluate(m, x[:0], y[:0]), r"^evaluate: x must be a batch \(N, ...\) with N >= 1"),
    (lambda m, x, y: train.evaluate("m", x, y), r"^evaluate: model must be a cnnmath.nn layer"),
    (
        lambda m, x, y: train.confusion_matrix(y, y, n_classes=1.5),
        r"^confusion_matrix: n_classes must be an integer >= 1, got 1.5$",
    ),
    (
        lambda m, x, y: train.confusion_matrix(y, y, n_classes=True),
        r"^confusion_matrix: n_classes must be an integer",
    ),
    (
        lambda m, x, y: train.confusion_matrix([], [], n_classes=-1),
        r"^confusion_matrix: n_classes must be an integer",
    ),
    (
        lambda m, x, y: train.confusion_matrix(y, y, n_classes="3"),
        r"^confusion_matrix: n_classes must be an integer",
    ),
    (lambda m, x, y: train.fit(m, x, y, [], lr=0.1), r"^fit: schedule must be a non-empty list of epochs"),
    (lambda m, x, y: train.fit(m, x, y, None, lr=0.1), r"^fit: schedule must be a non-empty list of epochs"),
    (
        lambda m, x, y: train.fit(m, x, y, [[0, 1], [2, 3]], lr=0.1),
        r"^fit: schedule\[0\]\[0\] must be a non-empty 1-D integer array .* got dtype int64, shape \(\), "
        r"values 0..0$",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 9]]], lr=0.1),
        r"^fit: schedule\[0\]\[0\] must be a non-empty 1-D integer array .* values 0..9$",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 1]]], lr=0.1, x_test=x),
        r"^fit: x_test and y_test go together",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 1]]], lr=0.1, y_test=y),
        r"^fit: x_test and y_test go together",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 1]]], lr=0.1, x_test=x, y_test=y.astype(float)),
        r"^fit: y_test must be integer class ids, got dtype float64",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 1]]], lr=0.1, x_test=x[:0], y_test=y[:0]),
        r"^fit: x_test must be a batch \(N, ...\) with N >= 1, got shape \(0, 2\)$",
    ),
    (
        lambda m, x, y: train.fit(m, x, y, [[[0, 1]]], lr=None),
        r"^fit: lr must be a finite number >= 0, got None$",
    ),
    (lambda m, x, y: train.train_digits((x, y)), r"^train_digits: split must be a cnnmath.data.Split"),
]


@pytest.mark.parametrize(("call", "message"), BAD_TRAINING)
def test_bad_input_to_the_training_loop(call, message):
    """These raised IndexError, AttributeError, ZeroDivisionError or numpy's errors from inside the
    loop, were reported by sgd_step after a first step, or (y_test without x_test) were ignored."""
    with pytest.raises(ValueError, match=message):
        call(*_data())


def test_predict_on_an_empty_batch():
    """N = 0 used to fail in np.concatenate of no chunks."""
    model, x, _ = _data()
    assert train.predict(model, x[:0]).shape == (0,)


def test_masked_labels_are_refused():
    model, x, y = _data()
    with pytest.raises(TypeError, match=r"^evaluate: y is a masked array"):
        train.evaluate(model, x, np.ma.masked_array(y, mask=[0, 0, 1, 0]))
