"""From Hydra config to a validated ``ModelSpec``.

Where it sits: before any simulation. ``compose_config`` builds the same config the command
line builds (same files, same override syntax); ``build_spec`` validates it and instantiates
every ``_target_`` into typed objects. Any bad value raises one ``ConfigError`` naming the key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import importlib
import keyword
import re
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.model.core.params import ConfigError, check_params, param
from sim.model.spec import (
    POLICY_GROUPS,
    RULE_GROUPS,
    WORLD_BLOCKS,
    ModelSpec,
    Rules,
    check_consistency,
    check_memory,
)
from sim.run.report_settings import ReportSpec, check_report

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
EXPERIMENTS_DIR = CONFIG_DIR.parent / "experiments"


def register_experiments() -> None:
    """Put every ``experiments/<name>.yaml`` on Hydra's search path as the option ``<name>`` of
    the config group ``experiment`` (``experiment=<name>``), through Hydra's ConfigStore: the
    folder sits at the top of the project, beside ``configs/``, not inside it. Only the
    project's own folder is read, by file name; each file is YAML data (``# @package
    _global_``: it sets keys anywhere in the config)."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for path in sorted(EXPERIMENTS_DIR.glob("*.yaml")):
        if path.is_file() and not path.is_symlink():
            store.store(group="experiment", name=path.stem, node=OmegaConf.load(path),
                        package="_global_", provider="alliance-sim")


register_experiments()


def config_groups() -> list[str]:
    """The config groups of the project: a folder of ``configs/`` each, and ``experiment``."""
    return sorted([*(p.name for p in CONFIG_DIR.iterdir() if p.is_dir()), "experiment"])


def group_folder(group: str) -> Path:
    """Where the project keeps a group's options: ``experiments/`` or ``configs/<group>/``."""
    return EXPERIMENTS_DIR if group == "experiment" else CONFIG_DIR / group

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


PROJECT_PACKAGE = "sim"  # classes named by ``_target_`` come from here, or from ``plugins``


def plugin_packages(cfg: DictConfig | dict | None) -> tuple[str, ...]:
    """The installed packages the config names in ``plugins`` (top-level import names), checked:
    each must be an identifier provided by an installed distribution. Nothing is imported here."""
    value = None if cfg is None else cfg.get("plugins")
    if value is None:
        return ()
    if OmegaConf.is_list(value):
        value = list(value)
    if not isinstance(value, list | tuple):
        raise ConfigError("plugins", value, "a list of installed package names, e.g. [mypkg]")
    names = tuple(value)
    installed = _installed_packages()
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ConfigError("plugins", name, "a top-level package name (an identifier)")
        if name not in installed:
            raise ConfigError("plugins", name, "a package installed in this environment "
                              "(pip/uv install it first; a module in the current folder is never used)")
    return names


def _installed_packages() -> frozenset[str]:
    """Top-level import names that an installed distribution provides (read from its metadata),
    never counting the current folder: ``python -m`` puts it first on ``sys.path``, and a
    planted ``evil-1.0.dist-info`` there must not make ``evil.py`` beside it an installed
    package."""
    here = Path.cwd().resolve()
    return _packages_on(tuple(p for p in sys.path if p and Path(p).resolve() != here))


@functools.cache
def _packages_on(paths: tuple[str, ...]) -> frozenset[str]:
    """The top-level import names the distributions found on ``paths`` provide: from their
    ``top_level.txt``, else from the files they install."""
    import importlib.metadata

    names = set()
    for dist in importlib.metadata.distributions(path=list(paths)):
        declared = (dist.read_text("top_level.txt") or "").split()
        if declared:
            names.update(declared)
            continue
        for file in dist.files or ():
            top = file.parts[0] if len(file.parts) > 1 else file.stem if file.suffix == ".py" else ""
            if top.isidentifier():
                names.add(top)
    return frozenset(names)


