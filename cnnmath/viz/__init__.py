"""Static figures and counts: matplotlib plots (:mod:`~cnnmath.viz.plots`), occlusion maps
(:mod:`~cnnmath.viz.occlusion`), LeNet-5's parameter and connection counts (:mod:`~cnnmath.viz.lenet`) and
the receptive field of a stack of dilated convolutions, measured (:mod:`~cnnmath.viz.receptive_field`).
Import the modules by name: ``from cnnmath.viz import plots``.
"""
