"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

Where it sits: an experiment (``experiment=sensitivity``) whose design is split into chunks, one
Hydra job per chunk, so the same command runs on local cores or across a cluster. Each job
evaluates its rows of the design (paired runs, common random numbers, the same seeds for every
row) and writes ``samples.parquet`` then its completion marker; the aggregation
(``sim.study.aggregate``) gathers all chunks and computes the indices.

    uv run python -m sim -m experiment=sensitivity                            # Morris
    uv run python -m sim -m experiment=sensitivity sensitivity.method=sobol sensitivity.samples=64
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.model.core.params import ConfigError, param


@dataclass(frozen=True)
class Sensitivity:
    method: str = param("-", choices=("morris", "sobol"), doc="Morris screening or Sobol indices")
    samples: int = param("-", 1, 100_000, "Morris trajectories / Sobol base sample size N")
    levels: int = param("-", 2, 100, "Morris grid levels")
    chunks: int = param("jobs", 1, 100_000, "jobs the design is split into")
    chunk: int = param("-", 0, 100_000, "this job's chunk (swept)")
    sample_seed: int = param("-", 0, 2**31 - 1, "seed of the sample design")
    outcomes: list = param("-", doc="outcomes analysed, e.g. effect.retention_10y")
    parameters: dict = param("-", doc="dotted key -> [low, high]")

    def check(self, path: str) -> None:
        if self.chunk >= self.chunks:
            raise ConfigError(f"{path}.chunk", self.chunk, f"below {path}.chunks ({self.chunks})")
        for key, bounds in self.parameters.items():
            if (not isinstance(bounds, list | tuple) or len(bounds) != 2
                    or not float(bounds[0]) < float(bounds[1])):
                raise ConfigError(f"{path}.parameters.{key}", bounds, "[low, high] with low < high")

    @property
    def problem(self) -> dict:
        names = list(self.parameters)
        return {"num_vars": len(names), "names": names,
                "bounds": [[float(b) for b in self.parameters[n]] for n in names]}


def settings(cfg: DictConfig) -> Sensitivity:
    from sim.model.core.params import check_params

    values = OmegaConf.to_container(cfg.sensitivity, resolve=True)
    return check_params(Sensitivity, values, "sensitivity")


def design(s: Sensitivity) -> np.ndarray:
    """The full sample design (rows = parameter sets), identical in every job."""
    if s.method == "morris":
        from SALib.sample import morris

        return morris.sample(s.problem, s.samples, num_levels=s.levels, seed=s.sample_seed)
    from SALib.sample import sobol

    return sobol.sample(s.problem, s.samples, calc_second_order=False, seed=s.sample_seed)


def model_config(cfg: DictConfig, block: str) -> DictConfig:
    """A copy of ``cfg`` without the study's settings ``block`` (``sensitivity``,
    ``uncertainty``): the config each design row is applied to."""
    plain = copy.deepcopy(cfg)
    with_struct = OmegaConf.is_struct(plain)
    OmegaConf.set_struct(plain, False)
    plain.pop(block, None)
    OmegaConf.set_struct(plain, with_struct)
    return plain


def coerce(cfg: DictConfig, name: str, value: float, path: str = "sensitivity.parameters"):
    """``value`` as ``apply`` sets it at the dotted key ``name`` of ``cfg``: rounded to an integer
    where the key holds one, a float otherwise. A key the config does not have raises a
    ConfigError naming ``<path>.<name>``."""
    parent, _, leaf = name.rpartition(".")
    node = OmegaConf.select(cfg, parent) if parent else cfg
    if not isinstance(node, DictConfig) or leaf not in node:
        raise ConfigError(f"{path}.{name}", None, "a key of the model config")
    current = node[leaf]
    is_int = isinstance(current, int) and not isinstance(current, bool)
    return int(round(float(value))) if is_int else float(value)


