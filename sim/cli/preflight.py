"""Checks of a ``python -m sim`` command before Hydra starts (the pre-flight).

Where it sits: first, in ``python -m sim`` (``sim/__main__.py``), before Hydra creates any
folder. It reads the command as Hydra will (Hydra's own argument parser, the same flags), lists
every job of a sweep exactly as Hydra's basic sweeper will (the study's ``hydra.sweeper.params``
first, the command line winning for the same key), and for every job composes the config and
builds the model spec, which checks every value, every cross-field rule and the memory the run
needs. It then checks the output folder: never the project's code, configs, tests or docs, the
repository root or an existing file, and writable. Any problem is one ``ConfigError`` (exit 2)
before anything is simulated or written; flags such as ``--config-dir`` do not turn it off.

It also settles two things for Hydra: a study given without ``-m`` runs as the sweep it is, and
a sweep without ``hydra.sweep.dir`` goes to ``results/sweeps/<study>``, or, when the command
fixes other keys (``seeds=10``), to ``results/sweeps/<study>,seeds=10``: the same command always
resumes in the same folder and a different command never mixes its jobs with another's.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.model.core.params import ConfigError
from sim.run.config import CONFIG_DIR, compose_config, config_groups, format_override, group_folder
from sim.run.report_settings import check_report

ROOT = CONFIG_DIR.parent
PROTECTED = ("sim", "configs", "tests", "docs", "benchmarks", "examples", ".git", ".ci")
SWEEPS_DIR = Path("results/sweeps")
NO_RUN_FLAGS = ("help", "hydra_help", "version", "shell_completion", "cfg", "info")


@dataclass
class Command:
    """A checked command: what Hydra will run, and the argv to hand it."""

    argv: list[str]
    multirun: bool
    jobs: list[list[str]] = field(default_factory=list)
    output_dir: Path | None = None
    notes: list[str] = field(default_factory=list)


def _parser():
    """Hydra's own argument parser, raising ConfigError instead of printing its usage."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

    def error(message: str):
        words = message.replace(":", " ").split()
        flag = next((w.split("/")[0] for w in words if w.startswith("-")), "arguments")
        raise ConfigError(flag, None, f"valid flags: {message} (see python -m sim --help)")

    parser.error = error
    return parser


def _is_hydra_override(text: str) -> bool:
    return text.lstrip("+~").startswith(("hydra.", "hydra/"))


def parse_sweep(lines: list[str]):
    """Hydra's parsed overrides; a syntax error is a ConfigError naming the override."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    parsed = []
    for line in lines:
        try:
            parsed += parser.parse_overrides([line])
        except Exception as err:  # noqa: BLE001 - grammar errors, too-long integers, bad ranges
            key, _, value = line.partition("=")
            reason = " ".join(str(err).split())[:160]
            raise ConfigError(key.lstrip("+~"), value[:80], f"valid override syntax ({reason})") from None
    return parsed


# A sweep has at most this many jobs: each is at least one paired run of its own folder, and
# every job is checked before the first starts (about 30 ms each). Larger designs are studies
# that run their samples in batches (experiment=sensitivity, experiment=uncertainty).
MAX_JOBS = 10_000


def sweep_size(override) -> int | float:
    """The number of values of a sweep override (1 for a single value), counted without listing
    them: ``range(0,2147483647)`` is counted as fast as ``0,40`` (``math.inf``: too many to
    count, ``range(0,1e300,1e-300)``)."""
    from hydra.core.override_parser.types import ChoiceSweep, RangeSweep

    if not override.is_sweep_override():
        return 1
    value = override.value()
    if isinstance(value, RangeSweep):
        start, stop, step = value.start, value.stop, value.step
        if not step:
            return 0  # refused by _first_value, with Hydra's reason
        if all(isinstance(v, int) for v in (start, stop, step)):
            return max(0, -((start - stop) // step))  # exact for any size of integer
        try:
            count = (stop - start) / step
        except OverflowError:
            return math.inf
        return math.inf if not math.isfinite(count) else max(0, math.ceil(count))
    if isinstance(value, ChoiceSweep):
        return len(value.list)
    return 1 if not isinstance(value, list) else len(value)


def check_sweep_size(parsed: list) -> int:
    """The number of jobs of the parsed overrides (the product of the sweeps, the command line
    winning for a key the study also sweeps); ``ConfigError`` above ``MAX_JOBS``."""
    sizes = {o.get_key_element(): sweep_size(o) for o in parsed}
    jobs = math.prod(sizes.values())

    def many(n: int | float) -> str:
        return f"{n:,}" if math.isfinite(n) else f"more than {MAX_JOBS:,}"

    if jobs > MAX_JOBS:
        swept = [k for k, n in sizes.items() if n > 1]
        biggest = max(swept, key=lambda k: sizes[k])
        line = next(o.input_line for o in reversed(parsed) if o.get_key_element() == biggest)
        raise ConfigError(biggest, line.split("=", 1)[-1][:80],
                          f"a sweep of at most {MAX_JOBS:,} jobs (this one has {many(jobs)}: "
                          f"{' x '.join(f'{many(sizes[k])} values of {k}' for k in swept)}); "
                          "for many samples "
                          "use an experiment that batches them, e.g. experiment=sensitivity")
    return int(jobs)


def expand_jobs(task: list[str], params: dict | None) -> list[list[str]]:
    """The job overrides of a sweep, in Hydra's order: the study's sweep parameters first, the
    command line winning for the same key, then the product of all sweeps. A sweep of more
    than ``MAX_JOBS`` jobs is refused before any job is listed."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    lines = [f"{k}={v}" for k, v in (params or {}).items()] + list(task)
    parsed = parse_sweep(lines)
    for override in parsed:
        if override.is_sweep_override() and not override.is_discrete_sweep():
            raise ConfigError(override.get_key_element(), override.input_line,
                              "a list (a,b,c) or range(start,stop,step) sweep")
    check_sweep_size(parsed)
    for override in parsed:
        _first_value(override)  # every sweep has values: range(0,20,0) is refused here
    return BasicSweeper.split_arguments(parsed, None)[0]


