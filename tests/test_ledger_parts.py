"""The parts the briefs show add up to the net public cost (issue 22): every ledger flow is in
exactly one reported part, with its sign, so a chart of the net cost by part cannot leave a
flow out (the funding chart's bars, the single run's yearly parts)."""

from __future__ import annotations

import pytest

from sim import run_model
from sim.model.core.ledger import FLOWS
from sim.report.charts import COST_PARTS

PARTS = {"grant_net_m": +1, "taxes_returned_m": -1, "benefits_m": +1, "health_care_m": +1,
         "parental_benefit_m": +1, "pensions_m": +1, "public_fees_m": +1, "vat_m": -1}


@pytest.mark.parametrize("overrides", [{}, {"demand.displacement": 0.2},
                                       {"policy": "stipends"}, {"demand": "steady"}])
def test_the_reported_parts_add_up_to_the_net_public_cost(overrides):
    out = run_model(seed=4, **{"population.scale": 20, "burn_in_years": 1, "horizon_years": 8},
                    **overrides)
    for arm in ("baseline", "policy", "effect"):
        parts = sum(sign * out[f"{arm}.{name}"] for name, sign in PARTS.items())
        assert parts == pytest.approx(out[f"{arm}.public_cost_m"], rel=1e-9, abs=1e-9), arm


def test_every_flow_is_in_exactly_one_part_of_the_yearly_chart():
    flows = [flow for part in COST_PARTS.values() for flow in part]
    assert sorted(flows) == sorted(FLOWS)
