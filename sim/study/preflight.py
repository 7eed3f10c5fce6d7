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

import hashlib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.model.core.params import ConfigError
from sim.study.config import CONFIG_DIR, build_spec, compose_config, format_override

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


def expand_jobs(task: list[str], params: dict | None) -> list[list[str]]:
    """The job overrides of a sweep, in Hydra's order: the study's sweep parameters first, the
    command line winning for the same key, then the product of all sweeps."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    lines = [f"{k}={v}" for k, v in (params or {}).items()] + list(task)
    parsed = parse_sweep(lines)
    for override in parsed:
        if override.is_sweep_override() and not override.is_discrete_sweep():
            raise ConfigError(override.get_key_element(), override.input_line,
                              "a list (a,b,c) or range(start,stop,step) sweep")
    for override in parsed:
        _first_value(override)  # every sweep has values: range(0,20,0) is refused here
    return BasicSweeper.split_arguments(parsed, None)[0]


def _first_value(override) -> str:
    """``key=value`` with the first value of a sweep (the override itself otherwise)."""
    if not override.is_sweep_override():
        return override.input_line
    try:
        values = list(override.sweep_string_iterator())
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
    return dict(OmegaConf.to_container(params)) if isinstance(params, DictConfig) else {}


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
                   if not o.is_sweep_override() and o.get_key_element() != "study"
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
        study = head.get("study")
        notes.append(f"note: {study} is a study (it sweeps {', '.join(params)}): running it as a "
                     "sweep, as with -m")
        multirun = True
    argv = (["-m"] if multirun else []) + flags + list(args.overrides)
    jobs = expand_jobs(task, params) if multirun else [task]
    for job in jobs:  # every value of every job, before the first job starts
        build_spec(compose(job))
    given = dict(o.lstrip("+~").partition("=")[::2] for o in hydra_overrides)
    if not multirun:
        output = check_output_folder("hydra.run.dir", _select(head, "hydra.run.dir"))
        check_inside("hydra.output_subdir", given.get("hydra.output_subdir"), output)
        return Command(argv=argv, multirun=False, jobs=jobs, output_dir=output, notes=notes)
    if not any(o.lstrip("+~").startswith("hydra.sweep.dir=") for o in hydra_overrides):
        folder = format_override("hydra.sweep.dir", default_sweep_dir(str(head.get("study")), task))
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
