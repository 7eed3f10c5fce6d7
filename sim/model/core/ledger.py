"""Public ledger: money flowing between the state and the sector, per month (phase ``public_finance``).

Where it sits: written by the policy (grant, returned grant, and its spending lines) and by the
public-finance phase (taxes, contributions, benefits, health care, VAT on consumption), read by
the outcomes. Flows are in the country's currency; ``net_cost`` is what the state pays out minus
what flows back.
The policy's own account of how it spends the grant has the lines it declares
(``Policy.SPENDING``); a ledger holds the lines it was made with (``Ledger(n_months,
spending=...)``, none by default).
"""

from __future__ import annotations

import numpy as np

from sim.model.core.columns import exact_array
from sim.model.core.jit import kernel

# name -> (sign in the net public cost, meaning)
FLOWS: dict[str, tuple[int, str]] = {
    "grant": (+1, "state grant paid to the policy's programme"),
    "grant_returned": (-1, "unspent grant returned at year end"),
    "income_tax": (-1, "income tax paid by the freelancers"),
    "contributions": (-1, "employer social contributions on all pay"),
    "unemployment_benefit": (+1, "unemployment benefit paid to idle freelancers"),
    "sickness_benefit": (+1, "sickness benefit during health episodes"),
    "health_care": (+1, "public health-care cost of episodes"),
    "parental_benefit": (+1, "parental benefit (and lump sums) paid to parents on leave"),
    "benefit_pension_contributions": (+1, "old-age pension contributions the state pays on "
                                          "the benefits it pays"),
    "leavers_tax": (-1, "tax and contributions of those who left during the horizon, "
                           "in their months with a job outside the sector"),
    "public_fees": (+1, "fees public budgets pay for added work: under demand=market the work "
                        "a pool adds beyond its fixed size (demand.displacement below 1), under "
                        "demand=steady the engaged months beyond the reference "
                        "demand.engaged_share x the simulated people x the demand index"),
    "pension_rights": (+1, "old-age pension rights earned on pay, benefits and pensionable "
                           "transfers in and outside the sector, at the value the pension "
                           "accounts credit: a pension owed later"),
    "leavers_benefit": (+1, "unemployment benefit of those who left during the horizon, in "
                            "their months out of work outside the sector"),
    "vat": (-1, "VAT on consumption (country.vat_share of it) of the freelancers, of those who "
                "left during the horizon (outside the sector, until retirement) and of the "
                "policy's staff and trainers"),
}

