"""Normalisers from fact-check publications to ``FactCheck``: pure functions on given bytes.

Fact-checkers publish in a few shapes, and each has a reader here:

- ``claimreview``: schema.org ClaimReview as JSON-LD, either embedded in a fact-check page
  (``<script type="application/ld+json">``, one object, a list, or an ``@graph``) or as a JSON
  array or NDJSON of ClaimReview objects;
- ``factcheck-tools``: what Google's Fact Check Tools API returns (``claims[]``, each with
  ``claimReview[]``); every (claim, review) pair is one fact-check;
- ``wordpress``: a WordPress REST API posts export (``title.rendered``, ``link``, ``date_gmt``,
  ``content.rendered``) of a fact-check site;
- ``rss``: an RSS 2.0 feed of a fact-check site (``title``, ``link``, ``pubDate``,
  ``content:encoded`` or ``description``);
- ``csv``: an agency's own list, ``id,claim,url,rating,date[,narrative]`` with a header row.

Sites in the turnbackhoax style quote the circulating text under a "NARASI" heading and explain
under "PENJELASAN", "KESIMPULAN", "REFERENSI"; the text between NARASI and the next heading
becomes a narrative, which is what a post repeating the hoax resembles most. A rating in the
title (``[SALAH] ...``, ``[HOAKS] ...``) is taken as the rating and cut from the claim.

Nothing here does I/O beyond parsing the given text, and no exception escapes for bad input:
``to_factchecks`` returns the fact-checks it could read and, for every item it refused, a
``Refused`` with the reason and the item's original bytes, ready for a dead letter. Fallbacks
taken (a URL from the page's canonical link, an appearance URL dropped) are reported as
warnings; the fact-check is still made.

Ids: a fact-check is keyed by its debunk URL, normalised (``schemas.factcheck.factcheck_key``),
so the same debunk read from its RSS item and from its ClaimReview markup is one document; an
agency's CSV row by the source name and its own id; several claims reviewed on one page are told
apart by their claim text. Times: ``date_gmt`` is UTC by name; other times without a zone are
read as WIB and a date alone as midnight WIB (``schemas.clock.parse_instant``), because these are
Indonesian publishers and a debunk date is shown, not computed with.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from connectors.formats import kind_of, object_at
from schemas.clock import WIB, parse_instant
from schemas.errors import SiagaError
from schemas.factcheck import MAX_NARRATIVES, FactCheck, factcheck_key, make_factcheck_id, verdict_of


class FactCheckError(SiagaError, ValueError):
    """A fact-check item that cannot be read; the message names the format, the field and why."""


@dataclass(frozen=True)
class Refused:
    """One item that did not become a fact-check: where it was, why, and its original bytes."""

    where: str
    reason: str
    original: bytes


@dataclass
class Parsed:
    """What one document gave: the fact-checks, the refused items and the fallbacks taken."""

    factchecks: list[FactCheck] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- HTML to text ---------------------------------------------------------------------------

_BLOCK = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
    "blockquote", "section", "article", "figure", "figcaption", "pre", "hr", "header", "footer", "dd", "dt",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})


class _TextExtractor(HTMLParser):
    """Visible text of an HTML fragment, a line per block; scripts and styles are never text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_INLINE_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment: entities decoded, one line per block, no markup."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


