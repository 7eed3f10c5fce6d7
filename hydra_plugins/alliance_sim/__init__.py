"""alliance-sim's Hydra plugins: the ``slurm`` launcher (``slurm_launcher.py``)."""
