"""A fact-check: a claim that a fact-checker reviewed, its rating, and where the debunk lives.

A ``FactCheck`` is what the fact-check sources produce (``connectors/factchecks.py`` reads
ClaimReview markup, the Fact Check Tools API, WordPress and RSS exports of fact-check sites, and
plain CSV lists) and what the claim matcher (``pipelines/factchecks/matcher.py``) loads. It is
the value of the fact-check topic and the document of the fact-check index, with
``factcheck_id`` as Kafka key and Elasticsearch ``_id``, so a re-import overwrites, never
duplicates.

Ratings arrive in every fact-checker's own words ("SALAH", "HOAKS", "Keliru", "Misleading",
"Mostly false", a 1-5 ``ratingValue``...). The word as given stays in ``rating``; ``verdict``
is one of a few values that rules and the matcher decide on (``verdict_of`` maps them).
``FactCheckMatch`` is what a post carries when it repeats a debunked claim.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from schemas.clock import wib
from schemas.fields import MAX_TEXT_CHARS, UtcDatetime, es_text

Verdict = Literal["false", "misleading", "partly_false", "unproven", "satire", "true", "unrated"]
VERDICTS: tuple[str, ...] = ("false", "misleading", "partly_false", "unproven", "satire", "true", "unrated")
DEBUNKED: frozenset[str] = frozenset({"false", "misleading", "partly_false"})
"""Verdicts that make a post repeating the claim a hoax; ``true``, ``satire`` and the rest do not."""

VERDICT_NAMES: dict[str, tuple[str, str]] = {
    "false": ("salah", "false"), "misleading": ("menyesatkan", "misleading"),
    "partly_false": ("sebagian salah", "partly false"), "unproven": ("belum terbukti", "unproven"),
    "satire": ("satire", "satire"), "true": ("benar", "true"), "unrated": ("tanpa penilaian", "unrated"),
}
"""Each verdict as officers read it: (Indonesian, English)."""

SourceFormat = Literal["claimreview", "factcheck-tools", "wordpress", "rss", "csv"]
SOURCE_FORMATS: tuple[str, ...] = ("claimreview", "factcheck-tools", "wordpress", "rss", "csv")

MAX_CLAIM_CHARS = 2_000
"""Longest claim accepted: a claim is a sentence or two; past this it is a whole article."""
MAX_NARRATIVES = 10
_ID = re.compile(r"^fc-[0-9a-f]{20}$")

# Ratings as fact-checkers write them, lower-cased, brackets and punctuation around them removed.
# Indonesian desks mostly use Mafindo's categories (after First Draft's seven kinds of mis- and
# disinformation) or a one-word label; English ones follow the ClaimReview examples and the
# big desks' scales.
_RATINGS: dict[str, str] = {
    # false
    "salah": "false", "hoaks": "false", "hoax": "false", "hoaxs": "false", "disinformasi": "false",
    "misinformasi": "false", "malinformasi": "false", "fitnah": "false", "bohong": "false", "palsu": "false",
    "keliru": "false", "tidak benar": "false", "penipuan": "false", "konten palsu": "false",
    "konten tiruan": "false", "konten yang dimanipulasi": "false", "konten manipulasi": "false",
    "koneksi yang salah": "false", "konteks yang salah": "false", "konten yang salah": "false",
    "false": "false", "fake": "false", "pants on fire": "false", "incorrect": "false", "wrong": "false",
    "fabricated": "false", "altered": "false", "manipulated": "false", "scam": "false", "hoax or fake": "false",
    "false context": "false", "false connection": "false", "imposter content": "false", "not true": "false",
    # misleading
    "menyesatkan": "misleading", "konten menyesatkan": "misleading", "konten yang menyesatkan": "misleading",
    "misleading": "misleading", "missing context": "misleading", "out of context": "misleading",
    "lacks context": "misleading", "distorts the facts": "misleading", "kurang konteks": "misleading",
    "tanpa konteks": "misleading", "di luar konteks": "misleading",
    # partly false
    "sebagian benar": "partly_false", "sebagian salah": "partly_false", "setengah benar": "partly_false",
    "partly false": "partly_false", "partly true": "partly_false", "partially false": "partly_false",
    "half true": "partly_false", "mixture": "partly_false", "mixed": "partly_false", "mostly false": "partly_false",
    "exaggerated": "partly_false", "dilebih-lebihkan": "partly_false", "berlebihan": "partly_false",
    # unproven
    "tidak terbukti": "unproven", "belum terbukti": "unproven", "belum terverifikasi": "unproven",
    "tidak dapat dibuktikan": "unproven", "unproven": "unproven", "unverified": "unproven",
    "unsupported": "unproven", "no evidence": "unproven", "needs context": "unproven",
    # satire
    "satire": "satire", "satir": "satire", "parodi": "satire", "satire/parodi": "satire",
    "satire atau parodi": "satire", "parody": "satire", "humor": "satire",
    # true
    "benar": "true", "fakta": "true", "sesuai fakta": "true", "true": "true", "correct": "true",
    "accurate": "true", "mostly true": "true", "sebagian besar benar": "true",
}
_RATING_NOISE = re.compile(r"[\[\]()\"'“”‘’!.:]+")
_SPACES = re.compile(r"\s+")


def verdict_of(rating: str | None, value: float | None = None, worst: float | None = None,
               best: float | None = None) -> str:
    """The normalised verdict of a rating as given, or of a numeric rating on its scale.

    A textual rating wins when it is known; an unknown word with a number falls back to the
    number's place on the scale (1-5 by default, as in ClaimReview: 1 false, 2 mostly false,
    3 half true, 4 mostly true, 5 true); otherwise ``unrated``.
    """
    if rating:
        key = _SPACES.sub(" ", _RATING_NOISE.sub(" ", rating.casefold())).strip()
        if key in _RATINGS:
            return _RATINGS[key]
        if key.startswith(("hoaks ", "hoax ", "salah ", "false ", "disinformasi ", "misinformasi ")):
            return "false"
    if value is not None:
        low = 1.0 if worst is None else worst
        high = 5.0 if best is None else best
        if high > low and low <= value <= high:
            place = (value - low) / (high - low)
            if place < 0.125:
                return "false"
            if place < 0.625:
                return "partly_false"
            return "true"
    return "unrated"


_TRACKING = re.compile(r"^(?:utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref|amp)$")


def normalise_url(url: str) -> str:
    """A debunk URL as a key: https, lower-case host without ``www.``, no fragment, no tracking
    parameters, no trailing slash, other parameters sorted; so the same page read through its
    RSS item, its ClaimReview markup and an agency's list gives one key."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+", "/", parts.path).rstrip("/").removesuffix("/amp")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k.lower())))
    return urlunsplit(("https", host, path, query, ""))


