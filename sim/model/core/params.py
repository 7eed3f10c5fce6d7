"""Typed, validated parameter blocks.

Where it sits: before any simulation. Every config node that builds an object (``_target_``)
names a frozen dataclass declared with :func:`param`; the field's metadata carries the unit,
the allowed range and a one-line meaning. Values (the defaults) live only in the YAML files
under ``configs/``; this module holds no default values, so a default exists in exactly one
place. :func:`check_params` turns any violation into one :class:`ConfigError` that names the
dotted key, the offending value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from typing import Any


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type or out of range."""

    def __init__(self, key: str, value: Any, allowed: str):
        # every refusal says what is allowed (an empty text would end the line in "allowed:")
        allowed = " ".join(str(allowed).split()) or "see python -m sim --help"
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"invalid config: {key}={shown(value)}; allowed: {allowed}")


def shown(value: Any) -> str:
    """``repr(value)`` for a message: one line, and a whole number too long to read (or to
    convert to a float: ``10**400``) by its first digits and its number of digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[:6]}... ({len(digits)} digits)"
    text = repr(value)
    if "\n" in text or len(text) > 200:
        text = " ".join(text.split())
        text = text if len(text) <= 200 else text[:197] + "..."
    return text


def plain_number(value: float) -> str:
    """A limit as people write it: ``2,147,483,647``, ``10,000,000``, ``100000``, ``0.001``
    (never ``2.14748e+09``); numbers below a million read as before."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        whole = int(value)
        return f"{whole:,}" if abs(whole) >= 10**6 else str(whole)
    text = f"{value:g}"
    if "e" in text:  # a tiny or huge fraction: written out, without trailing zeros
        text = f"{value:.15f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:,.2f}"
    return text


def param(unit: str, lo: float | None = None, hi: float | None = None, doc: str = "",
          lo_open: bool = False, choices: tuple | None = None, hi_open: bool = False) -> Any:
    """Declare a parameter field: unit and range [lo, hi] (``lo_open``/``hi_open`` exclude ends)."""
    return dataclasses.field(metadata={"unit": unit, "lo": lo, "hi": hi, "doc": doc,
                                       "lo_open": lo_open, "hi_open": hi_open,
                                       "choices": choices})


def describe_range(meta: dict) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(map(str, meta["choices"]))
    lo, hi = meta.get("lo"), meta.get("hi")
    left = "(" if meta.get("lo_open") else "["
    lo_s = "-inf" if lo is None else plain_number(lo)
    hi_s = "inf" if hi is None else plain_number(hi)
    right = ")" if meta.get("hi_open") or hi is None else "]"
    return f"a number in {left}{lo_s}, {hi_s}{right}"


def describe_allowed(annotation: Any, meta: dict) -> str:
    """What a field accepts, in words (for messages and the parameter tables)."""
    types_ = _base_types(annotation)
    nullable = " or null" if type(None) in types_ else ""
    if bool in types_:
        return "true or false" + nullable
    if str in types_:
        return (describe_range(meta) if meta.get("choices") else "a string") + nullable
    if list in types_ or dict in types_:
        return ("a list" if list in types_ else "a mapping") + nullable
    return describe_range(meta) + nullable


def _base_types(annotation: Any) -> tuple[type, ...]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return tuple(t for a in typing.get_args(annotation) for t in _base_types(a))
    if annotation is None or annotation is type(None):
        return (type(None),)
    return (origin or annotation,)


def coerce_value(key: str, value: Any, annotation: Any, meta: dict) -> Any:
    """Check one value's type and range; ints are accepted where floats are expected."""
    allowed = _base_types(annotation)
    if value is None:
        if type(None) in allowed:
            return None
        kind = ("true or false" if bool in allowed else "a string" if str in allowed
                else describe_range(meta))
        raise ConfigError(key, value, kind + " (not null)")
    if isinstance(value, bool) and bool not in allowed:
        raise ConfigError(key, value, describe_range(meta))
    if bool in allowed and not isinstance(value, bool):
        raise ConfigError(key, value, "true or false")
    if str in allowed:
        if not isinstance(value, str):
            raise ConfigError(key, value, "a string")
        if meta.get("choices") and value not in meta["choices"]:
            raise ConfigError(key, value, describe_range(meta))
        return value
    if int in allowed and float not in allowed:
        if not isinstance(value, int) or isinstance(value, bool):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ConfigError(key, value, "an integer, " + describe_range(meta))
    elif float in allowed:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(key, value, describe_range(meta))
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float (10**400): not a finite number
            raise ConfigError(key, value, describe_range(meta) + " (finite)") from None
        if not math.isfinite(value):
            raise ConfigError(key, value, describe_range(meta) + " (finite)")
    lo, hi = meta.get("lo"), meta.get("hi")
    if isinstance(value, int | float):
        too_low = lo is not None and (value <= lo if meta.get("lo_open") else value < lo)
        too_high = hi is not None and (value >= hi if meta.get("hi_open") else value > hi)
        if too_low or too_high:
            raise ConfigError(key, value, describe_range(meta))
    return value


SEED = {"unit": "-", "lo": 0, "hi": 2**31 - 1, "doc": "seed of a run's random streams"}


def check_seed(seed: Any, key: str = "seed", meta: dict | None = None) -> int:
    """A seed as the command line accepts it: a whole number in [0, 2,147,483,647] (numpy
    integers too); anything else raises ``ConfigError`` naming ``key``."""
    if hasattr(seed, "dtype") and getattr(seed, "shape", None) == ():  # a numpy scalar
        seed = seed.item()
    return coerce_value(key, seed, int, SEED if meta is None else meta)


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """The fields' annotations of a parameter class (resolved once: a Sobol design builds
    thousands of specs)."""
    return typing.get_type_hints(cls)


def check_params(cls: type, values: dict[str, Any], path: str) -> Any:
    """Build ``cls`` from ``values`` after checking keys, types and ranges.

    ``path`` is the config node of the values (``""`` for top-level keys)."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    hints = _type_hints(cls)
    for key in values:
        if key not in fields:
            raise ConfigError(f"{prefix}{key}", values[key],
                              f"a known key of {path or 'the config'}: " + ", ".join(sorted(fields)))
    missing = [name for name in fields if name not in values]
    if missing:
        raise ConfigError(f"{prefix}{missing[0]}", None, "a value (the key is required)")
    clean = {name: coerce_value(f"{prefix}{name}", values[name], hints[name], fields[name].metadata)
             for name in fields}
    obj = cls(**clean)
    check = getattr(obj, "check", None)
    if check is not None:
        check(path)
    return obj
