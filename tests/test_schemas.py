"""Unit tests for the wire models (Post, DeadLetter, alert ids) and the generated index templates."""

from __future__ import annotations

import base64
import json
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from schemas.alert import Alert, AlertPost, make_alert_id
from schemas.deadletter import PREVIEW_CHARS, DeadLetter
from schemas.index import templates
from schemas.post import MAX_TEXT_CHARS, Author, Engagement, GeoPoint, Post, TaggedPost
from tests.conftest import make_post

WIB = timezone(timedelta(hours=7))


def test_post_id_is_derived() -> None:
    post = Post.model_validate(make_post("7301", platform="instagram"))
    assert post.post_id == "instagram:7301"


def test_matching_explicit_post_id_is_kept() -> None:
    post = Post.model_validate(make_post("7301", post_id="tiktok:7301"))
    assert post.post_id == "tiktok:7301"


@pytest.mark.parametrize("post_id", ["tiktok:7302", "facebook:7301", "7301"])
def test_mismatching_post_id_is_rejected(post_id: str) -> None:
    with pytest.raises(ValidationError, match="does not match"):
        Post.model_validate(make_post("7301", post_id=post_id))


def test_naive_datetime_is_rejected() -> None:
    raw = make_post("1", created_at="2026-11-21T12:00:00", collected_at="2026-11-21T12:05:00")
    with pytest.raises(ValidationError) as info:
        Post.model_validate(raw)
    assert {error["loc"][0] for error in info.value.errors()} == {"created_at", "collected_at"}


def test_naive_datetime_object_is_rejected() -> None:
    raw = make_post("1", created_at=datetime(2026, 11, 21, 12, 0))  # noqa: DTZ001 - the naive time under test
    with pytest.raises(ValidationError) as info:
        Post.model_validate(raw)
    assert [error["loc"] for error in info.value.errors()] == [("created_at",)]


def test_aware_datetimes_are_normalised_to_utc() -> None:
    created = datetime(2026, 11, 21, 19, 0, tzinfo=WIB)
    post = Post.model_validate(
        make_post("1", created_at=created.isoformat(), collected_at="2026-11-21T20:30:00+07:00")
    )
    assert post.created_at == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert post.created_at.utcoffset() == timedelta(0)
    assert post.collected_at.utcoffset() == timedelta(0)
    assert post.collected_at.hour == 13
    assert post.collected_at.minute == 30


def test_hashtags_and_mentions_are_normalised() -> None:
    post = Post.model_validate(
        make_post(
            "1",
            hashtags=["#Pemilu2024", "pemilu2024", " #PEMILU2024 ", "#TolakHoaks", "#", ""],
            mentions=["@KPU_RI", "kpu_ri", "@Bawaslu.RI"],
        )
    )
    assert post.hashtags == ["pemilu2024", "tolakhoaks"]
    assert post.mentions == ["kpu_ri", "bawaslu.ri"]


def test_hashtags_lose_trailing_punctuation_and_are_nfc_lower_case() -> None:
    # What tools put in their hashtag lists: a quote or comma left over from scraping the
    # caption, a decomposed accent (NFD), a full-width sign, a second tag glued on.
    post = Post.model_validate(
        make_post(
            "1",
            hashtags=['samenkoken"', "SamenKoken", "PilkadaSukamaju2026,", "caf\u00e9", "cafe\u0301", "\uff03Pemilu",
                      "#pilkada#pemilu", "(#AyoKeTPS)", "\u2026", "!!"],
            mentions=["@kpu.sukamaju.", "@KPU.Sukamaju", "bawaslu_ri:"],
        )
    )
    assert post.hashtags == ["samenkoken", "pilkadasukamaju2026", "caf\u00e9", "pemilu", "pilkada", "ayoketps"]
    assert post.mentions == ["kpu.sukamaju", "bawaslu_ri"]


def test_a_hidden_count_is_unknown_not_zero() -> None:
    hidden = Post.model_validate(make_post("1", engagement={"likes": None, "comments": 4, "shares": None,
                                                            "views": None}))
    assert (hidden.engagement.likes, hidden.engagement.comments, hidden.engagement.shares) == (None, 4, None)
    assert Post.model_validate_json(hidden.model_dump_json()) == hidden
    assert json.loads(hidden.model_dump_json())["engagement"]["likes"] is None
    # A source that gives no counts at all gives no zeros either.
    assert Engagement() == Engagement(likes=None, comments=None, shares=None, views=None)
    with pytest.raises(ValidationError):
        Engagement(likes=-1)


