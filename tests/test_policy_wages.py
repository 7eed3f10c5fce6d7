"""A policy's own running costs on both sides of the ledger (issue 22): the share of its
administration and training paid as wages and fees (``wage_lines``) is taxed like other pay,
so its income tax and employer's contributions flow back to the state, and the VAT on what the
staff consume out of it. Hand-computed."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.core.finance import wage_returns, wage_rights, wage_vat
from sim.run.paired import run_pair
from tests.conftest import spec_for


def test_one_krona_of_swedish_staff_cost_returns_tax_and_contributions():
    spec = spec_for()
    tax, contributions = wage_returns(spec.sector, spec.country)
    # staff paid about the outside wage, 25,000 SEK a month: 32.37% above the 1,500 deduction
    wage_tax = 0.3237 * (25_000 - 1_500) / 25_000  # 0.30430 of the wage
    assert tax == pytest.approx(wage_tax / 1.3142)  # per krona of wage + 31.42% contributions
    assert contributions == pytest.approx(0.3142 / 1.3142)
    assert tax + contributions == pytest.approx(0.4706, abs=1e-4)
    # and the pension rights their pay earns: 18.5% of the wage, per krona of labour cost
    assert wage_rights(spec.sector, spec.country) == pytest.approx(0.185 / 1.3142)


@pytest.mark.parametrize("preset", ["teateralliansen", "stipends", "basic_income"])
def test_the_wage_lines_return_exactly_their_tax_and_nothing_else_moves(preset):
    """The same seed with and without wages counted: the policy arm's income tax and
    contributions differ by exactly the wage lines' spending x share x the returns per krona,
    and every other flow and outcome is bit-identical (the returns change no one's behaviour)."""
    on, off = (spec_for(policy=preset, **{"policy.wage_share": w}) for w in (0.7, 0.0))
    a, b = run_pair(on, 2), run_pair(off, 2)
    lines = on.policy.wage_lines()
    assert lines and set(lines.values()) == {0.7}
    spent = sum(a.policy.ledger.spending[line] for line in lines)
    assert spent.sum() > 0
    tax, contributions = wage_returns(on.sector, on.country)
    flows_on, flows_off = a.policy.ledger.flows, b.policy.ledger.flows
    assert np.allclose(flows_on["income_tax"] - flows_off["income_tax"], spent * 0.7 * tax)
    assert np.allclose(flows_on["contributions"] - flows_off["contributions"],
                       spent * 0.7 * contributions)
    assert np.allclose(flows_on["pension_rights"] - flows_off["pension_rights"],
                       spent * 0.7 * wage_rights(on.sector, on.country))  # their pensions too
    assert np.allclose(flows_on["vat"] - flows_off["vat"],
                       spent * 0.7 * wage_vat(on.sector, on.country))  # and the VAT they pay
    for name in flows_on.keys() - {"income_tax", "contributions", "pension_rights", "vat"}:
        assert np.array_equal(flows_on[name], flows_off[name]), name
    assert np.array_equal(a.baseline.ledger.flows["income_tax"], b.baseline.ledger.flows["income_tax"])
    assert a.outcomes()["policy.active_workforce"] == b.outcomes()["policy.active_workforce"]