def _first_value(override) -> str:
    """``key=value`` with the first value of a sweep (the override itself otherwise); only the
    first value is listed (a huge range is not)."""
    if not override.is_sweep_override():
        return override.input_line
    if sweep_size(override) > MAX_JOBS:
        check_sweep_size([override])
    try:
        values = list(itertools.islice(override.sweep_string_iterator(), 1))
    except Exception as err:  # noqa: BLE001 - e.g. range(0,20,0)
        raise ConfigError(override.get_key_element(), override.input_line.split("=", 1)[-1],
                          f"valid sweep values ({err})") from None
    if not values:
        raise ConfigError(override.get_key_element(), override.input_line.split("=", 1)[-1],
                          "a sweep with at least one value")
    return f"{override.get_key_element()}={values[0]}"


def sweep_params(cfg: DictConfig) -> dict:
    """The study's ``hydra.sweeper.params`` as a plain dict (empty without a study)."""
    params = OmegaConf.select(cfg, "hydra.sweeper.params")
    return dict(OmegaConf.to_container(params, resolve=True)) if isinstance(params, DictConfig) else {}


def _select(cfg: DictConfig, key: str):
    """``cfg``'s value at ``key``; an interpolation that does not resolve is a ConfigError."""
    try:
        return OmegaConf.select(cfg, key)
    except OmegaConfBaseException as err:
        raw = OmegaConf.to_container(OmegaConf.select(cfg, key.rsplit(".", 1)[0]), resolve=False)
        reason = " ".join(str(err).split("\n")[0].split())[:120]
        raise ConfigError(key, raw.get(key.rsplit(".", 1)[1]) if isinstance(raw, dict) else None,
                          f"a folder path, not an interpolation that does not resolve ({reason})"
                          ) from None


MIN_FREE_BYTES = 64 * 2**10  # a disk with less free cannot even take the run's config files


def check_output_folder(key: str, value) -> Path:
    """The resolved output folder, or a ConfigError naming ``key`` if results cannot or must not
    be written there. Nothing is created: the probe is a temporary folder that is removed."""
    if value is None or not str(value).strip():
        raise ConfigError(key, value, "a folder for the results, e.g. results/my-run")
    path = Path(str(value)).expanduser().resolve()
    protected = [ROOT / name for name in PROTECTED]
    if path == ROOT or any(path == p or p in path.parents for p in protected):
        raise ConfigError(key, str(value), "a folder outside the project's code, configs, tests "
                          "and docs and not the repository root (e.g. under results/)")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        what = "is an existing file" if existing == path else f"{existing} is a file"
        raise ConfigError(key, str(value), f"a folder (it {what})" if existing == path
                          else f"a folder ({what})")
    try:
        shutil.rmtree(tempfile.mkdtemp(prefix=".write-test-", dir=existing))
        free = shutil.disk_usage(existing).free
    except OSError as err:
        raise ConfigError(key, str(value), f"a writable folder ({err.strerror or err})") from None
    if free < MIN_FREE_BYTES:
        raise ConfigError(key, str(value), f"a folder on a disk with free space ({free:,} bytes "
                          "free)")
    return path


