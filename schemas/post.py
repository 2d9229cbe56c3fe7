"""The normalised post every connector produces and the tagged post the pipeline emits.

A ``Post`` is what travels on the raw-posts topic (its JSON is the Kafka value, its ``post_id``
the Kafka key); a ``TaggedPost`` adds what the tagging stage learnt and is both the
tagged-posts topic value and the Elasticsearch document, with ``post_id`` as ``_id``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from schemas.factcheck import FactCheckMatch
from schemas.fields import MAX_TEXT_CHARS, UtcDatetime, es_disabled, es_hint, es_search_text, es_text
from schemas.taxonomy import RiskLevel

Platform = Literal["tiktok", "facebook", "instagram"]
PLATFORMS: tuple[str, ...] = ("tiktok", "facebook", "instagram")


MAX_FACTCHECKS = 5
"""Most fact-checks a post carries: a post repeating more than a few debunked claims is a chain
message, and the best few say what an officer needs."""

MAX_TAGS = 100
"""Most hashtags (and, apart, mentions) a post keeps; Instagram allows 30 a post, TikTok's
caption limit allows a few hundred, and beyond 100 a post is tag spam."""

_NATIVE_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
"""Unicode categories stripped from identifiers: controls (NUL, ESC...), format characters
(zero-width spaces, bidi overrides) and lone surrogates. No platform allows them in a handle,
an id or a URL; where they appear they come from a broken export or are meant to deceive (a
bidi override makes a handle read backwards), and a NUL makes a handle that no search finds."""


def strip_controls(value: str) -> str:
    """``value`` without control, format and surrogate characters (see ``_INVISIBLE``), trimmed."""
    if value.isprintable():  # the usual case, checked in C
        return value.strip()
    return "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE).strip()


def has_controls(value: str) -> bool:
    """Whether ``strip_controls`` would remove anything from ``value`` but surrounding spaces."""
    return not value.isprintable() and any(unicodedata.category(ch) in _INVISIBLE for ch in value)


def _strip_c0_c1(value: str) -> str:
    # Display names keep format characters: emoji sequences are joined by ZERO WIDTH JOINER.
    if value.isprintable():
        return value
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")


def _is_tag_character(ch: str) -> bool:
    # Letters and digits of any script, the underscore, and combining marks (Javanese, Thai and
    # Arabic vowel signs are marks; a tag cut at them would lose its second half).
    return ch == "_" or ch.isalnum() or unicodedata.category(ch)[0] == "M"


def tag_run(text: str, start: int = 0) -> str:
    """The hashtag body that starts at ``text[start]``: the run of characters a tag can hold."""
    end = start
    while end < len(text) and _is_tag_character(text[end]):
        end += 1
    return text[start:end]


def normalise_hashtag(value: str) -> str:
    """A hashtag as Siaga stores it, whichever source gave it; ``""`` if nothing is left.

    NFC (so ``cafe`` + combining acute and ``café`` are one tag), without controls, without the
    ``#`` and whatever punctuation precedes it, cut where the platform itself ends a hashtag (the
    first character that is not a letter, digit, mark or ``_``: ``samenkoken"`` is
    ``samenkoken``), lower-cased. The same reading as a ``#tag`` found in a text, so a tag from
    a tool's list and the same tag in the caption are one.
    """
    text = unicodedata.normalize("NFC", strip_controls(value))
    start = 0
    while start < len(text) and not _is_tag_character(text[start]):
        start += 1
    return tag_run(text, start).lower()


def _is_handle_character(ch: str) -> bool:
    return ch in "._" or (ch.isascii() and ch.isalnum())


def normalise_mention(value: str) -> str:
    """A mentioned handle as Siaga stores it: no ``@``, letters, digits, ``.`` and ``_`` up to the
    first other character, no trailing dot (the end of a sentence), lower-cased."""
    text = unicodedata.normalize("NFC", strip_controls(value))
    start = 0
    while start < len(text) and not _is_handle_character(text[start]):
        start += 1
    end = start
    while end < len(text) and _is_handle_character(text[end]):
        end += 1
    return text[start:end].strip(".").lower()


def make_post_id(platform: str, native_id: str) -> str:
    """The stable post id ``<platform>:<native id>``, used as Kafka key and Elasticsearch ``_id``."""
    return f"{platform}:{native_id}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Model):
    """The public account that published a post."""

    id: str | None = Field(default=None, max_length=128)
    handle: str = Field(min_length=1, max_length=128)
    display_name: str | None = es_text(default=None, max_length=256)

    @field_validator("id", "handle", mode="before")
    @classmethod
    def _strip_identifier(cls, value: Any) -> Any:
        return strip_controls(value) if isinstance(value, str) else value

    @field_validator("display_name", mode="before")
    @classmethod
    def _strip_name(cls, value: Any) -> Any:
        return _strip_c0_c1(value) if isinstance(value, str) else value


_UNKNOWN = "null when unknown: hidden by the platform or its owner, or not given by the source"


class Engagement(_Model):
    """Engagement counts at collection time; they change, so a re-fetch overwrites them.

    ``None`` means unknown, never zero: Instagram lets owners hide likes, TikTok's API leaves a
    count out, Instagram has no share count at all. Read as 0 such a post would say "nobody
    liked it" and drag down every average. In Elasticsearch a null is a missing value, so
    ``avg``/``sum``/``max`` aggregations skip it instead of counting a zero.
    """

    likes: int | None = Field(default=None, ge=0, description=_UNKNOWN)
    comments: int | None = Field(default=None, ge=0, description=_UNKNOWN)
    shares: int | None = Field(default=None, ge=0, description=_UNKNOWN)
    views: int | None = Field(default=None, ge=0, description=_UNKNOWN)


class GeoPoint(_Model):
    """A WGS84 point, when the platform or the operator's region table knows one."""

    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)