def check_target(target: Any, path: str, plugins: tuple[str, ...] = ()) -> tuple[str, str]:
    """``(module, class name)`` of a ``_target_`` once its dotted path is known to lie inside the
    project's package or a package named in ``plugins``; ``ConfigError`` before anything is
    imported otherwise (a module in the current folder, or one read from a results folder, never runs)."""
    allowed = (PROJECT_PACKAGE, *plugins)
    what = ("a dotted path to a class in " + ", ".join(f"{p}." for p in allowed)
            + " (another installed package: name it in plugins=[...])")
    if not isinstance(target, str) or "." not in target:
        raise ConfigError(f"{path}._target_", target, what)
    parts = target.split(".")
    if any(not p.isidentifier() or keyword.iskeyword(p) or p.startswith("__") for p in parts):
        raise ConfigError(f"{path}._target_", target, what)
    if parts[0] not in allowed:
        raise ConfigError(f"{path}._target_", target, what)
    return ".".join(parts[:-1]), parts[-1]


def _target_class(node: dict, path: str, interface: type | None,
                  plugins: tuple[str, ...] = ()) -> type:
    module, name = check_target(node.get("_target_"), path, plugins)
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"{path}._target_", node.get("_target_"),
                          f"an importable class ({err})") from None
    if interface is not None and not (isinstance(cls, type) and issubclass(cls, interface)):
        raise ConfigError(f"{path}._target_", node.get("_target_"), f"a subclass of {interface.__name__}")
    if not dataclasses.is_dataclass(cls):
        raise ConfigError(f"{path}._target_", node.get("_target_"),
                          "a dataclass declared with sim.model.core.params.param")
    return cls


def _resolved(cfg: DictConfig) -> None:
    """Raise one ConfigError, naming the key, for a value whose interpolation does not resolve
    (``${nope}``, ``${oc.env:UNSET}``); the ``hydra`` node is Hydra's own."""
    for key in cfg:
        if key == "hydra":
            continue
        try:
            node = cfg._get_node(key)
            OmegaConf.to_container(cfg[key], resolve=True) if isinstance(node, DictConfig) \
                else cfg[key]
        except OmegaConfBaseException as err:
            full_key = getattr(err, "full_key", None) or str(key)
            raw = OmegaConf.select(cfg, full_key, throw_on_resolution_failure=False)
            if raw is None:
                raw = OmegaConf.to_container(cfg, resolve=False).get(str(key))
            reason = " ".join(str(err).split("\n")[0].split())[:120]
            raise ConfigError(full_key, raw if not isinstance(raw, dict) else None,
                              f"a value, not an interpolation that does not resolve ({reason})"
                              ) from None


def _build(cfg: DictConfig, path: str, interface: type | None, default_cls: type | None,
           plugins: tuple[str, ...] = ()):
    node = cfg.get(path)
    if node is None:
        raise ConfigError(path, None, "a config block")
    if not isinstance(node, DictConfig):
        raise ConfigError(path, node, "a block of parameters (choose a config group option with "
                          f"{path}=<option>, or set a key with {path}.<key>=<value>)")
    values = OmegaConf.to_container(node, resolve=True)
    cls = _target_class(values, path, interface, plugins) \
        if "_target_" in values or default_cls is None else default_cls
    values.pop("_target_", None)
    return check_params(cls, values, path)


def build_spec(cfg: DictConfig) -> tuple[ModelSpec, RunSettings]:
    """Validate the whole config and build the model spec and run settings."""
    known = set(WORLD_BLOCKS) | set(RULE_GROUPS) | set(POLICY_GROUPS)
    known |= {f.name for f in dataclasses.fields(RunSettings)}
    known |= {"output", "report", "hydra", "experiment", "sensitivity", "uncertainty", "plugins"}
    _resolved(cfg)
    for key in cfg:
        if key not in known:
            raise ConfigError(str(key), cfg.get(key), "a known top-level key: " + ", ".join(sorted(known)))
    plugins = plugin_packages(cfg)
    world = {name: _build(cfg, name, None, cls) for name, cls in WORLD_BLOCKS.items()}
    world |= {name: _build(cfg, name, iface, None, plugins) for name, iface in POLICY_GROUPS.items()}
    rules = Rules(**{name: _build(cfg, name, iface, None, plugins)
                     for name, iface in RULE_GROUPS.items()})
    run_values = {f.name: cfg.get(f.name) for f in dataclasses.fields(RunSettings)}
    run = check_params(RunSettings, run_values, "")
    _build(cfg, "output", None, Output)
    _build(cfg, "report", None, ReportSpec)
    check_report(cfg)  # report.x names a key of this config
    spec = ModelSpec(rules=rules, burn_in_years=run.burn_in_years,
                     horizon_years=run.horizon_years, **world)
    try:
        check_consistency(spec)
    except ConfigError as err:
        if err.key in ("sector", "country"):  # name the real alliances that fit
            fits = matching_alliances(spec.country.name, spec.sector.name)
            hint = f" (here: {', '.join(f'policy={a}' for a in fits)})" if fits else ""
            raise ConfigError(err.key, err.value, err.allowed + hint) from None
        raise
    check_memory(spec)
    return spec, run


