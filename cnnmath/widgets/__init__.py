"""Interactive widgets for the backward pass: one call in a notebook, live in JupyterLab and Voilà.

* :func:`kernel_sliding` — the forward pass: the kernel slides, the weighted sum is written out.
* :func:`error_flow` — the backward pass: which δ cells and weights reach an input pixel (seed 001's
  "star"), and the same numbers as a full convolution of the dilated δ with the rotated kernel.
* :func:`delta_map` — δ^{l-1}, dW and db update live as you move the kernel's weights, the stride,
  the padding or the activation.
* :func:`pooling_router` — where the δ of a max / mean / Lp pooled map goes, ties and overlaps included.
* :func:`grid_figure` — a static figure of numbered grids, drawn by the same renderer.

For readers without a kernel (GitHub, nbviewer, the course site, print): ``widget.still()`` is the
current frame with its formula as a picture, and ``widget.animation()`` the whole step sequence as
an animation that plays in a static page (matplotlib's JavaScript player).

Each returns an ``ipywidgets.VBox`` subclass. Its controls are attributes (``.stride``, ``.step``,
…): setting ``.value`` from Python updates the frame exactly as the browser does. ``.shown(panel)``
returns the numbers displayed in a panel, ``.formula.value`` the written-out sum, ``.error`` the
message shown for bad values (stride or kernel larger than the padded input), and ``.frame_times``
how long each frame took in the kernel (ms). Every number comes from cnnmath's own functions.
"""

from .deltamap import DeltaMap, delta_map
from .errorflow import ErrorFlow, error_flow
from .figure import grid_figure
from .pooling import PoolingRouter, pooling_router
from .sliding import KernelSliding, kernel_sliding

__all__ = [
    "DeltaMap",
    "ErrorFlow",
    "KernelSliding",
    "PoolingRouter",
    "delta_map",
    "error_flow",
    "grid_figure",
    "kernel_sliding",
    "pooling_router",
]
