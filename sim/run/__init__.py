"""The run layer: composing a config, building the spec, paired runs, batches, the baseline cache
and the files a run writes. Imports only ``sim.model``."""
