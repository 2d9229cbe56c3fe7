"""The Beam transforms on TestPipeline: validation, dead letters, language tagging."""

from __future__ import annotations

import hashlib

import json

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.deadletter import MAX_ORIGINAL_BYTES
from pipelines.common.records import MAX_RECORD_BYTES, KafkaRecord
from pipelines.post.transforms import DEAD_LETTER, ValidateAndTag
from schemas.config import TaggingSettings
from schemas.post import MAX_TEXT_CHARS
from tests.conftest import COLLECTED, make_post



def record(offset: int, value: bytes, key: bytes | None = None) -> KafkaRecord:
    return KafkaRecord("raw", 0, offset, key, value)


def encode(post: dict) -> bytes:
    return json.dumps(post, ensure_ascii=False).encode()


def _collect(name: str):
    # The runner pickles matchers by value; importing inside reaches the one registry of this
    # process (the FnApiRunner runs in it) instead of a pickled copy.
    def matcher(actual) -> None:
        from tests import conftest

        conftest.COLLECTED[name] = list(actual)

    return matcher


def run_transform(records: list[KafkaRecord]) -> tuple[list, list]:
    """Run ValidateAndTag and return its tagged posts and dead letters."""
    COLLECTED.clear()
    with BeamTestPipeline(runner="FnApiRunner") as pipeline:
        out = pipeline | beam.Create(records) | ValidateAndTag(TaggingSettings(), max_batch_size=3)
        assert_that(out["tagged"], _collect("tagged"), label="tagged")
        assert_that(out[DEAD_LETTER], _collect("dead"), label="dead")
    return COLLECTED["tagged"], COLLECTED["dead"]


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
    tagged, dead = run_transform(good + bad)

    assert sorted((p.post_id, p.language) for p in tagged) == [("tiktok:100", "id"), ("tiktok:101", "en")]
    assert all(p.tagger_version.startswith("language=language@") and ";topic=topic@" in p.tagger_version
               for p in tagged)
    assert len(dead) == len(BAD_INPUTS)
    by_source = {letter.source: letter for letter in dead}
    for i, (name, (value, reason)) in enumerate(BAD_INPUTS.items()):
        letter = by_source[f"raw/0/{10 + i}"]
        assert reason in letter.reason, f"{name}: {letter.reason}"
        assert letter.stage == "validate"
        if len(value) <= MAX_ORIGINAL_BYTES:
            assert letter.original() == value, name
            assert not letter.truncated
        else:
            # Kept below the broker's message limit: the head, the size and a hash of the whole.
            assert letter.truncated and letter.original_size == len(value), name
            assert letter.original() == value[:MAX_ORIGINAL_BYTES]
            assert letter.original_sha256 == hashlib.sha256(value).hexdigest()
            assert len(letter.model_dump_json()) < 1_000_000


def test_dead_letter_keeps_the_record_key():
    _, dead = run_transform([record(0, b"not json", key=b"tiktok:77")])
    assert [(d.key, d.source) for d in dead] == [("tiktok:77", "raw/0/0")]


def test_posts_keep_all_their_fields_through_tagging():
    post = make_post("200", hashtags=["PilkadaDamai"], region="Cibeureum Hilir",
                     text="Mari jaga pilkada damai di kampung kita #PilkadaDamai")
    tagged, dead = run_transform([record(0, encode(post))])
    assert dead == []
    (only,) = tagged
    assert only.hashtags == ["pilkadadamai"]
    assert only.region == "Cibeureum Hilir"
    assert only.engagement.views == 120
    assert only.created_at.isoformat() == "2026-11-21T12:00:00+00:00"


def test_many_records_in_small_batches_lose_nothing():
    records = [record(i, encode(make_post(str(1000 + i), text=f"Info lalu lintas pagi ini nomor {i}")))
               for i in range(25)]
    tagged, dead = run_transform(records)
    assert dead == []
    assert sorted(p.post_id for p in tagged) == sorted(f"tiktok:{1000 + i}" for i in range(25))


def test_transform_output_matches_with_equal_to():
    """The composite works with Beam's own matchers too (ids only, tags are model output)."""
    records = [record(i, encode(make_post(str(i)))) for i in range(3)]
    with BeamTestPipeline(runner="FnApiRunner") as pipeline:
        out = pipeline | beam.Create(records) | ValidateAndTag(TaggingSettings())
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


def test_a_lone_surrogate_or_a_record_that_grows_past_the_limit_is_dead_lettered_and_the_rest_tagged():
    records = [record(0, encode(make_post("300"))), record(1, lone_surrogate_record("301")),
               record(2, growing_record("302")), record(3, encode(make_post("303")))]
    tagged, dead = run_transform(records)
    assert sorted(p.post_id for p in tagged) == ["tiktok:300", "tiktok:303"]
    by_source = {letter.source: letter for letter in dead}
    assert sorted(by_source) == ["raw/0/1", "raw/0/2"]
    surrogate, grown = by_source["raw/0/1"], by_source["raw/0/2"]
    assert surrogate.stage == "validate" and surrogate.reason.startswith("malformed JSON:"), surrogate.reason
    assert surrogate.original() == records[1].value
    assert grown.stage == "validate"
    assert "written again" in grown.reason and f"{MAX_RECORD_BYTES:,}" in grown.reason, grown.reason


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
    COLLECTED.clear()
    with BeamTestPipeline(runner="FnApiRunner") as pipeline:
        out = pipeline | beam.Create(records) | ValidateAndTag(settings, max_batch_size=3)
        assert_that(out["tagged"], _collect("tagged"), label="tagged")
        assert_that(out[DEAD_LETTER], _collect("dead"), label="dead")
    (small,) = COLLECTED["tagged"]
    assert small.post_id == "tiktok:401" and len(small.matches) == 4_000
    (letter,) = COLLECTED["dead"]
    assert (letter.stage, letter.key) == ("tag", "tiktok:400")
    assert f"over the {MAX_TAGGED_BYTES:,}-byte limit of the tagged-posts topic" in letter.reason, letter.reason
