"""Layer API: every layer and whole networks == central differences == PyTorch (with SGD steps); init;
reprs; bad use. (Sequential and sgd_step by hand: tests/nn/test_sequential.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import cnnmath as cm
from cnnmath import nn, numerical_gradient, softmax_cross_entropy
from cnnmath.nn.torch_oracle import to_torch


def _check_layer(layer, x, rng, atol=1e-7):
    """backward(dout) == central differences of Σ dout·forward(x), for the input and every parameter."""
    y = layer.forward(x)
    dout = rng.normal(size=y.shape)
    dout_before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)  # dout is never modified
    assert dx.shape == np.shape(x)
    np.testing.assert_allclose(
        dx, numerical_gradient(lambda v: np.sum(layer.forward(v) * dout), x), atol=atol
    )
    for name, p in layer.params.items():
        saved = p.copy()

        def f(v, p=p):
            p[...] = v
            return np.sum(layer.forward(x) * dout)

        num = numerical_gradient(f, saved)
        p[...] = saved
        assert layer.grads[name].shape == p.shape
        np.testing.assert_allclose(layer.grads[name], num, atol=atol, err_msg=f"{layer!r} {name}")


LAYER_CASES = [
    (lambda r: nn.Conv2D(2, 3, 3, stride=2, padding=1, rng=r), (2, 2, 5, 6)),
    (lambda r: nn.Conv2D(1, 2, (2, 3), rng=r), (1, 4, 4)),  # unbatched (C, H, W)
    (lambda r: nn.Conv2D(2, 3, (3, 2), stride=2, padding=1, dilation=2, rng=r), (2, 2, 7, 6)),
    (lambda r: nn.Conv2D(1, 2, 2, dilation=3, rng=r), (1, 5, 6)),
    (lambda r: nn.Dense(4, 3, rng=r), (5, 4)),
    (lambda r: nn.Dense(4, 3, rng=r), (4,)),  # one sample
    (lambda r: nn.MaxPool2D(2), (2, 3, 4, 6)),
    (lambda r: nn.MaxPool2D((2, 3), stride=1), (1, 2, 5, 5)),
    (lambda r: nn.AvgPool2D(2), (2, 3, 4, 4)),
    (lambda r: nn.AvgPool2D(3, stride=2), (1, 1, 7, 5)),
    (lambda r: nn.Flatten(), (2, 3, 2, 2)),
    (lambda r: nn.Sigmoid(), (2, 3, 4)),
    (lambda r: nn.ReLU(), (2, 3, 4)),
    (lambda r: nn.Tanh(), (3, 5)),
]


@pytest.mark.parametrize(("make", "shape"), LAYER_CASES, ids=[f"case{i}" for i in range(len(LAYER_CASES))])
def test_each_layer_matches_central_differences(rng, make, shape):
    _check_layer(make(rng), rng.normal(size=shape), rng)


def _small_cnn(rng):
    return nn.Sequential(
        nn.Conv2D(2, 3, 3, padding=1, rng=rng),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Flatten(),
        nn.Dense(3 * 3 * 2, 4, rng=rng),
    )


def test_whole_network_gradient_matches_central_differences(rng):
    """conv -> relu -> maxpool -> flatten -> dense -> softmax cross-entropy, every parameter and dx."""
    model = _small_cnn(rng)
    x, labels = rng.normal(size=(3, 2, 6, 4)), np.array([0, 3, 1])

    def loss_of_x(v):
        return softmax_cross_entropy(model.forward(v), labels)[0]

    _, dlogits = softmax_cross_entropy(model.forward(x), labels)
    dx = model.backward(dlogits)
    np.testing.assert_allclose(dx, numerical_gradient(loss_of_x, x), atol=1e-8)
    names = []
    for layer, name in model.parameters():
        p = layer.params[name]
        saved = p.copy()

        def f(v, p=p):
            p[...] = v
            return loss_of_x(x)

        num = numerical_gradient(f, saved)
        p[...] = saved
        np.testing.assert_allclose(layer.grads[name], num, atol=1e-8, err_msg=f"{layer!r} {name}")
        names.append((type(layer).__name__, name))
    assert names == [("Conv2D", "w"), ("Conv2D", "b"), ("Dense", "w"), ("Dense", "b")]


def test_backward_overwrites_grads_and_caches_a_copy(rng):
    layer = nn.Dense(3, 2, rng=rng)
    x = rng.normal(size=(4, 3))
    layer.forward(x)
    x_saved = x.copy()
    x += 100.0  # the layer cached its own copy
    layer.backward(np.ones((4, 2)))
    np.testing.assert_allclose(layer.grads["w"], np.ones((2, 4)) @ x_saved)
    layer.backward(np.ones((4, 2)))  # a second backward overwrites, it does not accumulate
    np.testing.assert_allclose(layer.grads["w"], np.ones((2, 4)) @ x_saved)


def test_default_initialisation_matches_pytorch_bounds(rng):
    """U(-1/√fan_in, 1/√fan_in) for w and b; default rng = np.random.default_rng(0), w drawn first."""
    for layer, fan_in in ((nn.Dense(400, 300, rng=rng), 400), (nn.Conv2D(3, 200, 5, rng=rng), 75)):
        bound = 1 / np.sqrt(fan_in)
        for p in layer.params.values():
            assert np.abs(p).max() <= bound
        assert np.abs(layer.params["w"]).max() > 0.999 * bound
        assert np.abs(layer.params["b"]).max() > 0.9 * bound
        assert abs(layer.params["w"].mean()) < 0.01 * bound
    a, b = nn.Dense(3, 2), nn.Dense(3, 2)
    np.testing.assert_array_equal(a.params["w"], b.params["w"])  # reproducible by default
    r = np.random.default_rng(0)
    np.testing.assert_allclose(a.params["w"], r.uniform(-(3**-0.5), 3**-0.5, size=(2, 3)), rtol=1e-15)
    np.testing.assert_allclose(a.params["b"], r.uniform(-(3**-0.5), 3**-0.5, size=2), rtol=1e-15)
    assert nn.Conv2D(2, 4, (3, 2)).params["w"].shape == (4, 2, 3, 2)


def test_initialisation_bounds_agree_with_torch(torch):
    torch.manual_seed(0)
    for ours, theirs, fan_in in (
        (nn.Dense(400, 300), torch.nn.Linear(400, 300), 400),
        (nn.Conv2D(3, 200, 5), torch.nn.Conv2d(3, 200, 5), 75),
    ):
        bound = 1 / np.sqrt(fan_in)
        for name, tp in (("w", theirs.weight), ("b", theirs.bias)):
            assert tuple(tp.shape) == ours.params[name].shape
            t_max = tp.detach().abs().max().item()
            assert t_max <= bound * (1 + 1e-6)
            assert t_max > 0.9 * bound and np.abs(ours.params[name]).max() > 0.9 * bound


def test_reprs():
    assert repr(nn.Conv2D(1, 8, 3, padding=1)) == "Conv2D(1, 8, kernel_size=3, stride=1, padding=1)"
    assert repr(nn.Conv2D(3, 4, (2, 3), stride=2)) == "Conv2D(3, 4, kernel_size=(2, 3), stride=2, padding=0)"
    assert repr(nn.Conv2D(1, 8, 3, padding=2, dilation=2)) == (
        "Conv2D(1, 8, kernel_size=3, stride=1, padding=2, dilation=2)"
    )
    assert repr(nn.MaxPool2D(2)) == "MaxPool2D(kernel_size=2, stride=2)"
    assert repr(nn.AvgPool2D(3, stride=1)) == "AvgPool2D(kernel_size=3, stride=1)"
    assert repr(nn.Dense(72, 10)) == "Dense(72, 10)"
    assert [repr(c()) for c in (nn.Flatten, nn.Sigmoid, nn.ReLU, nn.Tanh)] == [
        "Flatten()",
        "Sigmoid()",
        "ReLU()",
        "Tanh()",
    ]
    assert repr(nn.Sequential(nn.Conv2D(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Dense(72, 10))) == (
        "Sequential(\n"
        "  (0): Conv2D(1, 8, kernel_size=3, stride=1, padding=1)\n"
        "  (1): ReLU()\n"
        "  (2): Flatten()\n"
        "  (3): Dense(72, 10)\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.ReLU()), nn.Tanh())
    assert repr(nested) == "Sequential(\n  (0): Sequential(\n    (0): ReLU()\n  )\n  (1): Tanh()\n)"
    assert "0x" not in repr(_small_cnn(np.random.default_rng(0)))


ARCHS = [
    lambda r: _small_cnn(r),
    lambda r: nn.Sequential(
        nn.Conv2D(2, 4, (3, 2), stride=2, padding=2, rng=r),
        nn.Tanh(),
        nn.AvgPool2D(2, stride=1),
        nn.Conv2D(4, 2, 2, rng=r),
        nn.Sigmoid(),
        nn.Flatten(),
        nn.Dense(2 * 2 * 2, 5, rng=r),
        nn.ReLU(),
        nn.Dense(5, 4, rng=r),
    ),
    lambda r: nn.Sequential(  # dilated convolutions: 6x4 -> 4x4 (dilation 2, padding 1) -> 2x2 (dilation 2)
        nn.Conv2D(2, 3, (3, 2), padding=1, dilation=2, rng=r),
        nn.ReLU(),
        nn.Conv2D(3, 2, 2, dilation=2, rng=r),
        nn.Flatten(),
        nn.Dense(2 * 2 * 2, 4, rng=r),
    ),
]


@pytest.mark.parametrize(
    "arch", ARCHS, ids=["conv-relu-maxpool-dense", "conv-tanh-avgpool-conv-mlp", "dilated-conv-conv-dense"]
)
def test_torch_oracle_loss_grads_and_sgd_steps(torch, rng, arch):
    model = arch(rng)
    tmodel = to_torch(model)  # a float64 copy with the same weights
    x, labels = rng.normal(size=(3, 2, 6, 4)), np.array([0, 3, 1])
    ours = [layer for layer in model.layers if layer.params]
    theirs = [t for t in tmodel if hasattr(t, "weight")]
    weights = [t.weight for t in theirs]
    biases = [t.bias for t in theirs]
    lr, wd = 0.2, 0.05
    opt = torch.optim.SGD(
        [{"params": weights, "weight_decay": wd}, {"params": biases, "weight_decay": 0.0}], lr=lr
    )
    for step in range(4):
        loss, dlogits = softmax_cross_entropy(model.forward(x), labels)
        dx = model.backward(dlogits)
        xt = torch.tensor(x, requires_grad=True)
        opt.zero_grad()
        lt = torch.nn.functional.cross_entropy(tmodel(xt), torch.tensor(labels))
        lt.backward()
        assert loss == pytest.approx(lt.item(), abs=1e-10), step
        np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
        for layer, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(layer.grads["w"], t.weight.grad.numpy(), atol=1e-10)
            np.testing.assert_allclose(layer.grads["b"], t.bias.grad.numpy(), atol=1e-10)
        nn.sgd_step(model, lr, weight_decay=wd)
        opt.step()
        for layer, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(layer.params["w"], t.weight.detach().numpy(), atol=1e-10)
            np.testing.assert_allclose(layer.params["b"], t.bias.detach().numpy(), atol=1e-10)


def test_training_reduces_the_loss(rng):
    model = _small_cnn(rng)
    x, labels = rng.normal(size=(6, 2, 6, 4)), np.array([0, 1, 2, 3, 0, 1])
    losses = []
    for _ in range(30):
        loss, dlogits = softmax_cross_entropy(model.forward(x), labels)
        model.backward(dlogits)
        nn.sgd_step(model, 0.1)
        losses.append(loss)
    assert losses[-1] < 0.5 * losses[0]


# ---- bad use -----------------------------------------------------------------------------------

BAD = [
    (lambda: nn.Conv2D(0, 2, 3), r"Conv2D: in_channels must be an integer >= 1, got 0"),
    (lambda: nn.Conv2D(1, 2.0, 3), r"Conv2D: out_channels must be an integer"),
    (lambda: nn.Conv2D(1, 2, (3,)), r"Conv2D: kernel_size must be an int or a pair"),
    (lambda: nn.Conv2D(1, 2, 3, stride=0), r"Conv2D: stride must be an integer >= 1"),
    (lambda: nn.Conv2D(1, 2, 3, padding=-1), r"Conv2D: padding must be an integer >= 0"),
    (lambda: nn.Conv2D(1, 2, 3, rng=42), r"Conv2D: rng must be a numpy Generator"),
    (lambda: nn.Conv2D(1, 2, 3, dilation=0), r"Conv2D: dilation must be an integer >= 1, got 0"),
    (
        lambda: nn.Conv2D(1, 2, 3, dilation=3).forward(np.ones((1, 1, 6, 6))),
        r"Conv2D.forward: the kernel \(3, 3\).*dilation=3 spans dilation\*\(K-1\)\+1 = \(7, 7\)",
    ),
    (lambda: nn.Dense(0, 2), r"Dense: in_features must be an integer >= 1"),
    (lambda: nn.Dense(2, 3, rng=np.random.RandomState(0)), r"Dense: rng must be a numpy Generator"),
    (lambda: nn.MaxPool2D(0), r"MaxPool2D: kernel_size must be an integer >= 1"),
    (lambda: nn.AvgPool2D(2, stride=0), r"AvgPool2D: stride must be an integer >= 1"),
    (lambda: nn.Sequential(nn.ReLU(), "relu"), r"Sequential: argument 1 must be a cnnmath.nn layer"),
    (
        lambda: nn.Dense(3, 2).forward(np.ones((4, 2))),
        r"^Dense.forward: x has shape \(4, 2\).*expects D_in=3",
    ),
    (lambda: nn.Conv2D(3, 2, 3).forward(np.ones((1, 2, 5, 5))), r"x has 2 channels"),
    (lambda: nn.Flatten().forward(np.ones(3)), r"Flatten.forward: x must be at least 2-D"),
    (lambda: nn.Sigmoid().forward([[1], []]), r"Sigmoid.forward: x must be a numeric array"),
    (lambda: nn.sgd_step([nn.Dense(2, 2)], 0.1), r"sgd_step: model must be a cnnmath.nn layer.*got list"),
    # the errors below came from the functions the layers call (dense, avg_pool2d), not the layers
    (
        lambda: nn.Dense(5, 3).forward(np.ones((2, 5, 1, 1))),
        r"^Dense.forward: x must be 1 or 2-D .*\(2, 5, 1, 1\)$",
    ),
    (lambda: nn.AvgPool2D(2).forward(np.ones(6)), r"^AvgPool2D.forward: x must have at least 2 dimensions"),
    (
        lambda: nn.AvgPool2D(2).forward(np.ones((1, 1, 1, 1))),
        r"^AvgPool2D.forward: the pooling window kernel_size=\(2, 2\) is larger than the input's",
    ),
    (lambda: nn.MaxPool2D(2, stride=(1, 0)), r"^MaxPool2D: stride\[1\] must be an integer >= 1, got 0$"),
    (lambda: nn.AvgPool2D(2, stride=(1, 2, 3)), r"^AvgPool2D: stride must be an int or a pair \(sh, sw\)"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_an_empty_batch_goes_through_flatten():
    """N = 0 used to fail in numpy's reshape (it cannot infer -1 from 0 entries)."""
    flat = nn.Flatten()
    assert flat.forward(np.ones((0, 3, 4))).shape == (0, 12)
    assert flat.backward(np.ones((0, 12))).shape == (0, 3, 4)


