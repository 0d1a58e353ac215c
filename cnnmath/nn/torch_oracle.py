"""The same network in PyTorch, float64, with the same weights: an independent check of cnnmath.

PyTorch is optional (``pip install torch``, CPU build); nothing else in cnnmath imports it.

    tmodel = to_torch(model)                              # torch.nn.Sequential, float64, copied weights
    torch_losses = fit_torch(tmodel, x, y, schedule, lr=0.1)   # the same batches as cnnmath.nn.train.fit

Layers map one to one: Conv2D -> Conv2d, Dense -> Linear, MaxPool2D -> MaxPool2d, AvgPool2D ->
AvgPool2d, Flatten, ReLU, Sigmoid, Tanh. cnnmath's weights already use PyTorch's layouts
(w: (F, C, KH, KW) and (out, in)), so they are copied as they are.
"""

from __future__ import annotations

import numpy as np

from .. import nn

__all__ = ["fit_torch", "require_torch", "to_torch", "train_epoch_torch"]


def require_torch():
    """Import torch, or raise ImportError saying how to install the CPU build."""
    try:
        import torch
    except ImportError:
        raise ImportError(
            "cnnmath.nn.torch_oracle needs PyTorch (optional): pip install torch==2.13.0 "
            "--index-url https://download.pytorch.org/whl/cpu"
        ) from None
    return torch


def to_torch(model: nn.Sequential):
    """A float64 ``torch.nn.Sequential`` computing exactly what ``model`` computes, with copies of its
    weights (training one does not change the other)."""
    torch = require_torch()
    tnn = torch.nn
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"to_torch: model must be a cnnmath.nn.Sequential, got {type(model).__name__}")
    simple = {nn.ReLU: tnn.ReLU, nn.Sigmoid: tnn.Sigmoid, nn.Tanh: tnn.Tanh, nn.Flatten: tnn.Flatten}
    layers = []
    for layer in model.layers:
        if isinstance(layer, nn.Conv2D):
            t = tnn.Conv2d(
                layer.in_channels,
                layer.out_channels,
                layer.kernel_size,
                stride=layer.stride,
                padding=layer.padding,
                dilation=layer.dilation,
            )
        elif isinstance(layer, nn.Dense):
            t = tnn.Linear(layer.in_features, layer.out_features)
        elif isinstance(layer, nn.MaxPool2D | nn.AvgPool2D):
            cls = tnn.MaxPool2d if isinstance(layer, nn.MaxPool2D) else tnn.AvgPool2d
            t = cls(layer.kernel_size, stride=layer.stride)
        elif type(layer) in simple:
            t = simple[type(layer)]()
        else:
            raise ValueError(f"to_torch: no PyTorch counterpart for {layer!r}")
        t = t.double()  # before copying, so the weights are not rounded to float32
        if layer.params:
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.params["w"]))
                t.bias.copy_(torch.from_numpy(layer.params["b"]))
        layers.append(t)
    return tnn.Sequential(*layers)


def _optimizer(torch, tmodel, lr: float, weight_decay: float):
    """torch SGD that, like cnnmath.nn.sgd_step, decays the weights but not the biases."""
    weights = [p for name, p in tmodel.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in tmodel.named_parameters() if name.endswith("bias")]
    groups = [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=lr)


def train_epoch_torch(
    tmodel, x, y, batches, *, lr: float, weight_decay: float = 0.0, optimizer=None
) -> np.ndarray:
    """:func:`cnnmath.nn.train.train_epoch` in PyTorch: the same steps on the same batches.

    x: (N, ...) numpy or torch float64; y: (N,) integer labels. Returns the (len(batches),) losses.
    """
    torch = require_torch()
    xt = x if isinstance(x, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))
    yt = y if isinstance(y, torch.Tensor) else torch.from_numpy(np.asarray(y, dtype=np.int64))
    opt = optimizer if optimizer is not None else _optimizer(torch, tmodel, lr, weight_decay)
    losses = np.empty(len(batches))
    for k, idx in enumerate(batches):
        idx = torch.from_numpy(np.asarray(idx))
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(tmodel(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        losses[k] = loss.item()
    return losses


def fit_torch(tmodel, x, y, schedule, *, lr: float, weight_decay: float = 0.0) -> np.ndarray:
    """Every epoch of ``schedule`` (see :func:`cnnmath.nn.train.batch_schedule`); returns all step losses."""
    torch = require_torch()
    opt = _optimizer(torch, tmodel, lr, weight_decay)
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    return np.concatenate([train_epoch_torch(tmodel, xt, yt, b, lr=lr, optimizer=opt) for b in schedule])