def check_inside(key: str, value: str, folder: Path) -> None:
    """A subfolder setting (``hydra.output_subdir``, ``hydra.sweep.subdir``) must stay inside
    the output folder: Hydra writes there too."""
    if value in (None, "null") or not str(value).strip():
        return
    inside = (folder / str(value).strip("'\"")).resolve()
    if inside != folder and folder not in inside.parents:
        raise ConfigError(key, value, f"a folder name inside {folder} (no absolute path, no ..)")


PRESENTATION = "report.language"  # a setting that changes a brief's words, never a job's numbers


def default_sweep_dir(study: str, task: list[str]) -> str:
    """``results/sweeps/<study>``, plus the keys the command fixes (not the swept ones)."""
    fixed = sorted(o.input_line for o in parse_sweep(task)
                   if not o.is_sweep_override() and o.get_key_element() != "experiment"
                   and not o.get_key_element().startswith(PRESENTATION))
    name = re.sub(r"[^\w.=,+-]", "_", ",".join([study, *fixed]))
    if len(name) > 100:  # long commands: a readable start and a hash of the whole
        name = f"{name[:80]},{hashlib.sha256(name.encode()).hexdigest()[:12]}"
    return str(SWEEPS_DIR / name)


def _check_sweep_folder(folder: Path, jobs: list[list[str]]) -> None:
    """A sweep folder may hold finished jobs of the same command only (other levels are fine)."""
    from sim.study.sweep import read_marker

    if not folder.is_dir():
        return
    def keys_of(overrides):  # the language of a brief is not part of what a job computed
        keys = {o.lstrip("+~").split("=", 1)[0] for o in overrides}
        return {k for k in keys if not k.startswith(PRESENTATION)}

    keys = keys_of(jobs[0])
    for job_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        marker = read_marker(job_dir)
        if marker is None:
            continue
        theirs = keys_of(marker["overrides"])
        if theirs != keys:
            raise ConfigError("hydra.sweep.dir", str(folder),
                              f"a folder without jobs of another command (job {job_dir.name} "
                              f"set {', '.join(sorted(theirs ^ keys))} differently); choose a "
                              "new hydra.sweep.dir")


SLOW_CHECK = 200  # jobs from which the pre-flight says that it checks them (a few seconds)


def _plain_change(override, groups: set[str]) -> bool:
    """Whether Hydra applies ``override`` as a plain value after composing the config (a
    ``key=value`` of a primitive, not a config group choice, no ``+``/``~``)."""
    key = override.get_key_element()
    return (not override.is_add() and not override.is_force_add() and not override.is_delete()
            and override.package is None and "/" not in key and key not in groups
            and isinstance(override.value(), str | int | float | bool | type(None)))


def check_jobs(jobs: list[list[str]], compose, groups: set[str]) -> None:
    """``build_spec(compose(job))`` and the report's keys for every job, in order (the configs
    of ``job_configs``)."""
    from sim.study.checks import checked_spec

    for cfg in job_configs(jobs, compose, groups):
        checked_spec(cfg)
        check_report(cfg)