@pytest.mark.parametrize("cls", [nn.MaxPool2D, nn.AvgPool2D])
def test_pooling_layers_take_a_pair_of_strides_like_the_functions(cls, rng):
    """A pair (sh, sw) used to be refused by the layers, though max_pool2d and avg_pool2d take it."""
    x, layer = rng.normal(size=(2, 3, 7, 6)), cls((3, 2), stride=(2, 1))
    fn = cm.max_pool2d if cls is nn.MaxPool2D else cm.avg_pool2d
    np.testing.assert_array_equal(layer.forward(x), fn(x, (3, 2), stride=(2, 1)))
    assert repr(layer) == f"{cls.__name__}(kernel_size=(3, 2), stride=(2, 1))"


def test_bad_upstream_gradients_and_order(rng):
    dense = nn.Dense(3, 2)
    with pytest.raises(RuntimeError, match=r"Dense.backward: call forward first"):
        dense.backward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match=r"sgd_step: Dense\(3, 2\) has no gradient for 'w'"):
        nn.sgd_step(dense, 0.1)
    dense.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Dense.backward: dout has shape \(4, 3\), expected \(4, 2\)"):
        dense.backward(np.ones((4, 3)))
    conv = nn.Conv2D(1, 2, 3)
    conv.forward(np.ones((1, 1, 5, 5)))
    with pytest.raises(
        ValueError, match=r"Conv2D.backward: dout has shape \(1, 2, 2, 2\), expected \(1, 2, 3"
    ):
        conv.backward(np.ones((1, 2, 2, 2)))
    for pool in (nn.MaxPool2D(2), nn.AvgPool2D(2)):
        pool.forward(np.ones((1, 1, 4, 4)))
        name = type(pool).__name__
        with pytest.raises(
            ValueError, match=rf"{name}.backward: dout has shape \(1, 1, 3, 3\), expected \(1, 1, 2"
        ):
            pool.backward(np.ones((1, 1, 3, 3)))
    flat = nn.Flatten()
    flat.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"Flatten.backward: dout has shape \(2, 3, 4\), expected \(2, 12\)"):
        flat.backward(np.ones((2, 3, 4)))
    relu = nn.ReLU()
    relu.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"ReLU.backward: dout has shape \(3, 2\), expected \(2, 3\)"):
        relu.backward(np.ones((3, 2)))
    dense.backward(np.ones((4, 2)))
    for lr, wd, msg in (
        (-0.1, 0.0, "lr"),
        ("0.1", 0.0, "lr"),
        (0.1, -1.0, "weight_decay"),
        (np.inf, 0.0, "lr"),
    ):
        with pytest.raises(ValueError, match=rf"sgd_step: {msg} must be a finite number >= 0"):
            nn.sgd_step(dense, lr, weight_decay=wd)


