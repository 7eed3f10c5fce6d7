"""Analyst-facing studies that drive the ``sim`` package (each documented in its header)."""
