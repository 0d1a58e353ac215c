"""cnnmath.aligned: long sums shown one term per line, deterministic LaTeX."""

from __future__ import annotations

import sympy as sp

from cnnmath.aligned import aligned, aligned_latex


def test_each_term_gets_a_line():
    x, y, z = sp.symbols("x y z")
    assert aligned_latex("L", x + y - z) == r"\begin{aligned}L &= x \\ &\quad + y \\ &\quad - z\end{aligned}"


def test_a_long_sum_inside_a_product_is_split_a_short_one_is_not():
    a, b, c, d, t = sp.symbols("a b c d t")
    long_sum = sp.Symbol("w_{1,1,1,1}") * a * b + sp.Symbol("w_{2,1,1,1}") * c * d
    latex = aligned_latex("L", t * long_sum)
    assert latex.count(r"\\") == 1 and r"\Big(" in latex and r"\Big)" in latex
    assert r"\\" not in aligned_latex("L", sp.Symbol("w_{1,1,1,1}") * a * b * (t - a))


def test_the_same_expression_gives_the_same_latex():
    x, y = sp.symbols("x y")
    assert aligned_latex("L", (x - y) * 3 + x**2) == aligned_latex("L", x**2 + 3 * (x - y))


def test_aligned_is_an_ipython_math_object():
    x, y = sp.symbols("x y")
    shown = aligned("L", x + y)
    assert shown._repr_latex_() == r"$\displaystyle \begin{aligned}L &= x \\ &\quad + y\end{aligned}$"