def test_conv2d_layer_gradients_do_not_change_when_x_changes_after_forward(rng):
    layer = nn.Conv2D(2, 3, 3, padding=1, rng=rng)
    x, dz = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(2, 3, 6, 5))
    layer.forward(x)
    want = cm.conv2d_backward(dz, x.copy(), layer.params["w"], padding=1)
    x += 100.0  # the layer keeps im2col columns, which are copies of x
    dx = layer.backward(dz)
    for got, w_ in zip((dx, layer.grads["w"], layer.grads["b"]), want, strict=True):
        np.testing.assert_allclose(got, w_, rtol=1e-12)


ACTIVATION_DERIVATIVES = [  # the layer, and f'(z) written out here with numpy, not taken from cnnmath
    (nn.Sigmoid, lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    (nn.Tanh, lambda z: 1 - np.tanh(z) ** 2),
    (nn.ReLU, lambda z: (z > 0) * 1.0),
]


@pytest.mark.parametrize(("make", "f_prime"), ACTIVATION_DERIVATIVES, ids=["sigmoid", "tanh", "relu"])
def test_activation_layers_keep_their_own_copy_of_x(rng, make, f_prime):
    """x changed in place after forward must not change backward: dx = dout·f'(x as it was)."""
    layer = make()
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x_before = x.copy()
    layer.forward(x)
    x += 3.0
    np.testing.assert_allclose(layer.backward(dout), dout * f_prime(x_before), rtol=1e-13)


# ---- the ReLU layer's fast path ------------------------------------------------------------------


def test_relu_layer_equals_the_functional_relu_and_its_derivative(rng):
    z = np.concatenate([rng.normal(size=200), [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, -1e-300]])
    dout = rng.normal(size=z.shape)
    layer = nn.ReLU()
    y = layer.forward(z)
    np.testing.assert_array_equal(y, cm.relu(z))  # NaN -> 0 and -inf -> 0, like np.where(z > 0, z, 0)
    np.testing.assert_array_equal(layer.backward(dout), dout * cm.relu_prime(z))
    x = rng.normal(size=(2, 3, 4, 5))
    assert layer.forward(x).shape == x.shape
    saved = dout[:3].copy()
    layer.forward(z[:3])
    layer.backward(dout[:3])
    np.testing.assert_array_equal(dout[:3], saved)  # dout is not modified


# ---- the caching layers equal the kernels, bit for bit ---------------------------------------------

CONV_CASES = [  # x shape, F, kernel, stride, padding
    ((32, 1, 8, 8), 16, 3, 1, 1),  # notebook 12's layer
    ((3, 2, 7, 6), 4, (3, 2), 2, 1),
    ((2, 3, 5, 5), 2, 5, 1, 2),
    ((3, 4, 4), 2, 2, 1, 0),  # unbatched (C, H, W)
    ((40, 3, 20, 20), 5, 3, 1, 1),  # several ~1 MiB chunks of im2col columns
]


@pytest.mark.parametrize(
    ("shape", "F", "k", "s", "p"), CONV_CASES, ids=[f"conv{i}" for i in range(len(CONV_CASES))]
)
def test_conv2d_layer_is_conv2d_and_conv2d_backward(rng, shape, F, k, s, p):
    layer = nn.Conv2D(shape[-3], F, k, stride=s, padding=p, rng=rng)
    w, b = layer.params["w"], layer.params["b"]
    x = rng.normal(size=shape)
    z = layer.forward(x)
    np.testing.assert_array_equal(z, cm.conv2d(x, w, b, stride=s, padding=p))
    dz = rng.normal(size=z.shape)
    x_before = x.copy()
    x += 1.0  # the layer keeps its own copy (its cached columns do not see this)
    dx, dw, db = cm.conv2d_backward(dz, x_before, w, stride=s, padding=p)
    np.testing.assert_array_equal(layer.backward(dz), dx)
    np.testing.assert_array_equal(layer.grads["w"], dw)
    np.testing.assert_array_equal(layer.grads["b"], db)
    layer.grads = {}
    assert layer.backward(dz, input_grad=False) is None  # only the parameter gradients
    np.testing.assert_array_equal(layer.grads["w"], dw)
    np.testing.assert_array_equal(layer.grads["b"], db)
    with pytest.raises(ValueError, match=r"Conv2D.backward: dout has shape \(1, 2\), expected \("):
        layer.backward(np.ones((1, 2)))


POOL_CASES = [  # x shape, kernel, stride
    ((32, 16, 8, 8), 2, None),  # notebook 12's layer
    ((2, 3, 7, 5), 2, None),  # odd sizes: the last row / column is in no window
    ((2, 2, 6, 6), 3, 2),  # overlapping windows
    ((1, 2, 5, 7), (2, 3), 1),
    ((4, 6), 2, None),  # a plain 2-D image
]


@pytest.mark.parametrize(("shape", "k", "s"), POOL_CASES, ids=[f"pool{i}" for i in range(len(POOL_CASES))])
@pytest.mark.parametrize("data", ["relu", "integers"])
def test_max_pool_layer_is_max_pool2d_and_its_backward(rng, shape, k, s, data):
    """Ties everywhere: ReLU zeros, or small integers; the switches must pick the first maximum."""
    x = np.maximum(rng.normal(size=shape), 0) if data == "relu" else rng.integers(0, 3, size=shape) * 1.0
    layer = nn.MaxPool2D(k, stride=s)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, cm.max_pool2d(x, k, stride=s))
    dy = rng.normal(size=y.shape)
    expected = cm.max_pool2d_backward(dy, x, k, stride=s)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(dx, expected)
    np.testing.assert_array_equal(np.signbit(dx), np.signbit(expected))  # +0.0 where nothing is routed
    assert layer.backward(dy, input_grad=False) is None


def test_max_pool_layer_with_non_finite_values():
    x = np.array([[[[1.0, 2.0, np.nan, 0.0], [0.0, 0.0, 1.0, 1.0]]]])  # the NaN window routes nothing
    dy = np.array([[[[np.inf, -np.inf]]]])
    layer = nn.MaxPool2D(2)
    np.testing.assert_array_equal(layer.forward(x), cm.max_pool2d(x, 2))
    np.testing.assert_array_equal(layer.backward(dy), cm.max_pool2d_backward(dy, x, 2))
    np.testing.assert_array_equal(layer.backward(dy), [[[[0, np.inf, 0, 0], [0, 0, 0, 0]]]])