class _PageExtractor(HTMLParser):
    """The JSON-LD blocks, canonical URL and visible text of a whole fact-check page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.in_json_ld = False
        self.text = _TextExtractor()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("type", "").split(";")[0].strip().lower() == "application/ld+json":
            self.in_json_ld = True
            self.blocks.append("")
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split() and values.get("href"):
            self.canonical = self.canonical or values["href"]
        elif tag == "meta" and values.get("property", "").lower() == "og:url" and values.get("content"):
            self.og_url = self.og_url or values["content"]
        self.text.handle_starttag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.text.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_json_ld = False
        self.text.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.in_json_ld:
            self.blocks[-1] += data
        self.text.handle_data(data)

    def page_text(self) -> str:
        lines = (_INLINE_SPACE.sub(" ", line).strip() for line in "".join(self.text.parts).split("\n"))
        return "\n".join(line for line in lines if line)


# --- Sections and ratings in a fact-check article --------------------------------------------

_HEADING = re.compile(
    r"^\s*(?:[*#=_\-]+\s*)?(?P<name>narasi(?: yang beredar)?|penjelasan|kesimpulan|referensi|rujukan|sumber"
    r"|hasil (?:cek|periksa) fakta|cek fakta|fakta|klarifikasi|kategori|link counter|tautan|pemeriksaan fakta"
    r"|narrative|the claim|explanation|conclusion|verdict|references?|sources?)"
    r"\s*(?:[*_]+\s*)?(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’«»„"


def sections(text: str) -> list[tuple[str, str]]:
    """The article's sections as (heading, body) pairs, heading lower-cased; body text before
    the first heading comes under ``""``."""
    found: list[tuple[str, list[str]]] = [("", [])]
    for line in text.split("\n"):
        match = _HEADING.match(line)
        if match:
            found.append((match["name"].lower(), []))
            if match["rest"]:
                found[-1][1].append(match["rest"].strip())
        else:
            found[-1][1].append(line)
    return [(name, "\n".join(body).strip()) for name, body in found]


def narratives_in(text: str) -> list[str]:
    """The quoted narratives of an article: each NARASI section's text, quotes around it removed."""
    found: list[str] = []
    for name, body in sections(text):
        if name.startswith("narasi") or name in ("narrative", "the claim"):
            quoted = body.strip().strip(_QUOTES).strip()
            if quoted and quoted not in found:
                found.append(quoted)
    return found[:MAX_NARRATIVES]


_TITLE_TAG = re.compile(r"^\s*[\[(【]\s*(?P<tag>[^\])】]{1,40}?)\s*[\])】]\s*[:\-–—]?\s*")
_TITLE_WORD = re.compile(r"^\s*(?P<tag>hoaks|hoax|salah|keliru|disinformasi|misinformasi|menyesatkan)\s*[:!\-–—]\s*",
                         re.IGNORECASE)


def split_title(title: str) -> tuple[str | None, str]:
    """A title's rating tag and the claim after it: ``"[SALAH] Surat ..."`` → ``("SALAH", "Surat ...")``."""
    match = _TITLE_TAG.match(title) or _TITLE_WORD.match(title)
    if match is None:
        return None, title.strip()
    return match["tag"].strip(), title[match.end():].strip()


def _kategori(text: str) -> str | None:
    for name, body in sections(text):
        if name == "kategori" and body:
            return body.split("\n", 1)[0].strip()
    return None


# --- One item, read on behalf of a format -------------------------------------------------------


@dataclass
class _Draft:
    """A fact-check's fields before its id is settled (several claims may share one page)."""

    where: str
    original: bytes
    fields: dict[str, Any]
    url: str | None
    native_id: str | None = None
    keyed_by_id: bool = False


