"""The text officers search: every post's words in the forms a search should meet them in (``text_norm``).

Discover searches ``text`` with Elasticsearch's standard analyzer, which only lower-cases and
splits words: ``mencoblos`` does not find ``dicoblos`` and ``jangan`` does not find ``jgn``.
Siaga therefore computes, for every post, a second text where each word stands in the forms a
search should meet it in, and indexes it as ``text_norm`` (same standard analyzer; no plugin,
no custom analyzer, so it works the same on the embedded server and on a real cluster):

- lower case; URLs and @mentions left out (handles are searched in ``author.handle`` and
  ``mentions``); emoji and punctuation left out; numbers kept (``02``, ``2026``);
- each word folded and mapped to its standard form (``jgnnn`` → ``jangan``, ``bangeeet`` →
  ``banget``, ``anak2`` → ``anak``), a dictionary word keeping its own spelling beside its
  mapping (``kaya kayak``);
- then its stem, when that differs (``dicoblos coblos``, ``curangnya curang``);
- a hashtag keeps its whole word (``#tolakpendatang`` → ``tolakpendatang``) followed by its parts
  when it splits cleanly into dictionary words (``tolak pendatang datang``; see
  ``Lexicon.split_hashtag``).

So ``text_norm:coblos`` finds every form (``dicoblos``, ``mencoblos``, ``nyoblos``),
``text_norm:mencoblos`` finds that form only, and ``text_norm:jangan`` finds ``jgn``. A query goes
through the same functions (``search_terms``): each word becomes the stem of its standard form,
the one form every variant of it is indexed under, which is what ``siaga search`` sends and
``siaga normalise`` shows.

Phrases: a word's extra forms follow it, so ``"surat suara dicoblos"`` as stems is a phrase with
gaps; ``search_query`` allows them (slop two per word) and ``discover_query`` uses the words.

Cost: a ``str.split`` and one dictionary lookup per white-space chunk (~3 us a post warm); a
chunk not seen before goes through the regular expressions and an LRU cache of words, and
Sastrawi runs only on a word no cache has seen (``bench/search.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.tagging.lexicon import MAX_WORD_CHARS, Lexicon, default_lexicon

FIELD = "text_norm"
"""The Elasticsearch field of the normalised text (``schemas.post.TaggedPost.text_norm``)."""

MAX_CHARS = 20_000
"""Longest ``text_norm``, cut at a word: twice ``schemas.post.MAX_TEXT_CHARS``, which real posts stay
far under (~1.3 times their text), while a text made to expand (10,000 characters of
``#tolakpendatang``) would otherwise push the tagged post towards the tagged topic's size limit."""

WORD_CACHE_SIZE = 65_536
"""Distinct words (hashtags included), and apart distinct white-space chunks (``coblos,``), whose
forms the normaliser remembers."""
MAX_CHUNK_CHARS = 64
"""Longer chunks between spaces are normalised every time they come, never cached."""

# Linear whatever the text (a post is attacker-chosen): possessive quantifiers, as in text.py.
_NOISE = re.compile(r"(?:https?://|www\.)\S++|@[\w.]++")
# Words as Lucene's standard tokenizer reads them: letters, digits and the underscore (which joins
# words there too), with an apostrophe inside a word dropped (jum'at is jumat).
_TOKEN = re.compile(r"#?\w++(?:['’]\w++)*+")
_APOSTROPHES = re.compile(r"['’]")
_QUOTED = re.compile(r'"([^"]*+)"?')


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _bare(token: str) -> str:
    """A token without its ``#`` and inner apostrophes; ``""`` if only underscores are left (no word)."""
    word = _APOSTROPHES.sub("", token.lstrip("#"))
    return word if word.strip("_") else ""


class SearchNormaliser:
    """Texts → ``text_norm``; queries → the terms to search it for. One per process (``default``)."""

    def __init__(self, lexicon: Lexicon | None = None, cache_size: int = WORD_CACHE_SIZE) -> None:
        self.lexicon = lexicon or default_lexicon()
        self._indexed = lru_cache(maxsize=cache_size)(self._indexed_uncached)
        self._chunks: dict[str, str] = {}
        self._chunk_limit = cache_size

    def __call__(self, text: str) -> str:
        """``text_norm`` of ``text``: each word's forms in order, space-separated."""
        # Split on white space and look each chunk up ("coblos," "#pilkada" "https://..."): a str.split
        # and a dict lookup a chunk cost ~3 us a post where a regular expression over the text cost
        # ~7 us; the expression runs only on a chunk not seen before (_chunk).
        get = self._chunks.get
        norm = " ".join(filter(None, [v if (v := get(c)) is not None else self._chunk(c)
                                      for c in _nfc(text).lower().split()]))
        if len(norm) > MAX_CHARS:
            norm = norm[: norm.rfind(" ", 0, MAX_CHARS + 1)].rstrip() if " " in norm[:MAX_CHARS] else ""
        return norm

    def _chunk(self, chunk: str) -> str:
        if "@" in chunk or "http" in chunk or "www." in chunk:
            chunk_text = _NOISE.sub(" ", chunk)
        else:
            chunk_text = chunk
        forms = self._indexed
        # A token past MAX_WORD_CHARS is no word: kept as it is, and never in the word cache (memory).
        value = " ".join(filter(None, [forms(word) if len(word) <= MAX_WORD_CHARS else _bare(word)
                                       for word in _TOKEN.findall(chunk_text)]))
        # URLs are mostly unique: not worth a place. When the cache is full it starts again; the
        # lexicon's LRU caches keep the stems, so refilling it costs no stemming.
        if len(chunk) <= MAX_CHUNK_CHARS and "/" not in chunk:
            if len(self._chunks) >= self._chunk_limit:
                self._chunks.clear()
            self._chunks[chunk] = value
        return value

    def _indexed_uncached(self, token: str) -> str:
        tag = token.startswith("#")
        word = _bare(token)
        if word.isdigit() or not word:
            return word
        lexicon = self.lexicon
        forms = list(lexicon.forms(word))
        if tag and forms[0] != word:
            forms.insert(0, word)  # a hashtag is searched as it is written, too
        out = dict.fromkeys(forms)
        for form in forms:
            out.setdefault(lexicon.stem(form))
        if tag:
            for part in lexicon.split_hashtag(word):
                out.setdefault(part)
                if part.isalpha():
                    out.setdefault(lexicon.stem(part))
        return " ".join(out)

    def term(self, token: str) -> str:
        """The one term a query word searches ``text_norm`` for: the stem of its standard form."""
        word = _bare(token.lower())
        if word.isdigit() or token.startswith("#") or not word or len(word) > MAX_WORD_CHARS:
            return word
        return self.lexicon.stem(self.lexicon.forms(word)[0])

    def terms(self, query: str) -> list[str]:
        """The terms of every word of ``query``, in order (``mencoblos jgn`` → ``coblos jangan``)."""
        return [term for token in _TOKEN.findall(_NOISE.sub(" ", _nfc(query))) if (term := self.term(token))]

    def cache_info(self) -> dict[str, object]:
        """Hits, misses and sizes of the word cache and of the lexicon's caches."""
        return {"chunks": {"currsize": len(self._chunks), "maxsize": self._chunk_limit},
                "words": self._indexed.cache_info()._asdict(), **self.lexicon.cache_info()}


@lru_cache(maxsize=1)
def default() -> SearchNormaliser:
    """The process's normaliser, on the default lexicon (loaded on first use, ~0.3 s)."""
    return SearchNormaliser()


def normalise_for_search(text: str) -> str:
    """``text_norm`` of a post's text: lower case, slang → standard, letters folded, each word with its stem."""
    return default()(text)


def search_terms(query: str) -> list[str]:
    """What each word of ``query`` is searched as in ``text_norm``."""
    return default().terms(query)


@dataclass(frozen=True)
class Query:
    """An officer's query, split into phrases (in double quotes) and single words, each normalised."""

    words: list[str]
    phrases: list[list[str]]

    @property
    def empty(self) -> bool:
        """Whether nothing is left to search for once the query is normalised."""
        return not self.words and not any(self.phrases)


def parse_query(query: str, normaliser: SearchNormaliser | None = None) -> Query:
    """``'"surat suara" mencoblos jgn'`` → phrases ``[[surat, suara]]``, words ``[coblos, jangan]``."""
    normaliser = normaliser or default()
    phrases = [normaliser.terms(m.group(1)) for m in _QUOTED.finditer(query)]
    rest = _QUOTED.sub(" ", query)
    return Query(words=list(dict.fromkeys(normaliser.terms(rest))), phrases=[p for p in phrases if p])


def search_query(query: str, *, match_all: bool = True, normaliser: SearchNormaliser | None = None) -> dict[str, Any]:
    """The Elasticsearch query for ``query`` on ``text_norm``: every word (or any, ``match_all=False``)."""
    parsed = parse_query(query, normaliser)
    clauses: list[dict[str, Any]] = [{"match": {FIELD: {"query": word}}} for word in parsed.words]
    # Each word of a post may be followed by up to two more forms (standard, stem): allow those gaps.
    clauses += [{"match_phrase": {FIELD: {"query": " ".join(phrase), "slop": 2 * (len(phrase) - 1)}}}
                for phrase in parsed.phrases]
    if not clauses:
        return {"match_none": {}}
    return {"bool": {"must": clauses}} if match_all else {"bool": {"should": clauses, "minimum_should_match": 1}}


def discover_query(query: str, *, match_all: bool = True, normaliser: SearchNormaliser | None = None) -> str:
    """The KQL an officer types in Discover for ``query``: ``text_norm:(coblos and jangan)``.

    A phrase becomes its words joined by ``and``: KQL has no phrase with gaps.
    """
    parsed = parse_query(query, normaliser)
    words = list(dict.fromkeys([*(w for phrase in parsed.phrases for w in phrase), *parsed.words]))
    if not words:
        return ""
    if len(words) == 1:
        return f"{FIELD}:{_kql_value(words[0])}"
    joiner = " and " if match_all else " or "
    return f"{FIELD}:({joiner.join(_kql_value(w) for w in words)})"


_KQL_SPECIAL = re.compile(r'[\\():<>"*{}]|\s')


def _kql_value(word: str) -> str:
    # Words are letters and digits, but a KQL keyword (and, or, not) must be quoted to be a word.
    if word in ("and", "or", "not") or _KQL_SPECIAL.search(word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word
