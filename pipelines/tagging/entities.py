"""Which candidates, parties, election bodies and regions of the configured election a post names.

Officers ask "which candidate is being attacked"; the risk model cannot answer that, because it
has never heard of this election's candidates. The ``election`` section of the configuration
has: names, running mates, nicknames, hashtags, handles, misspellings, ballot numbers. This
module finds them in a post and returns an ``Entity`` for each match, with the words as written.

How a post is read (the same reading is applied to every name in the configuration, so both
sides always agree):

- case-folded, NFC, and every run of one repeated letter (a to z) folded to one letter
  (``Aseeep`` and ``asep`` are one word; so are ``Muhammad`` and ``Muhamad``);
- cut into tokens: ``#hashtags``, ``@handles`` and words (letters and digits; ``-`` and ``'``
  split words, so ``Dadan-Euis`` is two names);
- a word of a name that is a standard word also matches its slang forms from the slang map
  (``pipelines/tagging/slang.tsv``): a nickname "Ibu Guru Nining" matches ``bu guru nining``
  if the map says ``bu`` → ``ibu``. A word of a name that is itself slang (``pkt`` → ``paket``)
  matches only as written, so the party PKT is not found in every post about a parcel.

A name of several words matches only as the whole phrase (``Kang Asep``), and also written as
one word or one hashtag (``kangasep``, ``#kangasep``, ``#asepwiranegara``). Where phrases
overlap the longest wins: ``KPU Sukamaju`` is the local office, a bare ``KPU`` the national one.

Ballot numbers match only in an election phrase, never alone (a bare ``02`` or ``2`` is a time,
a price, an RT): after a word that names a candidacy (``paslon 2``, ``cabup 02``, ``calon nomor
2``, ``paslon dua``), after ``nomor urut`` / ``no urut`` (``no urut 2``), or, zero-padded as
ballots print them, after ``nomor`` / ``no`` or a campaign verb (``nomor 02``, ``pilih 02``,
``coblos 02``, ``pendukung 02``, ``tanpa 02``); as one hashtag (``#paslon02``, ``#coblos02``).
``#02`` alone is not read as a ballot number.

Speed: it runs on every post. The whole configuration becomes one dict from a phrase's first
word to its phrases; a post costs one case-folding, one folding substitution, one ``findall``
(``read_words``, whose words the tagger's watchlists reuse) and one set intersection with the
dict's keys, and only posts that share a word with the election walk their tokens. The folding
is ASCII-only because the Unicode letter class made it four times slower, and stretched names
are Latin script. ``bench/tagging.py`` measures it inside the whole tagger.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.tagging import slang
from schemas.config import Candidate, ElectionSettings
from schemas.post import Entity, EntityType

MAX_ENTITIES = 32
"""Most entities kept per post: a post stuffed with every candidate's name 500 times is still one
post; the first 32 (id, surface) pairs say all there is."""

_FOLD = re.compile(r"([a-z])(?=\1)")
_TOKEN = re.compile(r"@[\w.]*\w|#\w+|\w+")
_URL = re.compile(r"(?:https?://|www\.)\S++")  # as pipelines.tagging.text reads URLs, on case-folded text

CANDIDACY_WORDS = frozenset({
    "paslon", "calon", "cabup", "cawabup", "cabub", "cawabub", "cagub", "cawagub", "cawalkot", "cawawalkot",
    "cawali", "capres", "cawapres", "kandidat", "pasangan", "kontestan",
})
"""Words that name a candidacy: the number after them is a ballot number, padded or not."""
NUMBER_WORDS = frozenset({"nomor", "no", "nomer", "nmr", "urut"})
"""Words between the candidacy and the number (``paslon nomor urut 2``); ``urut`` alone makes
the number a ballot number (``no urut 2``)."""
CAMPAIGN_WORDS = frozenset({
    "pilih", "memilih", "dipilih", "coblos", "nyoblos", "dicoblos", "mencoblos", "dukung", "mendukung",
    "pendukung", "tim", "timses", "relawan", "kampanye", "tolak", "tanpa", "wakil", "menangkan", "kubu",
    "simpatisan", "lawan",
})
"""Words after which a zero-padded number (``02``, as ballots print it) is a ballot number."""
NUMBER_NAMES = {1: "satu", 2: "dua", 3: "tiga", 4: "empat", 5: "lima", 6: "enam", 7: "tujuh", 8: "delapan",
                9: "sembilan", 10: "sepuluh"}
HASHTAG_PREFIXES = ("paslon", "calon", "cabup", "cagub", "capres", "coblos", "pilih", "nomor", "no")


def fold(text: str) -> str:
    """Runs of one repeated letter a-z folded to one letter (digits are left alone: ``100rb``)."""
    return _FOLD.sub("", text)


def has_url(folded: str) -> bool:
    """Whether case-folded text holds a URL (``http://``, ``https://``, ``www.``)."""
    return "://" in folded or "www." in folded


def read_words(text: str) -> list[str]:
    """``text`` as the matchers read it: NFC, case-folded, URLs out, letters folded, cut into tokens.

    A token is a ``#hashtag``, an ``@handle`` (dots inside kept) or a run of word characters.
    URLs are left out: ``cekdptonline.kpu.go.id`` links to KPU, it does not name it.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    folded = text.casefold()
    if has_url(folded):
        folded = _URL.sub(" ", folded)
    return _TOKEN.findall(fold(folded))


@lru_cache(maxsize=1)
def _standard_words() -> dict[str, str]:
    """The slang map as this module reads words: keys and values folded."""
    mapping: dict[str, str] = {}
    for key, value in sorted(slang.shipped().items()):
        mapping.setdefault(fold(key), fold(value))
    return mapping


@dataclass(frozen=True)
class _Phrase:
    rest: tuple[frozenset[str], ...]
    """For each word of the phrase after the first, the tokens that stand for it."""
    type: str
    id: str


@dataclass(frozen=True)
class _Ballot:
    number: int
    padded: bool
    id: str


class EntityMatcher:
    """The election's names compiled once; ``find`` gives the entities a text names."""

    def __init__(self, election: ElectionSettings, slang_map: dict[str, str] | None = None) -> None:
        self.standard = _standard_words() if slang_map is None else {
            fold(k): fold(v) for k, v in sorted(slang_map.items())}
        variants: dict[str, list[str]] = {}
        for key, value in self.standard.items():
            variants.setdefault(value, []).append(key)
        self._variants = variants
        self.first: dict[str, list[_Phrase]] = {}
        self.ballots: dict[str, list[_Ballot]] = {}
        for candidate in election.candidates:
            self._add_candidate(candidate)
        for party in election.parties:
            names = [party.name, *party.aliases, *([party.abbreviation] if party.abbreviation else [])]
            self._add_names("party", party.id, names, party.hashtags, party.handles)
        for body in election.bodies:
            self._add_names("election_body", body.id, [body.name, *body.aliases], body.hashtags, body.handles)
        if election.region is not None:
            region = election.region
            self._add_names("region", region.code, [region.name, *region.aliases], region.hashtags, region.handles)
        for phrases in self.first.values():  # longest first: the longest phrase at a position wins
            phrases.sort(key=lambda p: -len(p.rest))
        self.keys = frozenset(self.first) | frozenset(self.ballots)

    # --- building ---------------------------------------------------------------------------

    def _standard(self, word: str) -> str:
        return self.standard.get(word, word)

    def forms(self, word: str) -> frozenset[str]:
        """The tokens that stand for ``word`` of a name: itself, and its slang if it is a standard word."""
        if word in self.standard:
            return frozenset({word})
        return frozenset({word, *self._variants.get(word, ())})

    def _add(self, key: str, phrase: _Phrase) -> None:
        phrases = self.first.setdefault(key, [])
        if phrase not in phrases:
            phrases.append(phrase)

    def _add_names(self, kind: str, own_id: str, names: list[str], hashtags: list[str], handles: list[str]) -> None:
        entity_id = f"{kind}:{own_id}"
        for name in names:
            words = [w for w in read_words(name) if w[0] not in "#@"]
            if not words:
                continue
            phrase = _Phrase(tuple(self.forms(w) for w in words[1:]), kind, entity_id)
            for first in self.forms(words[0]):
                self._add(first, phrase)
            joined = "".join(words)
            for key in (joined, "#" + joined):
                self._add(key, _Phrase((), kind, entity_id))
        for tag in hashtags:
            body = "".join(w.lstrip("#") for w in read_words(tag))
            if body:
                for key in (body, "#" + body):
                    self._add(key, _Phrase((), kind, entity_id))
        for handle in handles:
            body = fold(handle.strip().lstrip("@").casefold())
            if body:
                self._add("@" + body, _Phrase((), kind, entity_id))

    def _add_candidate(self, candidate: Candidate) -> None:
        entity_id = f"candidate:{candidate.id}"
        names = [candidate.name, *([candidate.running_mate] if candidate.running_mate else []), *candidate.aliases,
                 *candidate.nicknames, *candidate.misspellings]
        self._add_names("candidate", candidate.id, names, candidate.hashtags, candidate.handles)
        number = candidate.ballot_number
        forms = [(f"{number:02d}", True), (str(number), False)]
        if number in NUMBER_NAMES:
            forms.append((NUMBER_NAMES[number], False))
        for form, padded in forms:
            self.ballots.setdefault(form, []).append(_Ballot(number, padded, entity_id))
        for prefix in HASHTAG_PREFIXES:
            for form in {f"{number:02d}", *(() if prefix in ("coblos", "pilih", "nomor", "no") else (str(number),))}:
                for key in (prefix + form, "#" + prefix + form):
                    self._add(key, _Phrase((), "candidate", entity_id))

    # --- matching ---------------------------------------------------------------------------

    def _ballot_at(self, tokens: list[str], i: int) -> str | None:
        """The candidate whose ballot number ``tokens[i]`` is, if the words before it make it one."""
        ballots = self.ballots[tokens[i]]
        j = i - 1
        connectors: list[str] = []
        while j >= 0 and len(connectors) < 3 and self._standard(tokens[j]) in NUMBER_WORDS:
            connectors.append(self._standard(tokens[j]))
            j -= 1
        before = self._standard(tokens[j]) if j >= 0 else ""
        strong = before in CANDIDACY_WORDS or "urut" in connectors
        for ballot in ballots:
            if strong or (ballot.padded and (connectors or before in CAMPAIGN_WORDS)):
                return ballot.id
        return None

    def find(self, text: str, words: list[str] | None = None) -> list[Entity]:
        """Every entity ``text`` names, once per (entity, words as written), in the order they appear.

        ``words`` is ``read_words(text)`` when the caller has it already.
        """
        tokens = read_words(text) if words is None else words
        present = self.keys.intersection(tokens)
        if not present:
            return []
        # where the election's words stand, found by list.index (C) rather than a Python loop
        # over every token: most posts hold one or two of them
        starts: list[int] = []
        for key in present:
            at = tokens.index(key)
            while True:
                starts.append(at)
                try:
                    at = tokens.index(key, at + 1)
                except ValueError:
                    break
        starts.sort()
        hits: list[tuple[str, str, tuple[str, ...]]] = []
        n, done = len(tokens), 0
        for i in starts:
            if i < done:  # inside a phrase already matched: the longest, leftmost match wins
                continue
            token = tokens[i]
            found = None
            for phrase in self.first.get(token, ()):
                end = i + 1 + len(phrase.rest)
                if end <= n and all(tokens[i + 1 + k] in forms for k, forms in enumerate(phrase.rest)):
                    found = (phrase.type, phrase.id, end)
                    break
            if found is None and token in self.ballots:
                entity_id = self._ballot_at(tokens, i)
                if entity_id is not None:
                    found = ("candidate", entity_id, i + 1)
            if found is not None:
                kind, entity_id, done = found
                hits.append((kind, entity_id, tuple(tokens[i:done])))
        return _surfaces(text, hits)


def _surfaces(text: str, hits: list[tuple[str, str, tuple[str, ...]]]) -> list[Entity]:
    """The entities with the words as written: each hit found again in the original text, in order."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    entities: list[Entity] = []
    seen: set[tuple[str, str]] = set()
    missing: set[tuple[str, ...]] = set()
    position = 0
    for kind, entity_id, words in hits:
        # a search that failed from ``position`` fails from any later one: never scan for it again
        match = None if words in missing else _pattern(words).search(text, position)
        if match is not None:
            surface, position = match.group(0), match.end()
        else:  # not expected; the folded words are still what matched
            missing.add(words)
            surface = " ".join(words)
        key = (entity_id, surface.casefold())
        if key in seen:
            continue
        seen.add(key)
        entities.append(_entity(kind, entity_id, surface[:256]))
        if len(entities) >= MAX_ENTITIES:
            break
    return entities


@lru_cache(maxsize=8192)
def _entity(kind: EntityType, entity_id: str, surface: str) -> Entity:
    # an Entity is frozen, so posts naming "Kang Asep" alike may share one; model_construct costs
    # ~2 µs, the cache lookup ~0.1 µs
    return Entity.model_construct(type=kind, id=entity_id, surface=surface)


@lru_cache(maxsize=4096)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Each folded letter stands for a run of it, and the words are separated by anything but a
    # word character (a hyphen or an apostrophe split words when they were read). Possessive
    # runs and a match that may only start at a word's start keep the search linear in the text,
    # whatever the text (a post is attacker-chosen: 10,000 k's before "kang" cost nothing more).
    parts = ["".join(re.escape(ch) + ("++" if ch.isalpha() else "") for ch in word) for word in words]
    start = "" if words[0][:1] in ("#", "@") else r"(?<!\w)"  # "#a#b" holds two hashtags
    return re.compile(start + r"\W++".join(parts) + r"(?!\w)", re.IGNORECASE)
