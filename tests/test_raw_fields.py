"""``Post.raw`` keeps only what an officer or a re-normalisation needs, and normalising it again gives the same post.

Run over every stored sample payload (``tests/data/imports``, good and bad files) and the
samples the connector tests build (TikTok Research API videos, Instagram Graph media, Facebook
page posts, Meta Content Library items). ``docs/raw-fields.md`` must list every kept field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors import facebook, instagram, meta_content_library, tiktok
from connectors.formats import FORMATS, RAW_FIELDS, RawFields, apify_facebook, apify_tiktok, strip_tracking
from schemas.errors import NormaliseError
from schemas.post import Post

IMPORTS = Path(__file__).parent / "data" / "imports"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "raw-fields.md"
COLLECTED = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)

API_FIELDS: dict[str, RawFields] = {
    "tiktok": tiktok.RAW_FIELDS,
    "instagram_hashtag": instagram.RAW_FIELDS,
    "facebook_pages": facebook.RAW_FIELDS,
    "meta_content_library": meta_content_library.RAW_FIELDS,
}
"""The API connectors' allow-lists, by source type."""


def stored_items() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, format, item) for every item of every stored export, good and bad."""
    for path in sorted(IMPORTS.iterdir()):
        fmt = path.name.split(".")[0]
        text = path.read_text(encoding="utf-8")
        items = [json.loads(line) for line in text.splitlines() if line.strip()] if path.suffix == ".ndjson" \
            else json.loads(text)
        for entry in items if isinstance(items, list) else [items]:
            if isinstance(entry, dict):
                yield path.name, fmt, entry


def normalises(fmt: str, item: dict[str, Any]) -> bool:
    try:
        FORMATS[fmt](item, COLLECTED, [])
    except NormaliseError:
        return False  # a refused item keeps nothing: it is dead-lettered
    return True


STORED = list(stored_items())
ACCEPTED = [(name, fmt, item) for name, fmt, item in STORED if normalises(fmt, item)]


def paths_of(value: Any, prefix: str = "") -> set[str]:
    """Every dotted path to a leaf in ``value`` (through lists, as ``RawFields`` reads paths)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, child in value.items():
            if child is None or child == {}:
                continue  # nothing kept there
            found |= paths_of(child, f"{prefix}{key}.") or {f"{prefix}{key}"}
        return found
    if isinstance(value, list):
        return set().union(*(paths_of(entry, prefix) for entry in value)) if value else set()
    return set()


def allowed_paths(spec: RawFields) -> set[str]:
    return set(spec.keep | spec.urls)


def test_the_stored_samples_hold_accepted_items_of_every_format() -> None:
    assert {fmt for _, fmt, _ in ACCEPTED} == set(FORMATS) and len(ACCEPTED) >= 20


@pytest.mark.parametrize(("name", "fmt", "item"), ACCEPTED,
                         ids=[f"{n}[{i}]" for i, (n, _, _) in enumerate(ACCEPTED)])
def test_every_stored_sample_keeps_only_allowed_fields_and_normalises_again_to_the_same_post(
        name: str, fmt: str, item: dict[str, Any]) -> None:
    post = FORMATS[fmt](item, COLLECTED, [])
    assert post.raw is not None
    spec = RAW_FIELDS[f"zeeschuimer {item['source_platform']}" if fmt == "zeeschuimer" else fmt]
    assert paths_of(post.raw) <= allowed_paths(spec)
    assert FORMATS[fmt](post.raw, COLLECTED, []) == post


def test_what_is_dropped_is_dropped() -> None:
    good = [(fmt, item) for name, fmt, item in STORED if ".bad." not in name]
    by_format = {fmt: item for fmt, item in reversed(good)}
    tiktok_post = FORMATS["apify-tiktok"](by_format["apify-tiktok"], COLLECTED)
    assert {"signature", "avatar", "originalAvatarUrl"}.isdisjoint(tiktok_post.raw["authorMeta"])
    assert {"musicMeta", "detailedMentions", "mediaUrls", "input", "searchHashtag"}.isdisjoint(tiktok_post.raw)
    assert set(tiktok_post.raw["videoMeta"]) == {"duration"}, "no cover URLs"
    instagram_items = [item for fmt, item in good if fmt == "apify-instagram" and "latestComments" in item]
    assert instagram_items, "a sample with other users' comments"
    for item in instagram_items:
        raw = FORMATS["apify-instagram"](item, COLLECTED).raw
        assert {"latestComments", "firstComment", "displayUrl", "images", "childPosts", "inputUrl"}.isdisjoint(raw)
    capture = next(item for fmt, item in good if fmt == "zeeschuimer" and item["source_platform"] == "tiktok.com")
    raw = FORMATS["zeeschuimer"](capture, COLLECTED).raw
    assert set(raw) == {"source_platform", "timestamp_collected", "data"}, "no user agent, no source URL"
    assert "avatarThumb" not in raw["data"]["author"] and "secUid" not in raw["data"]["author"]


