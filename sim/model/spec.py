"""The model's specification: every parameter block and rule of one simulated world.

Where it sits: built once before the simulation (``sim.run.config.build_spec`` composes it
from the config files) and read, never written, by the monthly step. Besides the blocks it
holds the checks that need more than one block: values that must be ordered, and the memory a
run of this size needs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sim.model.core.params import ConfigError
from sim.model.core.per_run import add_policy_slot
from sim.model.policy.base import Policy
from sim.model.rules.base import AdmissionRule, ExitRule, FertilityRule, HealthRule, IncomeRule
from sim.model.world import Country, Demand, Population, Sector

# config group -> interface its target must implement (the extension points)
RULE_GROUPS: dict[str, type] = {"income": IncomeRule, "exit": ExitRule,
                                "fertility": FertilityRule, "health": HealthRule,
                                "admission": AdmissionRule}
WORLD_BLOCKS: dict[str, type] = {"population": Population, "sector": Sector, "country": Country,
                                 "demand": Demand}
# config group -> interface of the policy the policy arm runs
POLICY_GROUPS: dict[str, type] = {"policy": Policy}
for _group in POLICY_GROUPS:  # the spec's field of the policy is a slot of a batch's runs
    add_policy_slot(_group)


@dataclass(frozen=True)
class Rules:
    income: IncomeRule
    exit: ExitRule
    fertility: FertilityRule
    health: HealthRule
    admission: AdmissionRule


@dataclass(frozen=True)
class ModelSpec:
    population: Population
    sector: Sector
    country: Country
    policy: Policy  # the policy of the policy arm
    demand: Demand
    rules: Rules
    burn_in_years: int
    horizon_years: int

    @property
    def burn_in_months(self) -> int:
        return 12 * self.burn_in_years

    @property
    def total_months(self) -> int:
        return 12 * (self.burn_in_years + self.horizon_years)

    def with_policy(self, **changes: Any) -> ModelSpec:
        return dataclasses.replace(self, policy=dataclasses.replace(self.policy, **changes))


def check_consistency(spec: ModelSpec) -> None:
    """Values in different blocks that must be ordered (each block checks its own)."""
    s, p, d = spec.sector, spec.population, spec.demand
    # entrants' ages are clipped to 5 years below retirement (sim/model/demography.py)
    if p.entry_age_mean >= s.retirement_age - 5:
        raise ConfigError("population.entry_age_mean", p.entry_age_mean,
                          f"below sector.retirement_age - 5 ({s.retirement_age - 5:g}): "
                          "entrants need years of career before retirement")
    if s.physical_career_age is not None and s.physical_career_age >= s.retirement_age:
        raise ConfigError("sector.physical_career_age", s.physical_career_age,
                          f"below sector.retirement_age ({s.retirement_age:g}) or null")
    spec.policy.check_world("policy", spec)
    if d.shock_depth > 0 and d.shock_start_year >= spec.horizon_years:
        raise ConfigError("demand.shock_start_year", d.shock_start_year,
                          f"below horizon_years ({spec.horizon_years}) when demand.shock_depth > 0")


# Memory of one paired run, measured (docs/benchmarks.md): per agent of the initial population
# (both arms' columns, the shared burn-in state and temporaries) and per later entrant (the career
# registry and uid index in every copy of the state), plus the interpreter and libraries.
BYTES_PER_AGENT, BYTES_PER_ENTRANT, BYTES_BASE = 1_100, 400, 300 * 2**20


def memory_estimate(spec: ModelSpec) -> int:
    """Peak bytes of one paired run of ``spec``."""
    p = spec.population
    entrants = p.agents * p.entry_rate * (spec.burn_in_years + spec.horizon_years)
    return int(BYTES_BASE + BYTES_PER_AGENT * p.agents + BYTES_PER_ENTRANT * entrants)


def available_memory() -> int | None:
    """Memory available to new processes (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(spec: ModelSpec) -> None:
    """Refuse a run that cannot fit in this machine's memory, before it starts."""
    need, have = memory_estimate(spec), available_memory()
    if have is not None and need > 0.9 * have:
        # name what the user most likely set: the size, or a scale below one person per agent
        p = spec.population
        key, value = ("population.scale", p.scale) if p.scale < 1 else ("population.size", p.size)
        raise ConfigError(key, value,
                          f"a population that fits in memory: this run needs about "
                          f"{need / 2**30:.1f} GiB for {spec.population.agents} agents "
                          f"({spec.burn_in_years + spec.horizon_years} years), this machine has "
                          f"{have / 2**30:.1f} GiB available; raise population.scale (people "
                          "per agent) or lower the years")