def apply(cfg: DictConfig, names: list[str], row, path: str = "sensitivity.parameters"
          ) -> DictConfig:
    """A copy of ``cfg`` with the design row's values set (integers rounded where the key is);
    ``path`` is where the keys are declared, for the message when one does not exist."""
    out = copy.deepcopy(cfg)
    for name, value in zip(names, row, strict=True):
        OmegaConf.update(out, name, coerce(out, name, value, path), merge=False)
    return out


def run_chunk(cfg: DictConfig) -> pd.DataFrame:
    """Evaluate this job's rows: one row per (sample, seed, outcome)."""
    from sim.model.outcomes import result_keys
    from sim.run.batch import run_specs
    from sim.run.paired import PairResult
    from sim.run.variants import SpecVariants

    s = settings(cfg)
    plain = model_config(cfg, "sensitivity")
    variants = SpecVariants(plain)  # built once; each sample's values set on the built spec
    run = variants.run
    X = design(s)
    rows = np.array_split(np.arange(len(X)), s.chunks)[s.chunk]
    # every sample's spec is built (and checked) before the first run; a sample's seeds are
    # simulated as one batch (sim/run/batch.py)
    keys, items = [], []
    names = s.problem["names"]
    for i in rows:
        spec_i = variants.with_values(
            {name: coerce(plain, name, value) for name, value in zip(names, X[i], strict=True)})
        for seed in range(run.seed, run.seed + run.seeds):
            keys.append((int(i), seed))
            items.append((spec_i, seed))
    known = set(result_keys())
    for name in s.outcomes:  # before the first run
        if name not in known:
            raise ConfigError("sensitivity.outcomes", name, "keys of run_model's result")
    records = [{"sample": i, "seed": seed, "outcome": name, "value": out[name]}
               for (i, seed), out in zip(keys, run_specs(items, PairResult.outcomes), strict=True)
               for name in s.outcomes]
    return pd.DataFrame(records, columns=["sample", "seed", "outcome", "value"])


def analyse(s: Sensitivity, samples: pd.DataFrame) -> pd.DataFrame:
    """Indices per outcome and parameter from all chunks' samples (seed-averaged)."""
    X = design(s)
    names = s.problem["names"]
    rows = []
    for outcome in s.outcomes:
        y = (samples[samples["outcome"] == outcome].groupby("sample")["value"].mean()
             .reindex(range(len(X))).to_numpy())
        if not np.all(np.isfinite(y)):
            rows += [{"method": s.method, "outcome": outcome, "parameter": n, "importance": np.nan,
                      "note": "undefined for some samples (e.g. no extra workers)"} for n in names]
            continue
        if s.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(s.problem, X, y, num_levels=s.levels, seed=s.sample_seed)
            for j, n in enumerate(names):
                rows.append({"method": "morris", "outcome": outcome, "parameter": n,
                             "importance": float(res["mu_star"][j]),
                             "mu_star_conf": float(res["mu_star_conf"][j]),
                             "sigma": float(res["sigma"][j]), "note": ""})
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(s.problem, y, calc_second_order=False, seed=s.sample_seed)
            for j, n in enumerate(names):
                rows.append({"method": "sobol", "outcome": outcome, "parameter": n,
                             "importance": float(res["ST"][j]), "ST": float(res["ST"][j]),
                             "ST_conf": float(res["ST_conf"][j]),
                             "S1": float(res["S1"][j]), "S1_conf": float(res["S1_conf"][j]),
                             "note": ""})
    table = pd.DataFrame(rows)
    # importance relative to the largest parameter of the same outcome, for ranking across outcomes
    top = table.groupby("outcome")["importance"].transform("max")
    table["relative"] = table["importance"] / top.where(top > 0)
    return table


def top_parameters(indices: pd.DataFrame, k: int = 3) -> list[str]:
    """The ``k`` parameters with the highest mean relative importance over the outcomes."""
    ranking = indices.groupby("parameter")["relative"].mean().sort_values(ascending=False)
    return list(ranking.dropna().index[:k])
