"""Kafka helpers shared by the local drivers: topic set-up, batch polling, rewinding, lag."""

from __future__ import annotations

import logging
import time
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from pipelines.common.records import KafkaRecord
from schemas.config import Settings
from schemas.retry import backoff

log = logging.getLogger(__name__)


def ensure_topics(settings: Settings) -> None:
    """Create the raw, tagged, dead-letter, alerts, fact-checks and verdicts topics if they do not exist yet."""
    kafka = settings.kafka
    admin = KafkaAdminClient(**settings.kafka_client_kwargs())
    try:
        existing = set(admin.list_topics())
        for name in (kafka.topics.raw, kafka.topics.tagged, kafka.topics.dead_letter, kafka.topics.alerts,
                     kafka.topics.factchecks, kafka.topics.verdicts):
            if name in existing:
                continue
            try:
                admin.create_topics([NewTopic(name, kafka.partitions, kafka.replication_factor)])
                log.info("created topic %s (%d partitions)", name, kafka.partitions)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def missing_topics(settings: Settings, names: list[str]) -> list[str]:
    """Those of ``names`` the broker does not have (listing topics needs only Describe on them)."""
    admin = KafkaAdminClient(**settings.kafka_client_kwargs())
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    return [name for name in names if name not in existing]


def fetch_limits(settings: Settings) -> dict[str, int]:
    """Fetch sizes for every consumer: capped for a real broker, and a receive limit that fits noida-db.

    A real broker keeps a fetch response near ``fetch_max_bytes``. noida-db ignores both fetch
    caps and answers with the partition's whole backlog; above kafka-python's default 100 MB
    frame limit the client raises ``InvalidReceiveError``, drops the connection and asks again
    for the same thing, forever. The receive limit is therefore raised (1 GiB by default).
    """
    kafka = settings.kafka
    return {
        "fetch_max_bytes": kafka.fetch_max_bytes,
        "max_partition_fetch_bytes": kafka.max_partition_fetch_bytes,
        "receive_message_max_bytes": max(
            kafka.receive_message_max_bytes, kafka.fetch_max_bytes + kafka.max_partition_fetch_bytes
        ),
    }


def make_consumer(settings: Settings, group_id: str, topic: str, max_records: int,
                  instance_id: str | None = None) -> KafkaConsumer:
    """A consumer that commits only when told to and starts from the earliest unread record.

    With ``instance_id`` the consumer is a static group member (KIP-345): a worker restarted
    under the same id takes its partitions back at once, where a new dynamic member would wait
    for the dead one to be evicted (noida-db never evicts a SIGKILLed dynamic member).
    """
    if instance_id is not None:
        extra: dict[str, Any] = {"group_instance_id": instance_id}
    else:
        extra = {}
    consumer = KafkaConsumer(
        **extra,
        **settings.kafka_client_kwargs(),
        **fetch_limits(settings),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_records,
        session_timeout_ms=settings.kafka.session_timeout_ms,
        max_poll_interval_ms=settings.kafka.max_poll_interval_ms,
        heartbeat_interval_ms=max(settings.kafka.session_timeout_ms // 3, 500),
    )
    consumer.subscribe([topic])
    return consumer


BATCH_RETRY_BASE_S = 0.25
"""Half the first wait after a failed batch: the waits go 0.5 s, 1 s, 2 s ... up to the cap."""


def batch_retry_wait(settings: Settings, failures: int) -> float:
    """How long a consuming job waits after its ``failures``-th failed batch in a row.

    Capped at ``pipeline.retry_backoff_max_s``, and kept below half of ``max_poll_interval_ms``:
    a longer pause between polls would cost the job its group membership.
    """
    cap = min(settings.pipeline.retry_backoff_max_s, settings.kafka.max_poll_interval_ms / 2000)
    return backoff(failures, base=BATCH_RETRY_BASE_S, cap=cap, jitter=False)


def poll_batch(consumer: KafkaConsumer, max_records: int, max_wait_ms: int, *,
               rewind: bool = False) -> list[KafkaRecord]:
    """Up to ``max_records`` records, waiting at most ``max_wait_ms`` for the batch to fill.

    ``rewind`` first seeks back to the committed offsets: the retry of a batch that failed.
    """
    if rewind:
        rewind_to_committed(consumer)
    records: list[KafkaRecord] = []
    deadline = time.monotonic() + max_wait_ms / 1000
    while len(records) < max_records:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            break
        polled = consumer.poll(timeout_ms=remaining_ms, max_records=max_records - len(records))
        if not polled and records:
            break
        for messages in polled.values():
            records.extend(
                KafkaRecord(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp) for m in messages
            )
    return records


def rewind_to_committed(consumer: KafkaConsumer) -> None:
    """Seek every assigned partition back to its committed offset, so a failed batch is re-read."""
    for tp in consumer.assignment():
        committed = consumer.committed(tp)
        if committed is None:
            consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)


def lag_by_partition(consumer: KafkaConsumer) -> dict[tuple[str, int], int] | None:
    """Records per assigned partition not yet committed by this group; ``None`` before assignment."""
    assignment = consumer.assignment()
    if not assignment:
        return None
    ends: dict[Any, int] = consumer.end_offsets(list(assignment))
    return {(tp.topic, tp.partition): max(end - (consumer.committed(tp) or 0), 0) for tp, end in ends.items()}


def lag(consumer: KafkaConsumer) -> int | None:
    """Records on the assigned partitions not yet committed by this group; ``None`` before assignment."""
    by_partition = lag_by_partition(consumer)
    return None if by_partition is None else sum(by_partition.values())


def group_lag(settings: Settings, group_id: str, topic: str) -> dict[int, tuple[int, int | None]]:
    """``partition → (end offset, committed offset)`` of ``group_id`` on ``topic``, without joining the group."""
    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), group_id=group_id, enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        ends = consumer.end_offsets(tps) if tps else {}
        return {tp.partition: (ends[tp], consumer.committed(tp)) for tp in tps}
    finally:
        consumer.close()


def read_topic_tail(settings: Settings, topic: str, limit: int, timeout_s: float = 10.0) -> list[KafkaRecord]:
    """The last ``limit`` records of ``topic`` across its partitions, oldest first, without a group.

    Reads without committing anything, so looking at a topic never moves a consumer group.
    """
    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), **fetch_limits(settings), enable_auto_commit=False,
                             group_id=None)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            return []
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        ends = consumer.end_offsets(tps)
        starts = consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, max(starts[tp], ends[tp] - limit))
        records: list[KafkaRecord] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
            for messages in consumer.poll(timeout_ms=500).values():
                records.extend(
                    KafkaRecord(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp)
                    for m in messages
                    if m.offset < ends[TopicPartition(m.topic, m.partition)]
                )
        records.sort(key=lambda r: (r.timestamp_ms, r.partition, r.offset))
        return records[-limit:]
    finally:
        consumer.close()