def make_factcheck_id(key: str) -> str:
    """The stable id ``fc-<20 hex>`` of a fact-check keyed by ``key`` (see ``factcheck_key``)."""
    return "fc-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def factcheck_key(*, url: str | None = None, source: str | None = None, native_id: str | None = None,
                  claim: str | None = None) -> str:
    """What a fact-check's id is derived from.

    The debunk URL, normalised, when there is one and no own id is asked for: the same debunk
    read from two formats is then one document. An agency's list keys by its own id within the
    source (one agency page often lists many hoaxes under one URL). ``claim`` tells apart the
    several claims one page reviews.
    """
    if native_id is not None:
        key = f"id:{source or ''}:{native_id.strip()}"
    elif url:
        key = f"url:{normalise_url(url)}"
    else:
        msg = "a fact-check needs a URL or an id of its own"
        raise ValueError(msg)
    if claim is not None:
        key += "\nclaim:" + _SPACES.sub(" ", claim.casefold()).strip()
    return key


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactCheck(_Model):
    """One reviewed claim, as a fact-checker published it."""

    factcheck_id: str = Field(pattern=_ID.pattern, description="fc-<hash of factcheck_key>; Kafka key and _id")
    claim: str = es_text(min_length=1, max_length=MAX_CLAIM_CHARS,
                         description="the claim reviewed, in a sentence (claimReviewed, the API's text, a title)")
    narratives: list[str] = es_text(default_factory=list, max_length=MAX_NARRATIVES,
                                    description="the circulating text as the fact-checker quoted it")
    title: str | None = es_text(default=None, max_length=1_000, description="the debunk's headline")
    rating: str | None = Field(default=None, max_length=256, description="the rating as the fact-checker gave it")
    verdict: Verdict = "unrated"
    url: HttpUrl | None = Field(default=None, description="the debunk; absent only in an agency's own list")
    published_at: UtcDatetime | None = Field(default=None, description="when the debunk was published")
    publisher: str | None = es_text(default=None, max_length=256, description="the fact-checking organisation")
    author: str | None = es_text(default=None, max_length=256, description="the person who wrote the debunk")
    claimant: str | None = es_text(default=None, max_length=256, description="who made the claim (itemReviewed.author)")
    claim_date: UtcDatetime | None = Field(default=None, description="when the claim was first seen")
    appearances: list[HttpUrl] = Field(default_factory=list, max_length=200,
                                       description="where the claim was seen circulating")
    language: str | None = Field(default=None, max_length=16)
    source_format: SourceFormat
    native_id: str | None = Field(default=None, max_length=256, description="the source's own id for it, if any")
    collected_at: UtcDatetime

    @field_validator("narratives")
    @classmethod
    def _check_narratives(cls, values: list[str]) -> list[str]:
        kept: list[str] = []
        for value in values:
            text = value.strip()
            if len(text) > MAX_TEXT_CHARS:
                msg = f"a narrative is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit"
                raise ValueError(msg)
            if text and text not in kept:
                kept.append(text)
        return kept

    @property
    def debunked(self) -> bool:
        """True when the verdict makes a post repeating this claim a hoax."""
        return self.verdict in DEBUNKED