def test_control_characters_are_stripped_from_identifiers() -> None:
    # TikTok returns usernames with a NUL in them; a bidi override in a handle would make it
    # read backwards in Kibana. The platform's original stays in ``raw``.
    raw = {"username": "warga\x00_sukamaju", "id": "7301\x00"}
    post = Post.model_validate(make_post(
        "7301\x00", url="https://www.tiktok.com/@warga\x00_sukamaju/video/7301\x00",
        author={"id": "a7301\x07", "handle": "warga\x00_sukamaju\u202e", "display_name": "Warga\x00 Sukamaju"},
        hashtags=["pilkada\x00"], mentions=["\x1bkpu_ri"], raw=raw))
    assert post.post_id == "tiktok:7301" and post.native_id == "7301"
    assert str(post.url) == "https://www.tiktok.com/@warga_sukamaju/video/7301"
    assert (post.author.id, post.author.handle) == ("a7301", "warga_sukamaju")
    assert post.author.display_name == "Warga Sukamaju"
    assert post.hashtags == ["pilkada"] and post.mentions == ["kpu_ri"]
    assert post.raw == raw, "the original is kept"
    assert Post.model_validate(make_post("7301", post_id="tiktok:7301\x00")).post_id == "tiktok:7301"
    with pytest.raises(ValidationError):
        Post.model_validate(make_post("7301", author={"handle": "\x00\x00"}))


def test_text_at_the_limit_is_accepted_and_over_it_rejected() -> None:
    assert len(Post.model_validate(make_post("1", text="a" * MAX_TEXT_CHARS)).text) == MAX_TEXT_CHARS
    with pytest.raises(ValidationError) as info:
        Post.model_validate(make_post("1", text="a" * (MAX_TEXT_CHARS + 1)))
    assert info.value.errors()[0]["loc"] == ("text",)


def test_unknown_platform_is_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Post.model_validate(make_post("1", platform="twitter"))
    assert ("platform",) in [error["loc"] for error in info.value.errors()]


def test_extra_field_is_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        Post.model_validate(make_post("1", sentiment="negative"))
    assert [(error["loc"], error["type"]) for error in info.value.errors()] == [(("sentiment",), "extra_forbidden")]


def test_extra_nested_field_is_rejected() -> None:
    raw = make_post("1")
    raw["author"] = {**raw["author"], "followers": 10}
    with pytest.raises(ValidationError) as info:
        Post.model_validate(raw)
    assert info.value.errors()[0]["loc"] == ("author", "followers")


def test_collected_before_created_is_rejected() -> None:
    raw = make_post("1", collected_at="2026-11-21T11:59:00+00:00")
    with pytest.raises(ValidationError, match="collected_at is earlier than created_at"):
        Post.model_validate(raw)


def test_post_json_round_trip() -> None:
    post = Post.model_validate(
        make_post("1", hashtags=["#Pemilu"], region="Jawa Barat", raw={"nested": {"a": [1, 2]}, "x": None})
    )
    again = Post.model_validate_json(post.model_dump_json())
    assert again == post
    assert again.raw == {"nested": {"a": [1, 2]}, "x": None}


def test_tagged_post_json_round_trip() -> None:
    tagged = TaggedPost.model_validate(
        {**make_post("1"), "language": "id", "language_score": 0.9,
         "tagged_at": "2026-11-21T12:06:00+00:00", "tagger_version": "t"}
    )
    assert TaggedPost.model_validate_json(tagged.model_dump_json()) == tagged


# --- index templates -----------------------------------------------------------------------


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _assert_covers(model: type[BaseModel], properties: dict[str, Any], where: str) -> None:
    assert set(properties) == set(model.model_fields), where
    for name, field in model.model_fields.items():
        nested = _model_of(field.annotation)
        if nested is GeoPoint:
            assert properties[name] == {"type": "geo_point"}, f"{where}.{name}"
        elif nested is not None:
            assert "properties" in properties[name], f"{where}.{name}"
            _assert_covers(nested, properties[name]["properties"], f"{where}.{name}")


@pytest.fixture
def generated() -> dict[str, dict[str, Any]]:
    return templates("posts-x", "alerts-x")


