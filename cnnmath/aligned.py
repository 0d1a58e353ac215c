"""Equations a projector can show: one equation (or one term) per line, aligned at the = sign.

A list of ``sp.Eq`` prints as one long line that runs off the right edge of a JupyterLab cell.
:func:`aligned` shows it as ``\\begin{aligned} lhs &= rhs \\\\ ... \\end{aligned}`` instead;
:func:`aligned_steps` writes a chain ``lhs = … = …`` with long sums broken after every term. Both return an
``IPython.display.Math`` whose LaTeX is built by ``sp.latex`` alone, so it is the same on every
machine (nbval compares it).
"""

from __future__ import annotations

import sympy as sp
from IPython.display import Math

__all__ = ["aligned", "aligned_steps"]


def _latex(x) -> str:
    return x if isinstance(x, str) else sp.latex(x)


def aligned(equations) -> Math:
    """Show equations one per line, the = signs aligned.

    equations: ``sp.Eq`` objects or ``(lhs, rhs)`` pairs (SymPy objects or LaTeX strings).
    """
    rows = []
    for eq in equations:
        if isinstance(eq, sp.Eq):
            lhs, rhs = eq.lhs, eq.rhs
        elif isinstance(eq, tuple) and len(eq) == 2:
            lhs, rhs = eq
        else:
            raise TypeError(f"aligned: expected sp.Eq or (lhs, rhs) pairs, got {type(eq).__name__}")
        rows.append(f"{_latex(lhs)} &= {_latex(rhs)}")
    if not rows:
        raise ValueError("aligned: no equations given")
    return Math(r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}")


def aligned_steps(lhs, steps) -> Math:
    """Show ``lhs = step1 = step2 …``, one step per line; a step given as a list of terms is shown
    one term per line (``+ term``), in the order given (e.g. the seed's order, not SymPy's).
    """
    steps = list(steps)
    if not steps:
        raise ValueError("aligned_steps: no steps given")
    rows = []
    for k, step in enumerate(steps):
        terms = list(step) if isinstance(step, list | tuple) else [step]
        if not terms:
            raise ValueError(f"aligned_steps: step {k} has no terms")
        body = r" \\ &\quad + ".join(_latex(t) for t in terms)
        rows.append((f"{_latex(lhs)} " if k == 0 else "") + f"&= {body}")
    return Math(r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}")
