"""Normalisers from collection-tool exports (Apify datasets, Zeeschuimer captures) to ``Post``.

Official research access is narrow (docs/platform.md, "Where public posts come from"), so
much of what people bring to Siaga was gathered with a scraping service or a capture tool.
Each function here turns one exported item into a ``Post`` and does nothing else: no I/O, no
clock. ``FORMATS`` names them for whatever reads the export files, and every refusal is a
``NormaliseError`` whose message names the format, the field and what was wrong with it, so it
can travel as a dead-letter reason without anyone opening the original file.

Rules every format follows:

- ``native_id`` is the platform's own id for the post, the same one its other sources give,
  so a post imported twice, by two tools, or also read from an API, is one Kafka key and one
  Elasticsearch document. For Instagram that is the shortcode (``instagram_shortcode``): the
  numeric media ids differ between the Graph API and what scrapers see. For Facebook it is the
  post's own numeric id (``facebook_post_id``): the Graph API and the Content Library write
  ``<owner id>_<post id>``, scrapers the post id alone, and the owner part differs between
  them (a page's id or the id of the profile behind it, a group's id or the poster's).
- A fallback taken (a count the platform hides, a URL built from parts) is reported through
  the optional ``warnings`` list; the post is still made.
- Hashtags and mentions are the union of the tool's structured list and what the text holds,
  list first: tools leave out tags the platform did not link, and some keep punctuation from
  the caption (``samenkoken"``). Each is normalised the one way ``schemas.post`` defines.
- Counts must be whole numbers; numeric strings (``"1200"``) pass, display strings
  (``"1,2rb"``, ``"1.2K"``) do not, because any reading of them would be a guess. A count the
  platform hides (``-1`` is how the tools write it; or the field left out, or Instagram's
  ``like_and_view_counts_disabled``) is ``None``, unknown, never 0, with a warning; a count the
  platform does not have (Instagram shares) is ``None`` without one.
- Control characters in identifiers (a NUL in a TikTok username) are removed, with a warning;
  the original stays in ``raw``.
- Times must say their timezone. A naive time is refused rather than read as UTC: the usual
  alternative here is WIB, seven hours off, enough to put a post in the wrong alert window.
- ``collected_at`` earlier than ``created_at`` is the collector's clock running behind the
  platform's; it is raised to ``created_at`` instead of refusing the post.
- ``Post.raw`` (stored, not indexed) keeps of the exported item only what an officer or a
  re-normalisation needs: each format has an allow-list (``RawFields``, ``RAW_FIELDS``) of ids,
  text, times, counts, the author's handle, id and name, URLs, hashtags, mentions and place.
  Everything else goes before the post is produced: other users' comments, avatars and media
  URLs (signed, expiring), profile bios, the scraper's input, the collector's browser. Normalising
  the kept ``raw`` again gives the same ``Post`` (``tests/test_raw_fields.py`` checks it on every
  stored sample); ``docs/raw-fields.md`` lists the fields and why.
- Tracking parameters (``utm_*``, ``fbclid``, ``igsh``, TikTok's ``_r``/``_t``/``u_code`` ...)
  are removed from URLs, in ``Post.url`` and in ``raw``: they identify who shared a link, and
  not the post.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, overload
from urllib.parse import parse_qs, urlparse, urlsplit, urlunsplit

from pydantic import ValidationError

from schemas.errors import NormaliseError
from schemas.post import MAX_TAGS, MAX_TEXT_CHARS, Post, has_controls, normalise_hashtag, normalise_mention, tag_run

_HASH = re.compile(r"(?<![\w#&])#")
"""Where a hashtag may start: a ``#`` not glued to a word, another ``#`` or an ``&`` (``&#39;``)."""
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
_WHOLE = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_HANDLE = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
_HIDDEN = -1
"""What Apify and 4CAT write for a count the platform does not show (e.g. hidden likes)."""
_LARGEST_COUNT = 2**63 - 1
"""Elasticsearch's ``long``: a larger count would pass here and be refused only at indexing."""


TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_eid", "igsh", "igshid", "mibextid", "rdid", "sfnsn", "si", "ref",
    "refsrc", "__tn__", "__cft__[0]", "_r", "_t", "u_code", "share_app_id", "share_item_id", "share_link_id",
    "sender_device", "sender_web_id", "is_from_webapp", "is_copy_url", "web_id", "timestamp", "user_id",
    "social_sharing", "utm_id",
})
"""Query parameters that say who shared a link, or from where, and nothing about the post
(``utm_*`` besides): removed from every post URL."""


