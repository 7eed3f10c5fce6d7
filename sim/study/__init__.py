"""The study layer: composing and checking configs, paired runs, the command line, sweeps, the
baseline cache, aggregation, validation, calibration and sensitivity analysis. It uses
``sim.model`` and calls ``sim.report`` to write charts and briefs."""
