"""cnnmath.viz.plots: the figures' contents (which images, where, on which colour scale; which numbers
are written in), read back from the matplotlib objects."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnmath.viz import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_image_grid_places_each_image_in_rows_of_ncols(rng):
    images = rng.normal(size=(7, 1, 4, 5))  # (K, 1, H, W) like a batch of one-channel digits
    fig = plots.image_grid(images, [f"#{k}" for k in range(7)], ncols=3, title="seven")
    axes = fig.axes
    assert len(axes) == 9  # 3 rows of 3, the last two empty
    for k, ax in enumerate(axes):
        assert not ax.axison
        if k < 7:
            (shown,) = ax.get_images()
            np.testing.assert_array_equal(shown.get_array(), images[k, 0])
            assert ax.get_title() == f"#{k}"
        else:
            assert ax.get_images() == []
    assert fig._suptitle.get_text() == "seven"


def test_image_grid_symmetric_centres_each_colour_scale_on_zero():
    images = np.array([[[-1.0, 3.0]], [[0.5, -0.25]]])  # (2, 1, 2) = (K, H, W)
    fig = plots.image_grid(images, symmetric=True, cmap="RdBu_r", ncols=2)
    limits = [ax.get_images()[0].get_clim() for ax in fig.axes]
    assert limits == [(-3.0, 3.0), (-0.5, 0.5)]
    own = [ax.get_images()[0].get_clim() for ax in plots.image_grid(images, ncols=2).axes]
    assert own == [(-1.0, 3.0), (-0.25, 0.5)]  # each image its own range


def test_image_grid_rejects_a_batch_that_is_not_images():
    with pytest.raises(ValueError, match=r"images must be \(K, H, W\) or \(K, 1, H, W\), got shape \(4, 4\)"):
        plots.image_grid(np.zeros((4, 4)))


IMAGES = np.zeros((2, 4, 4))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [  # these raised numpy's, matplotlib's or ZeroDivisionError/IndexError, or drew something meaningless
        (lambda: plots.image_grid(IMAGES + 1j), TypeError, r"^image_grid: images holds complex numbers"),
        (lambda: plots.image_grid(np.array([[["a"]]])), TypeError, r"^image_grid: images holds strings"),
        (
            lambda: plots.image_grid(np.ma.masked_array(IMAGES, mask=IMAGES > 0)),
            TypeError,
            r"^image_grid: images is a masked array",
        ),
        (
            lambda: plots.image_grid(np.zeros((2, 3, 4, 4))),
            ValueError,
            r"^image_grid: images must be \(K, H, W\) or \(K, 1, H, W\), got shape \(2, 3, 4, 4\)$",
        ),
        (
            lambda: plots.image_grid(np.zeros((0, 4, 4))),
            ValueError,
            r"^image_grid: images must hold K >= 1 images",
        ),
        (
            lambda: plots.image_grid(np.zeros((2, 0, 4))),
            ValueError,
            r"^image_grid: images must hold K >= 1 images",
        ),
        (
            lambda: plots.image_grid(IMAGES, ncols=0),
            ValueError,
            r"^image_grid: ncols must be an integer >= 1, got 0$",
        ),
        (
            lambda: plots.image_grid(IMAGES, ncols=1.5),
            ValueError,
            r"^image_grid: ncols must be an integer >= 1",
        ),
        (
            lambda: plots.image_grid(IMAGES, size=0),
            ValueError,
            r"^image_grid: size must be a finite number > 0, got 0$",
        ),
        (
            lambda: plots.image_grid(IMAGES, size="1"),
            ValueError,
            r"^image_grid: size must be a finite number > 0",
        ),
        (
            lambda: plots.image_grid(IMAGES, ["a"]),
            ValueError,
            r"^image_grid: titles must be 2 strings, one per image",
        ),
        (
            lambda: plots.image_grid(IMAGES, "ab"),
            ValueError,
            r"^image_grid: titles must be 2 strings, one per image",
        ),
        (
            lambda: plots.confusion_plot(np.ones(3, dtype=int)),
            ValueError,
            r"^confusion_plot: counts must be a square \(K, K\) matrix with K >= 1, got shape \(3,\)$",
        ),
        (
            lambda: plots.confusion_plot(np.ones((2, 3), int)),
            ValueError,
            r"^confusion_plot: counts must be a square",
        ),
        (
            lambda: plots.confusion_plot(np.ones((0, 0), int)),
            ValueError,
            r"^confusion_plot: counts must be a square",
        ),
        (
            lambda: plots.confusion_plot(None),
            TypeError,
            r"^confusion_plot: counts must hold numbers, but counts is None",
        ),
        (
            lambda: plots.confusion_plot(-np.ones((2, 2), int)),
            ValueError,
            r"^confusion_plot: counts must be whole",
        ),
        (
            lambda: plots.confusion_plot(np.full((2, 2), 0.5)),
            ValueError,
            r"^confusion_plot: counts must be whole",
        ),
        (
            lambda: plots.confusion_plot(np.full((2, 2), np.nan)),
            ValueError,
            r"^confusion_plot: counts must be whole",
        ),
        (
            lambda: plots.confusion_plot(np.ones((2, 2)) + 1j),
            TypeError,
            r"^confusion_plot: counts holds complex",
        ),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_confusion_plot_writes_every_nonzero_count_in_its_cell():
    counts = np.array([[5, 0, 1], [0, 3, 0], [2, 0, 9]])
    fig = plots.confusion_plot(counts, title="test set")
    (ax,) = fig.axes
    written = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert {cell: t.get_text() for cell, t in written.items()} == {
        (0, 0): "5",
        (0, 2): "1",
        (1, 1): "3",
        (2, 0): "2",
        (2, 2): "9",
    }
    # white on the dark cells (more than half the largest count), black elsewhere
    assert {cell for cell, t in written.items() if t.get_color() == "white"} == {(0, 0), (2, 2)}
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("predicted", "true", "test set")
    np.testing.assert_allclose(ax.get_images()[0].get_array(), np.log1p(counts))