class _Reader:
    """Reads fields of one item so that every refusal names the format, the item and the field."""

    def __init__(self, fmt: str, where: str, warnings: list[str]) -> None:
        self.fmt = fmt
        self.where = where
        self.warnings = warnings

    def error(self, reason: str) -> FactCheckError:
        return FactCheckError(f"{self.fmt}: {self.where}: {reason}")

    def warn(self, reason: str) -> None:
        self.warnings.append(f"{self.fmt}: {self.where}: {reason}")

    def text(self, value: Any, name: str, *, required: bool = False) -> str | None:
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = value[0]
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(f"missing {name}")
            return None
        if not isinstance(value, str):
            raise self.error(f"{name} is {kind_of(value)}, not text")
        return value.strip()

    def url(self, value: Any, name: str, *, required: bool = False) -> str | None:
        text = self.text(value, name, required=required)
        if text is None:
            return None
        if not _is_http_url(text):
            raise self.error(f"{name} {text[:200]!r} is not an http(s) URL")
        return text

    def required_url(self, value: Any, name: str) -> str:
        url = self.url(value, name, required=True)
        if url is None:  # url() raised already; this keeps the type checker informed
            raise self.error(f"missing {name}")
        return url

    def instant(self, value: Any, name: str, *, naive_is_utc: bool = False) -> datetime | None:
        text = self.text(value, name)
        if text is None:
            return None
        moment: datetime | None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if naive_is_utc else parse_instant(text)
        except ValueError:
            moment = _day_first(text)
            if moment is None:
                raise self.error(f"{name} {text[:80]!r} is not a date or time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC if naive_is_utc else WIB)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise self.error(f"{name} {text[:80]!r} is out of range") from None

    def number(self, value: Any, name: str) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self.error(f"{name} is a boolean, not a number")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                raise self.error(f"{name} {value[:40]!r} is not a number") from None
        raise self.error(f"{name} is {kind_of(value)}, not a number")


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _day_first(text: str) -> datetime | None:
    """``22/11/2026`` as Indonesians write dates (day first), midnight WIB; ``None`` if not that."""
    match = _DAY_FIRST.match(text.strip())
    if match is None:
        return None
    try:
        return datetime(int(match[3]), int(match[2]), int(match[1]), tzinfo=WIB)
    except ValueError:
        return None


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in text)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- ClaimReview ---------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {name.rsplit("/", 1)[-1] for name in names if isinstance(name, str)}


