"""Public ledger: money flowing between the state and the sector, per month (phase ``public_finance``).

Where it sits: written by the alliance (grant, returned grant) and by the public-finance phase
(taxes, contributions, benefits, health care), read by the outcomes. Flows are in the country's
currency; ``net_cost`` is what the state pays out minus what flows back.
"""

from __future__ import annotations

import numpy as np

# name -> (sign in the net public cost, meaning)
FLOWS: dict[str, tuple[int, str]] = {
    "grant": (+1, "state grant paid to the alliance"),
    "grant_returned": (-1, "unspent grant returned at year end"),
    "income_tax": (-1, "income tax paid by the freelancers"),
    "contributions": (-1, "employer social contributions on all pay"),
    "unemployment_benefit": (+1, "unemployment benefit paid to idle freelancers"),
    "sickness_benefit": (+1, "sickness benefit during health episodes"),
    "health_care": (+1, "public health-care cost of episodes"),
}

# Alliance spending (part of the grant), for the alliance's own account.
SPENDING = ("salaries", "salary_contributions", "overhead", "training")


class Ledger:
    def __init__(self, n_months: int):
        self.flows = {name: np.zeros(n_months) for name in FLOWS}
        self.spending = {name: np.zeros(n_months) for name in SPENDING}

    def add(self, flow: str, month: int, amount: float) -> None:
        self.flows[flow][month] += amount

    def spend(self, item: str, month: int, amount: float) -> None:
        self.spending[item][month] += amount

    def net_cost(self) -> np.ndarray:
        return sum(sign * self.flows[name] for name, (sign, _) in FLOWS.items())

    def alliance_spend(self) -> np.ndarray:
        return sum(self.spending.values())

    def copy(self) -> Ledger:
        clone = Ledger.__new__(Ledger)
        clone.flows = {k: v.copy() for k, v in self.flows.items()}
        clone.spending = {k: v.copy() for k, v in self.spending.items()}
        return clone
