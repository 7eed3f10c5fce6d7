"""Random streams: reproducible, uniform, independent, and keyed by agent (the CRN property)."""

import numpy as np
from scipy import stats

from sim.core.rng import Streams, stream_key


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
