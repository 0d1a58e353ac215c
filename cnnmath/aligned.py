"""Long SymPy results shown one term per line, so a projected notebook shows them whole.

``aligned(r"\\frac{\\partial C}{\\partial w}", expr)`` returns an ``IPython.display.Math`` of

    lhs = term 1
        + term 2 ...

where a term that is a product with a sum in it puts that sum's terms on lines of their own, inside
big brackets. ``aligned_latex`` is the LaTeX string (deterministic: SymPy's printing order).
"""

from __future__ import annotations

import sympy as sp

__all__ = ["SPLIT_SHARE", "aligned", "aligned_latex"]

SPLIT_SHARE = 0.4  # a sum inside a product gets lines of its own when it is over 40% of its LaTeX


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


def aligned_latex(lhs: str, expr) -> str:
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


def aligned(lhs: str, expr):
    """``IPython.display.Math`` of :func:`aligned_latex` (shown by JupyterLab and checked by nbval)."""
    from IPython.display import Math

    return Math(aligned_latex(lhs, expr))
