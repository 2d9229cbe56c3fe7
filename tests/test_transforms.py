"""The Beam transforms on TestPipeline: validation, dead letters, language tagging.

Outputs are checked inside the pipeline, as Beam's own tests do: each output is mapped to plain
values and compared with ``assert_that(..., equal_to(...))``; ``reasons_containing`` is the one
matcher of our own, for reasons whose exact wording belongs to pydantic or json.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import BeamAssertException, assert_that, equal_to

from pipelines.common.records import MAX_RECORD_BYTES, KafkaRecord
from pipelines.post.transforms import DEAD_LETTER, ValidateAndTag
from schemas.config import TaggingSettings
from schemas.deadletter import MAX_ORIGINAL_BYTES
from schemas.post import MAX_TEXT_CHARS
from tests.conftest import make_post


def record(offset: int, value: bytes, key: bytes | None = None) -> KafkaRecord:
    return KafkaRecord("raw", 0, offset, key, value)


def encode(post: dict) -> bytes:
    return json.dumps(post, ensure_ascii=False).encode()


def pipeline() -> BeamTestPipeline:
    """A test pipeline on the FnApiRunner, named: DirectRunner would first try Prism, which fails here."""
    return BeamTestPipeline(runner="FnApiRunner")


def validate_and_tag(test_pipeline: beam.Pipeline, records: list[KafkaRecord],
                     settings: TaggingSettings | None = None) -> dict[str, beam.PCollection]:
    """ValidateAndTag over ``records``: its ``tagged`` posts and its dead letters."""
    return (test_pipeline | beam.Create(records)
            | ValidateAndTag(settings or TaggingSettings(), max_batch_size=3))


def reasons_containing(expected: dict[str, str | tuple[str, ...]]) -> Callable[[Iterable[tuple[str, str]]], None]:
    """A matcher over ``(source, reason)`` pairs: one per expected source, its reason holding the expected words."""

    def match(actual: Iterable[tuple[str, str]]) -> None:
        reasons = dict(actual)
        if sorted(reasons) != sorted(expected):
            msg = f"dead letters from {sorted(reasons)}, expected from {sorted(expected)}"
            raise BeamAssertException(msg)
        wanted = {source: (words,) if isinstance(words, str) else words for source, words in expected.items()}
        wrong = {source: reason for source, reason in reasons.items()
                 if not all(word in reason for word in wanted[source])}
        if wrong:
            msg = f"reasons without the expected words {wanted}: {wrong}"
            raise BeamAssertException(msg)

    return match


BAD_INPUTS = {
    "malformed JSON": (b'{"platform": "tiktok", "native_id": ', "malformed JSON"),
    "not an object": (b"[1, 2, 3]", "expected a JSON object, got list"),
    "missing fields": (encode({"platform": "tiktok", "native_id": "1"}), "url: Field required"),
    "wrong types": (encode(make_post("2", engagement={"likes": "banyak"})), "engagement.likes"),
    "unknown platform": (encode(make_post("3", platform="friendster")), "platform"),
    "naive datetime": (encode(make_post("4", created_at="2026-11-21T12:00:00")), "created_at"),
    "oversized text": (encode(make_post("5", text="a" * (MAX_TEXT_CHARS + 1))), "text: String should have at most"),
    "non-UTF-8": (b'{"text": "caf\xe9"}', "not UTF-8"),
    "over the record limit": (b"x" * (MAX_RECORD_BYTES + 1), "over the"),
}


def test_valid_posts_are_tagged_and_every_bad_record_is_dead_lettered_with_its_reason():
    good = [
        record(0, encode(make_post("100", text="Besok pagi kami akan datang ke TPS untuk memilih bupati baru."))),
        record(1, encode(make_post("101", text="The election commission will announce the results tomorrow."))),
    ]
    bad = [record(10 + i, value) for i, (value, _) in enumerate(BAD_INPUTS.values())]
    expected_reasons = {f"raw/0/{10 + i}": reason for i, (_, reason) in enumerate(BAD_INPUTS.values())}
    # Kept below the broker's message limit: an original too large is kept as its head, its size and
    # a hash of the whole; every dead letter then fits a Kafka message.
    expected_originals = [
        (f"raw/0/{10 + i}", "validate", value, False, None, None, True) if len(value) <= MAX_ORIGINAL_BYTES
        else (f"raw/0/{10 + i}", "validate", value[:MAX_ORIGINAL_BYTES], True, len(value),
              hashlib.sha256(value).hexdigest(), True)
        for i, (value, _) in enumerate(BAD_INPUTS.values())
    ]
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, good + bad)
        tagged, dead = out["tagged"], out[DEAD_LETTER]
        assert_that(tagged | "Languages" >> beam.Map(lambda p: (p.post_id, p.language)),
                    equal_to([("tiktok:100", "id"), ("tiktok:101", "en")]), label="languages")
        assert_that(tagged | "Versions" >> beam.Map(
                        lambda p: p.tagger_version.startswith("language=language@") and ";topic=topic@" in p.tagger_version),
                    equal_to([True, True]), label="tagger versions")
        assert_that(dead | "Reasons" >> beam.Map(lambda d: (d.source, d.reason)),
                    reasons_containing(expected_reasons), label="reasons")
        assert_that(dead | "Originals" >> beam.Map(
                        lambda d: (d.source, d.stage, d.original(), d.truncated, d.original_size, d.original_sha256,
                                   len(d.model_dump_json()) < 1_000_000)),
                    equal_to(expected_originals), label="originals")


def test_dead_letter_keeps_the_record_key():
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, [record(0, b"not json", key=b"tiktok:77")])
        assert_that(out[DEAD_LETTER] | beam.Map(lambda d: (d.key, d.source)), equal_to([("tiktok:77", "raw/0/0")]))
        assert_that(out["tagged"], equal_to([]), label="nothing tagged")


def test_posts_keep_all_their_fields_through_tagging():
    post = make_post("200", hashtags=["PilkadaDamai"], region="Cibeureum Hilir",
                     text="Mari jaga pilkada damai di kampung kita #PilkadaDamai")
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, [record(0, encode(post))])
        fields = out["tagged"] | beam.Map(
            lambda p: (p.post_id, p.hashtags, p.region, p.engagement.views, p.created_at.isoformat()))
        assert_that(fields, equal_to([("tiktok:200", ["pilkadadamai"], "Cibeureum Hilir", 120,
                                       "2026-11-21T12:00:00+00:00")]))
        assert_that(out[DEAD_LETTER], equal_to([]), label="no dead letters")


def test_many_records_in_small_batches_lose_nothing():
    records = [record(i, encode(make_post(str(1000 + i), text=f"Info lalu lintas pagi ini nomor {i}")))
               for i in range(25)]
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, records)
        assert_that(out["tagged"] | beam.Map(lambda p: p.post_id),
                    equal_to([f"tiktok:{1000 + i}" for i in range(25)]))
        assert_that(out[DEAD_LETTER], equal_to([]), label="no dead letters")


def test_transform_output_matches_with_equal_to():
    """The composite works with Beam's own matchers too (ids only, tags are model output)."""
    records = [record(i, encode(make_post(str(i)))) for i in range(3)]
    with pipeline() as test_pipeline:
        out = test_pipeline | beam.Create(records) | ValidateAndTag(TaggingSettings())
        ids = out["tagged"] | beam.Map(lambda p: p.post_id)
        assert_that(ids, equal_to(["tiktok:0", "tiktok:1", "tiktok:2"]))


