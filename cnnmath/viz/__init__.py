"""Static figures and counts: matplotlib plots (:mod:`~cnnmath.viz.plots`), occlusion maps
(:mod:`~cnnmath.viz.occlusion`) and LeNet-5's parameter and connection counts (:mod:`~cnnmath.viz.lenet`).
Import the modules by name: ``from cnnmath.viz import plots``.
"""
