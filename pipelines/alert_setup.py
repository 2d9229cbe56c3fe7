"""What alerting needs from Kafka and Elasticsearch beyond the posts: the alerts topic and an up-to-date alerts mapping.

Every alert and every change of its state is published on the alerts topic for other consumers.
The alerts index is one index (not behind an alias); it may predate fields ``schemas.alert``
has gained since, and its mapping is strict, so the new fields are added to it in place.
"""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from elasticsearch import Elasticsearch

from schemas.alert import Alert
from schemas.config import Settings
from schemas.index import properties_of


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


def ensure_alerts_mapping(settings: Settings) -> None:
    """Add fields the ``Alert`` model has gained to an existing alerts index (adding fields is always allowed)."""
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        index = settings.elasticsearch.alerts_index
        if es.indices.exists(index=index):
            es.indices.put_mapping(index=index, properties=properties_of(Alert))
    finally:
        es.close()