def lone_surrogate_record(native_id: str) -> bytes:
    """A post whose platform payload holds a lone surrogate: ``json.loads`` takes it, UTF-8 cannot say it."""
    value = json.dumps(make_post(native_id, raw={"caption": "\ud800"})).encode()
    assert json.loads(value)["raw"]["caption"] == "\ud800"
    return value


def growing_record(native_id: str) -> bytes:
    """A record under the size limit whose ``raw`` re-serialises to more than twice the limit.

    ``1e5`` is three bytes on the wire and eight (``100000.0``) once parsed and written again.
    """
    head = json.dumps(make_post(native_id))[:-1] + ', "raw": {"n": ['
    count = (MAX_RECORD_BYTES - len(head) - 4) // 4
    value = (head + ",".join(["1e5"] * count) + "]}}").encode()
    assert len(value) <= MAX_RECORD_BYTES
    assert len(json.dumps(json.loads(value)).encode()) > 2 * 1_000_000
    return value


@pytest.mark.slow  # records near the 1 MB limit: seconds on the FnApiRunner
def test_a_lone_surrogate_or_a_record_that_grows_past_the_limit_is_dead_lettered_and_the_rest_tagged():
    records = [record(0, encode(make_post("300"))), record(1, lone_surrogate_record("301")),
               record(2, growing_record("302")), record(3, encode(make_post("303")))]
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, records)
        dead = out[DEAD_LETTER]
        assert_that(out["tagged"] | beam.Map(lambda p: p.post_id), equal_to(["tiktok:300", "tiktok:303"]))
        assert_that(dead | "Stages" >> beam.Map(lambda d: (d.source, d.stage)),
                    equal_to([("raw/0/1", "validate"), ("raw/0/2", "validate")]), label="stages")
        assert_that(dead | "Reasons" >> beam.Map(lambda d: (d.source, d.reason)),
                    reasons_containing({"raw/0/1": "malformed JSON:",
                                        "raw/0/2": ("written again", f"{MAX_RECORD_BYTES:,}")}), label="reasons")
        surrogate = dead | beam.Filter(lambda d: d.source == "raw/0/1") | "Original" >> beam.Map(lambda d: d.original())
        assert_that(surrogate, equal_to([records[1].value]), label="the surrogate's original")


