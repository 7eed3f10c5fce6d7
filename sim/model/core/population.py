"""Agent state as columns: one numpy array per attribute, one row per freelancer in the sector.

Where it sits: owned by the model; every phase of the monthly step reads and writes these
arrays in bulk. Rows hold agents who are (or, until the next compaction, were) active; a
``uid`` never changes and keys the random streams, so an agent keeps its luck whatever row it
occupies. Careers that ended are summarised in the ``registry`` (indexed by uid), which the
outcome tables read.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.jit import kernel

NO_MONTH = -(2**30)  # "never" for month-valued columns
MAX_UIDS = 2**44  # agents ever in one run: the random counters hold uid << 20 | month in 64 bits
LAST_12_MONTHS = np.uint64(0xFFF)  # the last 12 months of a history column (bit 0 = this month)

# name -> (dtype, fill value for new rows, meaning). The single list of per-agent state.
COLUMNS: dict[str, tuple[type, object, str]] = {
    "uid": (np.int64, -1, "stable agent id (keys the random streams)"),
    "active": (np.bool_, True, "in the sector (false after exit, until compaction)"),
    "female": (np.bool_, False, "sex (fertility follows the woman's age in a couple)"),
    "age_months": (np.int32, 0, "age in months"),
    "entry_month": (np.int32, 0, "month of entry into the sector (model months)"),
    "tenure_months": (np.int32, 0, "months in the profession (experience)"),
    "qualifying_months": (np.int32, 0, "engaged months in the profession (qualifying time)"),
    "skill": (np.float64, 0.0, "skill in SD units (talent + learning by doing)"),
    "network": (np.float64, 0.0, "professional contacts (count)"),
    "log_fee": (np.float64, 0.0, "log of the permanent pay level per engaged month"),
    "side_base": (np.float64, 0.0, "side income in an idle month"),
    "insured": (np.bool_, False, "insured for and claiming unemployment benefit"),
    "buffer": (np.float64, 0.0, "savings buffer (currency)"),
    "engaged": (np.bool_, False, "has an outside engagement this month"),
    "idle_streak": (np.int32, 0, "consecutive months without engagement"),
    "engaged_bits": (np.uint64, 0, "engagement history, bit 0 = this month"),
    "engaged_bits_2": (np.uint64, 0, "engagement history, months 64-127 ago"),
    "engaged_bits_3": (np.uint64, 0, "engagement history, months 128-191 ago"),
    "leave_bits": (np.uint64, 0, "history of months on sick leave, bit 0 = this month"),
    "drop_bits": (np.uint64, 0, "history of income drops of 25% or more"),
    # set by the household phase and for entrants (sim.model.core.context.is_precarious)
    "precarious": (np.bool_, True, "economically insecure as of the latest household phase"),
    "income": (np.float64, 0.0, "earned income this month (fees + side + alliance salary)"),
    "fees": (np.float64, 0.0, "outside engagement pay this month"),
    "recent_income": (np.float64, 0.0, "12-month moving average of earned income"),
    "recent_fees": (np.float64, 0.0, "12-month moving average of fees"),
    "partnered": (np.bool_, False, "has a partner"),
    "children": (np.int16, 0, "children born while in the sector or before"),
    "last_birth_month": (np.int32, NO_MONTH, "month of the latest birth"),
    "sick_months_left": (np.int16, 0, "months of the current health episode still to run"),
    "parental_months_left": (np.int16, 0, "months of parental leave still to run"),
    "parental_benefit": (np.float64, 0.0, "monthly parental benefit of the current leave"),
    "earning_bits": (np.uint64, 0, "history of months with income of at least "
                     "country.parental_income_threshold, bit 0 = this month"),
    "member": (np.bool_, False, "employed by the alliance"),
    "member_since": (np.int32, NO_MONTH, "month of admission"),
    "paid_months": (np.int32, 0, "months of alliance salary received (time account)"),
    "trained_month": (np.int32, NO_MONTH, "month of the latest open training"),
    # policy modifiers: written by the policy (sim/model/policy), applied by the core to whatever
    # the rules return (sim/model/core/decisions.py); neutral without a policy
    "exit_hr": (np.float64, 1.0, "multiplier of the exit hazard (not of physical wear)"),
    "birth_hr": (np.float64, 1.0, "multiplier of the birth probability"),
    "onset_hr": (np.float64, 1.0, "multiplier of the onset probability of health episodes"),
    "engagement_boost": (np.float64, 0.0, "log-odds added to the odds of an engagement"),
    "year_income_sum": (np.float64, 0.0, "this calendar year: sum of monthly earned income"),
    "year_income_sq": (np.float64, 0.0, "this calendar year: sum of squared monthly income"),
    "year_months": (np.int16, 0, "this calendar year: active months"),
    "year_fees": (np.float64, 0.0, "this calendar year: arts fees"),
}

# Per-uid career summary kept after exit. name -> (dtype, fill)
REGISTRY: dict[str, tuple[type, object]] = {
    "entry_month": (np.int32, 0),
    "exit_month": (np.int32, NO_MONTH),
    "exit_reason": (np.int8, 0),
    "female": (np.bool_, False),
    "first_birth_age_months": (np.int32, -1),
    "children": (np.int16, 0),
    "age_at_exit_months": (np.int32, -1),
}

EXIT_REASONS = {0: "active", 1: "left", 2: "physical", 3: "retired"}


def check_rows(values: np.ndarray, rows: int, source: str) -> None:
    """A rule's output must have one value per agent row (kernels do not check bounds)."""
    # an array's own shape first: np.shape costs a function call, and this runs nine times a month
    shape = values.shape if isinstance(values, np.ndarray) else np.shape(values)
    if shape != (rows,):
        raise ValueError(f"{source} returned shape {np.shape(values)}; expected ({rows},), "
                         "one value per agent row")


