"""The alliance organisation of one arm: budget, admission, salary, training, work requirement.

Where it sits in the monthly step (order in ``sim/model/core/loop.py``):
``alliance_year`` (January) receives the grant, places members in open training and admits
from the queue as many as the budget sustains; ``alliance_boost`` tells the income rule how much
networking each agent gets; ``alliance_pay`` pays salaries in months without engagements;
``alliance_review`` ends employment when the work requirement or time account is not met.

Budget rule: the salary budget of a year is the grant minus overhead and open training.
Admissions are sized for the share of member-months that drew a salary last year
(``planning_idle_share`` in the first year); if salaries
would still exceed the budget, that month's salaries are cut pro rata (an assumption: the real
alliances size hiring rounds to their money, teateralliansen.se/anstallning). So the alliance
never spends more than its yearly grant; what is left at year end goes back to the state.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.jit import kernel, popcount
from sim.model.core.population import NO_MONTH
from sim.model.parameters import Alliance
from sim.model.rules.base import AdmissionRule, window_mask


class AllianceOrg:
    def __init__(self, params: Alliance, admission: AdmissionRule):
        self.params = params
        self.admission = admission
        self.grant = 0.0
        self.salary_budget = 0.0
        self.salary_spent = 0.0
        self.spent = 0.0
        self.paid_share = params.planning_idle_share  # updated from each year's experience
        self._member_months = 0
        self._paid_member_months = 0

    @property
    def active(self) -> bool:
        return self.grant > 0

    def copy(self) -> AllianceOrg:
        clone = AllianceOrg(self.params, self.admission)
        clone.__dict__.update(self.__dict__)
        return clone

    def open_year(self, pop, ctx, ledger, recorder) -> None:
        """January: receive the grant, run open training, let go or admit members."""
        p, m = self.params, ctx.month
        year = ctx.horizon_month // 12
        self.grant = p.grant_m(year) * 1e6 if ctx.horizon_month >= 0 else 0.0
        self.salary_spent = self.spent = 0.0
        if self.grant <= 0:
            self._let_go(pop, np.flatnonzero(pop.member), ctx, recorder)
            return
        ledger.add("grant", m, self.grant)
        self.salary_budget = self.grant * (1.0 - p.overhead_share - p.open_training_share)
        self._train(pop, ctx, ledger)
        ec = ctx.country.employer_contribution_rate
        if self._member_months:  # plan with last year's share of salaried member-months
            self.paid_share = max(0.05, self._paid_member_months / self._member_months)
        self._member_months = self._paid_member_months = 0
        member_year = 12 * self.paid_share * p.salary * ctx.money_scale * (1 + ec)
        capacity = int(self.salary_budget // member_year)
        members = np.flatnonzero(pop.member)
        places = capacity - members.size
        if places < 0:  # a cut: last in, first out; within a cohort the least qualified first
            order = np.lexsort((pop.uid[members], pop.qualifying_months[members],
                                -pop.member_since[members]))
            self._let_go(pop, members[order[:-places]], ctx, recorder)
        recorder.set("applicants", m, np.count_nonzero(self.admission.eligible(pop, ctx)))
        recorder.set("places", m, max(places, 0))
        admitted = self.admission.select(pop, ctx, max(places, 0))
        pop.member[admitted] = True
        pop.member_since[admitted] = m
        pop.paid_months[admitted] = 0
        recorder.set("admitted", m, admitted.size)

    def _train(self, pop, ctx, ledger) -> None:
        p = self.params
        cost = p.training_cost * ctx.money_scale
        seats = int(self.grant * p.open_training_share // cost)
        candidates = np.flatnonzero(pop.active & ~pop.member)
        if seats <= 0 or candidates.size == 0:
            return
        draw = ctx.uniform("open_training")[candidates]
        if seats < candidates.size:  # the seats go to the lowest draws (a lottery)
            candidates = candidates[np.argpartition(draw, seats)[:seats]]
        chosen = candidates
        pop.trained_month[chosen] = ctx.month
        self._spend(ledger, "training", ctx.month, chosen.size * cost)

    def _spend(self, ledger, item: str, month: int, amount: float) -> None:
        ledger.spend(item, month, amount)
        self.spent += amount

    def _let_go(self, pop, rows, ctx, recorder) -> None:
        if rows.size:
            pop.member[rows] = False
            pop.member_since[rows] = NO_MONTH
            recorder.series["let_go"][ctx.month] += rows.size

    def networking(self, pop, ctx) -> tuple[np.ndarray, np.ndarray]:
        """Who has had open training long enough for it to pay off (bool per row), and the
        log-odds of engagement the alliance adds (membership and training)."""
        p, n = self.params, len(pop)
        trained, boost = np.empty(n, dtype=np.bool_), np.empty(n)
        _networking(pop.trained_month, pop.member, ctx.month, p.training_lag_months,
                    p.member_engagement_boost, p.training_engagement_boost, trained, boost)
        return trained, boost

    def pay(self, pop, ctx, engaged: np.ndarray, ledger) -> np.ndarray:
        """Salaries of this month (per row) for members without engagements, within budget."""
        p, m = self.params, ctx.month
        if not self.active:
            return np.zeros(len(pop))
        if p.overhead_share:
            self._spend(ledger, "overhead", m, self.grant * p.overhead_share / 12)
        ec = ctx.country.employer_contribution_rate
        room = max(0.0, self.salary_budget - self.salary_spent)
        salary = np.empty(len(pop))
        cost, members, in_need = _salaries(pop.member, engaged, pop.sick_months_left,
                                           pop.recent_fees, pop.paid_months,
                                           p.salary * ctx.money_scale, p.fee_offset, 1 + ec, room,
                                           salary)
        self.salary_spent += cost
        self._spend(ledger, "salaries", m, cost / (1 + ec))
        self._spend(ledger, "salary_contributions", m, cost - cost / (1 + ec))
        self._member_months += members
        self._paid_member_months += in_need  # the need for salary, not what the budget allowed
        return salary

    def review(self, pop, ctx, recorder) -> None:
        """End employment of members who missed the work requirement or used their time account."""
        p = self.params
        # at the end of each period (its last month just recorded), before the next admission
        max_paid = -1 if p.max_paid_months is None else p.max_paid_months
        end = _ends(pop.member, pop.member_since, pop.engaged_bits, pop.paid_months, ctx.month,
                    p.work_period_months, window_mask(p.work_period_months),
                    p.work_requirement_months, max_paid, np.empty(len(pop), dtype=np.bool_))
        self._let_go(pop, np.flatnonzero(end), ctx, recorder)

    def close_year(self, ctx, ledger) -> None:
        """December: return what was not spent."""
        if self.grant > 0:
            ledger.add("grant_returned", ctx.month, max(0.0, self.grant - self.spent))


@kernel
def _networking(trained_month, member, month, lag, member_boost, training_boost, trained, boost):
    for i in range(trained.size):
        t = trained_month[i] > NO_MONTH and month - trained_month[i] >= lag
        trained[i] = t
        boost[i] = member_boost * member[i] + training_boost * t


@kernel
def _salaries(member, engaged, sick_months_left, recent_fees, paid_months, salary_level,
              fee_offset, cost_factor, room, salary):
    """Salary per row: members are owed ``salary_level`` minus ``fee_offset`` of recent fees in a
    month without engagement or sickness; if that costs (times ``cost_factor``, the employer's
    contributions) more than ``room``, all salaries are cut pro rata. Returns the cost, the
    number of members and of members owed a salary."""
    owed_total = 0.0
    members = in_need = 0
    for i in range(member.size):
        owed = 0.0
        if member[i]:  # members are always active: an exit ends membership in the same month
            members += 1
            if not engaged[i] and sick_months_left[i] == 0:
                owed = max(0.0, salary_level - fee_offset * recent_fees[i])
                in_need += owed > 0
        salary[i] = owed
        owed_total += owed
    cost = owed_total * cost_factor
    scale = 1.0
    if cost > room:
        scale, cost = room / cost, room
    for i in range(member.size):
        salary[i] *= scale
        paid_months[i] += salary[i] > 0
    return cost, members, in_need


@kernel
def _ends(member, member_since, engaged_bits, paid_months, month, period, period_mask, requirement,
          max_paid, end):
    """Members whose employment ends: at the end of each work period (its last month just
    recorded) if engaged in fewer than ``requirement`` months of it; or once the time account
    of ``max_paid`` salaried months (-1: none) is used up."""
    for i in range(member.size):
        if not member[i]:  # most rows: skip the integer modulo
            end[i] = False
            continue
        due = (month - member_since[i] + 1) % period == 0
        short = due and popcount(engaged_bits[i] & period_mask) < requirement
        end[i] = short or (max_paid >= 0 and paid_months[i] >= max_paid)
    return end
