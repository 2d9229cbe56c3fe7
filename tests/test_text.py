"""Text normalisation (``pipelines.tagging.text``) costs time linear in the text, whatever the text.

A post is chosen by whoever wrote it. One backtracking pattern made a 10,000-character
"wkkk…a" cost 0.58 s, 500 times a normal post; these tests time each normaliser on 10,000 and
40,000 characters of such inputs and require the time to grow like the text, not like its
square. They compare growth, never absolute times, so a slow or busy machine does not fail
them; the best of several runs is taken, in CPU time, with the garbage collector off.

The patterns are possessive (a quantifier never gives back what it took); the last tests show
that they match exactly what the same patterns with greedy quantifiers match.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from pipelines.tagging import text
from pipelines.tagging.tagger import Watchlists
from schemas.config import Watchlist

ROOT = Path(__file__).resolve().parent.parent
SMALL, LARGE = 10_000, 40_000
MAX_GROWTH = 8.0
"""4x the text may cost at most 8x the time: linear is 4x, quadratic 16x."""


def cycled(unit: str, tail: str = "") -> Callable[[int], str]:
    """``unit`` repeated to ``n`` characters, the last ones replaced by ``tail``."""
    return lambda n: (unit * (n // len(unit) + 1))[: n - len(tail)] + tail


def run_of(first: str, letter: str, tail: str) -> Callable[[int], str]:
    """``first``, then ``letter`` repeated, then ``tail``: ``n`` characters in all."""
    return lambda n: first + letter * (n - len(first) - len(tail)) + tail


PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "wkwk…a": cycled("wk", "a"),
    "wkkk…a": run_of("w", "k", "a"),
    "kwww…a": run_of("k", "w", "a"),
    "hahaha…x": cycled("ha", "x"),
    "haaa…x": run_of("h", "a", "x"),
    "hahhh…x": run_of("ha", "h", "x"),
    "hehehe…x": cycled("he", "x"),
    "hihihi…x": cycled("hi", "x"),
    "xixixi…a": cycled("xi", "a"),
    "xiii…a": run_of("x", "i", "a"),
    "aaaa…": cycled("a"),
    "kkkk…1": run_of("k", "k", "1"),
    "hhhh…": cycled("h"),
    "no spaces": cycled("abcdefghij"),
    "a-a-a-…": cycled("a-"),
    "a'a'a'…": cycled("a'"),
    "#aaaa…": run_of("#", "a", ""),
    "@a.a.…": lambda n: "@" + ("a." * n)[: n - 1],
    "http://aaaa…": run_of("http://", "a", ""),
    "www.www.…": cycled("www."),
    "wk wk wk …": cycled("wk "),
    "ha ha ha …": cycled("ha "),
}
WATCHLISTS = Watchlists([Watchlist(name="hoaks", terms=["hoaks", "wkwk", "#tolakpendatang", "kpu curang"]),
                         Watchlist(name="sara", terms=["pendatang", "aaaa", "hahaha"])])
NORMALISERS: dict[str, Callable[[str], object]] = {
    "normalise_for_lid": text.normalise_for_lid,
    "normalise_for_classifier": text.normalise_for_classifier,
    "prepare": text.prepare,
    "watchlists": WATCHLISTS.find,
}


def best_times(normalise: Callable[[str], object], small: str, large: str, runs: int = 7) -> tuple[float, float]:
    """The best CPU time of up to ``runs`` interleaved runs on each input, with the garbage collector off.

    CPU time of this thread, not wall time: on a busy machine a 10 ms run is descheduled more
    often than a 1 ms one, and wall time then shows a growth the code does not have. After
    three runs it stops once a second has been spent, so a quadratic pattern fails in seconds.
    """
    best_small = best_large = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        spent = 0.0
        for done in range(1, runs + 1):
            started = time.thread_time()
            normalise(small)
            middle = time.thread_time()
            normalise(large)
            ended = time.thread_time()
            best_small, best_large = min(best_small, middle - started), min(best_large, ended - middle)
            spent += ended - started
            if done >= 3 and spent > 1.0:
                break
    finally:
        if enabled:
            gc.enable()
    return best_small, best_large


@pytest.mark.parametrize("normaliser", NORMALISERS)
@pytest.mark.parametrize("shape", PATHOLOGICAL)
def test_four_times_the_text_costs_less_than_eight_times_the_time(shape: str, normaliser: str) -> None:
    make, normalise = PATHOLOGICAL[shape], NORMALISERS[normaliser]
    small, large = make(SMALL), make(LARGE)
    assert (len(small), len(large)) == (SMALL, LARGE)
    measured = []
    # A busy machine can slow a round; a quadratic pattern is slow in every round (16x).
    for _ in range(3):
        seconds_small, seconds_large = best_times(normalise, small, large)
        growth = seconds_large / max(seconds_small, 1e-6)
        if growth < MAX_GROWTH:
            return
        measured.append(f"{seconds_small * 1e3:.2f} ms → {seconds_large * 1e3:.2f} ms ({growth:.1f}x)")
        if growth >= 2 * MAX_GROWTH:
            break
    pytest.fail(f"{normaliser} on {shape!r}: 4x the text cost {'; '.join(measured)}")


def with_greedy_patterns() -> ModuleType:
    """A second copy of ``pipelines.tagging.text`` whose patterns use greedy quantifiers, not possessive."""
    spec = importlib.util.spec_from_file_location("greedy_text", text.__file__)
    assert spec is not None and spec.loader is not None
    greedy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(greedy)
    for name, value in vars(text).items():
        if isinstance(value, re.Pattern):
            assert "\\+" not in value.pattern, "an escaped + would be changed below"
            setattr(greedy, name, re.compile(value.pattern.replace("*+", "*").replace("++", "+"), value.flags))
    return greedy


def test_the_possessive_patterns_match_exactly_what_their_greedy_forms_match_on_random_text() -> None:
    greedy = with_greedy_patterns()
    pieces = ["w", "k", "h", "a", "e", "i", "x", "o", " ", "#", "@", ".", "-", "'", "1", "_", "é", "😭",
              "http://", "www.", "wk", "ha", "xi", "\n"]
    generator = random.Random(20261205)
    patterns = [name for name, value in vars(text).items() if isinstance(value, re.Pattern)]
    assert len(patterns) == 7
    for _ in range(20_000):
        sample = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 12)))
        for name in patterns:
            possessive, plain = getattr(text, name), getattr(greedy, name)
            assert [m.span() for m in possessive.finditer(sample)] == [m.span() for m in plain.finditer(sample)], \
                (name, sample)
        assert text.prepare(sample) == greedy.prepare(sample), sample


def test_every_sample_post_and_training_text_normalises_as_with_the_greedy_patterns() -> None:
    greedy = with_greedy_patterns()
    files = [ROOT / "connectors/samples/posts.jsonl", *sorted((ROOT / "data/splits").glob("*/*.jsonl"))]
    compared = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            sample = json.loads(line)["text"]
            assert text.prepare(sample) == greedy.prepare(sample), (path.name, sample)
            compared += 1
    assert compared > 15_000


def test_a_long_laugh_is_still_removed_and_a_word_that_only_starts_like_one_is_kept() -> None:
    assert text.normalise_for_lid("wk" * 5_000 + " capek banget") == "capek banget"
    assert text.normalise_for_lid("w" + "k" * 9_998 + "a") == "wkka"
    assert text.normalise_for_lid("hahahahaha kpu curang") == "kpu curang"