@functools.cache
def preset_classes() -> dict[str, type]:
    """The classes the project's own presets name (``configs/<group>/*.yaml``), by ``_target_``.
    What a results folder says ran is looked up here, as text: it never names code to import."""
    import yaml

    classes = {}
    for path in sorted(CONFIG_DIR.glob("*/*.yaml")):
        with contextlib.suppress(yaml.YAMLError, OSError):
            node = yaml.safe_load(path.read_text(encoding="utf-8"))
            target = node.get("_target_") if isinstance(node, dict) else None
            if isinstance(target, str) and target.startswith(f"{PROJECT_PACKAGE}.model."):
                with contextlib.suppress(ConfigError):
                    classes[target] = _target_class({"_target_": target}, path.parent.name, None)
    return classes


@functools.cache
def _policy_presets() -> tuple[tuple[str, str | None, tuple[str, ...] | None, str], ...]:
    """Each shipped policy preset (``configs/policy/*.yaml``) as (name, country, sectors, the
    sector it composes with), composed once per process: the shipped files are read-only while
    it runs, and composing all of them takes about a second."""
    presets = []
    for path in sorted((CONFIG_DIR / "policy").glob("*.yaml")):
        cfg = compose_config({"policy": path.stem})
        sectors = cfg.policy.get("sectors")
        presets.append((path.stem, cfg.policy.get("country"),
                        None if sectors is None else tuple(sectors), str(cfg.sector.name)))
    return tuple(presets)


def alliance_homes() -> dict[str, tuple[str | None, tuple[str, ...] | None]]:
    """Each alliance preset's country and sectors, as its config file declares them."""
    return {name: (country, sectors) for name, country, sectors, _sector in _policy_presets()}


def preset_sector(policy: str) -> str:
    """The sector a shipped policy preset composes with (``python -m sim policy=<name>``)."""
    return next(sector for name, _c, _s, sector in _policy_presets() if name == policy)


def matching_alliances(country: str, sector: str) -> list[str]:
    """The real (non-generic) alliance presets of this country and sector."""
    return [name for name, (c, sectors) in alliance_homes().items()
            if c == country and sectors is not None and sector in sectors]