def _nodes(value: Any, graph: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD value (lists and ``@graph`` unfolded), noting ``@id``s in ``graph``."""
    if isinstance(value, list):
        for entry in value:
            yield from _nodes(entry, graph)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            graph.setdefault(value["@id"], value)
        if "@graph" in value:
            yield from _nodes(value["@graph"], graph)
        else:
            yield value


def _resolve(value: Any, graph: dict[str, dict[str, Any]]) -> Any:
    """A ``{"@id": ...}`` reference replaced by the node it names (Yoast-style graphs use them)."""
    if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
        return graph.get(value["@id"], value)
    return value


def _name(value: Any, graph: dict[str, dict[str, Any]]) -> str | None:
    value = _resolve(value, graph)
    if isinstance(value, list):
        names = [n for n in (_name(v, graph) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name") or value.get("alternateName")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        return name.strip() if isinstance(name, str) and name.strip() else None
    return None


def _appearance_urls(item: _Reader, values: list[Any], graph: dict[str, dict[str, Any]]) -> list[str]:
    urls: list[str] = []
    for value in values:
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            entry = _resolve(entry, graph)
            url = entry.get("url") if isinstance(entry, dict) else entry
            if url is None:
                continue
            if isinstance(url, str) and _is_http_url(url.strip()):
                if url.strip() not in urls:
                    urls.append(url.strip())
            else:
                item.warn(f"appearance {str(url)[:120]!r} is not an http(s) URL: left out")
    return urls[:200]


def _claimreview(node: dict[str, Any], item: _Reader, graph: dict[str, dict[str, Any]],
                 page_url: str | None) -> dict[str, Any]:
    claim = item.text(node.get("claimReviewed"), "claimReviewed", required=True)
    url = item.text(node.get("url"), "url")
    if url is None and page_url is not None:
        item.warn("no url: the page's canonical URL is used")
        url = page_url
    if url is None:
        raise item.error("missing url (the debunk's address)")
    if not _is_http_url(url):
        raise item.error(f"url {url[:200]!r} is not an http(s) URL")
    rating_node = _resolve(node.get("reviewRating"), graph)
    if isinstance(rating_node, list):
        rating_node = next((r for r in rating_node if isinstance(r, dict)), None)
    rating = value = worst = best = None
    if isinstance(rating_node, dict):
        rating = item.text(rating_node.get("alternateName") or rating_node.get("name"), "reviewRating.alternateName")
        value = item.number(rating_node.get("ratingValue"), "reviewRating.ratingValue")
        worst = item.number(rating_node.get("worstRating"), "reviewRating.worstRating")
        best = item.number(rating_node.get("bestRating"), "reviewRating.bestRating")
        if rating is None and value is not None:
            rating = f"{value:g}" + (f"/{best:g}" if best is not None else "")
    elif rating_node is not None:
        raise item.error(f"reviewRating is {kind_of(rating_node)}, not an object")
    reviewed = _resolve(node.get("itemReviewed"), graph)
    if reviewed is not None and not isinstance(reviewed, dict):
        raise item.error(f"itemReviewed is {kind_of(reviewed)}, not an object")
    reviewed = reviewed or {}
    narratives = [t for t in (item.text(reviewed.get("text"), "itemReviewed.text"),) if t]
    language = _resolve(node.get("inLanguage"), graph)
    if isinstance(language, dict):  # a schema.org Language: its code is the alternateName
        code = language.get("alternateName")
        language = code if isinstance(code, str) and code.strip() else language.get("name")
    language = item.text(language, "inLanguage")
    author = _resolve(node.get("author"), graph)
    person = isinstance(author, dict) and "Person" in _types(author)
    native = node.get("@id") if isinstance(node.get("@id"), str) and node.get("@id") != url else None
    return {
        "url": url,
        "native_id": native,
        "fields": {
            "claim": claim,
            "narratives": narratives,
            "title": item.text(node.get("headline") or node.get("name"), "name"),
            "rating": rating,
            "verdict": verdict_of(rating, value, worst, best),
            "published_at": item.instant(node.get("datePublished"), "datePublished"),
            "publisher": _name(node.get("publisher"), graph) or (None if person else _name(author, graph)),
            "author": _name(author, graph) if person else None,
            "claimant": _name(reviewed.get("author"), graph),
            "claim_date": item.instant(reviewed.get("datePublished"), "itemReviewed.datePublished"),
            "appearances": _appearance_urls(item, [reviewed.get("firstAppearance"), reviewed.get("appearance")],
                                            graph),
            "language": language,
        },
    }


def _claimreview_nodes(value: Any, where: str, original: bytes, out: list[_Draft], parsed: Parsed,
                       *, page_url: str | None = None, in_page: bool = False) -> int:
    """Drafts for every ClaimReview in one JSON-LD value; other node types in a page are skipped."""
    graph: dict[str, dict[str, Any]] = {}
    nodes = list(_nodes(value, graph))
    found = 0
    if not nodes and not in_page:
        parsed.refused.append(Refused(where, f"claimreview: {where}: is {kind_of(value)}, not a ClaimReview object",
                                      original))
    for index, node in enumerate(nodes):
        here = where if len(nodes) == 1 else f"{where} node {index}"
        item = _Reader("claimreview", here, parsed.warnings)
        types = _types(node)
        lenient = not types and "claimReviewed" in node  # a bare object in a list of ClaimReviews
        if "ClaimReview" not in types and not lenient:
            if not in_page:  # in a page or a graph, other nodes (WebPage, Organization) are expected
                kind = "/".join(sorted(types)) if types else "an object with no @type and no claimReviewed"
                parsed.refused.append(Refused(here, item.error(f"{kind}: not a ClaimReview").args[0],
                                              _dump(node) if len(nodes) > 1 else original))
            continue
        try:
            read = _claimreview(node, item, graph, page_url)
        except FactCheckError as exc:
            parsed.refused.append(Refused(here, str(exc), _dump(node) if in_page or len(nodes) > 1 else original))
            found += 1
            continue
        out.append(_Draft(here, _dump(node) if in_page or len(nodes) > 1 else original, read["fields"], read["url"],
                          native_id=read["native_id"]))
        found += 1
    return found


def claimreview(text: str, parsed: Parsed) -> list[_Draft]:
    """ClaimReview from a page (JSON-LD in ``<script>``), a JSON value, or NDJSON lines."""
    drafts: list[_Draft] = []
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<"):
        page = _PageExtractor()
        page.feed(text)
        page.close()
        page_url = next((u for u in (page.canonical, page.og_url) if u and _is_http_url(u)), None)
        found = 0
        for index, block in enumerate(page.blocks):
            where = f"ld+json block {index}"
            try:
                value = json.loads(block)
            except ValueError as exc:
                parsed.refused.append(Refused(where, f"claimreview: {where}: not valid JSON ({exc})",
                                              block.encode("utf-8")))
                continue
            found += _claimreview_nodes(value, where, block.encode("utf-8"), drafts, parsed, page_url=page_url,
                                        in_page=True)
        if found == 0 and not parsed.refused:
            parsed.refused.append(Refused("page", "claimreview: page: no ClaimReview in any "
                                          "<script type=\"application/ld+json\">", text.encode("utf-8")))
        narratives = narratives_in(page.page_text())
        if narratives and len(drafts) == 1 and not drafts[0].fields["narratives"]:
            drafts[0].fields["narratives"] = narratives
        return drafts
    try:
        value = json.loads(body)
    except ValueError:
        value = None
        lines = body.splitlines()
        if len(lines) < 2 and body:
            parsed.refused.append(Refused("document", "claimreview: document: neither HTML, JSON nor NDJSON",
                                          text.encode("utf-8")))
            return drafts
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                entry = json.loads(line)
            except ValueError as exc:
                parsed.refused.append(Refused(where, f"claimreview: {where}: not valid JSON ({exc})",
                                              line.encode("utf-8")))
                continue
            _claimreview_nodes(entry, where, line.encode("utf-8"), drafts, parsed)
        return drafts
    if isinstance(value, list):
        for index, entry in enumerate(value):
            _claimreview_nodes(entry, f"item {index}", _dump(entry), drafts, parsed)
    else:
        _claimreview_nodes(value, "document", body.encode("utf-8"), drafts, parsed,
                           in_page=isinstance(value, dict) and "@graph" in value)
    return drafts


# --- Fact Check Tools API ------------------------------------------------------------------------


def factcheck_tools(text: str, parsed: Parsed) -> list[_Draft]:
    """The Fact Check Tools API's ``claims:search`` response (or its ``claims`` list alone)."""
    drafts: list[_Draft] = []
    try:
        value = json.loads(text)
    except ValueError as exc:
        parsed.refused.append(Refused("document", f"factcheck-tools: document: not valid JSON ({exc})",
                                      text.encode("utf-8")))
        return drafts
    claims = value.get("claims", []) if isinstance(value, dict) else value
    if not isinstance(claims, list):
        parsed.refused.append(Refused("document", f"factcheck-tools: document: claims is {kind_of(claims)}, not a list",
                                      text.encode("utf-8")))
        return drafts
    for index, claim in enumerate(claims):
        where = f"claims[{index}]"
        item = _Reader("factcheck-tools", where, parsed.warnings)
        original = _dump(claim)
        try:
            if not isinstance(claim, dict):
                raise item.error(f"is {kind_of(claim)}, not an object")
            text_ = item.text(claim.get("text"), "text", required=True)
            claimant = item.text(claim.get("claimant"), "claimant")
            claim_date = item.instant(claim.get("claimDate"), "claimDate")
            reviews = claim.get("claimReview")
            if not isinstance(reviews, list) or not reviews:
                raise item.error("no claimReview: a claim nobody reviewed is no fact-check")
        except FactCheckError as exc:
            parsed.refused.append(Refused(where, str(exc), original))
            continue
        for number, review in enumerate(reviews):
            here = f"{where}.claimReview[{number}]"
            item = _Reader("factcheck-tools", here, parsed.warnings)
            try:
                if not isinstance(review, dict):
                    raise item.error(f"is {kind_of(review)}, not an object")
                url = item.required_url(review.get("url"), "url")
                publisher = object_at(review, "publisher")
                rating = item.text(review.get("textualRating"), "textualRating")
                drafts.append(_Draft(here, original, {
                    "claim": text_,
                    "narratives": [],
                    "title": item.text(review.get("title"), "title"),
                    "rating": rating,
                    "verdict": verdict_of(rating),
                    "published_at": item.instant(review.get("reviewDate"), "reviewDate"),
                    "publisher": item.text(publisher.get("name"), "publisher.name")
                    or item.text(publisher.get("site"), "publisher.site"),
                    "author": None,
                    "claimant": claimant,
                    "claim_date": claim_date,
                    "appearances": [],
                    "language": item.text(review.get("languageCode"), "languageCode"),
                }, url))
            except FactCheckError as exc:
                parsed.refused.append(Refused(here, str(exc), original))
    return drafts


# --- WordPress and RSS exports of a fact-check site ------------------------------------------------


def _article(item: _Reader, title_html: str, body_html: str, url: str, published_at: datetime | None,
             *, publisher: str | None, author: str | None, categories: list[str]) -> dict[str, Any]:
    """Fields of a fact-check article: rating from the title tag (or a category), claim, narrative."""
    title = html_to_text(title_html).replace("\n", " ").strip()
    if not title:
        raise item.error("empty title")
    tag, claim = split_title(title)
    body = html_to_text(body_html)
    rating = tag
    if rating is None or verdict_of(rating) == "unrated":
        rating = _kategori(body) or next((c for c in categories if verdict_of(c) != "unrated"), None) or rating
    if not claim:
        raise item.error(f"title {title[:120]!r} has a rating but no claim")
    return {
        "claim": claim[:2_000],
        "narratives": narratives_in(body),
        "title": title[:1_000],
        "rating": rating,
        "verdict": verdict_of(rating),
        "published_at": published_at,
        "publisher": publisher,
        "author": author,
        "claimant": None,
        "claim_date": None,
        "appearances": [],
        "language": None,
    }


def _rendered(item: _Reader, post: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = post.get(name)
    if isinstance(value, dict):
        value = value.get("rendered")
    text = item.text(value, f"{name}.rendered", required=required)
    return text or ""


def wordpress(text: str, parsed: Parsed, *, publisher: str | None = None) -> list[_Draft]:
    """A WordPress REST API posts export: a JSON list of posts (or one post)."""
    drafts: list[_Draft] = []
    try:
        value = json.loads(text)
    except ValueError as exc:
        parsed.refused.append(Refused("document", f"wordpress: document: not valid JSON ({exc})",
                                      text.encode("utf-8")))
        return drafts
    posts = value if isinstance(value, list) else [value]
    for index, post in enumerate(posts):
        where = f"item {index}"
        item = _Reader("wordpress", where, parsed.warnings)
        original = _dump(post)
        try:
            if not isinstance(post, dict):
                raise item.error(f"is {kind_of(post)}, not an object")
            url = item.required_url(post.get("link"), "link")
            if post.get("date_gmt"):
                published = item.instant(post.get("date_gmt"), "date_gmt", naive_is_utc=True)
            else:
                published = item.instant(post.get("date"), "date")
            native = post.get("id")
            fields = _article(item, _rendered(item, post, "title", required=True),
                              _rendered(item, post, "content") or _rendered(item, post, "excerpt"), url, published,
                              publisher=publisher, author=None, categories=[])
        except FactCheckError as exc:
            parsed.refused.append(Refused(where, str(exc), original))
            continue
        drafts.append(_Draft(where, original, fields, url,
                             native_id=str(native) if isinstance(native, int | str) and native != "" else None))
    return drafts


_NS = {"content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/"}
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


def rss(text: str, parsed: Parsed, *, publisher: str | None = None) -> list[_Draft]:
    """An RSS 2.0 feed: one fact-check per ``<item>``."""
    drafts: list[_Draft] = []
    if _ENTITY_DECL.search(text):
        # Entity declarations are how XML bombs and external-entity reads start; no feed needs them.
        parsed.refused.append(Refused("document", "rss: document: declares XML entities, refused",
                                      text.encode("utf-8")))
        return drafts
    try:
        # Entity declarations are refused above, expat (2.4+) caps entity amplification and ElementTree
        # never fetches external entities: the attacks defusedxml guards against cannot start here.
        root = ET.fromstring(text.lstrip("\ufeff"))  # noqa: S314
    except ET.ParseError as exc:
        parsed.refused.append(Refused("document", f"rss: document: not well-formed XML ({exc})",
                                      text.encode("utf-8")))
        return drafts
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        parsed.refused.append(Refused("document", f"rss: document: <{root.tag}> is not an RSS 2.0 <rss><channel>",
                                      text.encode("utf-8")))
        return drafts
    site = publisher or (channel.findtext("title") or "").strip() or None
    for index, node in enumerate(channel.findall("item")):
        where = f"item {index}"
        item = _Reader("rss", where, parsed.warnings)
        original = ET.tostring(node, encoding="utf-8")
        try:
            url = item.required_url(node.findtext("link"), "link")
            published = None
            date_text = item.text(node.findtext("pubDate"), "pubDate")
            if date_text is not None:
                try:
                    published = parsedate_to_datetime(date_text)
                except (TypeError, ValueError):
                    raise item.error(f"pubDate {date_text[:80]!r} is not an RFC 822 date") from None
                # "-0000" means UTC with the sender's zone unknown; Python returns it naive.
                published = (published if published.tzinfo else published.replace(tzinfo=UTC)).astimezone(UTC)
            body = node.findtext("content:encoded", namespaces=_NS) or node.findtext("description") or ""
            fields = _article(item, item.text(node.findtext("title"), "title", required=True) or "", body, url,
                              published, publisher=site,
                              author=item.text(node.findtext("dc:creator", namespaces=_NS), "dc:creator"),
                              categories=[c.text.strip() for c in node.findall("category") if c.text])
        except FactCheckError as exc:
            parsed.refused.append(Refused(where, str(exc), original))
            continue
        guid = (node.findtext("guid") or "").strip() or None
        drafts.append(_Draft(where, original, fields, url, native_id=guid if guid != url else None))
    return drafts


# --- An agency's own list ------------------------------------------------------------------------

CSV_COLUMNS = ("id", "claim", "url", "rating", "date", "narrative")
_CSV_REQUIRED = ("id", "claim")


def csv_list(text: str, parsed: Parsed, *, publisher: str | None = None) -> list[_Draft]:
    """A CSV with a header row naming ``id,claim,url,rating,date[,narrative]`` (any order)."""
    drafts: list[_Draft] = []
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip().lower() for name in next(rows)]
    except StopIteration:
        parsed.refused.append(Refused("document", "csv: document: empty", b""))
        return drafts
    except csv.Error as exc:
        parsed.refused.append(Refused("document", f"csv: header: {exc}", text.encode("utf-8")))
        return drafts
    missing = [name for name in _CSV_REQUIRED if name not in header]
    if missing:
        parsed.refused.append(Refused("header", f"csv: header: missing column(s) {', '.join(missing)} "
                                      f"(expected {','.join(CSV_COLUMNS)})", text.encode("utf-8")))
        return drafts
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        parsed.warnings.append(f"csv: header: column(s) {', '.join(unknown)} ignored")
    line = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.refused.append(Refused(f"row {line}", f"csv: row {line}: {exc}", b""))
            break
        line += 1
        if not any(cell.strip() for cell in row):
            continue
        where = f"row {line}"
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row)
        original = buffer.getvalue().encode("utf-8")
        item = _Reader("csv", where, parsed.warnings)
        try:
            if len(row) != len(header):
                raise item.error(f"{len(row)} cells for {len(header)} columns")
            cells = dict(zip(header, row, strict=True))
            native = item.text(cells.get("id"), "id", required=True)
            url = item.url(cells.get("url"), "url")
            rating = item.text(cells.get("rating"), "rating")
            narrative = item.text(cells.get("narrative"), "narrative")
            fields = {
                "claim": item.text(cells.get("claim"), "claim", required=True),
                "narratives": [narrative] if narrative else [],
                "title": None,
                "rating": rating,
                "verdict": verdict_of(rating),
                "published_at": item.instant(cells.get("date"), "date"),
                "publisher": publisher,
                "author": None,
                "claimant": None,
                "claim_date": None,
                "appearances": [],
                "language": None,
            }
        except FactCheckError as exc:
            parsed.refused.append(Refused(where, str(exc), original))
            continue
        drafts.append(_Draft(where, original, fields, url, native_id=native, keyed_by_id=True))
    return drafts


