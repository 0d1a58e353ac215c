"""`make bench`: the fast forms against the plain loops and (if installed) PyTorch CPU float64.

One thread for numpy and torch alike (set by the Makefile and below). cnnmath and torch are timed
in alternating short blocks (each block warm, for at least a second) and the medians compared: on
a shared 2-core machine two back-to-back timing runs can differ by 20-50% for reasons that have
nothing to do with the code. The plain loops are far too slow at batch 64, so they are timed on one
sample and scaled by N (their cost is exactly linear in N); the table says so.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

try:
    import resource
except ImportError:  # not on Windows
    resource = None

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import cnnmath as cm
from cnnmath import reference as ref

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # optional oracle
    torch = None

CONV_SHAPES = [  # (N, C, H, W), F, K, padding, label
    ((1, 1, 5, 5), 1, 3, 0, "1x1x5x5, 1@3x3"),
    ((64, 1, 8, 8), 8, 3, 1, "64x1x8x8, 8@3x3 pad 1"),
    ((64, 1, 28, 28), 16, 5, 0, "64x1x28x28, 16@5x5"),
    ((64, 16, 14, 14), 32, 3, 1, "64x16x14x14, 32@3x3 pad 1"),
]
POOL_SHAPE = (64, 16, 28, 28)


def race(
    fns: dict, *, min_time: float = 1.0, block: float = 0.05, faults: dict | None = None
) -> dict[str, float]:
    """Median seconds per call of each function, timed in alternating blocks of about ``block`` s.

    Each block starts with one untimed call, so every function is measured warm (its own arrays
    in cache and in the allocator) while slow drifts of the machine hit all of them alike.
    ``faults``, if given, receives each function's minor page faults per timed call: glibc hands
    memory back to the kernel and takes it again depending on what the process did before, and a
    step that page-faults can take twice as long (both libraries allocate their arrays anew)."""
    per_block = {}
    for name, fn in fns.items():
        fn()
        per_block[name] = max(1, min(50, int(block / max(once(fn), 1e-6))))
    times: dict[str, list[float]] = {name: [] for name in fns}
    faulted = dict.fromkeys(fns, 0)
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or min(map(len, times.values())) < 15:
        for name, fn in fns.items():
            fn()
            before = minor_faults()
            for _ in range(per_block[name]):
                times[name].append(once(fn))
            faulted[name] += minor_faults() - before
    if faults is not None:
        faults.update({name: faulted[name] / len(ts) for name, ts in times.items()})
    return {name: statistics.median(ts) for name, ts in times.items()}


def minor_faults() -> int:
    """Minor page faults of this process so far (0 where the resource module is missing)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def fault_cell(ours: float, theirs: float | None) -> str:
    """The faults column: minor page faults per call, cnnmath / torch ("-" without torch)."""
    return f"{ours:.0f} / {'-' if theirs is None else f'{theirs:.0f}'}"


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f}ms" if seconds < 10 else f"{seconds:8.1f}s "


def conv_row(shape, F, K, p, label, rng, *, layer=False):
    """One training step's convolution: the forward and the backward pass on the same batch, with
    a different batch on every call (two batches in turn), as in training. ``layer=True`` times
    the Conv2D layer (its forward keeps the im2col columns for its backward) instead of the two
    functions conv2d and conv2d_backward."""
    from cnnmath import nn

    xs = [rng.normal(size=shape) for _ in range(2)]
    w = rng.normal(size=(F, shape[1], K, K))
    b = rng.normal(size=F)
    dz = rng.normal(size=cm.conv2d(xs[0], w, b, padding=p).shape)
    step = iter(range(1 << 62))
    conv = nn.Conv2D(shape[1], F, K, padding=p)
    conv.params.update(w=w, b=b)

    def fast():
        x = xs[next(step) % 2]
        if layer:
            conv.forward(x)
            conv.backward(dz)
        else:
            cm.conv2d(x, w, b, padding=p)
            cm.conv2d_backward(dz, x, w, padding=p)

    def loops_one_sample():
        ref.conv2d(xs[0][:1], w, b, padding=p)
        ref.conv2d_backward(dz[:1], xs[0][:1], w, padding=p)

    fns = {"fast": fast}
    if torch is not None:
        xts = [torch.tensor(x, requires_grad=True) for x in xs]
        wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
        dzt = torch.tensor(dz)

        def torch_step():
            xt = xts[next(step) % 2]
            xt.grad = wt.grad = bt.grad = None
            torch.nn.functional.conv2d(xt, wt, bt, padding=p).backward(dzt)

        fns["torch"] = torch_step
    faults: dict[str, float] = {}
    t = race(fns, faults=faults)
    return label, t["fast"], once(loops_one_sample) * shape[0], t.get("torch"), faults


