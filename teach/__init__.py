"""Teaching tools that are not part of the cnnmath package: the nbgrader course of the coding exercises.

* ``teach/solutions/`` — one working solution per coding exercise (notebooks 01–11, 17–21), written as a
  learner would (the notebook's index formula as loops, or the vectorized form notebook 10 asks for),
  never a call to cnnmath's own function. Each file is ``nbNN_<function>.py``.
* :mod:`teach.assignments` — ``make assignments``: the nbgrader course under ``_build/nbgrader/``.
"""
