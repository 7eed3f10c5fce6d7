"""From Hydra config to a validated ``ModelSpec``.

Where it sits: before any simulation. ``compose_config`` builds the same config the command
line builds (same files, same override syntax); ``build_spec`` validates it and instantiates
every ``_target_`` into typed objects. Any bad value raises one ``ConfigError`` naming the key.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.core.params import ConfigError, check_params, param
from sim.rules.base import AdmissionRule, ExitRule, FertilityRule, HealthRule, IncomeRule
from sim.settings import Alliance, Country, Demand, Population, Sector

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

# config group -> interface its target must implement (the extension points)
RULE_GROUPS: dict[str, type] = {"income": IncomeRule, "exit": ExitRule,
                                "fertility": FertilityRule, "health": HealthRule,
                                "admission": AdmissionRule}
WORLD_BLOCKS: dict[str, type] = {"population": Population, "sector": Sector, "country": Country,
                                 "alliance": Alliance, "demand": Demand}


@dataclass(frozen=True)
class Rules:
    income: IncomeRule
    exit: ExitRule
    fertility: FertilityRule
    health: HealthRule
    admission: AdmissionRule


@dataclass(frozen=True)
class RunSettings:
    burn_in_years: int = param("years", 0, 200, "months simulated before the horizon / 12")
    horizon_years: int = param("years", 1, 200, "measured years", lo_open=False)
    seed: int = param("-", 0, 2**31 - 1, "first seed")
    seeds: int = param("runs", 1, 100_000, "number of paired runs (seeds seed .. seed+seeds-1)")


@dataclass(frozen=True)
class Output:
    charts: bool = param("-", doc="write PNG charts into the run folder")
    timeseries: bool = param("-", doc="write timeseries.parquet")
    quiet: bool = param("-", doc="suppress the printed table and progress bar")


@dataclass(frozen=True)
class ModelSpec:
    population: Population
    sector: Sector
    country: Country
    alliance: Alliance
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

    def with_alliance(self, **changes: Any) -> ModelSpec:
        return dataclasses.replace(self, alliance=dataclasses.replace(self.alliance, **changes))


def _target_class(node: dict, path: str, interface: type | None) -> type:
    target = node.get("_target_")
    if not isinstance(target, str) or "." not in target:
        raise ConfigError(f"{path}._target_", target, "a dotted path to a class")
    module, _, name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"{path}._target_", target, f"an importable class ({err})") from None
    if interface is not None and not (isinstance(cls, type) and issubclass(cls, interface)):
        raise ConfigError(f"{path}._target_", target, f"a subclass of {interface.__name__}")
    if not dataclasses.is_dataclass(cls):
        raise ConfigError(f"{path}._target_", target, "a dataclass declared with sim.core.params.param")
    return cls


def _build(cfg: DictConfig, path: str, interface: type | None, default_cls: type | None):
    node = cfg.get(path)
    if node is None:
        raise ConfigError(path, None, "a config block")
    values = OmegaConf.to_container(node, resolve=True)
    if not isinstance(values, dict):
        raise ConfigError(path, values, "a mapping of parameters")
    cls = _target_class(values, path, interface) if "_target_" in values or default_cls is None \
        else default_cls
    values.pop("_target_", None)
    return check_params(cls, values, path)


def build_spec(cfg: DictConfig) -> tuple[ModelSpec, RunSettings]:
    """Validate the whole config and build the model spec and run settings."""
    known = set(WORLD_BLOCKS) | set(RULE_GROUPS) | {f.name for f in dataclasses.fields(RunSettings)}
    known |= {"output", "hydra", "study", "sensitivity"}
    for key in cfg:
        if key not in known:
            raise ConfigError(str(key), cfg.get(key), "a known top-level key: " + ", ".join(sorted(known)))
    world = {name: _build(cfg, name, None, cls) for name, cls in WORLD_BLOCKS.items()}
    rules = Rules(**{name: _build(cfg, name, iface, None) for name, iface in RULE_GROUPS.items()})
    run_values = {f.name: cfg.get(f.name) for f in dataclasses.fields(RunSettings)}
    run = check_params(RunSettings, run_values, "")
    _build(cfg, "output", None, Output)
    spec = ModelSpec(rules=rules, burn_in_years=run.burn_in_years,
                     horizon_years=run.horizon_years, **world)
    return spec, run


def format_override(key: str, value: Any) -> str:
    """``key=value`` in Hydra's override grammar (dotted keys and group choices alike)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, list | tuple):
        text = "[" + ",".join(format_override("_", v).split("=", 1)[1] for v in value) + "]"
    else:
        text = str(value)
        if any(ch in text for ch in " ,=[]{}()'\"\\:"):
            text = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"{key}={text}"


def compose_config(overrides: dict[str, Any] | list[str] | None = None,
                   with_hydra: bool = False) -> DictConfig:
    """Compose ``configs/config.yaml`` with overrides, as ``python -m sim`` would
    (``with_hydra`` keeps the ``hydra`` node, e.g. to read a study's sweep parameters)."""
    if isinstance(overrides, dict):
        overrides = [format_override(k, v) for k, v in overrides.items()]
    overrides = list(overrides or [])
    if GlobalHydra.instance().is_initialized():  # inside a running Hydra app
        return compose(config_name="config", overrides=overrides, return_hydra_config=with_hydra)
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=overrides,
                           return_hydra_config=with_hydra)
    except (HydraException, OmegaConfBaseException) as err:
        raise _override_error(overrides, err) from None


def _override_error(overrides: list[str], err: Exception) -> ConfigError:
    """Turn Hydra's composition error into one ConfigError naming the key and what is allowed."""
    text = str(err)
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for override in overrides:  # a value Hydra cannot parse
        try:
            OverridesParser.create().parse_overrides([override])
        except HydraException:
            key, _, value = override.partition("=")
            return ConfigError(key.lstrip("+~"), value, "a value in Hydra's override syntax "
                               "(quote strings with special characters)")
    match = re.search(r"Could not override '([^']+)'", text) or re.search(
        r"Could not find '([^']+)'", text)
    key = match.group(1) if match else " ".join(overrides)
    value = None
    if "Could not find" in text and "/" in key:  # unknown option of a group: 'sector/opera'
        key, value = key.split("/", 1)
    value = next((o.split("=", 1)[1] for o in overrides if o.lstrip("+~").split("=")[0] == key),
                 value)
    group = key.split(".")[0]
    options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml")) if group else []
    if "Could not find" in text and options:
        return ConfigError(key, value, "one of " + ", ".join(options))
    parent = key.rsplit(".", 1)[0] if "." in key else None
    if parent is not None:
        try:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                node = compose(config_name="config").get(parent)
            if node is not None:
                return ConfigError(key, value, f"a known key of {parent}: "
                                   + ", ".join(sorted(str(k) for k in node if k != "_target_")))
        except (HydraException, OmegaConfBaseException):
            pass
    first_line = text.strip().splitlines()[0] if text.strip() else "valid overrides"
    return ConfigError(key, value, f"a valid override ({first_line})")