def format_override(key: str, value: Any) -> str:
    """``key=value`` in Hydra's override grammar (dotted keys and group choices alike).
    Numpy scalars (what EMA Workbench and SALib pass) count as the Python values they hold."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, list | tuple):
        text = "[" + ",".join(format_override("_", v).split("=", 1)[1] for v in value) + "]"
    else:  # a string stays a string: quoted when Hydra would read it as something else
        text = str(value)
        if any(ch in text for ch in " ,=[]{}()'\"\\:$") or not _reads_as_string(text):
            text = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"{key}={text}"


def declaration(cfg: DictConfig, key: str) -> tuple[Any, dict]:
    """The type and the ``param`` metadata (unit, range, meaning) declared for the dotted
    parameter ``key`` of a composed config; ``ConfigError`` if it is not a declared parameter."""
    block, _, leaf = key.rpartition(".")
    node = OmegaConf.select(cfg, block) if block else None
    if not block:
        cls = RunSettings
    elif isinstance(node, DictConfig) and "_target_" in node:
        cls = _target_class({"_target_": node.get("_target_")}, block, None, plugin_packages(cfg))
    elif block in WORLD_BLOCKS:
        cls = WORLD_BLOCKS[block]
    else:
        raise ConfigError(key, None, "a declared parameter, block.key (e.g. policy.funding_m)")
    field = next((f for f in dataclasses.fields(cls) if f.name == leaf), None)
    if field is None:
        raise ConfigError(key, None, f"a known key of {block or 'the config'}: "
                          + ", ".join(sorted(f.name for f in dataclasses.fields(cls))))
    return typing.get_type_hints(cls)[leaf], dict(field.metadata)


def dotted(key: str) -> str:
    """A config key spelled as a Python identifier back in the command line's form:
    ``policy__funding_m`` -> ``policy.funding_m`` (a key with a dot is returned as it is)."""
    return key if "." in key else key.replace("__", ".")


def identifier(key: str) -> str:
    """A dotted config or outcome key as a Python identifier (``effect.public_cost_m`` ->
    ``effect__public_cost_m``), for tools that need identifiers (EMA Workbench); ``dotted``
    reverses it."""
    return key.replace(".", "__")


def _reads_as_string(text: str) -> bool:
    """Whether Hydra's grammar reads an unquoted ``text`` as a string (not 40, true, null)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        value = OverridesParser.create().parse_override(f"k={text}").value()
    except Exception:  # noqa: BLE001 - unparseable text is quoted
        return False
    return isinstance(value, str)


def compose_config(overrides: dict[str, Any] | list[str] | None = None,
                   with_hydra: bool = False, config_dir: str | None = None,
                   config_name: str = "config") -> DictConfig:
    """Compose ``configs/<config_name>.yaml`` with overrides, as ``python -m sim`` would
    (``with_hydra`` keeps the ``hydra`` node, e.g. to read a study's sweep parameters;
    ``config_dir`` is an extra folder of configs, as ``--config-dir`` adds one).
    Any composition failure raises one ``ConfigError``."""
    if isinstance(overrides, dict):
        overrides = [format_override(k, v) for k, v in overrides.items()]
    overrides = list(overrides or [])
    check_overrides(overrides, config_name)
    if config_dir is not None:
        overrides.append(f"hydra.searchpath=[file://{Path(config_dir).resolve()}]")
    try:
        if GlobalHydra.instance().is_initialized():  # inside a running Hydra app
            cfg = compose(config_name=config_name, overrides=overrides,
                          return_hydra_config=with_hydra)
        else:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                cfg = compose(config_name=config_name, overrides=overrides,
                              return_hydra_config=with_hydra)
    except ConfigError:
        raise
    except Exception as err:  # noqa: BLE001 - YAML, grammar, int-size and Hydra errors alike
        raise _override_error(overrides, err) from None
    check_composed(cfg)
    return cfg


ENV_INTERPOLATION = re.compile(r"\$\{\s*oc\.env\s*:")
# where Hydra's own launchers, sweepers and callbacks come from (its nodes name them by _target_)
HYDRA_TARGETS = ("hydra.", "hydra_plugins.", f"{PROJECT_PACKAGE}.")


