"""Equations and long sums shown one per line (cnnmath.symbolic.aligned), with deterministic LaTeX."""

from __future__ import annotations

import pytest
import sympy as sp

from cnnmath.symbolic.aligned import aligned, aligned_steps, aligned_terms, aligned_terms_latex

x, y = sp.symbols("x y")


def test_aligned_puts_each_equation_on_its_own_line():
    m = aligned([sp.Eq(sp.Symbol("a"), x + y), (sp.Symbol("b"), x * y)])
    # Typed by hand: what MathJax should receive.
    assert m.data == r"\begin{aligned} a &= x + y \\ b &= x y \end{aligned}"
    assert m._repr_latex_() == r"$\displaystyle \begin{aligned} a &= x + y \\ b &= x y \end{aligned}$"


def test_aligned_accepts_latex_strings():
    assert aligned([("E_d", r"\sum \delta")]).data == r"\begin{aligned} E_d &= \sum \delta \end{aligned}"


def test_aligned_steps_breaks_after_every_term_in_the_order_given():
    m = aligned_steps("E", [[y, x], x + y])
    assert m.data == r"\begin{aligned} E &= y \\ &\quad + x \\ &= x + y \end{aligned}"


@pytest.mark.parametrize("bad", [[x + y], [(1, 2, 3)]])
def test_aligned_rejects_what_is_not_an_equation(bad):
    with pytest.raises(TypeError, match="aligned"):
        aligned(bad)


def test_empty_inputs_are_errors():
    with pytest.raises(ValueError, match="no equations"):
        aligned([])
    with pytest.raises(ValueError, match="no steps"):
        aligned_steps("E", [])
    with pytest.raises(ValueError, match="step 1 has no terms"):
        aligned_steps("E", [x, []])


def test_each_term_gets_a_line():
    x, y, z = sp.symbols("x y z")
    assert (
        aligned_terms_latex("L", x + y - z)
        == r"\begin{aligned}L &= x \\ &\quad + y \\ &\quad - z\end{aligned}"
    )


def test_a_long_sum_inside_a_product_is_split_a_short_one_is_not():
    a, b, c, d, t = sp.symbols("a b c d t")
    long_sum = sp.Symbol("w_{1,1,1,1}") * a * b + sp.Symbol("w_{2,1,1,1}") * c * d
    latex = aligned_terms_latex("L", t * long_sum)
    assert latex.count(r"\\") == 1 and r"\Big(" in latex and r"\Big)" in latex
    assert r"\\" not in aligned_terms_latex("L", sp.Symbol("w_{1,1,1,1}") * a * b * (t - a))


def test_the_same_expression_gives_the_same_latex():
    x, y = sp.symbols("x y")
    assert aligned_terms_latex("L", (x - y) * 3 + x**2) == aligned_terms_latex("L", x**2 + 3 * (x - y))


def test_aligned_is_an_ipython_math_object():
    x, y = sp.symbols("x y")
    shown = aligned_terms("L", x + y)
    assert shown._repr_latex_() == r"$\displaystyle \begin{aligned}L &= x \\ &\quad + y\end{aligned}$"
