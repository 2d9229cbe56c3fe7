"""The alerts topic, on which every alert and every change of its state is published for other consumers."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from schemas.config import Settings


def ensure_alerts_topic(settings: Settings) -> None:
    """Create the alerts topic (``kafka.topics.alerts``) if it does not exist yet."""
    kafka = settings.kafka
    admin = KafkaAdminClient(**settings.kafka_client_kwargs())
    try:
        if kafka.topics.alerts not in set(admin.list_topics()):
            try:
                admin.create_topics([NewTopic(kafka.topics.alerts, kafka.partitions, kafka.replication_factor)])
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
