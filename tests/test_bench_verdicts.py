"""The load benches' verdicts (bench/notify_delivery.py, bench/load_mixed.py), without a server.

The benches themselves run in `make bench`; these check that the figures they judge by would
catch what they claim to: a lost or duplicated email, a failed request, a slow p95.
"""

from __future__ import annotations

import math

from bench import load_mixed, notify_delivery


def addresses(*indexes: int) -> list[str]:
    return [f"n{index}@{notify_delivery.DOMAIN}" for index in indexes]


def test_every_email_once_is_neither_lost_nor_duplicated():
    assert notify_delivery.lost_and_duplicated(addresses(2, 0, 1), 3) == (0, 0)


def test_a_missing_email_is_lost_and_a_second_copy_is_a_duplicate():
    assert notify_delivery.lost_and_duplicated(addresses(0, 0, 0, 2), 3) == (1, 2)


def test_an_email_to_somebody_else_does_not_make_up_for_a_lost_one():
    assert notify_delivery.lost_and_duplicated([*addresses(0), "n1@elsewhere.invalid"], 2) == (1, 0)


def test_percentile_is_nearest_rank():
    values = [float(ms) for ms in range(1, 101)]
    assert load_mixed._p(values, 95) == 95.0
    assert load_mixed._p(values, 50) == 50.0
    assert load_mixed._p([7.0], 95) == 7.0
    assert load_mixed._p([], 95) == 0.0


def sample(kind: str, ms: float, failed: bool = False, name: str = "/triage/") -> list:
    return [kind, name, ms, failed]


def test_load_ratio_is_page_p95_under_load_over_one_persons_page_p95_uploads_apart():
    solo = [sample("page", 100.0)] * 20
    load = [sample("page", 300.0)] * 20 + [sample("upload", 9000.0, name="upload x")] * 20
    result = load_mixed._result(solo, load, 60, "postgresql")
    assert result.ratio == 3.0
    assert result.passed
    assert "uploads 20 p50 9000 ms" in result.details


def test_one_failed_request_fails_the_load_bench_whatever_the_ratio():
    solo = [sample("page", 100.0)] * 20
    load = [sample("page", 100.0)] * 19 + [sample("page", 100.0, failed=True, name="/wellbeing/")]
    result = load_mixed._result(solo, load, 60, "postgresql")
    assert math.isinf(result.ratio)
    assert not result.passed
    assert "errors 1 (solo 0) in /wellbeing/" in result.details


def test_a_slow_p95_under_load_fails_the_load_bench():
    solo = [sample("page", 100.0)] * 20
    load = [sample("page", 100.0)] * 18 + [sample("page", 2000.0)] * 2
    assert not load_mixed._result(solo, load, 60, "postgresql").passed


def test_each_batch_is_counted_by_its_own_prefix():
    lines = [*addresses(0, 1), f"r0@{notify_delivery.DOMAIN}", f"r0@{notify_delivery.DOMAIN}"]
    assert notify_delivery.lost_and_duplicated(lines, 2) == (0, 0)
    assert notify_delivery.lost_and_duplicated(lines, 2, prefix="r") == (1, 1)
