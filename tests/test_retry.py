"""The one backoff: exponential, capped, with or without full jitter, never overflowing."""

from __future__ import annotations

import pytest

from schemas.retry import backoff


def test_without_jitter_the_wait_doubles_from_the_base_up_to_the_cap() -> None:
    waits = [backoff(attempt, base=0.25, cap=30.0, jitter=False) for attempt in range(10)]
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_with_jitter_every_wait_lies_between_zero_and_the_bound() -> None:
    for attempt in range(12):
        bound = min(300.0, 2.0 ** attempt)
        draws = [backoff(attempt) for _ in range(200)]
        assert all(0 <= wait <= bound for wait in draws), (attempt, max(draws))
    assert len({backoff(8) for _ in range(20)}) > 1, "full jitter draws, it does not repeat one wait"


@pytest.mark.parametrize("attempt", [10_000, 2**40])
def test_a_huge_attempt_count_is_capped_not_an_overflow(attempt: int) -> None:
    assert backoff(attempt, base=300.0, cap=3600.0, jitter=False) == 3600.0
    assert 0 <= backoff(attempt, cap=3600.0) <= 3600.0


def test_a_negative_attempt_waits_the_base() -> None:
    assert backoff(-3, base=60.0, jitter=False) == 60.0


def test_a_consuming_job_waits_from_half_a_second_and_never_past_half_its_poll_interval(tmp_path) -> None:
    from pipelines.common.kafka_io import batch_retry_wait
    from tests.conftest import make_settings

    settings = make_settings(None, tmp_path, pipeline={"retry_backoff_max_s": 100.0},
                             kafka={"max_poll_interval_ms": 20_000})
    assert [batch_retry_wait(settings, failures) for failures in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]
    settings = make_settings(None, tmp_path, pipeline={"retry_backoff_max_s": 3.0})
    assert batch_retry_wait(settings, 50) == 3.0
