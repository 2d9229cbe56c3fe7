"""The slang map the normalisers load (claim matching, search): single-word slang → standard Indonesian.

The source is the 15k-pair dictionary of Ibrohim & Budi (2019), CC BY-NC-SA 4.0
(``data/third_party/id-hatespeech-2019/``). Only what helps matching is kept: keys of one
word mapped to one word (``udh`` → ``sudah``) or to a doubled word (``org2`` → ``orang``).
Expansions of acronyms into several words (``tps`` → ``tempat pemungutan suara``) are left out:
they would weigh one concept three times, and the claim and the post already share the acronym.
Keys carrying bytes from the source's old encoding error are left out too.

Run ``python -m pipelines.tagging.slang [SOURCE.csv]`` to write ``slang.tsv`` beside this file
again (a test checks that the shipped file is what this derivation gives).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIPPED = HERE / "slang.tsv"
SOURCE = HERE.parent.parent / "data" / "third_party" / "id-hatespeech-2019" / "new_kamusalay.csv"
_WORD = re.compile(r"^[a-z0-9]+$")
_HEADER = "# slang\tstandard — derived from new_kamusalay.csv (Ibrohim & Budi 2019), CC BY-NC-SA 4.0\n"


def derive(lines: list[str]) -> dict[str, str]:
    """Single-word pairs from ``slang,standard`` lines, in a stable order."""
    pairs: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.strip().partition(",")
        key, words = key.strip().lower(), value.strip().lower().split()
        if not sep or not _WORD.match(key) or key.isdigit() or not words:
            continue
        if len(words) == 2 and words[0] == words[1]:  # reduplication: org2 → orang orang
            words = words[:1]
        if len(words) != 1 or not _WORD.match(words[0]) or words[0] == key:
            continue
        pairs.setdefault(key, words[0])
    return dict(sorted(pairs.items()))


def render(pairs: dict[str, str]) -> str:
    """The shipped file's text."""
    return _HEADER + "".join(f"{key}\t{value}\n" for key, value in pairs.items())


@lru_cache(maxsize=1)
def shipped() -> dict[str, str]:
    """The shipped map, read once per process: search's lexicon, the election's entity matcher and the
    claim matcher's vocabulary all read it (11,860 pairs; do not change the dict you get)."""
    return load()


def load(path: Path = SHIPPED) -> dict[str, str]:
    """The shipped slang map."""
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("\t")
            pairs[key] = value
    return pairs


def main(argv: list[str] | None = None) -> int:
    """Write ``slang.tsv`` from the source dictionary."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else SOURCE
    pairs = derive(source.read_text(encoding="latin-1").splitlines())
    SHIPPED.write_text(render(pairs), encoding="utf-8")
    print(f"{len(pairs):,} pairs written to {SHIPPED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