class FactCheckMatch(_Model):
    """A debunked claim a post repeats: what an officer reads next to the post, and why it matched."""

    factcheck_id: str = Field(pattern=_ID.pattern)
    claim: str = es_text(max_length=MAX_CLAIM_CHARS)
    title: str | None = es_text(default=None, max_length=1_000)
    url: HttpUrl | None = None
    rating: str | None = Field(default=None, max_length=256)
    verdict: Verdict
    publisher: str | None = Field(default=None, max_length=256)
    published_at: UtcDatetime | None = None
    score: float = Field(ge=0.0, le=1.0)
    matched: str = es_text(max_length=MAX_TEXT_CHARS, description="the part of the post that repeats the claim")
    reason: str = Field(max_length=1_000, description="which text of the fact-check matched and how much of it")

    def verdict_line(self, english: bool = False) -> str:
        """The rating as given with its verdict, who published it and when (WIB): ``SALAH (salah), Mafindo, ...``."""
        verdict = VERDICT_NAMES[self.verdict][1 if english else 0]
        if not self.rating:
            rating = verdict
        elif self.rating.casefold().strip("[]() ") == verdict:
            rating = self.rating  # "SALAH" says "salah" already
        else:
            rating = f"{self.rating} ({verdict})"
        parts = [rating] + [p for p in (self.publisher,) if p]
        if self.published_at is not None:
            parts.append(wib(self.published_at))
        return ", ".join(parts)

    def summary(self, english: bool = False) -> str:
        """One line for officers: the debunk's headline and its ``verdict_line``."""
        return f"\u201c{self.title or self.claim}\u201d ({self.verdict_line(english)})"