class Population:
    """Columns of the agents currently in the sector plus the registry of everyone ever."""

    def __init__(self) -> None:
        for name, (dtype, _, _) in COLUMNS.items():
            setattr(self, name, np.empty(0, dtype=dtype))
        self.registry = {name: np.empty(0, dtype=dtype) for name, (dtype, _) in REGISTRY.items()}
        self.next_uid = 0
        self.row_of_uid = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.uid)

    @property
    def n_ever(self) -> int:
        return self.next_uid

    def add(self, n: int, **values: np.ndarray) -> np.ndarray:
        """Append ``n`` new agents; columns not given take their fill value. Returns new uids."""
        if self.next_uid + n > MAX_UIDS:
            raise ValueError(f"more than {MAX_UIDS:,} agents ever: the random streams' counters "
                             "hold 44 bits of uid (sim/model/core/rng.py); use a larger "
                             "population.scale or a shorter run")
        uids = np.arange(self.next_uid, self.next_uid + n, dtype=np.int64)
        values["uid"] = uids
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        for name, (_, fill, _) in COLUMNS.items():
            setattr(self, name, _appended(getattr(self, name), n, values.get(name, fill)))
        for name, (_, fill) in REGISTRY.items():
            value = values.get(name, fill) if name in ("entry_month", "female") else fill
            self.registry[name] = _appended(self.registry[name], n, value)
        self.row_of_uid = np.concatenate([self.row_of_uid,
                                          np.arange(len(self) - n, len(self), dtype=np.int64)])
        self.next_uid += n
        return uids

    def record_exits(self, leave: np.ndarray, reason: np.ndarray, month: int,
                     retirement_months: int) -> tuple[dict[str, float], np.ndarray]:
        """Active rows in ``leave`` leave the sector in ``month`` for ``reason`` (EXIT_REASONS):
        they become inactive, stop being members and get their career summary. Returns counts
        for the recorder (exits, and the memberships that ended: by leaving, by retiring, and
        their total length in months) and, for each leaver who does not retire, the month in
        which they reach ``retirement_months`` of age."""
        reg = self.registry
        exits, left, retired, member_months, retire_at = _record_exits(
            leave, reason, self.active, self.member, self.member_since, self.uid, self.children,
            self.age_months, reg["exit_month"], reg["exit_reason"], reg["children"],
            reg["age_at_exit_months"], month, retirement_months)
        counts = {"exits": exits, "member_exits": left + retired, "ends_left_sector": left,
                  "ends_retirement": retired, "membership_months_ended": member_months}
        return counts, retire_at

    def age_one_month(self) -> None:
        """Phase ``age``: the active grow a month older and more experienced; episodes run on."""
        _age_one_month(self.active, self.age_months, self.tenure_months, self.sick_months_left,
                       self.parental_months_left)

    def compact(self, min_inactive_share: float = 0.08) -> bool:
        """Drop rows of agents who left once they are at least ``min_inactive_share`` of rows.

        Every phase pays for the rows of those who left until they are dropped, and a compaction
        copies every column: with about 1.3% of rows leaving a month, dropping at 8% minimises
        the sum (sqrt(2 x copy cost x exit rate / step cost) is about 8% on the benchmark machine).
        """
        n = len(self)
        inactive = n - int(np.count_nonzero(self.active))
        if n == 0 or inactive < min_inactive_share * n:
            return False
        keep = np.flatnonzero(self.active)  # an index: taking by it is faster than a mask
        for name in COLUMNS:
            setattr(self, name, getattr(self, name).take(keep))
        self.row_of_uid[:] = -1
        self.row_of_uid[self.uid] = np.arange(len(self), dtype=np.int64)
        return True

    def copy(self) -> Population:
        clone = Population.__new__(Population)
        for name in COLUMNS:
            setattr(clone, name, getattr(self, name).copy())
        clone.registry = {k: v.copy() for k, v in self.registry.items()}
        clone.next_uid = self.next_uid
        clone.row_of_uid = self.row_of_uid.copy()
        return clone

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Every array of the state under ``prefix``-ed names (for a data-only file)."""
        out = {f"{prefix}col.{name}": getattr(self, name) for name in COLUMNS}
        out.update({f"{prefix}reg.{name}": values for name, values in self.registry.items()})
        out[f"{prefix}next_uid"] = np.array(self.next_uid, dtype=np.int64)
        out[f"{prefix}row_of_uid"] = self.row_of_uid
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "") -> Population:
        """The inverse of ``to_arrays`` (copies); KeyError or ValueError if anything is off."""
        pop = cls.__new__(cls)
        for name, (dtype, _, _) in COLUMNS.items():
            setattr(pop, name, exact_array(arrays, f"{prefix}col.{name}", dtype, 1))
        pop.registry = {name: exact_array(arrays, f"{prefix}reg.{name}", dtype, 1)
                        for name, (dtype, _) in REGISTRY.items()}
        pop.next_uid = int(exact_array(arrays, f"{prefix}next_uid", np.int64, 0))
        pop.row_of_uid = exact_array(arrays, f"{prefix}row_of_uid", np.int64, 1)
        per_uid = {v.size for v in (pop.row_of_uid, *pop.registry.values())}
        per_row = {getattr(pop, name).size for name in COLUMNS}
        if per_uid != {pop.next_uid} or len(per_row) != 1:
            raise ValueError(f"population arrays {prefix}* differ in length")
        return pop

    def row(self, uid: int) -> int:
        """Row of an agent currently held in the columns, or -1."""
        return int(self.row_of_uid[uid]) if 0 <= uid < self.next_uid else -1

    def nbytes(self) -> int:
        cols = sum(getattr(self, name).nbytes for name in COLUMNS)
        return cols + sum(v.nbytes for v in self.registry.values()) + self.row_of_uid.nbytes


def exact_array(arrays, name: str, dtype, ndim: int) -> np.ndarray:
    """A copy of ``arrays[name]``, which must have exactly ``dtype`` and ``ndim`` dimensions
    (for state read back from a file: a wrong type fails here, not inside a kernel)."""
    values = arrays[name]
    if values.dtype != np.dtype(dtype) or values.ndim != ndim:
        raise ValueError(f"{name}: {values.dtype}[{values.ndim}d], expected {np.dtype(dtype)}[{ndim}d]")
    return np.array(values)


def _appended(column: np.ndarray, n: int, values) -> np.ndarray:
    """A copy of ``column`` with ``n`` more rows set to ``values`` (an array or one value)."""
    out = np.empty(column.size + n, dtype=column.dtype)
    out[: column.size] = column
    out[column.size:] = values
    return out


@kernel
def _record_exits(leave, reason, active, member, member_since, uid, children, age_months, exit_month,
                  exit_reason, exit_children, age_at_exit, month, retirement_months):
    exits = member_left = member_retired = working = 0
    member_months = 0.0
    retire_at = np.empty(leave.size, dtype=np.int64)
    for i in range(leave.size):
        if not (leave[i] and active[i]):
            continue
        exits += 1
        if member[i]:
            member_retired += reason[i] == 3
            member_left += reason[i] != 3
            member_months += month + 1 - member_since[i]
            member_since[i] = NO_MONTH
        active[i] = member[i] = False
        u = uid[i]
        exit_month[u], exit_reason[u] = month, reason[i]
        exit_children[u], age_at_exit[u] = children[i], age_months[i]
        if reason[i] != 3:
            retire_at[working] = month + 1 + (retirement_months - age_months[i])
            working += 1
    return exits, member_left, member_retired, member_months, retire_at[:working]


@kernel
def _age_one_month(active, age_months, tenure_months, sick_months_left, parental_months_left):
    for i in range(active.size):
        if active[i]:
            age_months[i] += 1
            tenure_months[i] += 1
        if sick_months_left[i] > 0:
            sick_months_left[i] -= 1
        if parental_months_left[i] > 0:
            parental_months_left[i] -= 1
