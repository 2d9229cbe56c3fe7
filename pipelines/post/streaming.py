"""The post pipeline as a true streaming job for Apache Flink (portable runner) and Google Dataflow.

The same transforms as the local driver (``pipelines.post.job.build``: validate, tag, bulk-index,
produce the tagged posts and dead letters), fed by Beam's Kafka IO instead of micro-batches:

    ReadFromKafka(with_metadata) → ToKafkaRecord → Window (fixed, event time = Kafka timestamp)
      → ValidateAndTag → WriteToElasticsearch → WriteTaggedPosts / WriteDeadLetters

Delivery: the runner checkpoints the Kafka reader's offsets and commits them back to the
consumer group on finalize (``commit_offset_in_finalize``) only after the checkpoint holding
the writes completed; the sinks are idempotent by post id, so a replay after a failure writes
the same documents again, never a second copy. The window bounds how long ``BatchElements``
holds posts before a bulk write; it also stamps every element with event time for Beam's
watermark, which the alerting windows on the tagged topic rely on downstream.

``ReadFromKafka`` is a cross-language transform: constructing it needs a Java expansion
service (downloaded from Maven, or given as ``--kafka-expansion-service``). That is never
available on a machine without network, so ``build_streaming`` takes the source as an
argument: tests inject a ``TestStream`` and inspect the graph the production job would have.

Secrets: the Python sinks are given client settings in which every secret is an ``EnvSecret``,
the name of its ``SIAGA__*`` variable, read on the worker in ``setup()``; so the pickled job
graph that Flink keeps in its HA storage and savepoints holds no password. The Java Kafka
reader is different: its SASL password has to be in the consumer properties handed to the
expansion service, so it is part of the expanded transform (see deploy/README.md, step 5).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, ClassVar

import apache_beam as beam
from apache_beam import coders
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.transforms import window

from pipelines.common.clients import EnvSecret
from pipelines.common.records import KafkaRecord
from schemas.config import Settings, env_name
from schemas.errors import ConfigError

RUNNERS = {"flink": "FlinkRunner", "dataflow": "DataflowRunner", "portable": "PortableRunner"}
JAAS_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


class KafkaRecordCoder(coders.Coder):
    """A compact, deterministic coder for ``KafkaRecord``: what crosses the wire between stages."""

    _HEAD = struct.Struct(">iqqi")

    def encode(self, value: KafkaRecord) -> bytes:
        topic = value.topic.encode()
        key = b"" if value.key is None else value.key
        key_len = -1 if value.key is None else len(key)
        return (struct.pack(">H", len(topic)) + topic + self._HEAD.pack(value.partition, value.offset,
                                                                        value.timestamp_ms, key_len)
                + key + value.value)

    def decode(self, encoded: bytes) -> KafkaRecord:
        (topic_len,) = struct.unpack_from(">H", encoded)
        at = 2 + topic_len
        topic = encoded[2:at].decode()
        partition, offset, timestamp_ms, key_len = self._HEAD.unpack_from(encoded, at)
        at += self._HEAD.size
        key = None if key_len < 0 else encoded[at:at + key_len]
        at += max(key_len, 0)
        return KafkaRecord(topic, partition, offset, key, encoded[at:], timestamp_ms)

    def is_deterministic(self) -> bool:
        return True

    def to_type_hint(self) -> type:
        return KafkaRecord


coders.registry.register_coder(KafkaRecord, KafkaRecordCoder)


def to_kafka_record(row: Any) -> KafkaRecord:
    """A ``ReadFromKafka(with_metadata=True)`` row (or a ``KafkaRecord``) as our ``KafkaRecord``."""
    if isinstance(row, KafkaRecord):
        return row
    key = getattr(row, "key", None) if hasattr(row, "key") else getattr(row, "msg_key", None)
    value = getattr(row, "value", None) if hasattr(row, "value") else getattr(row, "msg_value", b"")
    return KafkaRecord(str(row.topic), int(row.partition), int(row.offset),
                       None if key is None else bytes(key), bytes(value or b""), int(row.timestamp or 0))


def with_event_time(record: KafkaRecord) -> window.TimestampedValue:
    """Stamp a record with its Kafka timestamp as event time."""
    return window.TimestampedValue(record, record.timestamp_ms / 1000)


def _jaas_quoted(value: str) -> str:
    # The JAAS parser reads a quoted value with Java's StreamTokenizer: \\ and \" are its escapes.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kafka_consumer_config(settings: Settings) -> dict[str, str]:
    """The Java ``KafkaConsumer`` properties ``ReadFromKafka`` runs with: broker, group, limits, SASL, CA."""
    kafka = settings.kafka
    config = {
        "bootstrap.servers": settings.kafka_bootstrap(),
        "group.id": settings.pipeline.group_id,
        "auto.offset.reset": "earliest",
        "security.protocol": kafka.security_protocol,
        "max.partition.fetch.bytes": str(kafka.max_partition_fetch_bytes),
        "fetch.max.bytes": str(kafka.fetch_max_bytes),
    }
    if kafka.sasl_mechanism:
        config["sasl.mechanism"] = kafka.sasl_mechanism
        if kafka.security_protocol.startswith("SASL_"):
            if not kafka.sasl_username or kafka.sasl_password is None:
                msg = (f"kafka.sasl_username and {env_name(('kafka', 'sasl_password'))} are needed for "
                       f"{kafka.security_protocol} with {kafka.sasl_mechanism}")
                raise ConfigError(msg)
            username = _jaas_quoted(kafka.sasl_username)
            password = _jaas_quoted(kafka.sasl_password.get_secret_value())
            config["sasl.jaas.config"] = (f"{JAAS_LOGIN_MODULES[kafka.sasl_mechanism]} required "
                                          f"username={username} password={password};")
    if kafka.ssl_cafile:
        # PEM trust stores (Kafka clients 2.7+) take the CA file as mounted, no keystore conversion.
        config["ssl.truststore.type"] = "PEM"
        config["ssl.truststore.location"] = str(kafka.ssl_cafile)
    return config


def kafka_source(settings: Settings, expansion_service: str | None = None) -> beam.PTransform:
    """Beam's Kafka IO reading the raw-posts topic, committing offsets when checkpoints finalize."""
    from apache_beam.io.kafka import ReadFromKafka

    return ReadFromKafka(
        consumer_config=kafka_consumer_config(settings),
        topics=[settings.kafka.topics.raw],
        with_metadata=True,
        commit_offset_in_finalize=True,
        timestamp_policy=ReadFromKafka.create_time_policy,
        expansion_service=expansion_service,
    )


