"""Equations a projector can show: one equation (or one term) per line, aligned at the = sign.

A list of ``sp.Eq`` prints as one long line that runs off the right edge of a JupyterLab cell.
:func:`aligned` shows it as ``\\begin{aligned} lhs &= rhs \\\\ ... \\end{aligned}`` instead;
:func:`aligned_terms` breaks one long sum after every term. Both return an
``IPython.display.Math`` whose LaTeX is built by ``sp.latex`` alone, so it is the same on every
machine (nbval compares it).
"""

from __future__ import annotations

import sympy as sp
from IPython.display import Math

__all__ = ["aligned", "aligned_terms"]


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


def aligned_terms(lhs, terms) -> Math:
    """Show ``lhs = t1 + t2 + ...`` with one term per line (terms: a list, in the order to show)."""
    terms = list(terms)
    if not terms:
        raise ValueError("aligned_terms: no terms given")
    body = r" \\ &\quad + ".join(_latex(t) for t in terms)
    return Math(r"\begin{aligned} " + f"{_latex(lhs)} &= {body}" + r" \end{aligned}")
