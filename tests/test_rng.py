"""Random streams: reproducible, uniform, independent, and keyed by agent (the CRN property)."""

import numpy as np
from scipy import stats

from sim.model.core.rng import Streams, counters, stream_key, uniform_at


def test_same_inputs_same_draws_and_seed_changes_them():
    uids = np.arange(1000)
    a = Streams(1).uniform("exit", uids, 5)
    assert np.array_equal(a, Streams(1).uniform("exit", uids, 5))
    assert not np.array_equal(a, Streams(2).uniform("exit", uids, 5))
    assert stream_key(1, "exit") != stream_key(1, "birth")


def test_draw_of_an_agent_does_not_depend_on_who_else_is_drawn():
    s = Streams(7)
    everyone = s.uniform("engagement", np.arange(500), 12)
    some = np.array([3, 250, 499])
    assert np.array_equal(s.uniform("engagement", some, 12), everyone[some])


def test_uniform_and_normal_have_the_right_distribution():
    s = Streams(3)
    uids = np.arange(200_000)
    u = s.uniform("x", uids, 0)
    assert stats.kstest(u, "uniform").pvalue > 0.001
    assert u.min() >= 0 and u.max() < 1
    z = s.normal("z", uids, 0)
    assert stats.kstest(z, "norm").pvalue > 0.001


def test_streams_and_months_are_uncorrelated():
    s = Streams(11)
    uids = np.arange(100_000)
    a, b = s.uniform("exit", uids, 4), s.uniform("birth", uids, 4)
    c = s.uniform("exit", uids, 5)
    # |r| < 4 standard errors (1/sqrt(n) = 0.0032)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.013
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.013
    neighbours = s.uniform("exit", uids + 1, 4)
    assert abs(np.corrcoef(a, neighbours)[0, 1]) < 0.013


def _splitmix64_by_hand(z: int) -> int:
    mask = 2**64 - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def test_compiled_streams_match_splitmix64_computed_with_python_integers():
    s = Streams(5)
    key = int(s.key("exit"))
    uids = np.array([0, 1, 7, 123_456, 2**40])
    month = 37
    expected = []
    for uid in uids:
        counter = (((int(uid) << 20) | month) * 0x9E3779B97F4A7C15) & (2**64 - 1)
        bits = _splitmix64_by_hand((counter + key) & (2**64 - 1))
        expected.append((bits >> 11) / 2**53)
    assert s.uniform("exit", uids, month).tolist() == expected


def test_happens_and_inline_draws_are_the_uniform_stream():
    s = Streams(9)
    uids = np.arange(5000)
    u = s.uniform("birth", uids, 40)
    p = np.linspace(0, 1, uids.size)
    assert np.array_equal(s.happens("birth", p, uids, 40), u < p)
    counter, key = counters(uids, 40), s.key("birth")
    assert [uniform_at(counter[i], key) for i in (0, 17, 4999)] == [u[0], u[17], u[4999]]


def test_normal_pair_is_box_muller_on_the_two_halves_of_one_draw():
    s = Streams(4)
    uids = np.arange(1000)
    first, second = s.normal_pair("pay_shocks", uids, 7)
    bits = [_splitmix64_by_hand(((((int(u) << 20) | 7) * 0x9E3779B97F4A7C15) + int(s.key("pay_shocks")))
                                & (2**64 - 1)) for u in uids]
    u1 = (np.array([b >> 40 for b in bits], dtype=np.float64) + 1) / 2**24
    angle = np.array([b & 0xFFFFFF for b in bits], dtype=np.float64) * 2 * np.pi / 2**24
    radius = np.sqrt(-2 * np.log(u1))
    # single precision: agree to float32 accuracy
    assert np.allclose(first, radius * np.cos(angle), atol=1e-5)
    assert np.allclose(second, radius * np.sin(angle), atol=1e-5)
    assert np.array_equal(s.normal("pay_shocks", uids, 7), first)


GOLDEN = 0x9E3779B97F4A7C15


def _overlapping(key_differences, max_uid: int = 2**24, max_month: int = 2**20) -> np.ndarray:
    """Whether two streams whose keys differ by each value draw the same numbers at some pair of
    (uid, month): the difference is GOLDEN times (delta uid x 2**20 + delta month) with
    |delta uid| < max_uid and |delta month| < max_month (the defaults: the whole counter space)."""
    inverse = pow(GOLDEN, -1, 2**64)
    out = []
    for d in key_differences:
        k = (int(d) * inverse) % 2**64
        k = k - 2**64 if k >= 2**63 else k  # signed index difference
        uid_step = round(k / 2**20)
        out.append(abs(uid_step) < max_uid and abs(k - uid_step * 2**20) < max_month)
    return np.array(out)


def _decisions_of_a_run() -> set[str]:
    """Every decision name a paired run with a funded alliance and open training asks for
    (recorded from the streams the model really uses)."""
    from sim.model.core import rng
    from sim.run.paired import run_pair
    from tests.conftest import spec_for

    seen: set[str] = set()
    key = rng.Streams.key

    def recording(self, decision):
        seen.add(decision)
        return key(self, decision)

    rng.Streams.key = recording
    try:
        run_pair(spec_for(), 0)
    finally:
        rng.Streams.key = key
    return seen


def test_the_key_is_a_seed_part_plus_a_decision_part():
    from sim.model.core.rng import decision_part, seed_part

    for seed, decision in ((0, "exit"), (12345, "init_fee"), (2**31 - 1, "engagement")):
        assert int(stream_key(seed, decision)) == (seed_part(seed) + decision_part(decision)) % 2**64
    # so the seed part can move into the counter: the same draws (batched runs, issue 12)
    uids = np.arange(50)
    moved = counters(uids, 9) + np.uint64(seed_part(4))
    by_key = Streams(4).uniform("birth", uids, 9)
    assert np.array_equal([uniform_at(c, np.uint64(decision_part("birth"))) for c in moved], by_key)


def test_no_two_streams_of_a_run_overlap():
    from sim.model.core.rng import decision_part, seed_part

    names = sorted(_decisions_of_a_run())
    assert {"engagement", "exit", "birth", "init_fee", "health_onset"} <= set(names)
    parts = np.array([decision_part(n) for n in names], dtype=object)
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    assert not _overlapping([(parts[i] - parts[j]) % 2**64 for i, j in pairs]).any()
    # nor the streams of two seeds, for the first 200 seeds and any two decisions
    seeds = [seed_part(s) for s in range(200)]
    seed_pairs = [(a - b) % 2**64 for i, a in enumerate(seeds) for b in seeds[i + 1:]]
    assert not _overlapping(seed_pairs).any()
    # two decisions of two seeds (two runs): about one in 2**19 such pairs meets somewhere in
    # the whole counter space, as for any 64-bit keys; none within what runs use (a million
    # agents ever, 2,048 months)
    cross = [(sd + dd) % 2**64 for sd in seed_pairs[:2000]
             for dd in ((parts[i] - parts[j]) % 2**64 for i, j in pairs)]
    assert not _overlapping(cross, max_uid=2**20, max_month=2**11).any()
