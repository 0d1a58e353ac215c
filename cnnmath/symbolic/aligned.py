"""Equations a projector can show: one equation, or one term, per line, aligned at the = sign.

A list of ``sp.Eq`` or a long SymPy sum prints as one long line that runs off the right edge of a
JupyterLab cell. Each function here returns an ``IPython.display.Math`` of ``\\begin{aligned} ...
\\end{aligned}`` built by ``sp.latex`` alone, so it is the same on every machine (nbval compares it):

* :func:`aligned` — equations one per line (``sp.Eq`` objects or ``(lhs, rhs)`` pairs);
* :func:`aligned_steps` — a chain ``lhs = … = …``, long sums broken after every term, in the order given;
* :func:`aligned_terms` — one long expression, one term per line, where a product with a large sum in
  it puts that sum's terms on lines of their own, inside big brackets (:func:`aligned_terms_latex` is
  the LaTeX string).
"""

from __future__ import annotations

import sympy as sp
from IPython.display import Math

__all__ = ["SPLIT_SHARE", "aligned", "aligned_steps", "aligned_terms", "aligned_terms_latex"]

SPLIT_SHARE = (
    0.4  # aligned_terms: a sum inside a product gets lines of its own when it is over 40% of its LaTeX
)


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


def _signed(latex: str, first: bool) -> str:
    if first or latex.startswith("-"):
        return latex
    return "+ " + latex


def _term_lines(term: sp.Expr) -> list[str]:
    """A term as one line, or, if it is a product whose largest factor is a sum, one line per term of it.

    A short sum such as (t - a) stays inline: only a sum that makes up much of the term is split.
    """
    if isinstance(term, sp.Mul):
        sums = [f for f in term.args if isinstance(f, sp.Add)]
        inner = max(sums, key=lambda f: len(sp.latex(f)), default=None)
        if inner is not None and len(sp.latex(inner)) > SPLIT_SHARE * len(sp.latex(term)):
            rest = sp.Mul(*[f for f in term.args if f is not inner])
            head = {sp.S.One: "", sp.S.NegativeOne: "-"}.get(rest, sp.latex(rest) + " ")
            parts = [sp.latex(t) for t in inner.as_ordered_terms()]
            lines = [_signed(p, k == 0) for k, p in enumerate(parts)]
            lines[0] = head + r"\Big(" + lines[0]
            lines[-1] += r"\Big)"
            return lines
    return [sp.latex(term)]


def aligned_terms_latex(lhs: str, expr) -> str:
    """LaTeX ``\\begin{aligned} lhs &= ... \\end{aligned}``, one term (or inner term) per line."""
    expr = sp.sympify(expr)
    terms = expr.as_ordered_terms() if isinstance(expr, sp.Add) else [expr]
    lines: list[str] = []
    for k, term in enumerate(terms):
        parts = _term_lines(term)
        parts[0] = _signed(parts[0], k == 0)
        lines += parts
    body = [f"{lhs} &= {lines[0]}"] + [rf"&\quad {line}" for line in lines[1:]]
    return r"\begin{aligned}" + r" \\ ".join(body) + r"\end{aligned}"


def aligned_terms(lhs: str, expr) -> Math:
    """``IPython.display.Math`` of :func:`aligned_terms_latex` (shown by JupyterLab and checked by nbval)."""
    return Math(aligned_terms_latex(lhs, expr))