def object_at(item: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The JSON object under ``key``; ``{}`` when it is missing or not an object."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def strip_tracking(url: str) -> str:
    """``url`` without tracking parameters (``TRACKING_PARAMETERS``, ``utm_*``); unchanged if it has none.

    Parameters that name the post (``story_fbid``, ``fbid``, ``v``, ``id``) stay. Never raises:
    a URL that cannot be parsed is returned as it is.
    """
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    pairs = parts.query.split("&") if parts.query else []
    kept = [pair for pair in pairs
            if not (pair.partition("=")[0] in TRACKING_PARAMETERS or pair.partition("=")[0].startswith("utm_"))]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def _tree(paths: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for key in path.split("."):
            node = node.setdefault(key, {})
    return tree


@dataclass(frozen=True)
class RawFields:
    """The fields of a platform item that ``Post.raw`` keeps, as dotted paths; the rest is dropped.

    A path names a key in an object; through a list it applies to each element (``hashtags.name``
    keeps the ``name`` of each hashtag object, and strings in the list as they are). Where a path
    ends, text, numbers, booleans and lists of them are kept; an object there is kept only with
    the keys paths name below it (none: ``{}``), so no object is ever kept whole by accident.
    ``urls`` are paths whose text is a URL: kept without tracking parameters (``strip_tracking``).
    The shape is kept (an object stays an object, a list a list), because a normaliser reads
    shapes too (Zeeschuimer's ``author`` is an object or a handle).
    """

    keep: frozenset[str]
    urls: frozenset[str] = frozenset()
    why: str = ""
    """What the source is and why these fields (``docs/raw-fields.md`` shows it)."""
    _keep_tree: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _url_tree: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keep_tree", _tree(self.keep | self.urls))
        object.__setattr__(self, "_url_tree", _tree(self.urls))

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` with only the allowed fields, URLs cleaned; ``item`` itself is not changed."""
        return _keep_fields(item, self._keep_tree, self._url_tree)


def raw_fields(*paths: str, urls: Iterable[str] = (), why: str = "") -> RawFields:
    """A ``RawFields`` of ``paths`` (and ``urls``, which are kept too)."""
    return RawFields(frozenset(paths), frozenset(urls), why)


def _keep_value(value: Any, tree: dict[str, Any], urls: dict[str, Any] | None) -> Any:
    if isinstance(value, dict):
        return _keep_fields(value, tree, urls or {})
    if isinstance(value, list):
        return [_keep_value(entry, tree, urls) for entry in value]
    if isinstance(value, str) and urls is not None and not urls:
        return strip_tracking(value)
    return value


def _keep_fields(item: dict[str, Any], tree: dict[str, Any], urls: dict[str, Any]) -> dict[str, Any]:
    return {key: _keep_value(value, tree[key], urls.get(key)) for key, value in item.items() if key in tree}


def kind_of(value: Any) -> str:
    """What a JSON value is, as an error message names it: ``null``, ``a number``, ``text`` ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Item:
    """One exported object, read on behalf of a format so that every refusal names both."""

    def __init__(self, fmt: str, raw: Any, prefix: str = "", warnings: list[str] | None = None) -> None:
        if not isinstance(raw, dict):
            msg = f"{fmt}: item is {kind_of(raw)}, not a JSON object"
            raise NormaliseError(msg)
        self.fmt = fmt
        self.raw = raw
        self.prefix = prefix
        self.warnings = warnings

    def warn(self, reason: str) -> None:
        """Note a fallback taken for this item; the post is still made."""
        if self.warnings is not None:
            self.warnings.append(f"{self.fmt}: {reason}")

    def error(self, reason: str) -> NormaliseError:
        return NormaliseError(f"{self.fmt}: {reason}")

    def name(self, path: str) -> str:
        return self.prefix + path

    def missing(self, *paths: str) -> NormaliseError:
        alternatives = " or ".join(repr(self.name(path)) for path in paths[1:])
        return self.error(f"missing field {self.name(paths[0])!r}" + (f" (or {alternatives})" if alternatives else ""))

    def get(self, path: str) -> Any:
        """The value at a dotted path, ``None`` if absent; a non-object on the way is an error."""
        if "." not in path:  # the common case, and this runs ~15 times per item
            return self.raw.get(path)
        node: Any = self.raw
        walked: list[str] = []
        for key in path.split("."):
            if not isinstance(node, dict):
                msg = f"{self.name('.'.join(walked))} is {kind_of(node)}, not an object"
                raise self.error(msg)
            node = node.get(key)
            walked.append(key)
            if node is None:
                return None
        return node

    def first(self, *paths: str) -> tuple[str, Any]:
        """The first of ``paths`` that holds a value, with its path; ``(paths[0], None)`` if none."""
        for path in paths:
            value = self.get(path)
            if value is not None:
                return path, value
        return paths[0], None

    @overload
    def text(self, path: str, *, required: Literal[True]) -> str: ...
    @overload
    def text(self, path: str, *, required: bool = False) -> str | None: ...

    def text(self, path: str, *, required: bool = False) -> str | None:
        """The text at ``path``; ``None`` when absent or empty, unless ``required`` (then an error)."""
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.missing(path)
            return None
        if not isinstance(value, str):
            raise self.error(f"{self.name(path)} is {kind_of(value)}, not text")
        return value

    def ident(self, path: str) -> str:
        """A required id; exports write ids as text or as (large) integers."""
        value = self.get(path)
        if value is None or value == "":
            raise self.missing(path)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.error(f"{self.name(path)} is {kind_of(value)}, not an id")
        return value.strip()

    def optional_ident(self, path: str) -> str | None:
        return self.ident(path) if self.get(path) not in (None, "") else None

    def count(self, *paths: str, hidden_if_absent: bool = False) -> int | None:
        """A whole, non-negative count from the first present path; ``None`` if absent or hidden.

        ``hidden_if_absent``: the format always carries this count unless the platform hid it,
        so its absence is warned about like a ``-1``.
        """
        path, value = self.first(*paths)
        if value is None:
            if hidden_if_absent:
                self.warn(f"{self.name(path)} is missing (hidden by the platform, or not given by the source), "
                          f"read as unknown")
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None:
            raise self.error(f"{self.name(path)} {value!r} is not a whole number")
        if number == _HIDDEN:
            self.warn(f"{self.name(path)} is -1 (hidden by the platform), read as unknown")
            return None
        if number < 0:
            raise self.error(f"{self.name(path)} {value!r} is negative")
        if number > _LARGEST_COUNT:
            raise self.error(f"{self.name(path)} {value!r} is too large for a count")
        return number

    def epoch(self, path: str, *, per_second: int = 1) -> datetime:
        """A time written as seconds (or, with ``per_second=1000``, milliseconds) since 1970."""
        value = self.get(path)
        if value is None:
            raise self.missing(path)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric and not (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
            raise self.error(f"{self.name(path)} {value!r} is not a number")
        try:
            return datetime.fromtimestamp(float(value) / per_second, UTC)
        except (OverflowError, OSError, ValueError):
            unit = "seconds" if per_second == 1 else "milliseconds"
            raise self.error(f"{self.name(path)} {value!r} is not a plausible time in {unit} since 1970") from None

    def iso(self, path: str) -> datetime:
        """A time written in ISO 8601 with its offset (``Z`` or ``+07:00``)."""
        value = self.get(path)
        if value is None:
            raise self.missing(path)
        if not isinstance(value, str):
            raise self.error(f"{self.name(path)} is {kind_of(value)}, not an ISO 8601 time")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.error(f"{self.name(path)} {value!r} is not an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise self.error(f"{self.name(path)} {value!r} has no timezone")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise self.error(f"{self.name(path)} {value!r} is out of range") from None

    def names(self, path: str, key: str) -> list[str] | None:
        """A list of tags or handles, given as strings or as objects holding one under ``key``."""
        value = self.get(path)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self.error(f"{self.name(path)} is {kind_of(value)}, not a list")
        found: list[str] = []
        for index, entry in enumerate(value):
            name = entry.get(key) if isinstance(entry, dict) else entry
            if name is None or name == "":
                continue
            if not isinstance(name, str):
                raise self.error(f"{self.name(path)}[{index}] is {kind_of(entry)}, not a name")
            found.append(name)
        return found


def _union(values: Iterable[str], normalise: Callable[[str], str]) -> list[str]:
    return list(dict.fromkeys(tag for tag in map(normalise, values) if tag))[:MAX_TAGS]


def hashtags_of(text: str, listed: Iterable[str] | None = None) -> list[str]:
    """The post's hashtags: those a tool or API listed, then those only the text has, normalised, once each.

    A ``#`` starts a tag unless it is glued to a word, another ``#`` or an ``&`` (an HTML entity
    such as ``&#39;``); the tag runs as far as ``schemas.post.tag_run`` goes, in the NFC form of
    the text. Linear in the text's length.
    """
    composed = unicodedata.normalize("NFC", text)
    found = (tag_run(composed, match.end()) for match in _HASH.finditer(composed))
    return _union([*(listed or ()), *found], normalise_hashtag)


def mentions_of(text: str, listed: Iterable[str] | None = None) -> list[str]:
    """The handles the post mentions: those listed, then those only the text has, normalised, once each."""
    return _union([*(listed or ()), *_MENTION.findall(text)], normalise_mention)


def warn_of_controls(source: str, fields: dict[str, Any], warnings: list[str] | None) -> None:
    """Add a warning to ``warnings`` if the identifiers of a post's ``fields`` hold control characters.

    ``schemas.post`` strips them whatever the source; this says that it happened, and where.
    """
    author = object_at(fields, "author")
    values = {"native_id": fields.get("native_id"), "author.id": author.get("id"),
              "author.handle": author.get("handle"), "url": fields.get("url")}
    dirty = [name for name, value in values.items() if isinstance(value, str) and has_controls(value)]
    if dirty and warnings is not None:
        warnings.append(f"{source}: control characters removed from {', '.join(dirty)} (the original is in raw)")


def _post(item: _Item, *, collected_at: datetime, raw: dict[str, Any], **fields: Any) -> Post:
    """Build the ``Post``, turning every way it can be refused into a ``NormaliseError``."""
    if not isinstance(collected_at, datetime) or collected_at.tzinfo is None:
        msg = "collected_at must be a timezone-aware datetime"
        raise item.error(msg)
    text: str = fields["text"]
    if len(text) > MAX_TEXT_CHARS:
        msg = f"text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit"
        raise item.error(msg)
    warn_of_controls(item.fmt, fields, item.warnings)
    if isinstance(fields.get("url"), str):
        fields["url"] = strip_tracking(fields["url"])
    collected_at = collected_at.astimezone(UTC)
    if collected_at < fields["created_at"]:
        item.warn("collected before it was created (the collector's clock was behind): collected_at raised to "
                  "created_at")
        collected_at = fields["created_at"]
    try:
        return Post(collected_at=collected_at, raw=raw, **fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'post'}: {error['msg']}" for error in exc.errors()
        )
        raise item.error(f"not a valid post ({problems})") from None


def _engagement(likes: int | None, comments: int | None, shares: int | None, views: int | None) -> dict[str, Any]:
    return {"likes": likes, "comments": comments, "shares": shares, "views": views}


def count_of(source: str, raw: dict[str, Any], path: str, warnings: list[str] | None, *,
             hidden_if_absent: bool = True) -> int | None:
    """One count of an API item, read as the import formats read theirs (``None`` when hidden, warned).

    Raises ``NormaliseError`` naming ``source`` and the field for a count that is not a whole,
    non-negative number.
    """
    return _Item(source, raw, warnings=warnings).count(path, hidden_if_absent=hidden_if_absent)


def _tiktok_url(handle: str, video_id: str) -> str:
    return f"https://www.tiktok.com/@{handle}/video/{video_id}"


def _instagram_url(shortcode: str) -> str:
    return f"https://www.instagram.com/p/{shortcode}/"


_SHORTCODE = re.compile(r"[A-Za-z0-9_\-]{5,64}")
_INSTAGRAM_MEDIA_KINDS = frozenset({"p", "reel", "reels", "tv"})


def instagram_shortcode(url: str | None) -> str | None:
    """The shortcode in an Instagram post URL (``/p/<code>/``, ``/reel/<code>/``, ``/<user>/p/<code>/``).

    The shortcode is Instagram's native id here: it is the one id that every source of an
    Instagram post gives, in a field or in the post's URL (the Graph API's ``permalink``, Apify's
    ``shortCode``, Zeeschuimer's ``code``, the Content Library's ``url``), whereas the numeric
    ids differ: the Graph API's media id is not the media id (``pk``) that scrapers see.
    """
    if not url:
        return None
    try:
        parts = [part for part in urlparse(url).path.split("/") if part]
    except ValueError:
        return None
    for kind, code in zip(parts, parts[1:], strict=False):
        if kind in _INSTAGRAM_MEDIA_KINDS and _SHORTCODE.fullmatch(code):
            return code
    return None


def _instagram_native_id(item: _Item, shortcode: str | None, numeric_path: str) -> str:
    """The shortcode if there is one; else the numeric id, with a warning (two sources may then disagree)."""
    if shortcode and _SHORTCODE.fullmatch(shortcode):
        return shortcode
    if numeric_path == "pk" and item.get("pk") is None and item.get("id") is not None:
        numeric = item.ident("id").split("_", 1)[0]  # "<media id>_<owner id>"
    else:
        numeric = item.ident(numeric_path)
    item.warn("no shortcode: the numeric media id is used as the post id, so the same post from "
              "another source may not be recognised")
    return numeric


# --- what ``Post.raw`` keeps of each format's items (docs/raw-fields.md says why) -------------------

APIFY_TIKTOK_RAW = raw_fields(
    "id", "text", "textLanguage", "createTime", "createTimeISO", "locationCreated", "isAd", "isSponsored",
    "authorMeta.id", "authorMeta.name", "authorMeta.nickName", "authorMeta.verified", "authorMeta.fans",
    "hashtags", "hashtags.name", "mentions", "mentions.name",
    "diggCount", "shareCount", "playCount", "commentCount", "collectCount", "repostCount", "videoMeta.duration",
    urls=("webVideoUrl",),
    why="Apify's TikTok scraper (clockworks/tiktok-scraper)",
)
APIFY_INSTAGRAM_RAW = raw_fields(
    "id", "shortCode", "type", "productType", "caption", "timestamp", "isSponsored",
    "ownerId", "ownerUsername", "ownerFullName", "hashtags", "hashtags.name", "mentions", "mentions.username",
    "likesCount", "commentsCount", "videoViewCount", "videoPlayCount", "videoDuration", "locationName", "locationId",
    urls=("url",),
    why="Apify's Instagram scraper (apify/instagram-scraper)",
)
APIFY_FACEBOOK_RAW = raw_fields(
    "postId", "videoId", "id", "feedbackId", "time", "timestamp", "publish_time", "isVideo",
    "text", "message", "message.text", "description", "title", "title.text",
    "pageName", "pageId", "user.id", "user.name", "owner.id", "owner.name",
    "likes", "reaction_count.count", "comments", "total_comment_count", "shares", "share_count.count",
    "viewsCount", "play_count", "video_view_count", "length_in_second",
    urls=("url", "topLevelUrl", "permalink_url", "facebookUrl", "user.profileUrl"),
    why="Apify's Facebook posts scraper (apify/facebook-posts-scraper), posts and video items",
)
_ZEESCHUIMER_ENVELOPE = ("source_platform", "timestamp_collected")
ZEESCHUIMER_RAW = {
    "tiktok.com": raw_fields(
        *_ZEESCHUIMER_ENVELOPE,
        *(f"data.{path}" for path in (
            "id", "desc", "createTime", "locationCreated", "isAd",
            "author", "author.id", "author.uniqueId", "author.nickname", "author.verified", "authorId", "nickname",
            "authorStats.followerCount", "textExtra.hashtagName", "textExtra.userUniqueId", "challenges.title",
            "stats.diggCount", "stats.commentCount", "stats.shareCount", "stats.playCount",
            "statsV2.diggCount", "statsV2.commentCount", "statsV2.shareCount", "statsV2.playCount",
            "video.duration")),
        why="Zeeschuimer / 4CAT captures of TikTok (the web API's item, or the item embedded in a page)",
    ),
    "instagram.com": raw_fields(
        *_ZEESCHUIMER_ENVELOPE,
        *(f"data.{path}" for path in (
            "id", "pk", "code", "shortcode", "taken_at", "media_type", "product_type", "caption", "caption.text",
            "user.pk", "user.id", "user.username", "user.full_name", "user.is_verified",
            "owner.pk", "owner.id", "owner.username", "owner.full_name",
            "like_count", "comment_count", "view_count", "play_count", "like_and_view_counts_disabled",
            "location.pk", "location.name", "location.lat", "location.lng")),
        why="Zeeschuimer / 4CAT captures of Instagram (the web API's media item)",
    ),
}
RAW_FIELDS: dict[str, RawFields] = {
    "apify-tiktok": APIFY_TIKTOK_RAW,
    "apify-instagram": APIFY_INSTAGRAM_RAW,
    "apify-facebook": APIFY_FACEBOOK_RAW,
    **{f"zeeschuimer {platform}": spec for platform, spec in ZEESCHUIMER_RAW.items()},
}
"""The allow-list of every import format (Zeeschuimer's per platform), by name."""


def apify_tiktok(raw: dict, collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A dataset item from Apify's TikTok scraper (clockworks/tiktok-scraper) as a ``Post``."""
    item = _Item("apify-tiktok", raw, warnings=warnings)
    native_id = item.ident("id")
    handle = item.text("authorMeta.name", required=True)
    # createTime (epoch seconds) and createTimeISO say the same; a trimmed export
    # (``selectedFields``) may keep only one of them.
    if item.get("createTime") is not None:
        created_at = item.epoch("createTime")
    elif item.get("createTimeISO") is not None:
        created_at = item.iso("createTimeISO")
    else:
        raise item.missing("createTime", "createTimeISO")
    text = item.text("text") or ""
    # locationCreated is a country code ("ID"), not a place: as a region it would put every
    # Indonesian video in one group, so it stays in ``raw`` only.
    return _post(
        item,
        platform="tiktok",
        native_id=native_id,
        url=item.text("webVideoUrl") or _tiktok_url(handle, native_id),
        author={
            "id": item.optional_ident("authorMeta.id"),
            "handle": handle,
            "display_name": item.text("authorMeta.nickName"),
        },
        text=text,
        hashtags=hashtags_of(text, item.names("hashtags", "name")),
        mentions=mentions_of(text, item.names("mentions", "name")),
        created_at=created_at,
        engagement=_engagement(
            item.count("diggCount", hidden_if_absent=True), item.count("commentCount", hidden_if_absent=True),
            item.count("shareCount", hidden_if_absent=True), item.count("playCount", hidden_if_absent=True),
        ),
        region=None,
        collected_at=collected_at,
        raw=APIFY_TIKTOK_RAW.apply(raw),
    )


def apify_instagram(raw: dict, collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A dataset item from Apify's Instagram scraper (apify/instagram-scraper) as a ``Post``."""
    item = _Item("apify-instagram", raw, warnings=warnings)
    shortcode = item.text("shortCode")
    url = item.text("url") or (_instagram_url(shortcode) if shortcode else None)
    if url is None:
        raise item.missing("url", "shortCode")
    native_id = _instagram_native_id(item, shortcode or instagram_shortcode(url), "id")
    text = item.text("caption") or ""
    return _post(
        item,
        platform="instagram",
        native_id=native_id,
        url=url,
        author={
            "id": item.optional_ident("ownerId"),
            "handle": item.text("ownerUsername", required=True),
            "display_name": item.text("ownerFullName"),
        },
        text=text,
        hashtags=hashtags_of(text, item.names("hashtags", "name")),
        mentions=mentions_of(text, item.names("mentions", "username")),
        created_at=item.iso("timestamp"),
        # Instagram shows no share count: unknown, and nothing hidden to warn about.
        engagement=_engagement(
            item.count("likesCount", hidden_if_absent=True), item.count("commentsCount", hidden_if_absent=True), None,
            item.count("videoViewCount", "videoPlayCount"),
        ),
        region=item.text("locationName"),
        collected_at=collected_at,
        raw=APIFY_INSTAGRAM_RAW.apply(raw),
    )


def _facebook_slug(url: str) -> str | None:
    """The account name in a profile URL: ``/name``, ``/profile.php?id=N`` or ``/people/Name/N``."""
    try:
        parsed = urlparse(url)
    except ValueError:  # e.g. an unclosed "[" read as an IPv6 host
        return None
    segments = [segment for segment in parsed.path.split("/") if segment]
    if not segments:
        return None
    if segments[0] == "profile.php":
        candidate = (parse_qs(parsed.query).get("id") or [""])[0]
    elif segments[0] == "people" and len(segments) >= 3:
        candidate = segments[2]
    else:
        candidate = segments[0]
    return candidate if _HANDLE.fullmatch(candidate) else None


def _name_slug(name: str) -> str:
    """A display name folded to the letters, digits and dots Facebook usernames are made of."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", ".", folded).strip(".")[:128]


_DIGITS = re.compile(r"[0-9]{1,25}")
_PFBID = re.compile(r"pfbid[0-9A-Za-z]{10,120}")
_FACEBOOK_ID_PARAMETERS = ("story_fbid", "fbid", "v")
_FACEBOOK_ID_SEGMENTS = frozenset({"posts", "videos", "reel", "reels", "permalink"})
_NOT_USERNAMES = frozenset({"permalink.php", "photo.php", "story.php", "watch", "reel", "reels", "groups", "events",
                            "people", "profile.php", "photo", "share", "videos"})
_USERNAME = re.compile(r"[A-Za-z0-9.]{1,128}")


def facebook_post_id(value: str) -> str:
    """The post's own id in a Facebook id: ``<post>`` from the Graph API's ``<owner>_<post>``.

    This is Facebook's native id in Siaga. Every source of a Facebook post gives it: the Graph
    API and the Content Library as the second part of their ``<owner id>_<post id>``, Apify's
    posts scraper as ``postId`` (and in ``topLevelUrl``), its video items as the video's id,
    which a video posted on its own shares with its post (its permalink is ``/videos/<id>/``).
    The owner part is left out because sources disagree on it: a page's id or the id of the
    profile behind the page, a group's id or the poster's. Post ids are unique across Facebook
    without it. Anything that is not ``<digits>_<digits>`` is returned as it is.
    """
    owner, separator, post = value.partition("_")
    if separator and _DIGITS.fullmatch(owner) and _DIGITS.fullmatch(post):
        return post
    return value


def _url_parts(url: str | None) -> tuple[list[str], dict[str, list[str]]] | None:
    if not url:
        return None
    try:
        parsed = urlparse(url)
        return [segment for segment in parsed.path.split("/") if segment], parse_qs(parsed.query)
    except ValueError:  # e.g. an unclosed "[" read as an IPv6 host
        return None


def facebook_id_in_url(url: str | None) -> str | None:
    """The numeric post (or video) id a Facebook URL carries, if it carries one.

    ``/<page>/posts/<id>``, ``/groups/<group>/posts/<id>``, ``/groups/<group>/permalink/<id>``,
    ``/<page>/videos/<id>``, ``/reel/<id>``, ``/watch/?v=<id>``, ``permalink.php?story_fbid=<id>``,
    ``photo.php?fbid=<id>``. A ``pfbid…`` link is an opaque token, not an id: ``None``.
    """
    parts = _url_parts(url)
    if parts is None:
        return None
    segments, query = parts
    for name in _FACEBOOK_ID_PARAMETERS:
        for value in query.get(name, []):
            if _DIGITS.fullmatch(value):
                return value
    for kind, value in zip(segments, segments[1:], strict=False):
        if kind in _FACEBOOK_ID_SEGMENTS and _DIGITS.fullmatch(value):
            return value
    return None


def _pfbid_in_url(url: str | None) -> str | None:
    parts = _url_parts(url)
    if parts is None:
        return None
    segments, query = parts
    for candidate in [*query.get("story_fbid", []), *segments]:
        if _PFBID.fullmatch(candidate):
            return candidate
    return None


def _feedback_post_id(value: str | None) -> str | None:
    """The post id in a scraper's ``feedbackId``: base64 of ``feedback:<post id>``."""
    if not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kind, _, ident = decoded.partition(":")
    return ident if kind == "feedback" and _DIGITS.fullmatch(ident) else None


def facebook_permalink_username(url: str | None) -> str | None:
    """The page's username in a post's URL: ``kompascom`` from ``facebook.com/kompascom/posts/…`` (or
    ``/videos/``, ``/photos/``); ``None`` for other URLs."""
    parts = _url_parts(url)
    if parts is None:
        return None
    segments, _ = parts
    if len(segments) >= 2 and segments[0] not in _NOT_USERNAMES and segments[1] in ("posts", "videos", "photos") \
            and _USERNAME.fullmatch(segments[0]) and not segments[0].isdigit():
        return segments[0]
    return None


_URLS = ("url", "topLevelUrl", "permalink_url")


def _facebook_native_id(item: _Item) -> str:
    """The post id by ``facebook_post_id``'s rule, from whichever field of the item holds it."""
    for path in ("postId", "videoId", "id"):
        value = item.optional_ident(path)
        if value is None:
            continue
        post = facebook_post_id(value)
        # The posts scraper's own ``id`` is an opaque base64 string, not a Facebook id.
        if path != "id" or _DIGITS.fullmatch(post):
            return post
    for path in ("topLevelUrl", "url", "permalink_url"):
        if found := facebook_id_in_url(item.text(path)):
            return found
    if found := _feedback_post_id(item.text("feedbackId")):
        return found
    for path in _URLS:
        if found := _pfbid_in_url(item.text(path)):
            item.warn("no numeric post id: the pfbid in the URL is used as the post id, so the same post from "
                      "another source will not be recognised")
            return found
    msg = ("missing field 'postId' (or 'videoId' or 'id'), and no post id in 'url', 'topLevelUrl', 'permalink_url' "
           "or 'feedbackId'")
    raise item.error(msg)


def _facebook_handle(item: _Item) -> str:
    # A handle should be what the account itself is called in its URLs, because that is what an
    # officer searches for and what stays put when the display name changes. Apify's pageName is
    # that name when the page has a vanity URL; otherwise the profile URL or the post's
    # permalink holds it (or the numeric id). Slugging the display name is the last resort: it
    # reads well but two accounts can share it, which is why ``author.id`` and not the handle
    # identifies the account.
    page = item.text("pageName")
    if page and _HANDLE.fullmatch(page.strip()):
        return page.strip()
    profile = item.text("user.profileUrl")
    if profile and (slug := _facebook_slug(profile)):
        return slug
    for path in _URLS:
        if slug := facebook_permalink_username(item.text(path)):
            return slug
    for path in ("user.name", "owner.name", "pageName"):
        name = item.text(path)
        if name and (slug := _name_slug(name)):
            return slug
    raise item.missing("pageName", "user.profileUrl", "user.name", "owner.name")


def _facebook_text(item: _Item) -> str:
    # The posts shape has ``text``; the video shape ``message`` (an object with ``text``, or
    # text), else ``description``, else only a ``title``.
    for path in ("text", "message", "description", "title"):
        value = item.get(path)
        if isinstance(value, dict):
            value = item.text(f"{path}.text")
        elif value is not None:
            value = item.text(path)
        if value:
            return value
    return ""


def apify_facebook(raw: dict, collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A dataset item from Apify's Facebook posts scraper (apify/facebook-posts-scraper) as a ``Post``.

    Two shapes: a post (``postId``, ``time``/``timestamp``, ``url``, ``likes``, ``comments``,
    ``shares``, ``user``) and a video or watch item (``videoId``/``id``, ``publish_time`` in
    seconds, ``permalink_url``, ``reaction_count.count``, ``total_comment_count``,
    ``share_count.count``, ``play_count``, ``pageName``, ``owner``). Fields are read from
    whichever shape the item has.
    """
    item = _Item("apify-facebook", raw, warnings=warnings)
    native_id = _facebook_native_id(item)
    if item.get("time") is not None:
        created_at = item.iso("time")
    elif item.get("timestamp") is not None:
        created_at = item.epoch("timestamp")
    elif item.get("publish_time") is not None:
        created_at = item.epoch("publish_time")
    else:
        raise item.missing("time", "timestamp", "publish_time")
    # No canonical URL can be built from a post id alone (pfbid links need the page), so the
    # item has to bring one; topLevelUrl is the same post addressed through the page's id. A
    # video's watch URL needs only the video's id.
    url = item.text("url") or item.text("topLevelUrl") or item.text("permalink_url")
    if url is None:
        video = item.optional_ident("videoId")
        if video is None or not _DIGITS.fullmatch(video):
            raise item.missing("url", "topLevelUrl", "permalink_url")
        url = f"https://www.facebook.com/watch/?v={video}"
        item.warn("no url: the watch URL is built from the video id")
    text = _facebook_text(item)
    page = item.text("pageName")
    display_name = item.text("user.name") or item.text("owner.name")
    if display_name is None and page and not _HANDLE.fullmatch(page.strip()):
        display_name = page.strip()
    return _post(
        item,
        platform="facebook",
        native_id=native_id,
        url=url,
        author={
            "id": item.optional_ident("user.id") or item.optional_ident("owner.id") or item.optional_ident("pageId"),
            "handle": _facebook_handle(item),
            "display_name": display_name,
        },
        text=text,
        hashtags=hashtags_of(text),
        mentions=mentions_of(text),
        created_at=created_at,
        engagement=_engagement(
            item.count("likes", "reaction_count.count", hidden_if_absent=True),
            item.count("comments", "total_comment_count", hidden_if_absent=True),
            item.count("shares", "share_count.count", hidden_if_absent=True),
            item.count("viewsCount", "play_count", "video_view_count"),
        ),
        region=None,
        collected_at=collected_at,
        raw=APIFY_FACEBOOK_RAW.apply(raw),
    )


def _zeeschuimer_tiktok(item: _Item, collected_at: datetime, raw: dict[str, Any]) -> Post:
    native_id = item.ident("id")
    author = item.get("author")
    if isinstance(author, dict):
        # The item as TikTok's web API sends it.
        handle = item.text("author.uniqueId", required=True)
        author_id = item.optional_ident("author.id")
        display_name = item.text("author.nickname")
    else:
        # The item as embedded in a page's JSON: the author is just the handle.
        handle = item.text("author", required=True)
        author_id = item.optional_ident("authorId")
        display_name = item.text("nickname")
    text = item.text("desc") or ""
    # textExtra marks each #tag and @handle in the caption in order; challenges lists the linked
    # hashtags only, so it is the fallback.
    hashtags = item.names("textExtra", "hashtagName") or item.names("challenges", "title")
    return _post(
        item,
        platform="tiktok",
        native_id=native_id,
        url=_tiktok_url(handle, native_id),
        author={"id": author_id, "handle": handle, "display_name": display_name},
        text=text,
        hashtags=hashtags_of(text, hashtags),
        mentions=mentions_of(text, item.names("textExtra", "userUniqueId")),
        created_at=item.epoch("createTime"),
        # statsV2 carries the same counts as strings; newer captures have only it.
        engagement=_engagement(
            item.count("stats.diggCount", "statsV2.diggCount", hidden_if_absent=True),
            item.count("stats.commentCount", "statsV2.commentCount", hidden_if_absent=True),
            item.count("stats.shareCount", "statsV2.shareCount", hidden_if_absent=True),
            item.count("stats.playCount", "statsV2.playCount", hidden_if_absent=True),
        ),
        region=None,
        collected_at=collected_at,
        raw=ZEESCHUIMER_RAW["tiktok.com"].apply(raw),
    )


def _zeeschuimer_instagram(item: _Item, collected_at: datetime, raw: dict[str, Any]) -> Post:
    if item.get("shortcode") is not None and item.get("code") is None:
        msg = "item is in Instagram's older GraphQL shape (shortcode, taken_at_timestamp), which is not read here"
        raise item.error(msg)
    shortcode = item.text("code", required=True)
    native_id = _instagram_native_id(item, shortcode, "pk")
    if item.get("taken_at") is None:
        msg = f"missing field {item.name('taken_at')!r} (grid and thumbnail views leave the post date out)"
        raise item.error(msg)
    owner = "user" if item.get("user") is not None else "owner"
    caption = item.get("caption")
    text = (item.text("caption.text") if isinstance(caption, dict) else item.text("caption")) or ""
    likes = item.count("like_count", hidden_if_absent=item.get("like_and_view_counts_disabled") is not True)
    views = item.count("view_count", "play_count")
    if item.get("like_and_view_counts_disabled") is True:
        # With counts hidden Instagram still sends a small made-up like count.
        item.warn(f"{item.name('like_and_view_counts_disabled')}: the owner hid likes and views, read as unknown")
        likes, views = None, None
    return _post(
        item,
        platform="instagram",
        native_id=native_id,
        url=_instagram_url(shortcode),
        author={
            "id": item.optional_ident(f"{owner}.pk") or item.optional_ident(f"{owner}.id"),
            "handle": item.text(f"{owner}.username", required=True),
            "display_name": item.text(f"{owner}.full_name"),
        },
        text=text,
        hashtags=hashtags_of(text),
        mentions=mentions_of(text),
        created_at=item.epoch("taken_at"),
        engagement=_engagement(likes, item.count("comment_count", hidden_if_absent=True), None, views),
        region=item.text("location.name"),
        collected_at=collected_at,
        raw=ZEESCHUIMER_RAW["instagram.com"].apply(raw),
    )


_ZEESCHUIMER: dict[str, Callable[[_Item, datetime, dict[str, Any]], Post]] = {
    "tiktok.com": _zeeschuimer_tiktok,
    "instagram.com": _zeeschuimer_instagram,
}


def zeeschuimer(raw: dict, collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """One line of a Zeeschuimer (4CAT) NDJSON capture, TikTok or Instagram, as a ``Post``."""
    envelope = _Item("zeeschuimer", raw, warnings=warnings)
    platform = envelope.text("source_platform", required=True)
    if platform not in _ZEESCHUIMER:
        supported = ", ".join(sorted(_ZEESCHUIMER))
        msg = f"source_platform {platform!r} is not supported (only {supported})"
        raise envelope.error(msg)
    # The capture knows when the browser saw the item; that beats the time of the import.
    if envelope.get("timestamp_collected") is not None:
        collected_at = envelope.epoch("timestamp_collected", per_second=1000)
    data = envelope.get("data")
    if data is None:
        raise envelope.missing("data")
    if not isinstance(data, dict):
        msg = f"data is {kind_of(data)}, not an object"
        raise envelope.error(msg)
    return _ZEESCHUIMER[platform](_Item(f"zeeschuimer {platform}", data, prefix="data.", warnings=warnings), collected_at, raw)


FORMATS: dict[str, Callable[[dict, datetime, list[str] | None], Post]] = {
    "apify-tiktok": apify_tiktok,
    "apify-instagram": apify_instagram,
    "apify-facebook": apify_facebook,
    "zeeschuimer": zeeschuimer,
}
"""Every import format by the name an import configuration gives it.

Each is called as ``normalise(item, collected_at, warnings)``; ``warnings``, a list or ``None``,
receives a line for each fallback taken (a hidden count, a handle made from a display name).
"""
