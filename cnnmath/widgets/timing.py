"""How fast the widgets redraw: the issue's case, every widget on a 7×7 input with a 3×3 kernel.

``make bench`` prints the median frame time of each (measured in the kernel, from the control
change to the new PNG in the image widget); the tests only check that driving a widget redraws it.
"""

from __future__ import annotations

from .deltamap import delta_map
from .errorflow import error_flow
from .pooling import pooling_router
from .presets import relu_grid, small_ints
from .sliding import kernel_sliding

__all__ = ["SEVEN_BY_THREE", "drive"]

# name -> (a factory for the widget on a 7×7 input with a 3×3 kernel or window, its input-sized panel)
SEVEN_BY_THREE = {
    "kernel sliding": (
        lambda: kernel_sliding(small_ints((7, 7), 0, 3, 1), small_ints((3, 3), -1, 2, 2)),
        "x",
    ),
    "error flow, star": (lambda: error_flow(size=7, kernel_size=3), "dx"),
    "error flow, full conv": (lambda: error_flow(size=7, kernel_size=3, mode="full"), "dx"),
    "live δ map": (delta_map, "delta"),
    "pooling router (max, 3×3, stride 1)": (
        lambda: pooling_router(relu_grid(7), kernel_size=3, stride=1),
        "x",
    ),
}


def drive(w, frames: int = 21) -> list[float]:
    """Move the widget's main control ``frames`` times (a kernel weight of the δ map, else the step);
    returns the frame times in ms."""
    w.frame_times.clear()
    if hasattr(w, "weights"):
        for k in range(frames):
            w.weights[4].value = round(-1.5 + 3.0 * k / max(frames - 1, 1), 1)
    else:
        for step in range(1, frames + 1):
            w.step.value = step
    return list(w.frame_times)
