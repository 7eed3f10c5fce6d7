"""Agent state as columns: one numpy array per attribute, one row per freelancer in the sector.

Where it sits: owned by the model; every phase of the monthly step reads and writes these
arrays in bulk. Rows hold agents who are (or, until the next compaction, were) active; a
``uid`` never changes and keys the random streams, so an agent keeps its luck whatever row it
occupies. Careers that ended are summarised in the ``registry`` (indexed by uid), which the
outcome tables read.

A batch of runs (``sim.run_many``) holds G runs in one population, one *group* of rows each:
the uid of a run's k-th agent is ``k x G + group``, so uids stay unique and a run's registry is
every G-th entry (``group_registry``). Rows stay sorted by group, in each group in the order a
single run would hold them (``bounds`` gives each group's rows), so sums over a group's rows
add the same numbers in the same order as the run alone does.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.jit import kernel

NO_MONTH = -(2**30)  # "never" for month-valued columns
MAX_UIDS = 2**44  # agents ever in one run: the random counters hold uid << 20 | month in 64 bits
LAST_12_MONTHS = np.uint64(0xFFF)  # the last 12 months of a history column (bit 0 = this month)

# name -> (dtype, fill value for new rows, meaning). The core's per-agent state; a policy
# declares its own columns (``Policy.COLUMNS``), which its arm's population adds
# (``AgentColumns.add_columns``): the baseline arm holds the core's alone.
COLUMNS: dict[str, tuple[type, object, str]] = {
    "uid": (np.int64, -1, "stable agent id (keys the random streams)"),
    "group": (np.int32, 0, "run of a batch the row belongs to (uid % groups; 0 in a single run)"),
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
    "income": (np.float64, 0.0, "earned income this month (fees + side + the policy's salary)"),
    "fees": (np.float64, 0.0, "outside engagement pay this month"),
    "recent_income": (np.float64, 0.0, "12-month moving average of earned income"),
    "recent_fees": (np.float64, 0.0, "12-month moving average of fees"),
    "partnered": (np.bool_, False, "has a partner"),
    "children": (np.int16, 0, "children born while in the sector or before"),
    "last_birth_month": (np.int32, NO_MONTH, "month of the latest birth"),
    "sick_months_left": (np.int16, 0, "months of the current health episode still to run"),
    "spell_months": (np.int16, 0, "length of the current or latest health episode (months); "
                     "its first month is the one where sick_months_left equals it"),
    "parental_months_left": (np.int16, 0, "months of parental leave still to run"),
    "parental_benefit": (np.float64, 0.0, "monthly parental benefit of the current leave"),
    "earning_bits": (np.uint64, 0, "history of months with income of at least "
                     "country.parental_income_threshold, bit 0 = this month"),
    # policy modifiers: written by the policy (sim/model/policy), applied by the core to whatever
    # the rules return (sim/model/core/decisions.py); neutral without a policy
    "exit_hr": (np.float64, 1.0, "multiplier of the exit hazard (not of physical wear)"),
    "birth_hr": (np.float64, 1.0, "multiplier of the birth probability"),
    "onset_hr": (np.float64, 1.0, "multiplier of the onset probability of health episodes"),
    "insecurity_share": (np.float64, 1.0, "share of the health penalty of precarity that the row "
                         "bears (a policy's income security lowers it)"),
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


class AgentColumns:
    """Columns of the agents currently in the sector plus the registry of everyone ever
    (of ``groups`` runs in a batch; one by default). ``columns`` is this population's table:
    the core's ``COLUMNS`` plus those of the policy its arm runs (``add_columns``)."""

    def __init__(self, groups: int = 1, columns: dict | None = None) -> None:
        self.columns = dict(COLUMNS if columns is None else columns)
        for name, (dtype, _, _) in self.columns.items():
            setattr(self, name, np.empty(0, dtype=dtype))
        self.registry = {name: np.empty(0, dtype=dtype) for name, (dtype, _) in REGISTRY.items()}
        self.groups = int(groups)
        self.next_uid = 0  # agents ever per group (the next local uid)
        self.row_of_uid = np.empty(0, dtype=np.int64)
        self._bounds: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.uid)

    def add_columns(self, columns: dict) -> None:
        """Add the columns of ``columns`` (name -> (dtype, fill, meaning)) this population does
        not hold yet, every row at its fill value (a policy's columns, when its arm forks from
        the shared burn-in)."""
        for name, (dtype, fill, meaning) in columns.items():
            if name in self.columns:
                continue
            if hasattr(self, name):
                raise ValueError(f"column {name!r} would hide an attribute of the population")
            self.columns[name] = (dtype, fill, meaning)
            setattr(self, name, np.full(len(self), fill, dtype=dtype))

    @property
    def n_ever(self) -> int:
        """Uids ever given (in every group)."""
        return self.next_uid * self.groups

    @property
    def bounds(self) -> np.ndarray:
        """Rows of group g: ``bounds[g]`` to ``bounds[g + 1]`` (G + 1 offsets)."""
        if self._bounds is None:
            self._bounds = np.searchsorted(self.group, np.arange(self.groups + 1)).astype(np.int64)
        return self._bounds

    @property
    def run_numbers(self) -> np.ndarray:
        """The run (``group``) of each span of ``bounds``: here 0 .. G - 1. Index per-run values
        (``ctx.runs.values``) by it in code that loops over ``bounds``, so that the code also
        serves one run's rows (``GroupRows``, whose one span is its run)."""
        return np.arange(self.groups)

    def next_uids(self, n: int) -> np.ndarray:
        """The uids ``add(n)`` will give, group by group."""
        local = np.arange(self.next_uid, self.next_uid + n, dtype=np.int64)
        if self.groups == 1:
            return local
        return (local[None, :] * self.groups + np.arange(self.groups, dtype=np.int64)[:, None]).ravel()

    def add(self, n: int, **values: np.ndarray) -> np.ndarray:
        """Add ``n`` new agents to every group; columns not given take their fill value (arrays
        have ``n x groups`` values, group by group). Returns the new agents' rows, group by
        group (in a single run: the last ``n`` rows)."""
        if self.next_uid + n > MAX_UIDS:
            raise ValueError(f"more than {MAX_UIDS:,} agents ever: the random streams' counters "
                             "hold 44 bits of uid (sim/model/core/rng.py); use a larger "
                             "population.scale or a shorter run")
        g = self.groups
        uids = self.next_uids(n)
        values["uid"] = uids
        values["group"] = np.repeat(np.arange(g, dtype=np.int32), n)
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        old = len(self)
        for name, (_, fill, _) in self.columns.items():
            setattr(self, name, _appended(getattr(self, name), n * g, values.get(name, fill)))
        for name, (_, fill) in REGISTRY.items():
            value = values.get(name, fill) if name in ("entry_month", "female") else fill
            column = _appended(self.registry[name], n * g, fill)
            column[uids] = value  # uids ever are 0 .. (next_uid + n) x G - 1
            self.registry[name] = column
        self.row_of_uid = np.concatenate([self.row_of_uid, np.empty(n * g, dtype=np.int64)])
        rows = np.arange(old, old + n * g, dtype=np.int64)
        if g > 1:  # keep rows sorted by group: each group's old rows, then its new ones
            order = np.argsort(self.group, kind="stable")
            for name in self.columns:
                setattr(self, name, getattr(self, name).take(order))
            rows = np.flatnonzero(order >= old)
        self.row_of_uid[self.uid] = np.arange(len(self), dtype=np.int64)
        self.next_uid += n
        self._bounds = None
        return rows

    def record_exits(self, leave: np.ndarray, reason: np.ndarray, month: int,
                     retirement_months: int) -> tuple[dict[str, np.ndarray], np.ndarray,
                                                      np.ndarray, np.ndarray]:
        """Active rows in ``leave`` leave the sector in ``month`` for ``reason`` (EXIT_REASONS):
        they become inactive and get their career summary. Returns the exits for the recorder,
        one count per run of a batch; for each leaver who does not retire, the month in which
        they reach ``retirement_months`` of age and their run; and the rows of all who left (in
        row order, for the policy's ``on_exits``)."""
        reg = self.registry
        counts, retire_at, runs, rows = _record_exits(
            leave, reason, self.active, self.uid, self.children,
            self.age_months, reg["exit_month"], reg["exit_reason"], reg["children"],
            reg["age_at_exit_months"], month, retirement_months, self.bounds,
            np.empty(self.groups))
        return {"exits": counts}, retire_at, runs, rows

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
        for name in self.columns:
            setattr(self, name, getattr(self, name).take(keep))
        self.row_of_uid[:] = -1
        self.row_of_uid[self.uid] = np.arange(len(self), dtype=np.int64)
        self._bounds = None
        return True

    def copy(self) -> AgentColumns:
        clone = AgentColumns.__new__(AgentColumns)
        clone.columns = dict(self.columns)
        for name in self.columns:
            setattr(clone, name, getattr(self, name).copy())
        clone.registry = {k: v.copy() for k, v in self.registry.items()}
        clone.groups, clone.next_uid, clone._bounds = self.groups, self.next_uid, None
        clone.row_of_uid = self.row_of_uid.copy()
        return clone

    def split(self, group: int) -> AgentColumns:
        """Group ``group`` as the population of a run of its own (copies): what a single run
        of its seed holds, but for rows of agents who left that a compaction has not dropped
        yet (nothing reads them)."""
        start, end = self.bounds[group], self.bounds[group + 1]
        pop = AgentColumns(columns=self.columns)
        for name in self.columns:
            setattr(pop, name, getattr(self, name)[start:end].copy())
        pop.uid //= self.groups  # the local uid
        pop.group[:] = 0
        pop.registry = self.group_registry(group)
        pop.next_uid = self.next_uid
        rows = self.row_of_uid[group::self.groups]
        pop.row_of_uid = np.where(rows >= 0, rows - start, -1)
        return pop

    @classmethod
    def merge(cls, runs: list[AgentColumns]) -> AgentColumns:
        """Populations of single runs as one batch, a group each, in order (``split``'s inverse).
        The runs must be of one spec at the same month (as many agents ever)."""
        if any(run.groups != 1 for run in runs) or len({run.next_uid for run in runs}) != 1:
            raise ValueError("merge: single runs with as many agents ever, one per group")
        if any(run.columns != runs[0].columns for run in runs):
            raise ValueError("merge: runs with the same columns (the same policy or none)")
        groups = len(runs)
        batch = cls(groups, runs[0].columns)
        for name in batch.columns:
            setattr(batch, name, np.concatenate([getattr(run, name) for run in runs]))
        batch.uid = np.concatenate([run.uid * groups + g for g, run in enumerate(runs)])
        batch.group = np.repeat(np.arange(groups, dtype=np.int32), [len(run) for run in runs])
        batch.next_uid = runs[0].next_uid
        for name, (dtype, _) in REGISTRY.items():
            column = np.empty(batch.n_ever, dtype=dtype)
            for g, run in enumerate(runs):
                column[g::groups] = run.registry[name]
            batch.registry[name] = column
        batch.row_of_uid = np.full(batch.n_ever, -1, dtype=np.int64)
        batch.row_of_uid[batch.uid] = np.arange(len(batch), dtype=np.int64)
        return batch

    def rows_of(self, group: int) -> GroupRows:
        """Group ``group``'s rows as a population of their own (columns are views)."""
        return GroupRows(self, group)

    def group_registry(self, group: int) -> dict[str, np.ndarray]:
        """Career summaries of group ``group``'s agents, indexed by local uid (copies)."""
        return {k: v[group::self.groups].copy() for k, v in self.registry.items()}

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Every array of the state under ``prefix``-ed names (for a data-only file)."""
        out = {f"{prefix}col.{name}": getattr(self, name) for name in self.columns}
        out.update({f"{prefix}reg.{name}": values for name, values in self.registry.items()})
        out[f"{prefix}next_uid"] = np.array(self.next_uid, dtype=np.int64)
        out[f"{prefix}groups"] = np.array(self.groups, dtype=np.int64)
        out[f"{prefix}row_of_uid"] = self.row_of_uid
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "", columns: dict | None = None) -> AgentColumns:
        """The inverse of ``to_arrays`` (copies) for the table ``columns`` (default: the core's
        ``COLUMNS``; others in ``arrays`` are not read); KeyError or ValueError if anything is
        off."""
        pop = cls.__new__(cls)
        pop.columns = dict(COLUMNS if columns is None else columns)
        for name, (dtype, _, _) in pop.columns.items():
            setattr(pop, name, exact_array(arrays, f"{prefix}col.{name}", dtype, 1))
        pop.registry = {name: exact_array(arrays, f"{prefix}reg.{name}", dtype, 1)
                        for name, (dtype, _) in REGISTRY.items()}
        pop.next_uid = int(exact_array(arrays, f"{prefix}next_uid", np.int64, 0))
        pop.groups = int(exact_array(arrays, f"{prefix}groups", np.int64, 0))
        pop.row_of_uid = exact_array(arrays, f"{prefix}row_of_uid", np.int64, 1)
        pop._bounds = None
        per_uid = {v.size for v in (pop.row_of_uid, *pop.registry.values())}
        per_row = {getattr(pop, name).size for name in pop.columns}
        if pop.groups < 1 or per_uid != {pop.n_ever} or len(per_row) != 1:
            raise ValueError(f"population arrays {prefix}* differ in length")
        return pop

    def row(self, uid: int) -> int:
        """Row of an agent currently held in the columns, or -1."""
        return int(self.row_of_uid[uid]) if 0 <= uid < self.n_ever else -1

    def nbytes(self) -> int:
        cols = sum(getattr(self, name).nbytes for name in self.columns)
        return cols + sum(v.nbytes for v in self.registry.values()) + self.row_of_uid.nbytes


class GroupRows:
    """One group's rows of a batch population, with the columns as views (writes go through):
    what the yearly, once-per-group parts of the step (a policy's year, hiring rounds, December's
    statistics) see as the population. Valid until the population adds or drops rows."""

    def __init__(self, pop: AgentColumns, group: int):
        start, end = pop.bounds[group], pop.bounds[group + 1]
        self.columns = pop.columns
        for name in pop.columns:
            setattr(self, name, getattr(pop, name)[start:end])
        self.start, self.run = int(start), group
        self.groups, self.bounds = 1, np.array([0, end - start], dtype=np.int64)
        self.run_numbers = np.array([group])  # the run of its one span (AgentColumns.run_numbers)

    def __len__(self) -> int:
        return len(self.uid)


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
def _record_exits(leave, reason, active, uid, children, age_months, exit_month, exit_reason,
                  exit_children, age_at_exit, month, retirement_months, bounds, out):
    retire_at = np.empty(leave.size, dtype=np.int64)
    runs = np.empty(leave.size, dtype=np.int64)
    rows = np.empty(leave.size, dtype=np.int64)
    working = left = 0
    for g in range(bounds.size - 1):
        exits = 0
        for i in range(bounds[g], bounds[g + 1]):
            if not (leave[i] and active[i]):
                continue
            exits += 1
            rows[left] = i
            left += 1
            active[i] = False
            u = uid[i]
            exit_month[u], exit_reason[u] = month, reason[i]
            exit_children[u], age_at_exit[u] = children[i], age_months[i]
            if reason[i] != 3:
                retire_at[working] = month + 1 + (retirement_months - age_months[i])
                runs[working] = g
                working += 1
        out[g] = exits
    return out, retire_at[:working], runs[:working], rows[:left]


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
