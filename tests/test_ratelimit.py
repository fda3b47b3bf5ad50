from __future__ import annotations

import pytest

from resonanz.core import ratelimit
from resonanz.core.models import Throttle


def test_counts_within_window_and_restarts_after_expiry(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert [ratelimit.hit("k", 60) for _ in range(3)] == [1, 2, 3]
    now[0] += 59
    assert ratelimit.hit("k", 60) == 4
    now[0] += 2
    assert ratelimit.hit("k", 60) == 1
    assert ratelimit.over_limits({"k": 2}) == set()
    assert ratelimit.over_limits({"k": 2}) == {"k"}


def test_several_limits_count_in_one_statement(db, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        assert ratelimit.over_limits({"ip": 1, "page": 2}) == set()
    assert ratelimit.over_limits({"ip": 1, "page": 2}) == {"ip"}
    assert ratelimit.over_limits({"ip": 1, "page": 2}) == {"ip", "page"}


def test_many_fingerprints_never_evict_rate_limits(db) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        ratelimit.hit("rl:ip", 60)
    for i in range(1000):
        assert ratelimit.first_time(f"dup:{i}", 3600)
    assert not ratelimit.first_time("dup:7", 3600)
    assert ratelimit.hit("rl:ip", 60) == 4


def test_prune_drops_only_expired(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    ratelimit.hit("old", 1)
    ratelimit.hit("new", 3600)
    now[0] += 10
    assert ratelimit.prune() == 1
    assert list(Throttle.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("limit", [0, -1])
def test_zero_limit_means_unlimited(db, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert all(ratelimit.over_limits({"x": limit}) == set() for _ in range(5))
