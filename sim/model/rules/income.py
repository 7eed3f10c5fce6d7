"""Income rule: persistent engagements, heavy-tailed pay and side income (monthly step, phase
``income``).

Default rule ``MarkovEngagement`` (behaviour.md Part B.1): whether an agent is engaged this month
follows a two-state Markov chain (P(stay engaged) and P(find work when idle)) whose log-odds rise
with skill and contacts and with sector demand, and change with age beyond a knot age by sex
(``sector.age_knot_*``, ``sector.age_slope_*``: fewer roles for older actresses, dancers'
physical careers; docs/sources.md#age-profile) (a policy's networking is added by the core,
``sim/model/core/decisions.py``). Pay per engaged
month is the agent's permanent level (log-normal x Pareto across agents, random walk over time,
Carroll's permanent-transitory structure) times a mean-one log-normal transitory shock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.jit import kernel
from sim.model.core.params import param
from sim.model.core.per_run import by_row
from sim.model.core.rng import uniform_at
from sim.model.rules.base import Earnings, IncomeRule, logit


@dataclass(frozen=True)
class MarkovEngagement(IncomeRule):
    p_stay: float = param("probability/month", 0, 1, "P(engaged next month | engaged)",
                          lo_open=True, hi_open=True)
    p_find: float = param("probability/month", 0, 1, "P(engaged next month | idle)",
                          lo_open=True, hi_open=True)
    beta_skill: float = param("log-odds per SD", -5, 5, "effect of skill on engagement")
    beta_network: float = param("log-odds per log contact", -5, 5, "effect of contacts")
    network_ref: float = param("contacts", 0, None, "contacts at which the network effect is 0")
    network_initial: float = param("contacts", 0, None, "contacts of an entrant")
    network_gain: float = param("contacts/engaged month", 0, None, "ties from co-engagement")
    network_decay: float = param("share/month", 0, 1, "contacts lost per month")
    learning_rate: float = param("SD/engaged month", 0, 1, "learning by doing")
    learning_cap: float = param("SD", 0, 10, "most skill that experience can add")
    sigma_transitory: float = param("log points", 0, 3, "SD of the pay shock of a month")
    sigma_permanent: float = param("log points/month", 0, 1, "SD of the permanent pay shock")
    fee_drift: float = param("log points/month", -1, 1, "drift of the permanent pay level")

    per_run = ("beta_skill",)  # may differ between runs of a batch (sim/model/core/per_run.py)

    def init_agents(self, pop, rows, ctx) -> None:
        s = ctx.sector
        uids = pop.uid[rows]
        month = ctx.month
        talent = ctx.streams.normal("init_talent", uids, month)
        z_fee = ctx.streams.normal("init_fee", uids, month)
        u_tail = ctx.streams.uniform("init_fee_tail", uids, month)
        z_side = ctx.streams.normal("init_side", uids, month)
        # Pareto factor with unit median, truncated at fee_tail_max: inverse CDF of a Pareto on
        # [1, 2**(1/alpha) * fee_tail_max], divided by its untruncated median 2**(1/alpha).
        # Without the cap the mean of an alpha < 2 tail grows with the number of agents drawn,
        # and results would change with population.scale.
        # (the cap may differ between the runs of a batch: the mass per run, in Python floats
        # as for a single run, then per row)
        alpha = s.fee_pareto_alpha
        mass = by_row(np.array([1.0 - (2.0 ** (1.0 / alpha) * float(cap)) ** -alpha
                                for cap in ctx.runs.values("sector", "fee_tail_max")]),
                      pop.group[rows])
        log_tail = -np.log1p(-u_tail * mass) / alpha - np.log(2.0) / alpha
        pop.log_fee[rows] = np.log(s.fee_median * ctx.money_scale) + s.fee_sigma * z_fee + log_tail
        pop.side_base[rows] = s.side_income_median * ctx.money_scale * np.exp(
            s.side_income_sigma * z_side)
        # Agents entering with experience (initial population) have already learned and networked;
        # assume the long-run engaged share of 0.65 for their past months.
        past_engaged = 0.65 * pop.tenure_months[rows]
        pop.skill[rows] = talent + np.minimum(self.learning_rate * past_engaged, self.learning_cap)
        steady = self.network_gain * 0.65 / max(self.network_decay, 1e-9)
        keep = (1 - self.network_decay) ** pop.tenure_months[rows]
        pop.network[rows] = steady + (self.network_initial - steady) * keep
        pop.qualifying_months[rows] = past_engaged.astype(np.int32)
        # their engagement history (the windows the alliances count qualifying time in): each
        # past month engaged with the same long-run share, drawn from the agent's own stream
        counter, key = ctx.streams.key_counters("init_history", uids, month)
        _past_history(counter, key, pop.tenure_months[rows], 0.65, pop.engaged_bits,
                      pop.engaged_bits_2, pop.engaged_bits_3, rows)

    def engagement_log_odds(self, pop, ctx) -> np.ndarray:
        """Log-odds of an engagement this month per row: the chain's log-odds given last month,
        plus skill, contacts and sector demand (log1p in numpy's vectorised code)."""
        x = np.log1p(pop.network)  # log contacts, then the log-odds
        s, runs = ctx.sector, ctx.runs
        _log_odds(pop.engaged, pop.skill, x, pop.group, pop.age_months, pop.female,
                  logit_stay=logit(self.p_stay), logit_find=logit(self.p_find),
                  beta_skill=runs.values("income", "beta_skill"),
                  beta_network=self.beta_network, log_network_ref=np.log1p(self.network_ref),
                  log_demand=np.log(ctx.demand), knot_women=s.age_knot_women * 12.0,
                  knot_men=s.age_knot_men * 12.0,
                  slope_women=runs.values("sector", "age_slope_women") / 120.0,
                  slope_men=runs.values("sector", "age_slope_men") / 120.0)
        return x

    def earn(self, pop, ctx, engaged) -> Earnings:
        n = len(pop)
        # one decision, two shocks: the permanent and the transitory part of this month's pay
        permanent, transitory = ctx.normal_pair("pay_shocks")
        pay, side = np.empty(n), np.empty(n)
        _pay(engaged, permanent, transitory, pop.sick_months_left, pop.qualifying_months,
             pop.side_base, pop.log_fee, pop.skill, pop.network,
             sigma_permanent=self.sigma_permanent, fee_drift=self.fee_drift,
             sigma_transitory=self.sigma_transitory,
             side_engaged_share=ctx.sector.side_income_engaged_share,
             learning_rate=self.learning_rate, learning_cap=self.learning_cap,
             network_decay=self.network_decay, network_gain=self.network_gain, log_pay=pay,
             side=side)
        # vectorised exp of the log pay of every row (an -inf for the idle would send numpy
        # down its slow path for special values), then no pay without an engagement
        np.exp(pay, out=pay)
        pay *= engaged
        return Earnings(fees=pay, side=side)


@kernel
def _past_history(counter, key, tenure_months, share, bits1, bits2, bits3, rows):
    """Engagement bits of the months before entry (up to the 192 kept), engaged with ``share``."""
    for j in range(rows.size):
        words = np.zeros(3, dtype=np.uint64)
        for k in range(min(tenure_months[j], 192)):
            # one draw per (agent, past month): the counter of month 0 stepped by k
            if uniform_at(counter[j] + np.uint64(k) * _STEP, key) < share:
                words[k // 64] |= np.uint64(1) << np.uint64(k % 64)
        i = rows[j]
        bits1[i], bits2[i], bits3[i] = words[0], words[1], words[2]


_STEP = np.uint64(0xD1B54A32D192ED03)  # an odd constant: distinct counters per past month


@kernel
def _log_odds(engaged, skill, x, group, age_months, female, *, logit_stay, logit_find,
              beta_skill, beta_network, log_network_ref, log_demand, knot_women, knot_men,
              slope_women, slope_men):
    """The log-odds of engagement, written over ``x`` (log1p of the contact count);
    ``beta_skill`` and the age slopes (per month of age) hold one value per run (``group``)."""
    for i in range(x.size):
        g = group[i]
        xi = logit_stay if engaged[i] else logit_find
        xi += beta_skill[g] * skill[i] + beta_network * (x[i] - log_network_ref)
        if female[i]:
            xi += slope_women[g] * max(age_months[i] - knot_women, 0.0)
        else:
            xi += slope_men[g] * max(age_months[i] - knot_men, 0.0)
        x[i] = xi + log_demand


@kernel
def _pay(engaged, permanent, transitory, sick_months_left, qualifying_months, side_base, log_fee,
         skill, network, *, sigma_permanent, fee_drift, sigma_transitory, side_engaged_share,
         learning_rate, learning_cap, network_decay, network_gain, log_pay, side):
    """This month's log pay (were one engaged) and side income; updates pay level, skill and
    contacts."""
    mean_one = -0.5 * sigma_transitory * sigma_transitory  # E[exp(transitory)] = 1
    for i in range(engaged.size):
        works = engaged[i]
        sick = sick_months_left[i] > 0
        level = log_fee[i] + (sigma_permanent * permanent[i] + fee_drift)
        log_fee[i] = level
        log_pay[i] = level + sigma_transitory * transitory[i] + mean_one
        side[i] = 0.0 if sick else side_base[i] * (side_engaged_share if works else 1.0)
        if works and qualifying_months[i] * learning_rate < learning_cap:
            skill[i] += learning_rate  # learning by doing, up to the cap
        contacts = network[i] * (1.0 - network_decay)
        network[i] = contacts + network_gain if works else contacts
