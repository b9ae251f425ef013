"""Pure-Python matching layer: registry graph, experience, partner suggestions, cluster optimizer.

Nothing in this package imports Flask; it takes plain data (see :mod:`matching.registry`)
and returns plain results.
"""
