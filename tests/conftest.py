"""Shared fixtures: small configs composed exactly as the command line composes them."""

from __future__ import annotations

import pytest

from sim import build_spec, compose_config

TINY = {"population.size": 400, "burn_in_years": 3, "horizon_years": 6}


def spec_for(**overrides):
    spec, _ = build_spec(compose_config({**TINY, **overrides}))
    return spec


@pytest.fixture
def tiny_spec():
    return spec_for()
