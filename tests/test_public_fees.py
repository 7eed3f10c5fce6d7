"""Public theatres' fees (issue 22): where a market pool grows with the people a policy keeps
(demand.displacement below 1), the work added beyond the pool's fixed size is paid in part from
public budgets (sector.public_fee_share), and the ledger counts that part as a public cost."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.core.loop import public_fees
from sim.study.paired import run_pair
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
