"""The post pipeline against the real local broker and Elasticsearch server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from pipelines.common.records import KafkaRecord
from pipelines.ops.services import ensure_ready
from pipelines.post.job import PostPipelineJob, run_batch
from schemas.clock import FixedClock
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.post import TaggedPost
from tests.conftest import Stack, free_port, make_post, make_settings, read_topic


def produce(settings: Settings, values: list[bytes | dict]) -> None:
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    for value in values:
        if isinstance(value, dict):
            key = f"{value['platform']}:{value['native_id']}".encode()
            value = json.dumps(value).encode()
        else:
            key = None
        producer.send(settings.kafka.topics.raw, key=key, value=value)
    producer.flush()
    producer.close()


def es_docs(settings: Settings) -> dict[str, dict]:
    es = Elasticsearch(settings.elasticsearch_url())
    index = settings.elasticsearch.posts_index
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=1000, query={"match_all": {}})["hits"]["hits"]
    es.close()
    return {hit["_id"]: hit["_source"] for hit in hits}


def drain(job: PostPipelineJob, rounds: int = 20) -> int:
    done = 0
    for _ in range(rounds):
        done += job.step()
        if job.lag() == 0:
            break
    return done


def test_posts_reach_elasticsearch_and_the_tagged_topic_and_bad_ones_the_dead_letter_topic(settings):
    ensure_ready(settings)
    posts = [make_post(str(i), text=f"Jalan di alun-alun macet parah pagi ini, hati-hati ya {i}") for i in range(12)]
    produce(settings, [*posts, b"{oops", b"\xff\xfe not utf-8"])
    job = PostPipelineJob(settings)
    try:
        assert drain(job) == 14
        assert job.lag() == 0
    finally:
        job.close()

    docs = es_docs(settings)
    assert sorted(docs) == sorted(f"tiktok:{i}" for i in range(12))
    assert all(doc["language"] == "id" for doc in docs.values())

    tagged = read_topic(settings, settings.kafka.topics.tagged, 12)
    assert sorted(m.key.decode() for m in tagged) == sorted(docs)
    assert TaggedPost.model_validate_json(tagged[0].value).post_id == tagged[0].key.decode()

    letters = [DeadLetter.model_validate_json(m.value) for m in read_topic(settings, settings.kafka.topics.dead_letter, 2)]
    assert sorted(letter.original() for letter in letters) == sorted([b"{oops", b"\xff\xfe not utf-8"])
    assert {letter.reason.split(":")[0] for letter in letters} == {"malformed JSON", "not UTF-8"}
    assert job.totals["posts_in"] == 14
    assert job.totals["dead_letter.validate"] == 2


def test_reprocessing_a_batch_is_idempotent_in_elasticsearch(settings):
    ensure_ready(settings)
    records = [KafkaRecord("raw", 0, i, None, json.dumps(make_post(str(i))).encode()) for i in range(5)]
    run_batch(records, settings)
    run_batch(records, settings)
    assert sorted(es_docs(settings)) == sorted(f"tiktok:{i}" for i in range(5))


def test_a_document_elasticsearch_refuses_is_dead_lettered_and_the_rest_is_written(settings):
    # The posts are from November 2026 (make_post), so that month's index is the one set up.
    ensure_ready(settings, FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC)))
    es = Elasticsearch(settings.elasticsearch_url())
    # A monthly index created before a bad schema change: `region` is a number there.
    alias = settings.elasticsearch.posts_index
    index = f"{alias}-2026.11"
    es.indices.delete(index=index)
    es.indices.delete_index_template(name=alias)
    es.indices.create(index=index, mappings={"properties": {"region": {"type": "long"}}}, aliases={alias: {}})
    es.close()
    refused = make_post("bad", region="Cibeureum Hilir")
    records = [KafkaRecord("raw", 0, 0, None, json.dumps(make_post("ok1")).encode()),
               KafkaRecord("raw", 0, 1, None, json.dumps(refused).encode()),
               KafkaRecord("raw", 0, 2, None, json.dumps(make_post("ok2")).encode())]
    counters = run_batch(records, settings)
    assert counters["indexed"] == 2
    assert counters["dead_letter.index"] == 1
    assert sorted(es_docs(settings)) == ["tiktok:ok1", "tiktok:ok2"]
    (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 1)
    letter = DeadLetter.model_validate_json(message.value)
    assert letter.stage == "index"
    assert letter.key == "tiktok:bad"
    assert "Elasticsearch refused the document (400)" in letter.reason
    assert json.loads(letter.original())["region"] == "Cibeureum Hilir"
    tagged = read_topic(settings, settings.kafka.topics.tagged, 2)
    assert sorted(m.key for m in tagged) == [b"tiktok:ok1", b"tiktok:ok2"]


def test_offsets_are_not_committed_while_elasticsearch_is_unreachable(stack: Stack, tmp_path: Path, settings):
    ensure_ready(settings)
    produce(settings, [make_post(str(i)) for i in range(4)])
    closed_port = free_port()
    broken = make_settings(
        stack, tmp_path,
        kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
        elasticsearch={**settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                       "url": f"http://127.0.0.1:{closed_port}", "request_timeout_s": 1},
        pipeline={**settings.pipeline.model_dump(mode="json"), "retry_backoff_max_s": 0.1},
    )
    job = PostPipelineJob(broken)
    try:
        for _ in range(3):
            assert job.step() == 0
        assert job.lag() == 4
        assert job.failures >= 1
    finally:
        job.close()
    assert es_docs(settings) == {}

    recovered = PostPipelineJob(settings)
    try:
        assert drain(recovered) == 4
        assert recovered.lag() == 0
    finally:
        recovered.close()
    assert sorted(es_docs(settings)) == [f"tiktok:{i}" for i in range(4)]


def test_the_largest_accepted_record_fits_the_tagged_topic_with_its_tags(settings):
    # A record the size check lets through comes out larger, with its tags; if that passed the
    # producer's 1 MiB request limit, its batch would fail on every retry and block the partition.
    from pipelines.common.records import MAX_RECORD_BYTES

    ensure_ready(settings)
    post = make_post("besar", text="Ayo datang ke TPS, jangan golput! #pilkada")
    padding = MAX_RECORD_BYTES - len(json.dumps({**post, "raw": {"blob": ""}}).encode())
    value = json.dumps({**post, "raw": {"blob": "x" * padding}}).encode()
    assert len(value) == MAX_RECORD_BYTES
    produce(settings, [value])
    job = PostPipelineJob(settings)
    try:
        assert drain(job) == 1
    finally:
        job.close()
    assert list(es_docs(settings)) == ["tiktok:besar"]
    (tagged,) = read_topic(settings, settings.kafka.topics.tagged, 1)
    assert TaggedPost.model_validate_json(tagged.value).post_id == "tiktok:besar"
    assert len(tagged.value) > MAX_RECORD_BYTES  # it did grow with its tags


def test_a_lone_surrogate_or_a_record_that_grows_past_the_limit_is_dead_lettered_not_retried_for_ever(
        stack: Stack, tmp_path: Path):
    # Before, both failed their batch on every retry: the first when the tagged post was written
    # as JSON (UTF-8 cannot encode a lone surrogate), the second in the producer's send (2 MB).
    from tests.test_transforms import growing_record, lone_surrogate_record

    settings = make_settings(stack, tmp_path, kafka={"partitions": 1},
                             pipeline={"retry_backoff_max_s": 0.1, "status_dir": str(tmp_path / "status")})
    ensure_ready(settings)
    produce(settings, [make_post("s1"), lone_surrogate_record("s2"), growing_record("s3"), make_post("s4")])
    job = PostPipelineJob(settings)
    try:
        assert drain(job, rounds=6) == 4
        assert job.lag() == 0
    finally:
        job.close()
    assert sorted(es_docs(settings)) == ["tiktok:s1", "tiktok:s4"]
    assert sorted(m.key for m in read_topic(settings, settings.kafka.topics.tagged, 2)) == [b"tiktok:s1", b"tiktok:s4"]
    letters = [DeadLetter.model_validate_json(m.value) for m in read_topic(settings, settings.kafka.topics.dead_letter, 2)]
    assert sorted(letter.source.rsplit("/", 1)[1] for letter in letters) == ["1", "2"]
    assert all(letter.stage == "validate" for letter in letters)
    assert job.totals["dead_letter.validate"] == 2


def _own_broker_settings(tmp_path: Path, topic_limits: dict[str, int]) -> tuple[Stack, Settings]:
    """A broker of the test's own whose topics named in ``topic_limits`` take messages up to so many bytes.

    Its own: a refused send leaves kafka-python's producer failing every later send, and a
    regression here must not spoil the session's shared producer for the other tests.
    """
    from kafka.admin import KafkaAdminClient, NewTopic

    own = Stack(tmp_path / "noida")
    own.start()
    settings = make_settings(own, tmp_path, kafka={"partitions": 1},
                             pipeline={"retry_backoff_max_s": 0.1, "status_dir": str(tmp_path / "status")})
    topics = settings.kafka.topics.model_dump()
    admin = KafkaAdminClient(**settings.kafka_client_kwargs())
    try:
        admin.create_topics([NewTopic(topics[name], 1, 1, topic_configs={"max.message.bytes": str(limit)})
                             for name, limit in topic_limits.items()])
    finally:
        admin.close()
    ensure_ready(settings)
    return own, settings


@pytest.mark.services
def test_a_tagged_post_the_topic_refuses_is_dead_lettered_and_the_next_batch_gets_a_new_producer(tmp_path: Path):
    from pipelines.common.clients import close_shared_clients

    own, settings = _own_broker_settings(tmp_path, {"tagged": 4_000})
    try:
        long_text = "Kabar pilkada hari ini panjang sekali, simak baik-baik ya. " * 100
        produce(settings, [make_post("p1"), make_post("p2", text=long_text), make_post("p3")])
        job = PostPipelineJob(settings)
        try:
            assert drain(job, rounds=6) == 3, "the refused post must not block the partition"
            # The refusal left the producer failing every send: a new one must take the next batch.
            produce(settings, [make_post("p4"), make_post("p5")])
            assert drain(job, rounds=6) == 2
            assert job.lag() == 0
        finally:
            job.close()
        tagged = read_topic(settings, settings.kafka.topics.tagged, 5, timeout_ms=1500)
        assert sorted(m.key for m in tagged) == [b"tiktok:p1", b"tiktok:p3", b"tiktok:p4", b"tiktok:p5"]
        (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 2, timeout_ms=1500)
        letter = DeadLetter.model_validate_json(message.value)
        assert (letter.stage, letter.key, letter.source) == ("publish", "tiktok:p2",
                                                             f"kafka/{settings.kafka.topics.tagged}")
        assert "MessageSizeTooLarge" in letter.reason
        assert TaggedPost.model_validate_json(letter.original()).text == long_text
        assert job.totals["dead_letter.publish"] == 1
    finally:
        close_shared_clients()
        own.stop()


@pytest.mark.services
def test_a_dead_letter_the_dead_letter_topic_refuses_is_written_without_its_original(tmp_path: Path):
    import hashlib

    from pipelines.common.clients import close_shared_clients

    own, settings = _own_broker_settings(tmp_path, {"dead_letter": 3_000})
    try:
        junk = b"{oops " + b"x" * 20_000
        produce(settings, [make_post("d1"), junk, make_post("d2")])
        job = PostPipelineJob(settings)
        try:
            assert drain(job, rounds=6) == 3
        finally:
            job.close()
        assert sorted(es_docs(settings)) == ["tiktok:d1", "tiktok:d2"]
        (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 2, timeout_ms=1500)
        letter = DeadLetter.model_validate_json(message.value)
        assert letter.stage == "validate" and letter.reason.startswith("malformed JSON")
        assert letter.truncated and letter.original() == b""
        assert letter.original_size == len(junk) and letter.original_sha256 == hashlib.sha256(junk).hexdigest()
    finally:
        close_shared_clients()
        own.stop()