# --- Registry and entry point -----------------------------------------------------------------------

READERS: dict[str, Callable[..., list[_Draft]]] = {
    "claimreview": lambda text, parsed, publisher=None: claimreview(text, parsed),
    "factcheck-tools": lambda text, parsed, publisher=None: factcheck_tools(text, parsed),
    "wordpress": wordpress,
    "rss": rss,
    "csv": csv_list,
}
"""Every format a fact-check source can read, by the name its configuration uses."""


def _finish(drafts: list[_Draft], fmt: str, collected_at: datetime, source: str, parsed: Parsed) -> None:
    keys: dict[str, set[str]] = defaultdict(set)
    for draft in drafts:
        if not draft.keyed_by_id:
            keys[factcheck_key(url=draft.url)].add(draft.fields["claim"].casefold())
    for draft in drafts:
        if draft.keyed_by_id:
            key = factcheck_key(source=source, native_id=draft.native_id)
        else:
            key = factcheck_key(url=draft.url)
            if len(keys[key]) > 1:  # one page reviewing several claims
                key = factcheck_key(url=draft.url, claim=draft.fields["claim"])
        try:
            parsed.factchecks.append(FactCheck(
                factcheck_id=make_factcheck_id(key), url=draft.url, source_format=fmt, native_id=draft.native_id,
                collected_at=collected_at, **draft.fields))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'fact-check'}: {error['msg']}"
                                 for error in exc.errors())
            parsed.refused.append(Refused(draft.where, f"{fmt}: {draft.where}: not a valid fact-check ({problems})",
                                          draft.original))


