"""The on-disk caches: the baseline cache of sweeps (data only, verified before use, recomputed
when anything is off) and the folder of the compiled kernels."""

from __future__ import annotations

import hashlib
import io
import math
import os
import pickle
import stat
import tempfile
import zipfile

import numpy as np
import pytest

import sim.run.paired
from sim.model.core import jit
from sim.run.cache import BaselineCache, baseline_key, baseline_key_text
from sim.run.paired import run_pair
from tests.conftest import spec_for

SPEC = spec_for(**{"policy.funding_m": 30})
WARNING = "warning: baseline cache entry "


@pytest.fixture
def computes(monkeypatch):
    """Counts the baseline computations (the cache's misses)."""
    calls = []
    real = sim.run.paired._baseline_states

    def counted(spec, seed):
        calls.append(seed)
        return real(spec, seed)

    monkeypatch.setattr(sim.run.paired, "_baseline_states", counted)
    return calls


@pytest.fixture(scope="module")
def uncached():
    return {seed: run_pair(SPEC, seed) for seed in (1, 2)}


def assert_same(pair, expected):
    """Outcomes equal key by key, and every state array of both arms equal with the same dtype."""
    out, want = pair.outcomes(), expected.outcomes()
    assert out.keys() == want.keys()
    for k in want:
        assert out[k] == want[k] or (math.isnan(out[k]) and math.isnan(want[k])), k
    for (_, model), (_, other) in zip(pair.arms(), expected.arms(), strict=True):
        for part in ("pop", "ledger", "recorder"):
            arrays, others = getattr(model, part).to_arrays(), getattr(other, part).to_arrays()
            assert arrays.keys() == others.keys()
            for name, values in others.items():
                assert arrays[name].dtype == values.dtype and np.array_equal(arrays[name], values), name
        assert (model.month, model.agent_months) == (other.month, other.agent_months)


def warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith(WARNING)]


def entry(folder, seed):
    path = folder / f"{baseline_key(SPEC, seed)}.npz"
    return path, path.with_name(path.name + ".sha256")


def write_entry(folder, seed, data: bytes, with_hash: bool) -> None:
    """What an attacker or a damaged disk leaves: ``data`` as the entry, and a matching hash."""
    path, digest = entry(folder, seed)
    path.write_bytes(data)
    digest.unlink(missing_ok=True)
    if with_hash:
        digest.write_text(hashlib.sha256(data).hexdigest())


def test_cached_runs_are_identical_and_the_second_is_a_hit(tmp_path, computes, uncached, capsys):
    cache = BaselineCache(tmp_path)
    for _ in range(2):
        assert_same(run_pair(SPEC, 1, cache), uncached[1])
    assert computes == [1]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == \
        sorted(p.name for p in entry(tmp_path, 1))
    with np.load(entry(tmp_path, 1)[0], allow_pickle=False) as npz:
        assert str(npz["__key__"]) == baseline_key_text(SPEC, 1)
    assert warnings(capsys) == []


def test_swapped_entries_are_detected_and_recomputed(tmp_path, computes, uncached, capsys):
    cache = BaselineCache(tmp_path)
    for seed in (1, 2):
        run_pair(SPEC, seed, cache)
    (a, a_hash), (b, b_hash) = entry(tmp_path, 1), entry(tmp_path, 2)
    for x, y in ((a, b), (a_hash, b_hash)):  # hashes travel along, so they still match
        x_bytes = x.read_bytes()
        x.write_bytes(y.read_bytes())
        y.write_bytes(x_bytes)
    for seed in (1, 2):
        assert_same(run_pair(SPEC, seed, cache), uncached[seed])
    lines = warnings(capsys)
    assert len(lines) == 2 and all("swapped" in line and "recomputing" in line for line in lines)
    assert computes == [1, 2, 1, 2]
    for seed in (1, 2):  # rewritten: hits again
        assert_same(run_pair(SPEC, seed, cache), uncached[seed])
    assert computes == [1, 2, 1, 2] and warnings(capsys) == []


