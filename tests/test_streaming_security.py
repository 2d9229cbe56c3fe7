"""How the Flink/Dataflow job authenticates: the Java Kafka reader's properties, and secrets kept
out of the pickled job graph (the sinks name their ``SIAGA__*`` variables and read them on the worker)."""

from __future__ import annotations

import base64
import bz2
import zlib
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
import yaml
from apache_beam.internal import pickler
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.testing import test_stream

from pipelines.common.clients import EnvSecret, close_shared_clients, resolve_secrets
from pipelines.common.records import KafkaRecord
from pipelines.post.job import build
from pipelines.post.sinks import BulkIndexFn, ProduceFn
from pipelines.post.streaming import KafkaRecordCoder, build_streaming, kafka_consumer_config
from schemas.config import ElasticsearchSettings, KafkaSettings, Settings, load_settings
from schemas.errors import ConfigError
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parent.parent
K8S_BASE = REPO / "deploy" / "k8s" / "base"
KAFKA_PASSWORD = "kafka-Pa55-only-in-env"
ES_PASSWORD = "es-Pa55-only-in-env"
ES_API_KEY = "es-ApiKey-only-in-env"


def with_secrets(settings: Settings, **kafka: Any) -> Settings:
    """``settings`` with SASL on Kafka and basic auth on Elasticsearch, secrets as loaded from the environment."""
    kafka_section = settings.kafka.model_dump(exclude_none=True) | {
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "siaga", "sasl_password": KAFKA_PASSWORD} | kafka
    es = settings.elasticsearch.model_dump(exclude_none=True) | {"username": "siaga", "password": ES_PASSWORD}
    return settings.model_copy(update={"kafka": KafkaSettings.model_validate(kafka_section),
                                       "elasticsearch": ElasticsearchSettings.model_validate(es)})


def k8s_settings() -> Settings:
    """The shipped Kubernetes configuration, with its secrets from the environment as on the pods."""
    return load_settings(K8S_BASE / "siaga.yaml", environ={"SIAGA__KAFKA__SASL_PASSWORD": KAFKA_PASSWORD,
                                                           "SIAGA__ELASTICSEARCH__PASSWORD": ES_PASSWORD})


# The Java consumer's properties (ReadFromKafka).