def to_factchecks(raw: bytes | str, fmt: str, collected_at: datetime, *, source: str = "",
                  publisher: str | None = None) -> Parsed:
    """Every fact-check in one document of format ``fmt``, with every refused item and why.

    ``source`` (the configured source's name) scopes the ids of a CSV list; ``publisher`` names
    the fact-checker where the format does not (WordPress, CSV, an RSS feed without a title).
    """
    parsed = Parsed()
    original = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    if fmt not in READERS:
        parsed.refused.append(Refused("document", f"{fmt}: unknown fact-check format (known: "
                                      f"{', '.join(sorted(READERS))})", original))
        return parsed
    if not isinstance(collected_at, datetime) or collected_at.tzinfo is None:
        parsed.refused.append(Refused("document", f"{fmt}: collected_at must be a timezone-aware datetime", original))
        return parsed
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        parsed.refused.append(Refused("document", f"{fmt}: document: not UTF-8 ({exc})", original))
        return parsed
    try:
        drafts = READERS[fmt](text, parsed, publisher=publisher)
    except RecursionError:
        parsed.refused.append(Refused("document", f"{fmt}: document: nested too deeply", original))
        return parsed
    _finish(drafts, fmt, collected_at.astimezone(UTC), source, parsed)
    return parsed


def guess_format(name: str, raw: bytes) -> str:
    """The fact-check format of a document, from its name and its first bytes.

    ``.csv`` is a CSV list; ``.rss``/``.xml`` or an XML start an RSS feed; one JSON object with
    ``claims`` a Fact Check Tools answer; a JSON array whose items have a ``title`` object
    (``{"rendered": ...}``) a WordPress export; anything else ClaimReview (a page, JSON, NDJSON).
    """
    head = raw[:4096].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if name.lower().endswith(".csv"):
        return "csv"
    if name.lower().endswith((".rss", ".xml")) or head.startswith(("<?xml", "<rss")):
        return "rss"
    if head[:1] in ("{", "["):
        try:
            whole = json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError:  # NDJSON, most likely: ClaimReview lines
            whole = None
        if isinstance(whole, dict) and "claims" in whole:
            return "factcheck-tools"
        if isinstance(whole, list) and whole and isinstance(whole[0], dict) and isinstance(whole[0].get("title"), dict):
            return "wordpress"
    return "claimreview"