class Ledger:
    def __init__(self, n_months: int, groups: int | None = None, spending=()):
        """``spending``: the names of the policy's spending lines (part of the grant)."""
        shape = (n_months,) if groups is None else (groups, n_months)
        self.flows = {name: np.zeros(shape) for name in FLOWS}
        self.spending = {name: np.zeros(shape) for name in spending}
        # leavers of working age: +1 in the month after exit, -1 at their retirement month
        self.leavers_change = np.zeros(shape[:-1] + (n_months + 1,))

    def group(self, g: int) -> Ledger:
        """Run ``g``'s ledger of a batch ledger (views: bookings go through)."""
        if self.leavers_change.ndim != 2:
            raise ValueError("group(): this ledger has no runs axis (make it with groups=...)")
        view = Ledger.__new__(Ledger)
        view.flows = {k: v[g] for k, v in self.flows.items()}
        view.spending = {k: v[g] for k, v in self.spending.items()}
        view.leavers_change = self.leavers_change[g]
        return view

    def rows(self, g: int) -> Ledger:
        """Run ``g`` of a batch ledger as a batch of one (copies)."""
        out = Ledger.__new__(Ledger)
        out.flows = {k: v[g:g + 1].copy() for k, v in self.flows.items()}
        out.spending = {k: v[g:g + 1].copy() for k, v in self.spending.items()}
        out.leavers_change = self.leavers_change[g:g + 1].copy()
        return out

    @classmethod
    def stack(cls, ledgers: list[Ledger]) -> Ledger:
        """Batch ledgers (of one run or more) as one batch, in order (copies)."""
        out = cls.__new__(cls)
        out.flows = {k: np.concatenate([ledger.flows[k] for ledger in ledgers]) for k in FLOWS}
        out.spending = {k: np.concatenate([ledger.spending[k] for ledger in ledgers])
                        for k in ledgers[0].spending}
        out.leavers_change = np.concatenate([ledger.leavers_change for ledger in ledgers])
        return out

    def add_leavers(self, first_month: int, retire_months: np.ndarray,
                    groups: np.ndarray | None = None) -> None:
        """Leavers who work outside the sector from ``first_month`` until ``retire_months``
        (in a batch ledger: of the runs ``groups``, one per leaver)."""
        change = self.leavers_change
        if first_month >= change.shape[-1]:
            return
        retire_months = np.asarray(retire_months, dtype=np.int64)
        if groups is None:
            groups = np.zeros(retire_months.size, dtype=np.int64)
        _add_leavers(change.reshape(-1, change.shape[-1]), first_month, retire_months,
                     np.asarray(groups, dtype=np.int64))

    def leavers_working(self, month: int) -> float | np.ndarray:
        """Leavers working outside the sector in ``month`` (one number per run of a batch)."""
        working = self.leavers_change[..., : month + 1].sum(axis=-1)
        return float(working) if working.ndim == 0 else working

    def add(self, flow: str, month: int, amount: float | np.ndarray) -> None:
        """Book ``amount`` (in a batch ledger: one amount per run, or one for all)."""
        self.flows[flow][..., month] += amount

    def spend(self, item: str, month: int, amount: float | np.ndarray) -> None:
        self.spending[item][..., month] += amount

    def add_spending(self, names) -> None:
        """Add the spending lines of ``names`` this ledger does not hold yet, at zero."""
        shape = self.flows["grant"].shape
        for name in names:
            if name not in self.spending:
                self.spending[name] = np.zeros(shape)

    def net_cost(self) -> np.ndarray:
        return sum(sign * self.flows[name] for name, (sign, _) in FLOWS.items())

    def policy_spend(self) -> np.ndarray:
        """The policy's spending, all lines (zeros without any)."""
        return sum(self.spending.values(), np.zeros(self.flows["grant"].shape))

    def copy(self) -> Ledger:
        clone = Ledger.__new__(Ledger)
        clone.flows = {k: v.copy() for k, v in self.flows.items()}
        clone.spending = {k: v.copy() for k, v in self.spending.items()}
        clone.leavers_change = self.leavers_change.copy()
        return clone

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Every array of the ledger under ``prefix``-ed names (for a data-only file)."""
        out = {f"{prefix}flow.{name}": values for name, values in self.flows.items()}
        out.update({f"{prefix}spend.{name}": values for name, values in self.spending.items()})
        out[f"{prefix}leavers_change"] = self.leavers_change
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "", spending=None) -> Ledger:
        """The inverse of ``to_arrays`` (copies) with the spending lines ``spending`` (default:
        those in ``arrays``); KeyError or ValueError if anything is off."""
        ledger = cls.__new__(cls)
        ndim = arrays[f"{prefix}leavers_change"].ndim  # 1: one run; 2: a batch
        if ndim not in (1, 2):
            raise ValueError(f"{prefix}leavers_change: {ndim} dimensions, expected 1 or 2")
        ledger.flows = {name: exact_array(arrays, f"{prefix}flow.{name}", np.float64, ndim)
                        for name in FLOWS}
        if spending is None:
            start = f"{prefix}spend."
            spending = [key[len(start):] for key in arrays if key.startswith(start)]
        ledger.spending = {name: exact_array(arrays, f"{prefix}spend.{name}", np.float64, ndim)
                           for name in spending}
        ledger.leavers_change = exact_array(arrays, f"{prefix}leavers_change", np.float64, ndim)
        return ledger


@kernel
def _add_leavers(change, first_month, retire_months, groups):
    """+1 at ``first_month`` and -1 at the retirement month (the last month at most) of each
    leaver who retires after ``first_month``, in the row of the leaver's run; one pass over the
    month's few leavers instead of a count and a bincount over every month. The counts are
    whole numbers, exact in float64, so the order of the additions does not matter."""
    last = change.shape[1] - 1
    for j in range(retire_months.size):
        r, g = retire_months[j], groups[j]
        if r > first_month:
            change[g, first_month] += 1.0
            change[g, min(r, last)] -= 1.0
