"""cnnmath.widgets.figure: grid_figure shows the numbers it was given, and names the panel in an error."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath import seedforms as sf
from cnnmath.widgets import grid_figure


def test_grid_figure_shows_the_numbers_it_was_given(decode):
    d = np.array([[1.0, -2.0], [3.0, 0.5]])
    padded = sf.pad(d, 1)
    mask = np.ones(padded.shape, bool)
    mask[1:3, 1:3] = False
    fig = grid_figure(
        {"δ padded": padded, "w": [[1, 2], [3, 4]]}, caption="a caption", hatch={"δ padded": mask}
    )
    assert fig.labels["δ padded"][1].tolist() == ["0", "1", "-2", "0"]
    assert fig.labels["w"].tolist() == [["1", "2"], ["3", "4"]]
    assert repr(fig) == "figure: a caption\nδ padded 4×4 | w 2×2"
    assert decode(fig._repr_png_()).shape[2] == 3


@pytest.mark.parametrize(
    ("rows", "kwargs", "error", "match"),
    [
        ((), {}, TypeError, "one or more non-empty dicts"),
        (({"a": np.zeros((2, 2, 2))},), {}, ValueError, r"panel 'a' must be a non-empty 1-D or 2-D array"),
        (({"a": np.array(["x"])},), {}, TypeError, r"panel 'a' must hold numbers"),
        (({"a": np.zeros((2, 2))},), {"hatch": {"b": np.zeros((2, 2))}}, ValueError, r"hatch names panels"),
        (
            ({"a": np.zeros((2, 2))},),
            {"hatch": {"a": np.zeros((3, 2))}},
            ValueError,
            r"hatch\['a'\] has shape",
        ),
        (({"a": np.zeros(2)}, {"a": np.zeros(2)}), {}, ValueError, "a title appears twice"),
    ],
)
def test_grid_figure_bad_input(rows, kwargs, error, match):
    with pytest.raises(error, match=match):
        grid_figure(*rows, **kwargs)
