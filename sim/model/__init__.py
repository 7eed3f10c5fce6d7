"""The simulation layer: agent columns (``core``), behavioural rules (``rules``), the alliance
policy (``policy``), parameter blocks and the model spec, Mesa handles and outcomes. It imports
nothing from ``sim.study`` or ``sim.report`` and no Hydra, OmegaConf or matplotlib
(``tests/test_layers.py`` checks it)."""
