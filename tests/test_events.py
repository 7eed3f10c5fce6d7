"""Booking episodes and births (sim/model/core/events.py) against hand-computed expectations."""

import numpy as np

from sim.model.core.columns import NO_MONTH, AgentColumns
from sim.model.core.events import book_births, book_episodes
from sim.model.core.recorder import MAX_AGE


def test_episodes_start_only_for_the_active_and_are_counted():
    pop = AgentColumns()
    pop.add(5, active=np.array([True, True, True, False, True]),
            precarious=np.array([True, False, True, True, True]),
            sick_months_left=np.array([0, 0, 0, 0, 4]), spell_months=np.array([0, 0, 0, 0, 6]))
    counts = book_episodes(pop, np.array([True, True, False, True, False]),
                           np.array([3, 14, 5, 2, 9]))
    assert pop.sick_months_left.tolist() == [3, 14, 0, 0, 4]  # the row that left gets nothing
    assert pop.spell_months.tolist() == [3, 14, 0, 0, 6]
    # the last row is ill already: not at risk, so in neither denominator
    assert counts == {"episodes": 2, "episodes_precarious": 1, "active_at_onset": 3,
                      "precarious_at_onset": 2, "episode_months": 17, "episodes_long": 1}


def test_births_update_children_registry_and_age_table():
    pop = AgentColumns()
    pop.add(4, active=np.array([True, True, True, False]), female=np.array([True, False, True, True]),
            children=np.array([0, 0, 2, 0]),
            age_months=np.array([30 * 12 + 5, 34 * 12, 38 * 12, 29 * 12]))
    by_age = np.zeros(MAX_AGE)
    counts = book_births(pop, np.array([True, True, True, True]), month=50, women_births_by_age=by_age)
    assert counts == {"births": 3, "first_births_women": 1,
                      "first_birth_age_sum": (30 * 12 + 5) / 12.0}
    assert pop.children.tolist() == [1, 1, 3, 0]
    assert pop.last_birth_month.tolist() == [50, 50, 50, NO_MONTH]
    # first births of both sexes enter the registry; the third child does not
    assert pop.registry["first_birth_age_months"].tolist() == [30 * 12 + 5, 34 * 12, -1, -1]
    assert by_age[30] == 1 and by_age[38] == 1 and by_age.sum() == 2  # women only
    assert book_births(pop, np.zeros(4, bool), 51, None)["births"] == 0  # burn-in: no table


def test_entrants_precarity_follows_the_definition():
    from sim.model.core.loop import make_context
    from sim.model.demography import enter
    from sim.model.freelance import ArmModel
    from sim.model.rules.base import window_counts
    from tests.conftest import spec_for

    spec = spec_for()
    model = ArmModel(spec, 3)
    enter(model, make_context(model))  # month 0: the initial population
    pop, living = model.pop, spec.sector.living_cost * spec.country.wage_scale
    expected = (window_counts(pop, (12,))[:, 0] < 6) | (pop.buffer < living)
    assert len(pop) > 0 and np.array_equal(pop.precarious, expected)


def test_kernel_cache_is_keyed_by_the_whole_package_source():
    import numba

    from sim.model.core import jit

    jit.materialise()  # numba is imported, and its cache folder set, on the first kernel call
    assert numba.config.CACHE_DIR.endswith(jit._source_fingerprint())
    assert jit._source_fingerprint() == jit._source_fingerprint()
