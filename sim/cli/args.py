"""One argument style for every command: ``key=value``, as ``python -m sim`` takes its overrides.

Where it sits: the first step of ``sim.validate``, ``sim.calibrate`` and ``sim.aggregate``.
Their argparse options keep working (``--seeds 6``), and the same options may be written the
way the main command takes its settings (``seeds=6``, ``cases=teateralliansen,skuda``,
``no_charts=true``). A ``key=value`` whose key is not one of the command's options is handed
to ``model_option`` (``--override`` in ``sim.validate``) when the command has one, where the
model's own checks name an unknown key and suggest the nearest, so
``python -m sim.validate seeds=4 policy.funding_m=60`` reads like ``python -m sim``.
"""

from __future__ import annotations

import argparse
import re
import sys

_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.-]*)=(.*)$", re.DOTALL)


def normalise(parser: argparse.ArgumentParser, argv: list[str],
              model_option: str | None = None) -> list[str]:
    """``argv`` with ``key=value`` tokens turned into the parser's own ``--key value`` form.
    The parser's own errors (``--seeds nan``) become one ``error:`` line and exit 2, as the
    main command's."""
    one_line_errors(parser)
    options, positional = {}, set()
    for action in parser._actions:
        if not action.option_strings and action.dest != "help":
            positional.add(action.dest)
        for flag in action.option_strings:
            if flag.startswith("--"):
                options[flag[2:].replace("-", "_")] = (flag, action)
    by_flag = {flag: action for flag, action in options.values()}
    out, model = [], []
    verbatim = 0  # tokens still owed to the last --option (its values stay as written)
    for token in argv:
        if token.startswith("-"):
            action = by_flag.get(token.split("=", 1)[0])
            verbatim = 0
            if action is not None and "=" not in token:
                verbatim = -1 if action.nargs in ("+", "*") else (0 if action.nargs == 0 else 1)
            out.append(token)
            continue
        match = None if verbatim else _KEY_VALUE.match(token)
        if verbatim > 0:
            verbatim -= 1
        if match is None:
            out.append(token)
            continue
        key, value = match.group(1).replace("-", "_"), match.group(2)
        if key in positional:
            out.append(value)
        elif key in options:
            flag, action = options[key]
            if action.nargs == 0:  # a switch: key=true turns it on
                if value.lower() in ("true", "1", "yes"):
                    out.append(flag)
                elif value.lower() not in ("false", "0", "no"):
                    parser.error(f"{key}={value}: allowed: true or false")
            elif action.nargs in ("+", "*"):
                out += [flag, *[v for v in value.strip("[]").split(",") if v]]
            else:
                out += [flag, value]
        elif model_option is not None:  # a model key: checked (with suggestions) by the model
            model.append(token)
        else:
            known = ", ".join(sorted({*options, *positional} - {"help"}))
            parser.error(f"unknown setting {key}={value}; allowed: {known}")
    if model:
        out += [model_option, *model]
    return out


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` answer a bad argument with one ``error:`` line (no usage block), exit 2."""
    def error(message: str):
        print(f"error: {' '.join(message.split())} (see {parser.prog} --help)", file=sys.stderr)
        sys.exit(2)

    parser.error = error