def check_overrides(overrides: list[str], config_name: str = "config") -> None:
    """Refuse, before Hydra reads anything, what would make it read or run what the user did not
    name: a config name or a group choice with a path in it (``policy=../../x``), an
    environment variable pulled into the config (``${oc.env:...}``, which would be copied into
    the saved config), and a ``_target_`` outside the project's package or the named plugins."""
    if not isinstance(config_name, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", config_name) \
            or ".." in config_name:
        raise ConfigError("--config-name", config_name,
                          "the name of a config file in the config folders (no path, no ..)")
    pairs = [(o.lstrip("+~").partition("=")[0], o.partition("=")[2]) for o in overrides
             if isinstance(o, str)]
    for key, value in pairs:
        if key == "study":  # the word before experiments/ existed
            raise ConfigError("study", value, f"experiment={value or '<name>'} (the experiments "
                              "are in experiments/; study= was renamed)")
    plugins = ()
    for key, value in pairs:
        if key == "plugins":
            with contextlib.suppress(Exception):  # checked with the composed config
                from hydra.core.override_parser.overrides_parser import OverridesParser

                parsed = OverridesParser.create().parse_override(f"k={value}").value()
                plugins = tuple(p for p in parsed if isinstance(p, str)) \
                    if isinstance(parsed, list) else ()
    for key, value in pairs:
        renamed(key, value)
        if ENV_INTERPOLATION.search(value):
            raise ConfigError(key, value, "a value without ${oc.env:...} (environment variables "
                              "are not read into the config: give the value itself)")
        if "/" in key or group_options(key) is not None:  # a group choice names a file
            names = [v.strip() for v in value.strip("[]").split(",")]
            if any(not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", n) or ".." in n
                   for n in names if n not in ("", "null")):
                raise ConfigError(key, value, "the name of an option of the group "
                                  "(no path, no ..)" + _options_hint(key))
        if key.split(".")[-1] == "_target_":
            if key.startswith("hydra."):
                raise ConfigError(key, value, "nothing: Hydra's launchers and callbacks are "
                                  "chosen with hydra/launcher=<option>, not by _target_")
            check_target(value.strip("'\""), key.rpartition(".")[0], plugins)


OLD_GROUP = "alliance"  # the policy group's name until the working grants joined it


def renamed(key: str, value: Any) -> None:
    """Refuse the policy group's old name with the new form of the same setting: the group was
    ``alliance`` (``alliance=skuda``, ``alliance.funding_m=40``) until a second instrument made
    it ``policy``; one thing has one name, so the old one is not an alias."""
    if key == OLD_GROUP or key.startswith(OLD_GROUP + "."):
        new = "policy" + key[len(OLD_GROUP):]
        raise ConfigError(key, value, f"{new}={value} (the group alliance is now called policy, "
                          "for every instrument)")
    if isinstance(value, str) and re.fullmatch(rf"{OLD_GROUP}\.\w+", value.strip()):
        raise ConfigError(key, value, f"{key}=policy.{value.strip()[len(OLD_GROUP) + 1:]} (the "
                          "group alliance is now called policy, for every instrument)")


def leaves(node: Any, prefix: str = ""):
    """``(dotted key, value)`` of every leaf of a tree of mappings and lists (list items by
    their index: ``report.charts.0``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}{key}.")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, f"{prefix}{i}.")
    elif prefix:
        yield prefix[:-1], node


def _options_hint(group: str) -> str:
    options = group_options(group)
    return f": one of {', '.join(options)}" if options else ""


def check_composed(cfg: DictConfig) -> None:
    """Refuse a composed config that reads the environment (``${oc.env:...}`` in a study file
    or a config of ``--config-dir``) or whose Hydra nodes name code outside Hydra, its plugins
    and the project's package (a ``_target_`` Hydra would import when it starts)."""
    for key, value in leaves(OmegaConf.to_container(cfg, resolve=False)):
        renamed(key.removeprefix("hydra.sweeper.params."), value)  # a study file's old names
        if not isinstance(value, str):
            continue
        if ENV_INTERPOLATION.search(value) and not key.startswith("hydra."):
            raise ConfigError(key, value, "a value without ${oc.env:...} (environment variables "
                              "are not read into the config: give the value itself)")
        if key.startswith("hydra.") and key.endswith("._target_") and not value.startswith(HYDRA_TARGETS):
            raise ConfigError(key, value, "a class of Hydra, its plugins or this project ("
                              + ", ".join(HYDRA_TARGETS) + ")")


@functools.cache
def known_keys() -> tuple[str, ...]:
    """Every dotted key of the default config and every config group name (for suggestions)."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = OmegaConf.to_container(compose(config_name="config"))

    def walk(node, prefix):
        for key, value in node.items():
            if key == "_target_":
                continue
            yield f"{prefix}{key}"
            if isinstance(value, dict):
                yield from walk(value, f"{prefix}{key}.")
    return tuple(dict.fromkeys([*walk(cfg, ""), *config_groups()]))


def suggest(key: str) -> str:
    """`` (did you mean a.b, c.d?)`` for a mistyped key, or an empty string."""
    keys = known_keys()
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.75)
    leaf = key.rsplit(".", 1)[-1]
    close += [k for k in keys if k.rsplit(".", 1)[-1] == leaf and k not in close]
    return f" (did you mean {', '.join(close[:3])}?)" if close else ""


def group_options(group: str) -> list[str] | None:
    """The options of a config group (``sector``, ``hydra/launcher``), or None if it is none."""
    if group in config_groups():
        return sorted(p.stem for p in group_folder(group).glob("*.yaml"))
    if group.startswith("hydra/"):
        return _hydra_group_options(group)
    return None


@functools.cache
def _hydra_group_options(group: str) -> list[str] | None:
    if GlobalHydra.instance().is_initialized():
        return sorted(GlobalHydra.instance().config_loader().get_group_options(group)) or None
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return sorted(GlobalHydra.instance().config_loader().get_group_options(group)) or None


def _override_error(overrides: list[str], err: Exception) -> ConfigError:
    """Turn Hydra's composition error into one ConfigError naming the key and what is allowed."""
    text = " ".join(str(err).split())
    from hydra.core.override_parser.overrides_parser import OverridesParser

    pairs = [(o.lstrip("+~").partition("=")[0], o.partition("=")[2]) for o in overrides]
    for override, (key, value) in zip(overrides, pairs, strict=True):  # a value Hydra cannot parse
        try:
            OverridesParser.create().parse_overrides([override])
        except Exception as parse_error:  # noqa: BLE001 - grammar errors, too-long integers
            reason = " ".join(str(parse_error).split())[:120]
            return ConfigError(key, value[:80], "a value in Hydra's override syntax "
                               f"(quote strings with special characters; {reason})")
    yaml_file = re.search(r'in "([^"]+\.yaml)", line (\d+)', text)
    if yaml_file:  # a config file that is not valid YAML
        return ConfigError(yaml_file.group(1), None,
                           f"valid YAML (line {yaml_file.group(2)}: {text.split(' in ')[0][:120]})")
    extra = [Path(v.strip("[]").removeprefix("file://")) for k, v in pairs if k == "hydra.searchpath"]
    for key, value in pairs:  # a choice of a config group that does not exist
        options = group_options(key)
        if options is not None:
            options = sorted({*options, *(q.stem for d in extra for q in (d / key).glob("*.yaml"))})
        if options is not None and value not in options:
            return ConfigError(key, value, "one of " + ", ".join(options))
    ambiguous = re.search(r"Ambiguous value for argument '([^'=]+)=", text)
    if ambiguous:
        key = ambiguous.group(1)
        return ConfigError(key, dict(pairs).get(key), "one value (sweep several with -m, or "
                           "give a list as [a,b])")
    merging = re.search(r"Error merging override ([^= ]+)=", text)
    if merging:
        key = merging.group(1).lstrip("+~")
        return ConfigError(key, dict(pairs).get(key), f"a value of the type {key} takes")
    match = re.search(r"Could not override '([^']+)'", text) or re.search(
        r"Could not find '([^']+)'", text)
    key = match.group(1) if match else None
    value = None
    if match and "Could not find" in text and "/" in key:  # 'sector/opera'
        key, value = key.rsplit("/", 1)
        options = group_options(key)
        if options is not None:
            return ConfigError(key, value, "one of " + ", ".join(options))
    if key is not None:
        value = dict(pairs).get(key, value)
        if key not in known_keys():
            parent = key.rsplit(".", 1)[0] if "." in key else None
            if parent in known_keys():
                siblings = sorted(k.rsplit(".", 1)[-1] for k in known_keys()
                                  if k.startswith(f"{parent}.") and k.count(".") == key.count("."))
                return ConfigError(key, value, f"a known key of {parent}: {', '.join(siblings)}"
                                   + suggest(key))
            return ConfigError(key, value, "a known key" + (suggest(key) or
                                                          ": see python -m sim --cfg job"))
    named = [(k, v) for k, v in pairs if f"'{k}" in text or f" {k}=" in text or f" {k} " in text]
    key, value = named[0] if named else (" ".join(overrides), None)
    return ConfigError(key, value, f"a valid override ({text[:200] or 'see the error above'})")
