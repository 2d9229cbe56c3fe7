"""How long to wait before trying again: the one exponential backoff every retry loop uses.

Connectors (a platform API failing or limiting us), the connector supervisor (a connector that
died), the pipeline and alerting jobs (a batch that failed), the pipeline workers (a worker
process that died) and the outbox (a message refused for now) all wait ``base × 2^attempt``,
capped. Where many clients hit one shared service after the same outage (the platform APIs,
restarted connectors) the wait is drawn at random up to that bound ("full jitter"), so they do
not all come back at the same instant; where the wait is a schedule someone reads (the next try
of a refused email, a rate-limit pause in a log line) it is the bound itself.

The wait only says how long; the caller sleeps on its injected ``schemas.clock.Clock`` so a
test's ``FixedClock`` runs a day of retries in milliseconds.
"""

from __future__ import annotations

import random

MAX_EXPONENT = 64
"""Attempts beyond this count as this: ``2.0**64`` exceeds any cap in use, and larger powers overflow."""


def backoff(attempt: int, base: float = 1.0, cap: float = 300.0, *, jitter: bool = True) -> float:
    """The wait in seconds before the next try: ``base * 2**attempt`` capped at ``cap``.

    ``attempt`` counts from 0 (a first wait of ``base``); a negative one counts as 0. With
    ``jitter`` the wait is drawn uniformly between 0 and that bound.
    """
    bound = min(cap, base * 2.0 ** min(max(attempt, 0), MAX_EXPONENT))
    if not jitter:
        return bound
    return random.uniform(0, bound)  # noqa: S311 - spreading retries, not a secret
