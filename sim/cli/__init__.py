"""The entry points: ``python -m sim`` (main), its pre-flight checks, help and Hydra callbacks, and
the commands that validate, calibrate and aggregate. Sits on top: imports every layer below."""
