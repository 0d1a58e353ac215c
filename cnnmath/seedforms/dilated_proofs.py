"""The dilated convolution's gradients proved exactly over grids of sizes (notebook 21).

A layer with stride S, padding P and dilation D reads x_pad[n, c, iS + rD, jS + tD] through the
weight w[f, c, r, t]. For every case the referee is the exact derivative of

    E = Σ δ ∘ reference.conv2d(x, w, stride=S, padding=P, dilation=D)     (the forward loops)

in a polynomial ring over ZZ (:mod:`cnnmath.symbolic.ring`: exact derivatives, ``a - b == 0`` a
proof), and the claims are the lectures' zero-insertion routes with the zero-inserted kernel
dilate(w, D) (:mod:`cnnmath.seedforms.full_convolution`):

    ∂E/∂x = delta_full_conv(δ, dilate(w, D), x.shape, stride=S, padding=P)
            (dilate(δ, S) full-convolved with dilate(w, D), cropped by P: notebook 05's rule)
    ∂E/∂w = weight_grad_correlate(x, δ, span, stride=S, padding=P)[..., ::D, ::D]
            (notebook 06's rule for the span D(K − 1) + 1, read at the taps rD, tD)

and the duality of stride and dilation: ∂E/∂w is itself a dilated convolution, of x_pad with δ as
the kernel at stride D and dilation S (channels as the batch; its first KH × KW entries).

Case: (N, C, F, H, W, KH, KW, S, P, D): x (N, C, H, W), w (F, C, KH, KW), stride S, padding P,
dilation D. Each function returns the number of cases proved and raises AssertionError naming the
case and the entry when a claim is false; the formula under proof is a keyword argument, so a wrong
one can be passed in and seen to fail. A case proves one size, nothing about the others.
"""

from __future__ import annotations

from ..reference import conv as _loops
from ..symbolic import ring
from .conv_proofs import _backward_grids, _check_cases
from .full_convolution import delta_full_conv, dilate, pad, weight_grad_correlate

__all__ = ["CASE", "prove_gradient_routes", "prove_swapped_weight_grad"]

CASE = ("N", "C", "F", "H", "W", "KH", "KW", "S", "P", "D")


def _dx_route(dz, w, x_shape, *, stride, padding, dilation):
    """∂E/∂x: the stride-S route of notebook 05 with the zero-inserted kernel dilate(w, D)."""
    return delta_full_conv(dz, dilate(w, dilation), x_shape, stride=stride, padding=padding)


def _dw_route(x, dz, kernel_size, *, stride, padding, dilation):
    """∂E/∂w: notebook 06's correlation for the dilated kernel's span, read at the taps (rD, tD)."""
    span = tuple(dilation * (k - 1) + 1 for k in kernel_size)
    dw = weight_grad_correlate(x, dz, span, stride=stride, padding=padding)
    return dw[..., ::dilation, ::dilation]


def prove_gradient_routes(cases, *, dx_route=_dx_route, dw_route=_dw_route) -> int:
    """∂E/∂x == ``dx_route(δ, w, x.shape, stride=S, padding=P, dilation=D)`` and ∂E/∂w ==
    ``dw_route(x, δ, (KH, KW), stride=S, padding=P, dilation=D)`` on every case (the defaults: the
    zero-insertion routes in the module docstring). Returns the number of cases proved."""
    cases = _check_cases("dilated_proofs.prove_gradient_routes", cases, CASE)

    def claim(N, C, F, H, W, KH, KW, S, P, D):
        x, w, _, d, E = _backward_grids(N, C, F, H, W, KH, KW, S, P, D)
        knobs = {"stride": S, "padding": P, "dilation": D}
        ring.prove_equal(ring.grad(E, x), dx_route(d, w, x.shape, **knobs), label="∂E/∂x")
        ring.prove_equal(ring.grad(E, w), dw_route(x, d, (KH, KW), **knobs), label="∂E/∂w")

    return ring.prove_over(claim, cases)


def prove_swapped_weight_grad(cases, *, conv=_loops.conv2d) -> int:
    """∂E/∂w of (stride S, dilation D) == the convolution of x_pad with δ as the kernel at stride D and
    dilation S, on every case:

        ∂E/∂w = conv(pad(x, P)ᵀ, δᵀ, stride=D, dilation=S)[:, :, :KH, :KW]ᵀ

    (ᵀ swaps the first two axes: the channels become the batch, the filters the kernel's channels,
    and the sum over the samples is the sum over the kernel's channels; the output can be longer than
    K when S > D). ``conv``: the loop form by default. Returns the number of cases proved."""
    cases = _check_cases("dilated_proofs.prove_swapped_weight_grad", cases, CASE)

    def claim(N, C, F, H, W, KH, KW, S, P, D):
        x, w, _, d, E = _backward_grids(N, C, F, H, W, KH, KW, S, P, D)
        xs, ds = pad(x, P).swapaxes(0, 1), d.swapaxes(0, 1)  # (C, N, ...), (F, N, ...)
        swapped = conv(xs, ds, stride=D, dilation=S)[:, :, :KH, :KW].swapaxes(0, 1)
        ring.prove_equal(ring.grad(E, w), swapped, label="∂E/∂w = x_pad ⋆ δ, stride D, dilation S")

    return ring.prove_over(claim, cases)