def job_configs(jobs: list[list[str]], compose, groups: set[str]):
    """The composed config of every job, in order (each valid until the next is asked for:
    jobs of one structure share one config object). Jobs that differ only in plain
    values (``policy.funding_m=10``, ``seed=3``) share one composition: the first such job
    is composed by Hydra, the others set their values on that config as Hydra sets them
    (``OmegaConf.update(..., merge=True)`` after composing; only values that exist already,
    never lists or mappings), so a 1,000-job sweep is checked in
    seconds rather than minutes (composing each job with Hydra would take minutes). A job any of
    whose values does not fit that way is composed by Hydra as it is."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    composed: dict[tuple, DictConfig] = {}
    for job in jobs:
        parsed = parser.parse_overrides(job)
        is_plain = [_plain_change(o, groups) for o in parsed]
        plain = [o for o, yes in zip(parsed, is_plain, strict=True) if yes]
        structure = (tuple(o.input_line for o, yes in zip(parsed, is_plain, strict=True) if not yes),
                     tuple(o.get_key_element() for o in plain))
        cfg = composed.get(structure)  # set in place: the jobs of a structure set the same keys
        if cfg is not None:
            try:
                for override in plain:
                    key = override.get_key_element()
                    now = OmegaConf.select(cfg, key, default=_ABSENT,
                                           throw_on_resolution_failure=False)
                    if now is _ABSENT or OmegaConf.is_config(now):  # only an existing value
                        raise KeyError(key)
                    OmegaConf.update(cfg, key, override.value(), merge=True)
            except Exception:  # noqa: BLE001 - Hydra itself composes it and says what is wrong
                cfg = composed.pop(structure)  # partly changed: not used again
                cfg = None
        if cfg is None:
            cfg = compose(job)
            composed[structure] = cfg
        yield cfg


_ABSENT = object()


def _check_option_files(head: DictConfig | None, jobs: list[list[str]], folders: list[Path],
                        groups: set[str], config_name: str = "config") -> None:
    """The primary config and every config group option a job chooses (``experiment=mine``,
    ``sector=dance``) are files of keys: a YAML list (or a bare value) would be dropped by
    Hydra without a word."""
    import yaml

    choices = {"--config-name": config_name}
    choices |= dict(OmegaConf.select(head, "hydra.runtime.choices") or {}) if head else {}
    for job in jobs:
        for line in job:
            key, _, value = line.lstrip("+~").partition("=")
            if key in groups:
                choices[key] = value
    for group, option in choices.items():
        if (group not in groups and group != "--config-name") or option in (None, "null"):
            continue
        for folder in folders:
            if group == "--config-name":
                path = folder / f"{option}.yaml"
            elif folder == CONFIG_DIR:
                path = group_folder(group) / f"{option}.yaml"
            else:
                path = folder / group / f"{option}.yaml"
            if path.is_file():
                try:
                    data = yaml.safe_load(path.read_text(encoding="utf-8"))
                except (OSError, yaml.YAMLError):
                    break  # Hydra's composition already said what is wrong with it
                if data is not None and not isinstance(data, dict):
                    kind = "a YAML list" if isinstance(data, list) else f"a {type(data).__name__}"
                    raise ConfigError(group, option, f"a config file of keys and values ({path} "
                                      f"is {kind}, which Hydra would silently ignore)")
                break


def _check_chdir(head: DictConfig) -> None:
    """``hydra.job.chdir`` is refused: jobs share the baseline cache and read relative paths
    from the folder the command starts in."""
    chdir = OmegaConf.select(head, "hydra.job.chdir", default=False)
    if chdir not in (False, None):
        raise ConfigError("hydra.job.chdir", chdir, "false: jobs run in the folder the command "
                          "was started from (they share its baseline cache, .cache/baseline, and "
                          "its relative paths); each job's results are written to its own "
                          "folder all the same")


def _own_sweep_dir(head: DictConfig) -> str | None:
    """``hydra.sweep.dir`` as a study (or a ``--config-name`` config) sets it, when it differs
    from the shipped default ``results/sweeps/${study}``: such a folder is honoured (the
    default folder would silently replace it)."""
    node = OmegaConf.select(head, "hydra.sweep")
    if not isinstance(node, DictConfig):
        return None
    raw = OmegaConf.to_container(node, resolve=False).get("dir")
    shipped = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "config.yaml"),
                                     resolve=False).get("hydra", {}).get("sweep", {}).get("dir")
    return None if raw is None or raw == shipped else str(_select(head, "hydra.sweep.dir"))


def _reusing(head: DictConfig, first: list[str], compose):
    """``compose`` for the jobs, except that the job whose overrides are exactly ``first`` gets
    a copy of ``head`` (composed from those overrides and the hydra.* ones) without its
    ``hydra`` node: what composing it again would give, in a fraction of the time (a single run
    is one such job)."""
    def compose_job(job: list[str]) -> DictConfig:
        if list(job) != list(first):
            return compose(job)
        cfg = copy.deepcopy(head)
        with open_dict(cfg):
            cfg.pop("hydra", None)
        return cfg
    return compose_job


def check_command(argv: list[str]) -> Command:
    """Check a whole ``python -m sim`` command; raises ConfigError on any bad input."""
    args = _parser().parse_args(argv)
    if any(getattr(args, flag, None) for flag in NO_RUN_FLAGS):
        return Command(argv=list(argv), multirun=False)  # prints something, runs nothing
    if args.experimental_rerun is not None:
        raise ConfigError("--experimental-rerun", args.experimental_rerun,
                          "nothing: run the same command again to resume a sweep")
    config_dir = None
    if args.config_dir is not None:
        config_dir = Path(args.config_dir).expanduser().resolve()
        if not config_dir.is_dir():
            raise ConfigError("--config-dir", args.config_dir, "an existing folder of configs")
    if args.config_path is not None:
        raise ConfigError("--config-path", args.config_path,
                          "nothing: use --config-dir to add a folder of configs")
    config_name = args.config_name or "config"
    folders = [f for f in (config_dir, CONFIG_DIR) if f is not None]
    if not any((f / f"{config_name}.yaml").is_file() for f in folders):
        names = sorted({p.stem for f in folders for p in f.glob("*.yaml")})
        raise ConfigError("--config-name", config_name, "one of " + ", ".join(names))
    groups = {p.name for f in folders for p in f.iterdir() if p.is_dir()} | set(config_groups())
    _check_option_files(None, [], folders, groups, config_name)  # before Hydra reads it
    hydra_overrides = [o for o in args.overrides if _is_hydra_override(o)]
    task = [o for o in args.overrides if not _is_hydra_override(o)]

    def compose(overrides: list[str], with_hydra: bool = False) -> DictConfig:
        return compose_config(overrides, with_hydra=with_hydra,
                              config_dir=None if config_dir is None else str(config_dir),
                              config_name=config_name)

    multirun, notes = bool(args.multirun), []
    # the flags Hydra will see, with the config folder as the pre-flight found it
    flags = ([f"--config-dir={config_dir}"] if config_dir is not None else []) + (
        [f"--config-name={config_name}"] if args.config_name is not None else [])
    first = [_first_value(o) for o in parse_sweep(task)]
    head = compose(first + hydra_overrides, with_hydra=True)
    params = sweep_params(head)
    if params and not multirun:
        study = head.get("experiment")
        notes.append(f"note: {study} is a study (it sweeps {', '.join(params)}): running it as a "
                     "sweep, as with -m")
        multirun = True
    argv = (["-m"] if multirun else []) + flags + list(args.overrides)
    jobs = expand_jobs(task, params) if multirun else [task]
    if len(jobs) > SLOW_CHECK:  # said now: the check takes a few seconds
        print(f"note: checking every one of the {len(jobs):,} jobs before the first starts",
              file=sys.stderr, flush=True)
    # every value of every job, before the first starts; the head is reused for its job unless
    # a hydra.* override changes what the jobs compose from (hydra.searchpath): then every job
    # is composed alike, as before, whatever its place in the sweep
    searchpath = any(o.lstrip("+~").startswith("hydra.searchpath") for o in hydra_overrides)
    check_jobs(jobs, compose if searchpath else _reusing(head, first, compose), groups)
    _check_option_files(head, jobs, folders, groups, config_name)
    _check_chdir(head)
    given = dict(o.lstrip("+~").partition("=")[::2] for o in hydra_overrides)
    if not multirun:
        output = check_output_folder("hydra.run.dir", _select(head, "hydra.run.dir"))
        check_inside("hydra.output_subdir", given.get("hydra.output_subdir"), output)
        return Command(argv=argv, multirun=False, jobs=jobs, output_dir=output, notes=notes)
    own = _own_sweep_dir(head)
    if own is not None and not any(o.lstrip("+~").startswith("hydra.sweep.dir=")
                                   for o in hydra_overrides):
        notes.append(f"note: sweeping into {own}, the folder the config sets (hydra.sweep.dir)")
    elif not any(o.lstrip("+~").startswith("hydra.sweep.dir=") for o in hydra_overrides):
        folder = format_override("hydra.sweep.dir", default_sweep_dir(str(head.get("experiment")), task))
        argv.append(folder)
        head = compose(first + hydra_overrides + [folder], with_hydra=True)
    output = check_output_folder("hydra.sweep.dir", _select(head, "hydra.sweep.dir"))
    check_inside("hydra.sweep.subdir", given.get("hydra.sweep.subdir"), output)
    check_inside("hydra.output_subdir", given.get("hydra.output_subdir"), output)
    _check_sweep_folder(output, jobs)
    return Command(argv=argv, multirun=True, jobs=jobs, output_dir=output, notes=notes)


def preflight(argv: list[str]) -> list[str]:
    """``check_command`` for the command line: prints one ``error:`` line and exits 2 on bad
    input; returns the argv Hydra should run."""
    try:
        command = check_command(argv)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    for note in command.notes:
        print(note, file=sys.stderr)
    return command.argv