class Post(_Model):
    """A public social-media post, normalised across platforms."""

    post_id: str = Field(default="", description="<platform>:<native id>; derived when omitted")
    platform: Platform
    native_id: str = Field(pattern=_NATIVE_ID.pattern)
    url: HttpUrl
    author: Author
    text: str = es_text(max_length=MAX_TEXT_CHARS, indonesian=True)
    hashtags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    mentions: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    created_at: UtcDatetime
    collected_at: UtcDatetime
    engagement: Engagement = Field(default_factory=Engagement)
    region: str | None = Field(default=None, max_length=128)
    location: GeoPoint | None = Field(default=None, json_schema_extra=es_hint(type="geo_point"))
    raw: dict[str, Any] | None = es_disabled(default=None)

    @field_validator("hashtags", "mentions")
    @classmethod
    def _normalise_tags(cls, values: list[str], info: Any) -> list[str]:
        normalise = normalise_hashtag if info.field_name == "hashtags" else normalise_mention
        return list(dict.fromkeys(tag for tag in map(normalise, values) if tag))

    @model_validator(mode="before")
    @classmethod
    def _derive_post_id(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name in ("native_id", "post_id", "url"):
            if isinstance(data.get(name), str):
                data[name] = strip_controls(data[name])
        if not data.get("post_id"):
            platform, native_id = data.get("platform"), data.get("native_id")
            if isinstance(platform, str) and isinstance(native_id, str):
                data["post_id"] = make_post_id(platform, native_id)
        return data

    @model_validator(mode="after")
    def _check_post_id(self) -> Post:
        expected = make_post_id(self.platform, self.native_id)
        if self.post_id != expected:
            msg = f"post_id {self.post_id!r} does not match platform and native_id ({expected!r})"
            raise ValueError(msg)
        if self.collected_at < self.created_at:
            msg = "collected_at is earlier than created_at"
            raise ValueError(msg)
        return self


class LabelScore(_Model):
    """One label a model assigned, with its calibrated score."""

    label: str
    score: float = Field(ge=0.0, le=1.0)


class WatchlistMatch(_Model):
    """A watchlist term found in the post: the reason an officer can see for a flag."""

    watchlist: str
    term: str
    risk: str | None = Field(default=None, description="the risk label the watchlist stands for, if any")


EntityType = Literal["candidate", "party", "election_body", "region"]
ENTITY_TYPES: tuple[str, ...] = ("candidate", "party", "election_body", "region")


class Entity(_Model):
    """A candidate, party, election body or region of the configured election named in a post.

    ``id`` is ``<type>:<configured id>`` (``candidate:paslon-02``, ``election_body:kpu``), unique
    across types, so a rule's ``entities_any`` and a Kibana filter need only the id.
    """

    type: EntityType
    id: str = Field(description="<type>:<id in the election section>, e.g. candidate:paslon-02")
    surface: str = Field(max_length=256, description="the words as written in the post")


ReasonKind = Literal["model", "entity", "watchlist", "composition", "factcheck"]
RiskTarget = Literal["individual", "group"]
RiskCategory = Literal["religion", "ethnicity", "physical", "gender", "other"]
RiskStrength = Literal["weak", "moderate", "strong"]


class RiskReason(_Model):
    """One piece of evidence for a risk label: what an officer reads to see why a post was raised."""

    kind: ReasonKind
    label: str = Field(description="the risk label this reason supports")
    ref: str | None = Field(default=None, description="model label, entity id, watchlist term or fact-check id")
    detail: str = Field(max_length=512, description="a short line for officers, Indonesian first")
    score: float | None = Field(default=None, ge=0.0, le=1.0)


class RiskTags(_Model):
    """The post's risk: an overall level, its score, every risk label assigned, and why."""

    level: RiskLevel = "normal"
    score: float = Field(default=0.0, ge=0.0, le=1.0)
    labels: list[LabelScore] = Field(default_factory=list)
    raised_by_watchlist: bool = Field(default=False, description="the level was raised by a watchlist match")
    target: RiskTarget | None = Field(default=None, description="whom hate speech or abuse aims at, when the model says")
    categories: list[RiskCategory] = Field(
        default_factory=list, description="what the hate speech is about (SARA: religion, ethnicity; physical, ...)")
    strength: RiskStrength | None = Field(default=None, description="how strong the hate speech is, when the model says")
    reasons: list[RiskReason] = Field(default_factory=list, description="why each risk label was assigned")


class ModelRef(_Model):
    """Which model file tagged a post: its name (``risk``) and version (a hash of the file's bytes)."""

    name: str
    version: str


class TagsInfo(_Model):
    """How the post was tagged: the model that raises alerts (risk), and every classifier used."""

    model: ModelRef = Field(description="the risk model: the one whose labels raise alerts")
    models: list[ModelRef] = Field(default_factory=list, description="every classifier that tagged the post")


class TaggedPost(Post):
    """A post with the tags the pipeline assigned; the Elasticsearch document."""

    language: str = Field(description="ISO 639-1 code where one exists, else 639-3; 'und' if unsure")
    language_score: float = Field(ge=0.0, le=1.0)
    topics: list[LabelScore] = Field(default_factory=list, description="empty when the post is off-topic")
    risk: RiskTags = Field(default_factory=RiskTags)
    matches: list[WatchlistMatch] = Field(default_factory=list)
    entities: list[Entity] = Field(
        default_factory=list, description="candidates, parties, election bodies and regions the post names")
    factchecks: list[FactCheckMatch] = Field(
        default_factory=list, max_length=MAX_FACTCHECKS,
        description="debunked claims the post repeats (pipelines.factchecks), best first; each also a factcheck reason")
    cluster_id: str | None = Field(
        default=None, description="near-duplicate cluster the alerting stage put this post in, if any"
    )
    tagged_at: UtcDatetime
    tagger_version: str
    tags: TagsInfo | None = Field(
        default=None, description="which models tagged the post (tags.model: the risk model's name and version); "
                                  "null on posts tagged before it existed")
    # Search (issue 14): what officers search in Discover (pipelines/tagging/search.py).
    text_norm: str = es_search_text(
        default="",
        description="the text as Siaga searches it: lower case, slang mapped to standard words, stretched letters "
                    "folded, each word followed by its stem (text_norm:coblos finds dicoblos, text_norm:jangan "
                    "finds jgn); empty on posts tagged before it existed",
    )
