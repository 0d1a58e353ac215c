"""Equations shown one per line (cnnmath.aligned)."""

from __future__ import annotations

import pytest
import sympy as sp

from cnnmath.aligned import aligned, aligned_steps

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