def pool_row(rng):
    x = rng.normal(size=POOL_SHAPE)
    dy = rng.normal(size=cm.max_pool2d(x, 2).shape)

    def fast():
        cm.max_pool2d(x, 2)
        cm.max_pool2d_backward(dy, x, 2)

    def loops_one_sample():
        ref.max_pool2d(x[:1], 2)
        ref.max_pool2d_backward(dy[:1], x[:1], 2)

    fns = {"fast": fast}
    if torch is not None:
        xt, dyt = torch.tensor(x, requires_grad=True), torch.tensor(dy)

        def torch_step():
            xt.grad = None
            torch.nn.functional.max_pool2d(xt, 2).backward(dyt)

        fns["torch"] = torch_step
    faults: dict[str, float] = {}
    t = race(fns, faults=faults)
    label = f"max-pool 2x2, {'x'.join(map(str, POOL_SHAPE))}"
    return label, t["fast"], once(loops_one_sample) * POOL_SHAPE[0], t.get("torch"), faults


def main() -> int:
    rng = np.random.default_rng(0)
    rows = [conv_row(*s, rng) for s in CONV_SHAPES]
    rows += [conv_row(*s[:-1], f"{s[-1]}, Conv2D", rng, layer=True) for s in CONV_SHAPES]
    rows += [pool_row(rng)]
    print(f"numpy {np.__version__}; torch {torch.__version__ if torch else 'not installed'}; one thread")
    print("forward + backward, float64, median time (cnnmath and torch in alternating blocks);")
    print("conv: each step a new batch, its forward pass and then its backward pass, as in training;")
    print("rows ending in Conv2D: the layer's forward and backward instead of the two functions;")
    print("loops: the reference loops, timed once on 1 sample and scaled by N;")
    print("faults: minor page faults per step, cnnmath / torch (a step that page-faults can take")
    print("twice as long; how often depends on the process's allocation history, not on the code)\n")
    cols = ("cnnmath", "loops", "loops/cnnmath", "torch", "cnnmath/torch")
    head = f"{'case':36} " + " ".join(f"{c:>{14 if '/' in c else 10}}" for c in cols) + f" {'faults':>13}"
    print(head)
    print("-" * len(head))
    for label, t_fast, t_loops, t_torch, faults in rows:
        torch_cols = f"{fmt(t_torch)} {t_fast / t_torch:13.2f}x" if t_torch else f"{'-':>10} {'-':>14}"
        paged = fault_cell(faults["fast"], faults.get("torch"))
        print(f"{label:36} {fmt(t_fast)} {fmt(t_loops)} {t_loops / t_fast:13.0f}x {torch_cols} {paged:>13}")
    for extra in EXTRA_BENCHMARKS:
        extra()
    return 0


# Other modules (e.g. the digits training epoch) append callables here.
EXTRA_BENCHMARKS: list = []


def digits_epoch() -> None:
    """One SGD epoch of notebook 12's network on the digits (cnnmath.nn.train.train_epoch) vs the same
    network, weights and batches in PyTorch float64 (cnnmath.nn.torch_oracle.train_epoch_torch). Both
    keep training across calls (the weights change, the work per epoch does not)."""
    from cnnmath import data
    from cnnmath.nn import train

    digits = data.load_digits()
    r = train.DIGITS_RECIPE
    n, batch_size = len(digits.y_train), r["batch_size"]
    batches = train.batch_schedule(n, batch_size=batch_size, epochs=1, seed=r["seed"])[0]
    model = train.digits_cnn()
    fns = {"cnnmath": lambda: train.train_epoch(model, digits.x_train, digits.y_train, batches, lr=r["lr"])}
    if torch is not None:
        from cnnmath.nn import torch_oracle

        tmodel = torch_oracle.to_torch(model)
        xt, yt = torch.from_numpy(digits.x_train), torch.from_numpy(digits.y_train)
        fns["torch"] = lambda: torch_oracle.train_epoch_torch(tmodel, xt, yt, batches, lr=r["lr"])
    faults: dict[str, float] = {}
    t = race(fns, min_time=3.0, faults=faults)
    print(f"\none SGD epoch on the digits {digits.x_train.shape}, batch {batch_size} ({len(batches)} steps):")
    print("    " + repr(model).replace("\n", "\n    "))
    head = f"{'case':36} {'cnnmath':>10} {'torch':>10} {'cnnmath/torch':>14} {'faults':>13}"
    print(head)
    print("-" * len(head))
    t_torch = t.get("torch")
    torch_cols = f"{fmt(t_torch)} {t['cnnmath'] / t_torch:13.2f}x" if t_torch else f"{'-':>10} {'-':>14}"
    paged = fault_cell(faults["cnnmath"], faults.get("torch"))
    print(f"{f'digits epoch, batch {batch_size}':36} {fmt(t['cnnmath'])} {torch_cols} {paged:>13}")


EXTRA_BENCHMARKS.append(digits_epoch)


def widget_frames() -> None:
    """The widgets' median frame time (7×7 input, 3×3 kernel), measured in this process's kernel-side
    code: from the control change to the new PNG in the image widget (the issue's target: < 80 ms)."""
    from cnnmath.widgets.timing import SEVEN_BY_THREE, drive

    print("\nwidget frames, 7x7 input, 3x3 kernel (21 control changes each, median):")
    for name, (make, _) in SEVEN_BY_THREE.items():
        times = drive(make())
        print(f"    {name:40} {statistics.median(times):6.1f} ms")


EXTRA_BENCHMARKS.append(widget_frames)


if __name__ == "__main__":
    sys.exit(main())
