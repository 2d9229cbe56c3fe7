"""What the risk model reads besides the words: marker tokens for abuse, shouting, mentions and links.

The 2019 hate-speech tweets showed (on our valid split; pipelines/tagging/models/README.md) that
fastText learns abuse faster when it is told where an abusive word is than when it must learn
every spelling of every swear word from a few examples each: ``xabusivex`` once per abusive word
(at most twice) lifted abusive F1 from 0.88 to 0.91. Shouting (``xcaps``: two or more words of
three or more capitals), exclamation (``xbang`` / ``xbangs``), a mention (``xuser``: whether the
post speaks *to* someone) and a link (``xurl``) each helped hate speech a little. The slang
dictionary, by contrast, did not help when it rewrote the words (it merged words the model
keeps apart), so here it only widens the abusive list (``anjg``, ``anjiing`` → ``anjing``).

The markers are appended after the words the topic model reads too (``text.prepare``), so the
tagger normalises a post once and adds ~2 µs for the markers, not a second normalisation.

The abusive list is ``abusive.txt`` beside this module: the 125 words and phrases of Ibrohim &
Budi's (2019) list (CC BY-NC-SA 4.0, ``data/third_party/id-hatespeech-2019/abusive.csv``) and
the slang spellings the same authors' dictionary maps onto them. ``python -m
pipelines.tagging.features`` writes it again; a test checks that the shipped file is what the
derivation gives.
"""

from __future__ import annotations

import itertools
import re
import sys
from functools import lru_cache
from pathlib import Path

from pipelines.tagging import slang

HERE = Path(__file__).resolve().parent
SHIPPED = HERE / "abusive.txt"
SOURCE = HERE.parent.parent / "data" / "third_party" / "id-hatespeech-2019" / "abusive.csv"
_HEADER = ("# abusive words and their slang spellings — derived from abusive.csv and new_kamusalay.csv "
           "(Ibrohim & Budi 2019), CC BY-NC-SA 4.0\n")

MAX_ABUSIVE_MARKS = 2
"""More than two abusive words say no more than two do (and would crowd out the words)."""

MAX_STRETCHED = 2
"""Letters of a listed word that may come doubled (``anjiing``, ``anjiingg``) and still be found.
The classifier text has already cut longer runs to two letters (``text._REPEATS``)."""

# Opening with the character class lets the engine jump to capitals instead of testing a word
# boundary at every position (3x faster on the sample posts); the lookbehind then asks for a
# word start.
_CAPS = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{2,}+\b")
_URL = re.compile(r"https?://|www\.")
_RUNS = re.compile(r"([^\W\d_])\1++")
_BANGS = ("!!", "!?", "?!", "??")


def squeeze(word: str) -> str:
    """Every run of a repeated letter cut to one (``anjiingg`` → ``anjing``): how the list is looked up."""
    return _RUNS.sub(r"\1", word)


def derive(abusive_lines: list[str], slang_map: dict[str, str]) -> list[str]:
    """The abusive entries (header line dropped) and every slang key whose standard word is one, sorted."""
    words = {line.strip().lower() for line in abusive_lines[1:] if line.strip()}
    single = {w for w in words if " " not in w}
    words |= {key for key, value in slang_map.items() if value in single}
    return sorted(words)


def render(words: list[str]) -> str:
    """The shipped file's text."""
    return _HEADER + "".join(f"{word}\n" for word in words)


def stretched(word: str, most: int = MAX_STRETCHED) -> set[str]:
    """``word`` squeezed, and with any ``most`` of its letters doubled: the spellings found as it."""
    base = squeeze(word)
    forms = {base}
    for count in range(1, most + 1):
        for positions in itertools.combinations(range(len(base)), count):
            forms.add("".join(c * 2 if i in positions else c for i, c in enumerate(base)))
    return forms


@lru_cache(maxsize=1)
def abusive_list(path: Path = SHIPPED) -> tuple[frozenset[str], tuple[str, ...]]:
    """(every spelling of the listed words, two-word phrases padded with spaces) of the shipped list.

    Looking a post's words up in the spellings is one set intersection (~1 µs); squeezing every
    post's text to look it up in squeezed words cost ~10 µs, two thirds of the markers' time.
    """
    entries = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    words: set[str] = set()
    for entry in entries:
        if " " not in entry:
            words.add(entry)
            words |= stretched(entry)
    phrases = tuple(f" {e} " for e in entries if " " in e)
    return frozenset(words), phrases


def risk_markers(text: str, classifier_text: str) -> str:
    """The marker tokens of a post (``""`` for most), from its raw text and its classifier normalisation."""
    words, phrases = abusive_list()
    marks = len(words.intersection(classifier_text.split()))
    if marks < MAX_ABUSIVE_MARKS:
        padded = f" {classifier_text} "
        marks += sum(1 for phrase in phrases if phrase in padded)
    extra = []
    if "@" in text:
        extra.append("xuser")
    if ("http" in text or "www." in text) and _URL.search(text):
        extra.append("xurl")
    if len(_CAPS.findall(text)) >= 2:
        extra.append("xcaps")
    if "!" in text or "?" in text:
        # a run of two or more of ! and ? shouts; a single ! exclaims
        if any(pair in text for pair in _BANGS):
            extra.append("xbangs")
        elif "!" in text:
            extra.append("xbang")
    if marks:
        extra += ["xabusivex"] * min(marks, MAX_ABUSIVE_MARKS)
    return " ".join(extra)


def with_markers(text: str, classifier_text: str) -> str:
    """The risk model's input: the classifier's words, then the post's markers."""
    markers = risk_markers(text, classifier_text)
    if not markers:
        return classifier_text
    return f"{classifier_text} {markers}" if classifier_text else markers


def main(argv: list[str] | None = None) -> int:
    """Write ``abusive.txt`` from the source list and the shipped slang map."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else SOURCE
    words = derive(source.read_text(encoding="utf-8").splitlines(), slang.load())
    SHIPPED.write_text(render(words), encoding="utf-8")
    print(f"{len(words):,} entries written to {SHIPPED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