@pytest.mark.slow  # records near the 1 MB limit: seconds on the FnApiRunner
def test_a_post_whose_watchlist_matches_make_it_too_large_for_the_tagged_topic_is_dead_lettered_before_indexing():
    # Validation bounds the post (MAX_RECORD_BYTES), not what tagging adds: here 40 watchlists
    # that share 100 terms give each mention 40 matches, about 400 kB of tags.
    from pipelines.common.records import MAX_TAGGED_BYTES
    from schemas.config import Watchlist

    terms = [f"istilah{i:03d}" for i in range(100)]
    settings = TaggingSettings(watchlists=[Watchlist(name=f"daftar-pantauan-yang-namanya-panjang-{n:02d}", terms=terms)
                                           for n in range(40)])
    text = " ".join(terms)
    head = json.dumps(make_post("400", text=text))[:-1] + ', "raw": {"blob": "'
    large = (head + "x" * (MAX_RECORD_BYTES - len(head) - 2_000) + '"}}').encode()
    records = [record(0, large), record(1, encode(make_post("401", text=text)))]
    with pipeline() as test_pipeline:
        out = validate_and_tag(test_pipeline, records, settings)
        assert_that(out["tagged"] | beam.Map(lambda p: (p.post_id, len(p.matches))), equal_to([("tiktok:401", 4_000)]))
        dead = out[DEAD_LETTER]
        assert_that(dead | "Keys" >> beam.Map(lambda d: (d.stage, d.key)), equal_to([("tag", "tiktok:400")]),
                    label="dead letter")
        assert_that(dead | "Reasons" >> beam.Map(lambda d: (d.source, d.reason)),
                    reasons_containing({"post/tiktok:400": f"over the {MAX_TAGGED_BYTES:,}-byte limit of the tagged-posts topic"}),
                    label="reason")
