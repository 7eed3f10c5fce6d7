"""The interactive app: ``uv run python -m sim.app --port 8765`` (Solara, the toolkit Mesa's
SolaraViz is built on).

Where it sits: the top layer. It may import every other layer (``sim.model``, ``sim.study``,
``sim.report``); nothing imports it. ``view.py`` holds what the page shows without any user
interface, ``figures.py`` draws it, ``page.py`` is the Solara page and ``__main__.py`` serves it.
"""