# --- the API connectors' samples ---------------------------------------------------------------------


def api_samples() -> Iterator[tuple[str, dict[str, Any], Callable[[dict[str, Any]], Post]]]:
    from tests import test_facebook, test_instagram, test_meta_content_library, test_tiktok

    for video in [*test_tiktok.VIDEOS[:20], test_tiktok.video(3, 50)]:
        yield "tiktok", video, lambda item: tiktok.to_post(item, COLLECTED)
    for number in range(6):
        yield ("instagram_hashtag", test_instagram.media(number, COLLECTED - timedelta(hours=number), "pilkada"),
               lambda item: instagram.to_post(item, COLLECTED))
    for page in test_facebook.build_pages():
        for item in page.posts[:6]:
            yield "facebook_pages", item, lambda item, page=page: facebook.to_post(item, COLLECTED, page=page.username)
    yield "facebook_pages", test_facebook.SAMPLE, lambda item: facebook.to_post(item, COLLECTED, page="kompascom")
    for hosted in test_meta_content_library.POSTS[:30]:
        yield ("meta_content_library", hosted.item,
               lambda item, platform=hosted.platform: meta_content_library.to_post(item, platform, COLLECTED))


API = list(api_samples())


@pytest.mark.parametrize(("source", "item", "normalise"), API, ids=[f"{s}[{i}]" for i, (s, _, _) in enumerate(API)])
def test_every_connector_sample_keeps_only_allowed_fields_and_normalises_again_to_the_same_post(
        source: str, item: dict[str, Any], normalise: Callable[[dict[str, Any]], Post]) -> None:
    post = normalise(item)
    assert post.raw is not None and paths_of(post.raw) <= allowed_paths(API_FIELDS[source])
    assert normalise(post.raw) == post


def test_a_graph_post_loses_the_reactions_and_comments_of_other_users() -> None:
    item = {**json.loads(json.dumps(facebook_sample())),
            "comments": {"data": [{"from": {"name": "Orang Lain", "id": "777"}, "message": "komentar pribadi"}],
                         "summary": {"total_count": 1}},
            "reactions": {"data": [{"id": "888", "name": "Penyuka"}], "summary": {"total_count": 1}}}
    raw = facebook.to_post(item, COLLECTED, page="kompascom").raw
    assert raw["comments"] == {"summary": {"total_count": 1}} and raw["reactions"] == {"summary": {"total_count": 1}}
    assert "Orang Lain" not in json.dumps(raw) and "Penyuka" not in json.dumps(raw)


def facebook_sample() -> dict[str, Any]:
    from tests.test_facebook import SAMPLE

    return SAMPLE


# --- tracking parameters -----------------------------------------------------------------------------


def test_tracking_parameters_leave_the_post_url_and_raw() -> None:
    from tests.test_imports import tiktok_item

    shared = "https://www.tiktok.com/@warga_1/video/7300000000000000001?_r=1&_t=ZS-91abc&u_code=df3k&is_from_webapp=1"
    post = apify_tiktok(tiktok_item(1, webVideoUrl=shared), COLLECTED)
    assert str(post.url) == "https://www.tiktok.com/@warga_1/video/7300000000000000001"
    assert post.raw["webVideoUrl"] == str(post.url)
    facebook_item = {"postId": "122100396030520728", "time": "2026-11-20T10:00:00+07:00", "pageName": "infosukamaju",
                     "text": "Info", "likes": 1, "comments": 0, "shares": 0,
                     "url": "https://www.facebook.com/permalink.php?story_fbid=122100396030520728&id=1000&fbclid=IwAR0x"
                            "&__cft__[0]=AZX&__tn__=%2CO%2CP-R&utm_source=wa"}
    post = apify_facebook(facebook_item, COLLECTED)
    assert str(post.url) == "https://www.facebook.com/permalink.php?story_fbid=122100396030520728&id=1000"
    assert post.native_id == "122100396030520728"


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/p/DgCcGLeTpG1/",
    "https://www.facebook.com/watch/?v=1187305826417733",
    "https://www.facebook.com/photo.php?fbid=987&set=a.1",
    "not a url ?[",
])
def test_a_url_without_tracking_parameters_is_left_as_it_is(url: str) -> None:
    assert strip_tracking(url) == url


# --- the documentation ---------------------------------------------------------------------------------


def test_docs_list_every_kept_field_of_every_source() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, spec in {**RAW_FIELDS, **API_FIELDS}.items():
        heading = f"### {name}"
        assert heading in text, f"docs/raw-fields.md has no section {heading!r}"
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        missing = sorted(path for path in allowed_paths(spec) if f"`{path}`" not in section)
        assert not missing, f"{name}: {missing} are kept but not documented"
