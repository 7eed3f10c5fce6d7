"""Behavioural rules: one small class per decision, each chosen in its own config group.

Every rule is a frozen dataclass whose fields are its parameters (declared with
``sim.model.core.params.param``; values in ``configs/<group>/<option>.yaml``). Rules act on all
agents at once through numpy arrays (the default rules fuse their loops into numba kernels,
``sim/model/core/jit.py``) and draw randomness only through ``ctx.uniform`` / ``ctx.happens`` /
``ctx.normal`` (or ``ctx.stream`` inside a kernel) with the decision's own stream name. See
``sim/model/rules/base.py`` for the interfaces.
"""
