"""Minibatch SGD for a :mod:`cnnmath.nn` classifier: batches, the training loop, evaluation.

    schedule = batch_schedule(len(x), batch_size=32, epochs=10, seed=1)   # fixed, reproducible batches
    history = fit(model, x, y, schedule, lr=0.1, x_test=xt, y_test=yt)    # softmax cross-entropy + SGD
    history.step_losses          # (steps,) the loss of every minibatch, in order
    confusion_matrix(yt, predict(model, xt))

Every step is: logits = model.forward(x[batch]); loss, dlogits = softmax_cross_entropy(...);
model.backward(dlogits); w <- w - lr·dw for every parameter (:func:`cnnmath.nn.sgd_step`).
The schedule is a plain list of index arrays, so the PyTorch oracle (:mod:`cnnmath.nn.torch_oracle`)
can replay exactly the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ops.checks import as_array, as_labels, check_int
from ..ops.losses import softmax_cross_entropy
from .layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, check_model
from .sequential import Sequential, check_rates, sgd_step

__all__ = [
    "DIGITS_RECIPE",
    "History",
    "batch_schedule",
    "confusion_matrix",
    "digits_cnn",
    "evaluate",
    "fit",
    "predict",
    "train_digits",
    "train_epoch",
]


def batch_schedule(n: int, *, batch_size: int, epochs: int, seed: int) -> list[list[np.ndarray]]:
    """The minibatches of every epoch: ``schedule[e][k]`` is an int array of ``batch_size`` row indices.

    Each epoch is a fresh permutation of range(n) drawn from ``np.random.default_rng(seed)``, cut into
    batches of exactly ``batch_size``; the last n % batch_size rows of the permutation sit that epoch
    out (PyTorch's ``drop_last=True``), so a stray batch of 3 never takes a full-size step.
    """
    fn = "batch_schedule"
    n = check_int(fn, "n", n, minimum=1)
    batch_size = check_int(fn, "batch_size", batch_size, minimum=1)
    epochs = check_int(fn, "epochs", epochs, minimum=1)
    if batch_size > n:
        raise ValueError(f"{fn}: batch_size={batch_size} is larger than the number of samples n={n}")
    rng = np.random.default_rng(check_int(fn, "seed", seed, minimum=0))
    steps = n // batch_size
    return [list(rng.permutation(n)[: steps * batch_size].reshape(steps, batch_size)) for _ in range(epochs)]


def _x(fn: str, x, name: str = "x", *, nonempty: bool = False) -> np.ndarray:
    """A batch x: (N, ...) of numbers, with N >= 1 if ``nonempty``."""
    x = as_array(fn, name, x)
    if x.ndim == 0 or (nonempty and len(x) == 0):
        raise ValueError(
            f"{fn}: {name} must be a batch (N, ...) with N >= {int(nonempty)}, got shape {x.shape}"
        )
    return x


def _xy(fn: str, x, y, names=("x", "y"), *, nonempty: bool = False) -> tuple[np.ndarray, np.ndarray]:
    x, y = _x(fn, x, names[0], nonempty=nonempty), as_labels(fn, names[1], y)
    if y.shape != (len(x),):
        raise ValueError(
            f"{fn}: {names[1]} must be ({len(x)},) integer labels for {names[0]} {x.shape}, "
            f"got {y.dtype} {y.shape}"
        )
    return x, y


def _batches(fn: str, batches, n: int, name: str = "batches") -> list[np.ndarray]:
    """A list of 1-D, non-empty integer index arrays into n rows (what batch_schedule gives per epoch)."""
    if not isinstance(batches, list | tuple):
        raise ValueError(f"{fn}: {name} must be a list of index arrays, got {type(batches).__name__}")
    out = []
    for k, idx in enumerate(batches):
        i = np.asarray(idx) if not isinstance(idx, np.ma.MaskedArray) else None
        integers = i is not None and i.dtype.kind in "iu"
        if not integers or i.ndim != 1 or i.size == 0 or i.min() < 0 or i.max() >= n:
            got = "a masked array" if i is None else f"dtype {i.dtype}, shape {i.shape}"
            if integers and i.size:
                got += f", values {i.min()}..{i.max()}"
            raise ValueError(
                f"{fn}: {name}[{k}] must be a non-empty 1-D integer array of row indices in 0..{n - 1}, "
                f"got {got}"
            )
        out.append(i)
    return out


def train_epoch(model: Layer, x, y, batches, *, lr: float, weight_decay: float = 0.0, progress=None):
    """One pass over ``batches`` (a list of index arrays): forward, loss, backward, SGD step for each.

    x: (N, ...) inputs; y: (N,) integer labels. ``progress``: an optional tqdm bar (or anything with
    ``update(1)``). Returns the (len(batches),) array of minibatch losses, before each step.
    """
    fn = "train_epoch"
    check_model(fn, model)
    x, y = _xy(fn, x, y)
    batches = _batches(fn, batches, len(x))
    check_rates(fn, lr, weight_decay)
    losses = np.empty(len(batches))
    for k, idx in enumerate(batches):
        losses[k], dlogits = softmax_cross_entropy(model.forward(x[idx]), y[idx])
        model.backward(dlogits, input_grad=False)  # the parameter gradients; no dx for the input
        sgd_step(model, lr, weight_decay=weight_decay)
        if progress is not None:
            progress.update(1)
    return losses


def predict(model: Layer, x, *, batch_size: int = 500) -> np.ndarray:
    """Class ids (N,) = argmax of the logits, computed in chunks of ``batch_size`` rows (N may be 0)."""
    check_model("predict", model)
    x = _x("predict", x)
    batch_size = check_int("predict", "batch_size", batch_size, minimum=1)
    starts = range(0, len(x), batch_size) if len(x) else [0]  # an empty batch still runs once: (0,)
    return np.concatenate([model.forward(x[i : i + batch_size]).argmax(axis=1) for i in starts])


def evaluate(model: Layer, x, y, *, batch_size: int = 500) -> tuple[float, float]:
    """(mean softmax cross-entropy, accuracy) of the model on x, y, in chunks of ``batch_size`` rows."""
    check_model("evaluate", model)
    x, y = _xy("evaluate", x, y, nonempty=True)
    batch_size = check_int("evaluate", "batch_size", batch_size, minimum=1)
    loss, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        logits = model.forward(x[i : i + batch_size])
        loss += softmax_cross_entropy(logits, y[i : i + batch_size])[0] * len(logits)
        correct += int(np.sum(logits.argmax(axis=1) == y[i : i + batch_size]))
    return loss / len(x), correct / len(x)


def confusion_matrix(y_true, y_pred, *, n_classes: int | None = None) -> np.ndarray:
    """counts[i, j] = how many samples of true class i were predicted as class j, (K, K) int64.

    K = n_classes, or 1 + the largest label seen. The diagonal holds the correct predictions.
    """
    fn = "confusion_matrix"
    t, p = as_labels(fn, "y_true", y_true), as_labels(fn, "y_pred", y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(
            f"{fn}: y_true and y_pred must be 1-D integer arrays of the same length, "
            f"got {t.dtype} {t.shape} and {p.dtype} {p.shape}"
        )
    if n_classes is None:
        K = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    else:
        K = check_int(fn, "n_classes", n_classes, minimum=1)
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= K):
        raise ValueError(f"confusion_matrix: labels must lie in 0..{K - 1} (n_classes={K})")
    return np.bincount(t * K + p, minlength=K * K).reshape(K, K)


@dataclass(frozen=True, repr=False)
class History:
    """What :func:`fit` recorded: ``step_losses`` (steps,), and per epoch (epochs,): ``train_loss``
    (mean minibatch loss), ``test_loss`` and ``test_accuracy`` (None without test data)."""

    step_losses: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None

    def __repr__(self) -> str:
        return f"History({len(self.train_loss)} epochs, {len(self.step_losses)} steps)"


def fit(
    model: Layer,
    x,
    y,
    schedule,
    *,
    lr: float,
    weight_decay: float = 0.0,
    x_test=None,
    y_test=None,
    progress: bool = False,
) -> History:
    """Train ``model`` in place on ``schedule`` (from :func:`batch_schedule`), one epoch per entry.

    With x_test, y_test the test loss and accuracy are measured after every epoch. ``progress=True``
    shows one tqdm bar per epoch (tqdm.auto: a widget in Jupyter, text elsewhere) ending with the
    epoch's loss and test accuracy. Returns a :class:`History`.
    """
    fn = "fit"
    check_model(fn, model)
    x, y = _xy(fn, x, y)
    if (x_test is None) != (y_test is None):
        raise ValueError(f"{fn}: x_test and y_test go together: give both or neither")
    if x_test is not None:
        x_test, y_test = _xy(fn, x_test, y_test, ("x_test", "y_test"), nonempty=True)
    if not isinstance(schedule, list | tuple) or not schedule:
        raise ValueError(
            f"{fn}: schedule must be a non-empty list of epochs, each a list of index arrays "
            f"(batch_schedule's result), got {schedule!r:.80}"
        )
    schedule = [_batches(fn, batches, len(x), f"schedule[{e}]") for e, batches in enumerate(schedule)]
    check_rates(fn, lr, weight_decay)
    steps, train_loss, test_loss, test_acc = [], [], [], []
    for e, batches in enumerate(schedule):
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(batches), desc=f"epoch {e + 1}/{len(schedule)}", leave=True)
        losses = train_epoch(model, x, y, batches, lr=lr, weight_decay=weight_decay, progress=bar)
        steps.append(losses)
        train_loss.append(losses.mean())
        if x_test is not None:
            loss, acc = evaluate(model, x_test, y_test)
            test_loss.append(loss)
            test_acc.append(acc)
        if bar is not None:
            acc = f", test accuracy {test_acc[-1]:.1%}" if test_acc else ""
            bar.set_postfix_str(f"loss {train_loss[-1]:.4f}{acc}")
            bar.close()
    with_test = x_test is not None
    return History(
        np.concatenate(steps),
        np.array(train_loss),
        np.array(test_loss) if with_test else None,
        np.array(test_acc) if with_test else None,
    )


# ---------------------------------------------------------------- the digits network of notebooks 12 and 15

DIGITS_RECIPE = {"batch_size": 32, "epochs": 10, "seed": 1, "lr": 0.1}


def digits_cnn(*, filters: int = 16, seed: int = 0) -> Sequential:
    """conv 3×3 (pad 1) -> ReLU -> max-pool 2×2 -> dense to 10 logits, for (N, 1, 8, 8) inputs.

    Weights drawn from ``np.random.default_rng(seed)``, conv first (see :mod:`cnnmath.nn.layers`).
    """
    rng = np.random.default_rng(check_int("digits_cnn", "seed", seed, minimum=0))
    f = check_int("digits_cnn", "filters", filters, minimum=1)
    return Sequential(
        Conv2D(1, f, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2), Flatten(), Dense(f * 16, 10, rng=rng)
    )


def train_digits(split, *, progress: bool = False, **recipe) -> tuple[Sequential, History]:
    """Notebook 12's training run, deterministically: :func:`digits_cnn` trained with :func:`fit` on
    ``split`` (a :class:`cnnmath.data.Split`) with DIGITS_RECIPE, updated by ``recipe`` (e.g. epochs=5)."""
    if not all(hasattr(split, k) for k in ("x_train", "y_train", "x_test", "y_test")):
        raise ValueError(
            f"train_digits: split must be a cnnmath.data.Split (load_digits()), got {type(split).__name__}"
        )
    unknown = set(recipe) - set(DIGITS_RECIPE)
    if unknown:
        raise ValueError(
            f"train_digits: unknown recipe keys {sorted(unknown)}; known: {sorted(DIGITS_RECIPE)}"
        )
    r = {**DIGITS_RECIPE, **recipe}
    model = digits_cnn()
    schedule = batch_schedule(
        len(split.y_train), batch_size=r["batch_size"], epochs=r["epochs"], seed=r["seed"]
    )
    history = fit(
        model,
        split.x_train,
        split.y_train,
        schedule,
        lr=r["lr"],
        x_test=split.x_test,
        y_test=split.y_test,
        progress=progress,
    )
    return model, history
