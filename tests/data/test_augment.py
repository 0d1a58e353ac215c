"""cnnmath.data.augment: shifts by hand, one draw per image, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from cnnmath.data import augment

# ---- augmentation ------------------------------------------------------------------------------


def test_shift_images_by_hand():
    x = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(augment.shift_images(x, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(
        augment.shift_images(x, 0, -1, fill=-9), [[2, 3, -9], [5, 6, -9], [8, 9, -9]]
    )
    np.testing.assert_array_equal(augment.shift_images(x, -2, 2), [[0, 0, 7], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(augment.shift_images(x, 0, 0), x)
    batch = np.stack([x, 10 * x])[:, None]  # (2, 1, 3, 3): every image moves the same way
    np.testing.assert_array_equal(
        augment.shift_images(batch, 1, 1)[1, 0], [[0, 0, 0], [0, 10, 20], [0, 40, 50]]
    )
    assert augment.ONE_PIXEL_SHIFTS == [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def test_random_shifts_moves_each_image_by_its_own_draw(rng):
    x = rng.normal(size=(40, 1, 5, 5))
    out = augment.random_shifts(x, np.random.default_rng(7), max_shift=1, fill=-3.0)
    downs, rights = np.random.default_rng(7).integers(-1, 2, size=(2, 40))
    for n in range(40):
        np.testing.assert_array_equal(out[n], augment.shift_images(x[n], downs[n], rights[n], fill=-3.0))
    assert len({(d, r) for d, r in zip(downs, rights, strict=True)}) == 9  # all nine moves were drawn
    np.testing.assert_array_equal(augment.random_shifts(x, rng, max_shift=0), x)


def test_a_nan_fill_marks_the_uncovered_border():
    """fill is checked as a number, and NaN is one (it marks what the shift uncovered)."""
    out = augment.shift_images(np.ones((2, 2)), 1, 0, fill=np.nan)
    np.testing.assert_array_equal(out, [[np.nan, np.nan], [1.0, 1.0]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: augment.shift_images(np.ones(3), 1, 0), r"shift_images: x must have at least 2 dimensions"),
        (
            lambda: augment.shift_images(np.ones((3, 4)), 3, 0),
            r"shift_images: down must be an integer with \|down\| < 3",
        ),
        (lambda: augment.shift_images(np.ones((3, 4)), 0, 1.0), r"right must be an integer .* got 1.0"),
        (lambda: augment.random_shifts(np.ones((3, 4)), np.random.default_rng(0)), r"x must be a batch"),
        (
            lambda: augment.random_shifts(np.ones((2, 3, 4)), 0),
            r"random_shifts: rng must be a numpy Generator",
        ),
        # these failed inside numpy's full_like (or, for None and complex, filled nan / the real part)
        (
            lambda: augment.shift_images(np.ones((3, 4)), 1, 0, fill="a"),
            r"^shift_images: fill must be a number, got 'a'$",
        ),
        (
            lambda: augment.shift_images(np.ones((3, 4)), 1, 0, fill=None),
            r"^shift_images: fill must be a number, got None$",
        ),
        (
            lambda: augment.shift_images(np.ones((3, 4)), 1, 0, fill=1j),
            r"^shift_images: fill must be a number, got 1j$",
        ),
        (
            lambda: augment.shift_images(np.ones((3, 4)), 1, 0, fill=np.ones(3)),
            r"^shift_images: fill must be a number, got array",
        ),
        (
            lambda: augment.random_shifts(np.ones((2, 3, 4)), np.random.default_rng(0), fill=None),
            r"^random_shifts: fill must be a number, got None$",
        ),
        (
            lambda: augment.random_shifts(np.ones((2, 3, 4)), np.random.default_rng(0), max_shift=3),
            r"^random_shifts: max_shift=3 must be smaller than the images' height and width \(3, 4\)",
        ),
    ],
)
def test_augment_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