def test_the_k8s_consumer_config_authenticates_with_scram_and_trusts_the_strimzi_ca() -> None:
    config = kafka_consumer_config(k8s_settings())
    assert config["security.protocol"] == "SASL_SSL"
    assert config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert config["sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="siaga" password="{KAFKA_PASSWORD}";')
    assert config["ssl.truststore.type"] == "PEM"
    assert config["ssl.truststore.location"] == "/certs/kafka/ca.crt"
    assert "ssl.truststore.password" not in config  # Kafka refuses a password on a PEM trust store
    assert all(isinstance(value, str) for value in config.values())


def test_the_flink_taskmanager_mounts_the_kafka_ca_where_the_consumer_config_points() -> None:
    # The Java consumer runs in Flink's main container, not in the Beam worker pool.
    flink = next(doc for doc in yaml.safe_load_all((K8S_BASE / "flink.yaml").read_text(encoding="utf-8"))
                 if doc and doc["kind"] == "FlinkDeployment")
    pod = flink["spec"]["taskManager"]["podTemplate"]["spec"]
    main = next(c for c in pod["containers"] if c["name"] == "flink-main-container")
    location = Path(kafka_consumer_config(k8s_settings())["ssl.truststore.location"])
    mount = next(m for m in main["volumeMounts"] if Path(m["mountPath"]) in location.parents)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert volume["secret"]["secretName"] == "siaga-cluster-ca-cert"
    assert {item["path"] for item in volume["secret"]["items"]} >= {str(location.relative_to(mount["mountPath"]))}


def test_plain_uses_the_plain_login_module_and_jaas_values_are_escaped(tmp_path: Path) -> None:
    settings = with_secrets(make_settings(None, tmp_path), security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                            sasl_username='sia"ga', sasl_password='p\\w"d;')
    config = kafka_consumer_config(settings)
    assert config["sasl.jaas.config"] == (
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="sia\\"ga" password="p\\\\w\\"d;";')
    assert "ssl.truststore.location" not in config


def test_plaintext_has_no_sasl_or_truststore(tmp_path: Path) -> None:
    settings = make_settings(None, tmp_path, kafka={"bootstrap_servers": "broker:9092"})
    assert kafka_consumer_config(settings) == {
        "bootstrap.servers": "broker:9092",
        "group.id": settings.pipeline.group_id,
        "auto.offset.reset": "earliest",
        "security.protocol": "PLAINTEXT",
        "max.partition.fetch.bytes": str(settings.kafka.max_partition_fetch_bytes),
        "fetch.max.bytes": str(settings.kafka.fetch_max_bytes),
    }


def test_sasl_without_a_password_is_refused_by_name(tmp_path: Path) -> None:
    settings = make_settings(None, tmp_path, kafka={"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                                                    "sasl_username": "siaga"})
    with pytest.raises(ConfigError, match="SIAGA__KAFKA__SASL_PASSWORD"):
        kafka_consumer_config(settings)


# Secrets out of the streaming graph.


def streaming_graph(settings: Settings) -> beam_runner_api_pb2.Pipeline:
    """The runner API proto of the streaming job, as submitted to Flink or Dataflow (TestStream as source)."""
    pipeline = beam.Pipeline(options=PipelineOptions(["--streaming"]))
    source = test_stream.TestStream(coder=KafkaRecordCoder()).add_elements(
        [KafkaRecord("t", 0, 0, b"k", b"{}", 1_700_000_000_000)])
    build_streaming(pipeline, settings, source=source.advance_watermark_to_infinity())
    return pipeline.to_runner_api()


def pickled_payloads(proto: beam_runner_api_pb2.Pipeline) -> list[bytes]:
    """Every ParDo's pickled DoFn in the graph."""
    return [beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).do_fn.payload
            for t in proto.components.transforms.values() if t.spec.urn == common_urns.primitives.PAR_DO.urn]


def unpacked(payload: bytes) -> bytes:
    """A pickled payload as plain pickle bytes (Beam base64-encodes and compresses it)."""
    data = base64.b64decode(payload)
    for decompress in (bz2.decompress, zlib.decompress):
        try:
            return decompress(data)
        except (OSError, ValueError, zlib.error):
            continue
    return data


def sink_fns(proto: beam_runner_api_pb2.Pipeline) -> list[Any]:
    fns = [pickler.loads(payload)[0] for payload in pickled_payloads(proto)]
    return [fn for fn in fns if isinstance(fn, BulkIndexFn | ProduceFn)]


@pytest.mark.parametrize("es_auth", ["basic", "api_key"])
def test_the_pickled_streaming_graph_holds_no_secret(tmp_path: Path, es_auth: str) -> None:
    settings = with_secrets(make_settings(None, tmp_path, kafka={"bootstrap_servers": "broker:9093"},
                                          elasticsearch={"url": "https://es:9200"}), security_protocol="SASL_SSL")
    if es_auth == "api_key":
        es = settings.elasticsearch.model_dump(exclude_none=True) | {"api_key": ES_API_KEY}
        settings = settings.model_copy(update={"elasticsearch": ElasticsearchSettings.model_validate(es)})
    proto = streaming_graph(settings)
    payloads = pickled_payloads(proto)
    assert payloads
    for secret in (KAFKA_PASSWORD, ES_PASSWORD, ES_API_KEY):
        assert secret.encode() not in proto.SerializeToString()
        assert not any(secret.encode() in unpacked(payload) for payload in payloads), secret
    fns = sink_fns(proto)
    assert {type(fn) for fn in fns} == {BulkIndexFn, ProduceFn}
    for fn in fns:
        if isinstance(fn, ProduceFn):
            assert fn._kafka_kwargs["sasl_plain_password"] == EnvSecret("SIAGA__KAFKA__SASL_PASSWORD")
        elif es_auth == "api_key":
            assert fn._es_kwargs["api_key"] == EnvSecret("SIAGA__ELASTICSEARCH__API_KEY")
        else:
            assert fn._es_kwargs["basic_auth"] == ("siaga", EnvSecret("SIAGA__ELASTICSEARCH__PASSWORD"))


def test_the_local_graph_is_unchanged_and_the_check_would_see_a_secret(tmp_path: Path) -> None:
    # The local micro-batch path runs in this process and keeps the resolved values; this also
    # shows the payload check above can see a secret when one is pickled.
    settings = with_secrets(make_settings(None, tmp_path, kafka={"bootstrap_servers": "broker:9093"},
                                          elasticsearch={"url": "https://es:9200"}), security_protocol="SASL_SSL")
    pipeline = beam.Pipeline(options=PipelineOptions([]))
    build(pipeline | beam.Create([KafkaRecord("t", 0, 0, b"k", b"{}", 0)]), settings)
    payloads = [unpacked(payload) for payload in pickled_payloads(pipeline.to_runner_api())]
    assert any(KAFKA_PASSWORD.encode() in payload for payload in payloads)
    assert any(ES_PASSWORD.encode() in payload for payload in payloads)
    kwargs = settings.kafka_client_kwargs()
    assert resolve_secrets(kwargs) == kwargs


def test_the_sinks_read_their_secrets_from_the_worker_environment_in_setup(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Against the real local broker: PLAINTEXT, so kafka-python carries the SASL settings unused.
    settings = with_secrets(settings)
    fns = sink_fns(streaming_graph(settings))
    monkeypatch.setenv("SIAGA__KAFKA__SASL_PASSWORD", "kafka-from-env")
    monkeypatch.setenv("SIAGA__ELASTICSEARCH__PASSWORD", "es-from-env")
    try:
        for fn in fns:
            fn.setup()
            if isinstance(fn, ProduceFn):
                assert fn._producer.config["sasl_plain_password"] == "kafka-from-env"
            else:
                expected = base64.b64encode(b"siaga:es-from-env").decode()
                assert fn._es._headers["authorization"] == f"Basic {expected}"
    finally:
        close_shared_clients()


def test_a_worker_without_the_variable_fails_setup_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = with_secrets(make_settings(None, tmp_path, kafka={"bootstrap_servers": "broker:9093"},
                                          elasticsearch={"url": "https://es:9200"}))
    monkeypatch.delenv("SIAGA__ELASTICSEARCH__PASSWORD", raising=False)
    monkeypatch.delenv("SIAGA__KAFKA__SASL_PASSWORD", raising=False)
    for fn in sink_fns(streaming_graph(settings)):
        variable = "SIAGA__KAFKA__SASL_PASSWORD" if isinstance(fn, ProduceFn) else "SIAGA__ELASTICSEARCH__PASSWORD"
        with pytest.raises(ConfigError, match=variable):
            fn.setup()