class SecretsByReference(Settings):
    """Settings whose client arguments hold each secret as an ``EnvSecret``, never its value.

    What the streaming graph's sinks are built from: ``pipelines.post.job.build`` reads the client
    arguments from the settings it is given, and the DoFns it makes are pickled into the graph.
    """

    secrets_by_reference: ClassVar[bool] = True
    """Read by ``pipelines.common.erasures.SuppressionSource``: the erasure hash key by reference too."""

    @classmethod
    def of(cls, settings: Settings) -> SecretsByReference:
        """The same settings, already validated, with client arguments by reference."""
        return cls.model_construct(_fields_set=settings.model_fields_set,
                                   **{name: getattr(settings, name) for name in Settings.model_fields})

    def kafka_client_kwargs(self) -> dict[str, Any]:
        kwargs = super().kafka_client_kwargs()
        if kwargs.get("sasl_plain_password") is not None:
            kwargs["sasl_plain_password"] = EnvSecret(env_name(("kafka", "sasl_password")))
        return kwargs

    def elasticsearch_kwargs(self) -> dict[str, Any]:
        kwargs = super().elasticsearch_kwargs()
        if "api_key" in kwargs:
            kwargs["api_key"] = EnvSecret(env_name(("elasticsearch", "api_key")))
        elif "basic_auth" in kwargs and self.elasticsearch.password is not None:
            kwargs["basic_auth"] = (kwargs["basic_auth"][0], EnvSecret(env_name(("elasticsearch", "password"))))
        return kwargs


def build_streaming(pipeline: beam.Pipeline, settings: Settings,
                    source: beam.PTransform | Callable[[], beam.PTransform] | None = None,
                    window_s: float = 2.0) -> beam.PCollection:
    """Attach the streaming post pipeline to ``pipeline``, reading from ``source`` (default: Kafka IO).

    Returns the windowed ``KafkaRecord``s that feed the shared transforms (for inspection).
    """
    from pipelines.post.job import build

    if source is None:
        source = kafka_source(settings)
    elif callable(source) and not isinstance(source, beam.PTransform):
        source = source()
    records = (
        pipeline
        | "ReadFromKafka" >> source
        | "ToKafkaRecord" >> beam.Map(to_kafka_record).with_output_types(KafkaRecord)
        | "EventTime" >> beam.Map(with_event_time).with_output_types(KafkaRecord)
        | "Window" >> beam.WindowInto(window.FixedWindows(window_s))
    )
    build(records, SecretsByReference.of(settings))
    return records


def beam_flags(beam_args: list[str]) -> list[str]:
    """The operator's Beam flags with dashed names (``--flink-master``) spelt as Beam knows them.

    Beam registers every option with underscores and silently ignores a flag it does not know,
    so ``--flink-master`` would submit to an embedded Flink instead of the cluster. Dashes are
    turned into underscores, and a flag that is still unknown is refused by name.
    """
    known = set(PipelineOptions([]).get_all_options(drop_default=False))
    flags: list[str] = []
    unknown: list[str] = []
    for arg in beam_args:
        if arg.startswith("--"):
            name, sep, value = arg[2:].partition("=")
            name = name.replace("-", "_")
            if name not in known:
                unknown.append(f"--{name}")
            arg = f"--{name}{sep}{value}"
        flags.append(arg)
    if unknown:
        msg = f"unknown Beam option(s): {', '.join(unknown)}"
        raise ValueError(msg)
    return flags


def pipeline_options(runner: str, beam_args: list[str]) -> PipelineOptions:
    """Streaming options for ``runner`` plus whatever Beam flags the operator passed through."""
    options = PipelineOptions(beam_flags(beam_args))
    standard = options.view_as(StandardOptions)
    standard.runner = RUNNERS[runner]
    standard.streaming = True
    return options


def run_streaming(settings: Settings, runner: str, beam_args: list[str],
                  expansion_service: str | None = None) -> Any:
    """Submit the streaming job to Flink or Dataflow; return Beam's ``PipelineResult``."""
    options = pipeline_options(runner, beam_args)
    pipeline = beam.Pipeline(options=options)
    build_streaming(pipeline, settings, source=kafka_source(settings, expansion_service))
    return pipeline.run()
