"""Public theatres' fees (issue 22): where a market pool grows with the people a policy keeps
(demand.displacement below 1), the work added beyond the pool's fixed size is paid in part from
public budgets (sector.public_fee_share), and the ledger counts that part as a public cost; under
demand=steady, where networking creates work, the same share of the fees for the engaged months
beyond the reference demand.engaged_share x the people x the demand index."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.core.loop import public_fees
from sim.run.paired import run_pair
from tests.conftest import spec_for


def test_the_public_share_of_the_added_work_by_hand():
    pop = SimpleNamespace(groups=2, group=np.array([0, 0, 1, 1, 1]),
                          active=np.array([True, True, True, True, False]),
                          engaged=np.array([True, False, True, True, True]),
                          fees=np.array([10_000.0, 0.0, 20_000.0, 30_000.0, 99_000.0]))
    runs = SimpleNamespace(values=lambda slot, name: np.array([0.6, 0.6]))
    ctx = SimpleNamespace(extra_pool=np.array([5, -2]), runs=runs)
    # run 0: 5 added months at its mean fee 10,000; run 1: 2 months fewer at 25,000 (the
    # inactive row's fee does not count)
    assert public_fees(None, ctx, pop) == pytest.approx([0.6 * 5 * 10_000, 0.6 * -2 * 25_000])
    assert public_fees(None, SimpleNamespace(extra_pool=np.array([0, 0]), runs=runs), pop) is None


def test_a_fixed_pool_books_no_public_fees_and_a_growing_one_does():
    for d, booked in ((1.0, False), (0.5, True)):
        spec = spec_for(**{"demand": "market", "demand.displacement": d})
        pair = run_pair(spec, 3)
        fees = pair.policy.ledger.flows["public_fees"][spec.burn_in_months:]
        assert fees.any() == booked
        if booked:  # the policy keeps people, so its pool is above the fixed size on average
            assert fees.sum() > pair.baseline.ledger.flows["public_fees"][spec.burn_in_months:].sum()


# ---------------------------------------------------------------- demand=steady
def test_under_steady_demand_the_months_beyond_the_reference_by_hand():
    """Steady demand has no pool (``ctx.extra_pool`` None): the added work is the engaged active
    months beyond engaged_share x the simulated people x the demand index."""
    pop = SimpleNamespace(groups=2, group=np.array([0, 0, 1, 1, 1]),
                          active=np.array([True, True, True, True, False]),
                          engaged=np.array([True, True, True, False, True]),
                          fees=np.array([10_000.0, 30_000.0, 20_000.0, 0.0, 99_000.0]))
    runs = SimpleNamespace(values=lambda slot, name: np.array([0.6, 0.4]))
    spec = SimpleNamespace(demand=SimpleNamespace(model="steady", engaged_share=0.5),
                           population=SimpleNamespace(agents=2))
    ctx = SimpleNamespace(extra_pool=None, runs=runs, demand=1.2)
    # reference 0.5 x 2 x 1.2 = 1.2 months; run 0: 2 months at a mean fee of 20,000; run 1: 1
    # month at 20,000 (the inactive row does not count)
    assert public_fees(SimpleNamespace(spec=spec), ctx, pop) == pytest.approx(
        [0.6 * (2 - 1.2) * 20_000, 0.4 * (1 - 1.2) * 20_000])


def test_a_steady_run_books_the_hand_formula_each_month(monkeypatch):
    """Each month of a small steady run, both arms: the booked flow is the public share of the
    fees for the engaged months beyond the reference, counted row by row when it is booked."""
    from sim.model.core import loop

    expected = {}
    booked_by = loop.public_fees

    def recording(model, ctx, pop):
        spec = model.spec
        share = spec.sector.public_fee_share
        reference = spec.demand.engaged_share * spec.population.agents * ctx.demand
        months = fees = 0
        for i in range(len(pop.active)):  # one run: all rows are its own
            if pop.active[i] and pop.engaged[i]:
                months += 1
                fees += pop.fees[i]
        expected[model.arm, ctx.month] = share * (months - reference) * fees / months
        return booked_by(model, ctx, pop)

    monkeypatch.setattr(loop, "public_fees", recording)
    spec = spec_for(**{"demand": "steady"})
    assert (spec.demand.engaged_share, spec.sector.public_fee_share) == (0.6, 0.6)
    pair = run_pair(spec, 3)
    for arm in ("baseline", "policy"):  # the policy arm starts from the baseline's burn-in
        months = sorted(m for a, m in expected if a == arm)
        assert months[0] <= spec.burn_in_months and months[-1] == spec.total_months - 1
        booked = getattr(pair, arm).ledger.flows["public_fees"][months]
        want = np.array([expected[arm, m] for m in months])
        assert booked == pytest.approx(want, rel=1e-9, abs=1e-6), arm
    # networking creates work under steady demand: the policy adds public fees
    out = pair.outcomes()
    assert out["effect.public_fees_m"] > 0
    assert out["effect.engagements_per_year"] > 0
