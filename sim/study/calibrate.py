"""Calibration (``uv run python -m sim.calibrate [--config default]``, ``sim/cli/calibrating.py``).

Where it sits: outside the simulation. Fits the parameters named in
``configs/calibration/<name>.yaml`` (with bounds) to stylised facts of
``configs/targets/<targets>.yaml`` with a standard optimiser (scipy: Nelder-Mead in the unit
cube, or bounded Brent for one parameter). Every evaluation runs the same seeds, so common
random numbers make the loss a smooth function of the parameters instead of a noisy one.
Writes ``fitted.yaml`` (the fitted values, with the fit quality and the ``key=value`` overrides
that apply them to ``python -m sim`` in its header), ``fit.csv`` (fact, target, simulated) and
``history.csv`` (every evaluation).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf
from scipy import optimize

from sim.model.core.params import ConfigError
from sim.run.config import CONFIG_DIR, build_spec, compose_config, format_override
from sim.study.validate import is_number, load_mapping, load_targets

# scipy.optimize.minimize methods that take bounds and need no gradient (COBYQA: scipy >= 1.14)
METHODS = ("Nelder-Mead", "Powell", "L-BFGS-B", "TNC", "SLSQP", "trust-constr", "COBYLA", "COBYQA")


@dataclass
class Calibration:
    parameters: dict[str, tuple[float, float]]
    facts: dict[str, dict]  # fact -> target spec plus "weight"
    sector: str = "theatre"
    population_size: int = 2000
    seeds: int = 2
    method: str = "Nelder-Mead"
    max_evaluations: int = 40
    overrides: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)

    @classmethod
    def from_config(cls, name: str = "default") -> Calibration:
        """Read ``configs/calibration/<name>.yaml`` (or a .yaml path) and check it fully."""
        options = sorted(p.stem for p in (CONFIG_DIR / "calibration").glob("*.yaml"))
        is_path = str(name).endswith((".yaml", ".yml"))
        path = Path(name) if is_path else CONFIG_DIR / "calibration" / f"{name}.yaml"
        if not (path.is_file() if is_path else name in options):
            raise ConfigError("--config", name, "one of " + ", ".join(options) + " or a .yaml file")
        c = load_mapping(path, "calibration")
        for key in ("targets", "parameters", "facts"):
            if key not in c:
                raise ConfigError(f"calibration.{key}", None, "a value (the key is required)")
        targets, _ = load_targets(c.pop("targets"))
        weights, bounds = c.pop("facts"), c.pop("parameters")
        if not isinstance(weights, dict) or not weights:
            raise ConfigError("calibration.facts", weights, "a mapping of fact to weight")
        if not isinstance(bounds, dict) or not bounds:
            raise ConfigError("calibration.parameters", bounds, "a mapping of dotted key to [low, high]")
        facts = {}
        for fact, weight in weights.items():
            if fact not in targets:
                raise ConfigError(f"calibration.facts.{fact}", weight, "a fact of the targets: "
                                  + ", ".join(targets))
            if not is_number(weight) or weight < 0:
                raise ConfigError(f"calibration.facts.{fact}", weight, "a weight, a number >= 0")
            facts[fact] = {**targets[fact], "weight": float(weight)}
        for key, value in bounds.items():
            if not (isinstance(value, list) and len(value) == 2 and all(map(is_number, value))
                    and value[0] < value[1]):
                raise ConfigError(f"calibration.parameters.{key}", value, "[low, high], low < high")
        params = {k: (float(v[0]), float(v[1])) for k, v in bounds.items()}
        known = {f.name for f in dataclasses.fields(cls)} - {"parameters", "facts", "history"}
        for key in c:
            if key not in known:
                raise ConfigError(f"calibration.{key}", c[key], "one of " + ", ".join(sorted(known)))
        if c.get("method", "Nelder-Mead") not in METHODS:
            raise ConfigError("calibration.method", c["method"], "one of " + ", ".join(METHODS))
        for key in ("population_size", "seeds", "max_evaluations"):
            value = c.get(key, 1)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"calibration.{key}", value, "an integer, at least 1")
        if not isinstance(c.get("overrides", {}), dict):
            raise ConfigError("calibration.overrides", c["overrides"], "a mapping of key to value")
        for block, keys in (("overrides", c.get("overrides", {})), ("parameters", params)):
            for key in keys:
                name = str(key).lstrip("+~")
                if name == "hydra" or name.startswith(("hydra.", "hydra/")):
                    raise ConfigError(f"calibration.{block}.{key}", keys[key], "a model key "
                                      "(the calibration runs no Hydra job: hydra.* settings do "
                                      "not apply; see python -m sim --help for the model's keys)")
        cal = cls(parameters=params, facts=facts, **c)
        # fail now, not mid-fit: every bound must give a valid model config
        for corner in (0.0, 1.0):
            cal.spec_for(cal._values(np.full(len(params), corner)))
        return cal

    def spec_for(self, values: dict[str, float]):
        overrides = {"sector": self.sector, "population.size": self.population_size,
                     **self.overrides, **values}
        cfg = compose_config([format_override(k, v) for k, v in overrides.items()])
        return build_spec(cfg)[0]

    def simulate(self, values: dict[str, float]) -> dict[str, float]:
        """Mean over the fixed seeds of every fact's outcome at ``values`` (``run_many``: the
        config is composed once for the whole fit, not once per evaluation)."""
        from sim.run.many import run_many

        overrides = {"sector": self.sector, "population.size": self.population_size,
                     **self.overrides, **values}
        runs = run_many([{"seed": seed, **overrides} for seed in range(self.seeds)])
        return {fact: float(np.mean(runs[f"{t['arm']}.{t['outcome']}"].to_numpy()))
                for fact, t in self.facts.items()}

    def loss(self, simulated: dict[str, float]) -> float:
        total = 0.0
        for fact, t in self.facts.items():
            centre, half = (t["low"] + t["high"]) / 2, max((t["high"] - t["low"]) / 2, 1e-12)
            value = simulated[fact]
            total += t["weight"] * (((value - centre) / half) ** 2 if np.isfinite(value) else 1e6)
        return total

    def _values(self, z: np.ndarray) -> dict[str, float]:
        """Parameter values at a point of the unit cube (integer keys rounded)."""
        base = compose_config({"sector": self.sector})
        out = {}
        for (key, (lo, hi)), zi in zip(self.parameters.items(), np.clip(z, 0, 1), strict=True):
            value = lo + float(zi) * (hi - lo)
            current = OmegaConf.select(base, key)
            is_int = isinstance(current, int) and not isinstance(current, bool)
            out[key] = int(round(value)) if is_int else value
        return out

    def objective(self, z: np.ndarray) -> float:
        values = self._values(np.atleast_1d(z))
        simulated = self.simulate(values)
        loss = self.loss(simulated)
        self.history.append({**values, **{f"sim.{k}": v for k, v in simulated.items()}, "loss": loss})
        return loss

    def fit(self, start: dict[str, float] | None = None) -> dict:
        lo = np.array([b[0] for b in self.parameters.values()])
        hi = np.array([b[1] for b in self.parameters.values()])
        x0 = np.array([start[k] for k in self.parameters]) if start else (lo + hi) / 2
        z0 = (x0 - lo) / (hi - lo)
        if len(self.parameters) == 1:
            res = optimize.minimize_scalar(self.objective, bounds=(0, 1), method="bounded",
                                           options={"maxiter": self.max_evaluations, "xatol": 1e-3})
            z = np.atleast_1d(res.x)
        else:
            res = optimize.minimize(self.objective, z0, method=self.method,
                                    bounds=[(0, 1)] * len(z0),
                                    options={"maxfev": self.max_evaluations, "xatol": 1e-3,
                                             "fatol": 1e-3, "initial_simplex": _simplex(z0)}
                                    if self.method == "Nelder-Mead" else
                                    {"maxiter": self.max_evaluations})
            z = res.x
        best = min(self.history, key=lambda h: h["loss"])
        return {"values": {k: best[k] for k in self.parameters}, "loss": best["loss"],
                "evaluations": len(self.history), "converged": bool(res.success),
                "z": z}


def _simplex(z0: np.ndarray, step: float = 0.25) -> np.ndarray:
    points = [z0]
    for i in range(len(z0)):
        p = z0.copy()
        p[i] = p[i] + step if p[i] + step <= 1 else p[i] - step
        points.append(p)
    return np.array(points)


def tree_values(values: dict) -> dict:
    """Fitted values as written (floats rounded to 6 decimals)."""
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}


def fitted_yaml(cal: Calibration, result: dict, simulated: dict[str, float]) -> str:
    tree: dict = {}
    for key, value in tree_values(result["values"]).items():
        node = tree
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    header = [
        "# @package _global_",
        f"# Fitted by `python -m sim.calibrate` on {datetime.now():%Y-%m-%d %H:%M}: sector "
        f"{cal.sector}, {cal.population_size} agents, seeds 0-{cal.seeds - 1}.",
        f"# Loss {result['loss']:.4g} after {result['evaluations']} evaluations "
        f"(converged: {result['converged']}). Fit per fact (target range -> simulated):"]
    header += [f"#   {fact}: [{t['low']:g}, {t['high']:g}] -> {simulated[fact]:.4g}"
               for fact, t in cal.facts.items()]
    use = {"sector": cal.sector, **cal.overrides, **tree_values(result["values"])}
    header.append("# Use: uv run python -m sim " + " ".join(format_override(k, v) for k, v in use.items()))
    return "\n".join(header) + "\n" + OmegaConf.to_yaml(OmegaConf.create(tree))