@pytest.mark.parametrize("with_hash", [False, True], ids=["stale-hash", "matching-hash"])
def test_truncated_entry_is_recomputed(tmp_path, computes, uncached, capsys, with_hash):
    cache = BaselineCache(tmp_path)
    run_pair(SPEC, 1, cache)
    data = entry(tmp_path, 1)[0].read_bytes()
    if with_hash:
        write_entry(tmp_path, 1, data[: len(data) // 2], with_hash=True)
    else:
        entry(tmp_path, 1)[0].write_bytes(data[: len(data) // 2])
    assert_same(run_pair(SPEC, 1, cache), uncached[1])
    assert len(warnings(capsys)) == 1 and computes == [1, 1]
    assert entry(tmp_path, 1)[0].read_bytes() == data  # rewritten whole


class Planted:
    """Unpickling this creates the marker file: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def _zip_with_pickle_member(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("__key__.npy", payload)
    return buffer.getvalue()


def _npz_with_object_array(payload) -> bytes:
    """A well-formed entry with the right key, plus one object array (needs pickle to read)."""
    arrays = sim.run.paired._states_to_arrays(sim.run.paired._baseline_states(SPEC, 1))
    buffer = io.BytesIO()
    obj = np.empty(1, dtype=object)
    obj[0] = payload
    np.savez(buffer, __key__=np.array(baseline_key_text(SPEC, 1)), **arrays, planted=obj)
    return buffer.getvalue()


# why the loader refuses each form when the attacker also wrote a matching hash
REFUSED = {"pickle-file": "pickled", "pickle-in-zip": "not an array",
           "object-array": "allow_pickle=False"}


@pytest.mark.parametrize("with_hash", [False, True], ids=["no-hash", "forged-hash"])
@pytest.mark.parametrize("form", sorted(REFUSED))
def test_planted_pickle_never_runs(tmp_path, computes, uncached, capsys, form, with_hash):
    marker = tmp_path / "pwned"
    payload = Planted(marker)
    data = {"pickle-file": lambda: pickle.dumps(payload),
            "pickle-in-zip": lambda: _zip_with_pickle_member(pickle.dumps(payload)),
            "object-array": lambda: _npz_with_object_array(payload)}[form]()
    cache = BaselineCache(tmp_path / "cache")
    write_entry(cache.folder, 1, data, with_hash)
    computes.clear()
    assert_same(run_pair(SPEC, 1, cache), uncached[1])
    assert not marker.exists()
    lines = warnings(capsys)
    assert len(lines) == 1 and computes == [1]
    assert ("no hash file" if not with_hash else REFUSED[form]) in lines[0]
    assert_same(run_pair(SPEC, 1, cache), uncached[1])  # replaced by a good entry
    assert computes == [1] and warnings(capsys) == []


def test_missing_array_is_recomputed(tmp_path, computes, uncached, capsys):
    cache = BaselineCache(tmp_path)
    run_pair(SPEC, 1, cache)
    with np.load(entry(tmp_path, 1)[0], allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files if name != "final.pop.col.buffer"}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_entry(tmp_path, 1, buffer.getvalue(), with_hash=True)
    assert_same(run_pair(SPEC, 1, cache), uncached[1])
    lines = warnings(capsys)
    assert len(lines) == 1 and "final.pop.col.buffer" in lines[0] and computes == [1, 1]


def test_kernel_cache_falls_back_to_a_private_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "file").write_text("")
    unwritable = tmp_path / "file" / "numba"  # below a file: cannot be created, even by root
    fingerprint = "0123456789abcdef"
    folders = [jit.choose_cache_dir(unwritable, fingerprint) for _ in range(2)]
    assert folders[0] != folders[1]  # a new folder each time, never a fixed shared name
    for folder in folders:
        assert os.path.dirname(folder) == str(tmp_path)
        assert os.path.basename(folder).startswith("alliance-sim-numba-")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "file"))  # a home that is not a folder
    assert os.path.basename(jit._cache_dir()).startswith("alliance-sim-numba-")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert jit._cache_dir() == str(tmp_path / "home" / ".cache" / "alliance-sim" / "numba"
                                   / jit.checkout_id() / jit._source_fingerprint())
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "env"))
    assert jit._cache_dir() == str(tmp_path / "env" / jit.checkout_id() / jit._source_fingerprint())


def test_kernel_cache_keeps_the_current_and_four_recent_fingerprints(tmp_path):
    old = [f"{i:016x}" for i in range(8)]
    mine = tmp_path / jit.checkout_id()  # this checkout's folder in the base
    mine.mkdir(mode=0o700)
    for i, name in enumerate([*old, "not-a-fingerprint"]):
        (mine / name).mkdir(mode=0o700)
        (mine / name / "index.nbi").write_text("")
        os.utime(mine / name, (1_000_000 + i, 1_000_000 + i))  # later index: used more recently
    current = old[0]  # the oldest on disk, but in use now: kept and touched
    assert jit.choose_cache_dir(tmp_path, current) == str(mine / current)
    assert sorted(p.name for p in mine.iterdir()) == sorted([current, *old[4:], "not-a-fingerprint"])
    assert (mine / current).stat().st_mtime > (mine / old[-1]).stat().st_mtime