def _props(generated: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return generated[name]["template"]["mappings"]["properties"]


def test_templates_named_after_indices(generated: dict[str, dict[str, Any]]) -> None:
    assert set(generated) == {"posts-x", "alerts-x"}
    assert generated["posts-x"]["index_patterns"] == ["posts-x-*"]
    assert generated["posts-x"]["template"]["aliases"] == {"posts-x": {}}
    assert generated["alerts-x"]["index_patterns"] == ["alerts-x"]
    assert generated["alerts-x"]["priority"] > generated["posts-x"]["priority"]


def test_every_model_field_is_mapped(generated: dict[str, dict[str, Any]]) -> None:
    _assert_covers(TaggedPost, _props(generated, "posts-x"), "TaggedPost")
    _assert_covers(Alert, _props(generated, "alerts-x"), "Alert")
    posts = _props(generated, "posts-x")
    assert set(posts["author"]["properties"]) == set(Author.model_fields)
    assert set(posts["engagement"]["properties"]) == set(Engagement.model_fields)
    assert set(_props(generated, "alerts-x")["posts"]["properties"]) == set(AlertPost.model_fields)


def test_mappings_are_strict(generated: dict[str, dict[str, Any]]) -> None:
    for body in generated.values():
        assert body["template"]["mappings"]["dynamic"] == "strict"


def test_text_fields_have_keyword_subfield(generated: dict[str, dict[str, Any]]) -> None:
    posts = _props(generated, "posts-x")
    alerts = _props(generated, "alerts-x")
    for mapping in (posts["text"], posts["author"]["properties"]["display_name"],
                    alerts["rule_name"], alerts["posts"]["properties"]["text"]):
        assert mapping["type"] == "text"
        assert mapping["fields"]["keyword"]["type"] == "keyword"


def test_datetimes_are_dates(generated: dict[str, dict[str, Any]]) -> None:
    posts = _props(generated, "posts-x")
    alerts = _props(generated, "alerts-x")
    for mapping in (posts["created_at"], posts["collected_at"], posts["tagged_at"],
                    alerts["window_start"], alerts["window_end"], alerts["fired_at"],
                    alerts["delivered_at"], alerts["posts"]["properties"]["created_at"]):
        assert mapping == {"type": "date"}


def test_raw_is_stored_not_indexed(generated: dict[str, dict[str, Any]]) -> None:
    assert _props(generated, "posts-x")["raw"] == {"type": "object", "enabled": False}


def test_unknown_counts_stay_missing_in_the_index(generated: dict[str, dict[str, Any]]) -> None:
    # No null_value: with one, Elasticsearch would index an unknown count as that number, and
    # every average would count it.
    engagement = _props(generated, "posts-x")["engagement"]["properties"]
    assert engagement == {name: {"type": "long"} for name in ("likes", "comments", "shares", "views")}


def test_scalar_field_types(generated: dict[str, dict[str, Any]]) -> None:
    posts = _props(generated, "posts-x")
    alerts = _props(generated, "alerts-x")
    assert posts["post_id"]["type"] == "keyword"
    assert posts["platform"]["type"] == "keyword"
    assert posts["hashtags"]["type"] == "keyword"
    assert posts["url"]["type"] == "keyword"
    assert posts["language_score"]["type"] == "float"
    assert posts["engagement"]["properties"]["views"]["type"] == "long"
    assert alerts["count"]["type"] == "long"
    assert alerts["severity"]["type"] == "keyword"


# --- dead letters --------------------------------------------------------------------------


def _dead(original: bytes) -> DeadLetter:
    return DeadLetter.wrap(
        original, stage="validate", reason="bad", error_type="ValueError", source="raw/0/12",
        failed_at=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("original", [b"\xff\xfe\x00\x80 not utf-8 \xc3", b"", bytes(range(256))])
def test_dead_letter_keeps_bytes_exactly(original: bytes) -> None:
    letter = _dead(original)
    assert letter.original() == original
    assert base64.b64decode(letter.original_b64) == original
    assert DeadLetter.model_validate_json(letter.model_dump_json()).original() == original


def test_dead_letter_preview_is_lenient_and_bounded() -> None:
    assert _dead(b"abc\xffdef").original_preview == "abc\ufffddef"
    long = _dead("é".encode() * (PREVIEW_CHARS * 3))
    assert long.original_preview == "é" * PREVIEW_CHARS
    assert len(_dead(b"\xff" * (PREVIEW_CHARS * 10)).original_preview) == PREVIEW_CHARS


# --- alert ids -----------------------------------------------------------------------------

_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_alert_id_is_stable() -> None:
    first = make_alert_id("hoaks", "#pemilu", "tiktok:1", _AT)
    assert first == make_alert_id("hoaks", "#pemilu", "tiktok:1", datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    assert first.startswith("hoaks-")
    assert len(first) == len("hoaks-") + 16


@pytest.mark.parametrize(
    "changed",
    [
        ("hoaks2", "#pemilu", "tiktok:1", _AT),
        ("hoaks", "#pemilu2", "tiktok:1", _AT),
        ("hoaks", "#pemilu", "tiktok:2", _AT),
        ("hoaks", "#pemilu", "tiktok:1", _AT + timedelta(seconds=1)),
    ],
)
def test_alert_id_differs_when_any_input_differs(changed: tuple[str, str, str, datetime]) -> None:
    assert make_alert_id(*changed) != make_alert_id("hoaks", "#pemilu", "tiktok:1", _AT)


def test_alert_id_fields_do_not_run_together() -> None:
    assert make_alert_id("r", "ab", "c", _AT) != make_alert_id("r", "a", "bc", _AT)
