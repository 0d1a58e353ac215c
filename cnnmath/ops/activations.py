"""Activation functions f(z) and their derivatives f'(z), elementwise, side by side.

Every ``*_prime`` is the derivative with respect to the *pre-activation* z (the seeds' f'(z)),
so a layer's backward pass is ``dz = da * f_prime(z)`` (seed 002: δ = (Wᵀ δ_next) ∘ f'(z)).

z: any shape; every function returns an array of the same shape (float64).
"""

from __future__ import annotations

import numpy as np

from .checks import as_array

__all__ = ["relu", "relu_prime", "sigmoid", "sigmoid_prime", "tanh", "tanh_prime"]


def sigmoid(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}), z: any shape -> same shape.

    Numerically stable: only e^{-|z|} <= 1 is ever computed, so z = ±1000 gives 1 or 0 without
    an overflow warning (σ(z) = 1/(1 + e^{-|z|}) for z >= 0, e^{-|z|}/(1 + e^{-|z|}) for z < 0).
    """
    z = as_array("sigmoid", "z", z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z) -> np.ndarray:
    """σ'(z) = σ(z) (1 - σ(z)) (seed 004: ∂out/∂net = out (1 - out)), z: any shape -> same shape.

    Computed as e / (1 + e)² with e = e^{-|z|} (the same number, since σ'(z) = σ(z) σ(-z)), which
    keeps full relative precision in the tails where 1 - σ(z) would cancel.
    """
    z = as_array("sigmoid_prime", "z", z)
    e = np.exp(-np.abs(z))
    return e / ((1.0 + e) * (1.0 + e))


def relu(z) -> np.ndarray:
    """max(z, 0), z: any shape -> same shape."""
    z = as_array("relu", "z", z)
    return np.where(z > 0, z, 0.0)


def relu_prime(z) -> np.ndarray:
    """1 where z > 0, else 0, z: any shape -> same shape.

    ReLU has no derivative at z = 0; like PyTorch we use 0 there (the subgradient at the kink),
    so a unit sitting exactly at 0 passes no gradient back.
    """
    z = as_array("relu_prime", "z", z)
    return (z > 0).astype(np.float64)


def tanh(z) -> np.ndarray:
    """tanh(z), z: any shape -> same shape (np.tanh is already stable for large |z|)."""
    return np.tanh(as_array("tanh", "z", z))


def tanh_prime(z) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)², z: any shape -> same shape.

    Computed as 4e / (1 + e)² with e = e^{-2|z|} (= 1/cosh² z, the same number), which keeps full
    relative precision for large |z| where 1 - tanh² would cancel.
    """
    z = as_array("tanh_prime", "z", z)
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))
