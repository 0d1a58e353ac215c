"""Notebook 18, exercise 1: central differences, (f(x + h e_i) − f(x − h e_i)) / 2h, one entry at a time."""

import numpy as np


def numerical_gradient(f, x, *, eps=1e-6):
    x = np.array(x, dtype=float)  # a float copy: the caller's x stays as it was, integers can move by eps
    dx = np.zeros(x.shape)
    for i in np.ndindex(x.shape):  # every entry of x, whatever its shape
        saved = x[i]
        x[i] = saved + eps
        f_plus = f(x)
        x[i] = saved - eps
        f_minus = f(x)
        x[i] = saved  # restore x_i before the next entry is perturbed
        dx[i] = (f_plus - f_minus) / (2 * eps)  # the central quotient: its error is O(eps²), not O(eps)
    return dx
