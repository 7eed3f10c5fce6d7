"""Mesa integration: the model is a mesa.Model and agents are handles onto the columns."""

import mesa
import numpy as np
import pytest

from sim.model.freelance import ArmModel, Freelancer
from tests.conftest import spec_for


def test_handles_read_the_agent_row_and_follow_it_after_exit():
    spec = spec_for(**{"population.size": 200, "burn_in_years": 1, "horizon_years": 3})
    model = ArmModel(spec, seed=1)
    assert isinstance(model, mesa.Model)
    model.run(13)
    uid = int(model.pop.uid[model.pop.active][0])
    agent = model.freelancer(uid)
    assert isinstance(agent, Freelancer) and agent in model.agents
    row = model.pop.row(uid)
    assert agent.buffer == model.pop.buffer[row] and agent.age_months == model.pop.age_months[row]
    model.pop.buffer[row] = 123.0  # one copy of the state: writes to the column show through
    assert agent.buffer == 123.0
    assert model.freelancer(uid) is agent
    handles = model.register_handles()
    assert len(handles) == int(np.count_nonzero(model.pop.active))
    model.run()
    left = int(np.flatnonzero(model.pop.registry["exit_month"] >= 0)[0])
    gone = model.freelancer(left)
    assert gone.active is False and gone.exit_month >= 0
    assert gone.exit_reason_label in ("left", "physical", "retired")
    with pytest.raises(KeyError):
        model.freelancer(10**9)
