"""The pipeline as a service: Prometheus over real HTTP, `siaga status`, JSON logs, N workers,
and the streaming graph the Flink/Dataflow job would run."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import urllib.request

import apache_beam as beam
import pytest
from apache_beam import coders
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import FixedWindows, IntervalWindow, WindowFn
from apache_beam.utils.timestamp import Timestamp

from pipelines.cli import main
from pipelines.common.clients import close_shared_clients
from pipelines.common.metrics import JsonFormatter
from pipelines.common.records import KafkaRecord
from pipelines.ops.services import ensure_ready
from pipelines.ops.stack import free_port
from pipelines.ops.workers import run_worker
from pipelines.post.streaming import KafkaRecordCoder, build_streaming, pipeline_options, to_kafka_record
from tests.conftest import make_post, make_settings
from tests.test_pipeline_faults import (
    REPO,
    committed_total,
    es_ids,
    post_value,
    produce,
    wait_until,
    write_config,
)


def scrape(port: int) -> dict[str, float]:
    """``/metrics`` over HTTP as ``{"name{labels}": value}``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_endpoint_and_status_command(tmp_path, settings, capsys):
    settings = make_settings(None, tmp_path, kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
                             elasticsearch=settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                             pipeline={**settings.pipeline.model_dump(mode="json"), "status_dir": str(tmp_path / "st")})
    ensure_ready(settings)
    port = free_port()
    stop = threading.Event()
    produce(settings, [post_value(i) for i in range(30)] + [(None, b"{broken")])
    thread = threading.Thread(target=run_worker, args=(settings, stop), kwargs={"metrics_port": port}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: committed_total(settings) == 31, 60, "the 31 records")
        raw = settings.kafka.topics.raw
        wait_until(lambda: sum(k.startswith("siaga_pipeline_consumer_lag{") and raw in k for k in scrape(port)) == 3,
                   20, "the lag gauges of the three partitions")
        samples = scrape(port)
        config = write_config(settings, tmp_path / "status.json")
        assert main(["--config", str(config), "status"]) == 0
    finally:
        stop.set()
        thread.join(timeout=30)
        close_shared_clients()
    assert samples['siaga_pipeline_posts_in_total{stage="validate"}'] >= 31
    assert samples['siaga_pipeline_posts_out_total{stage="index"}'] >= 30
    assert samples['siaga_pipeline_dead_lettered_total{stage="validate"}'] >= 1
    assert samples["siaga_pipeline_batch_seconds_count"] >= 1
    assert "siaga_pipeline_es_bulk_errors_total" in samples
    topic = settings.kafka.topics.raw
    lags = {k: v for k, v in samples.items() if k.startswith("siaga_pipeline_consumer_lag{") and topic in k}
    assert len(lags) == settings.kafka.partitions and set(lags.values()) == {0.0}
    assert any(k.startswith("siaga_pipeline_model_info{") and "topic=" in k for k in samples)
    out = capsys.readouterr().out
    assert f"consumer group {settings.pipeline.group_id} on {topic}:" in out
    assert "total lag 0" in out
    assert "committed 31" in out
    assert "last errors: none" in out


def test_json_log_lines_are_json_with_utc_times():
    record = logging.LogRecord("pipelines.post.job", logging.ERROR, __file__, 1, "batch of %d failed: %s", (3, 'say "hi"'),
                               None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == 'batch of 3 failed: say "hi"'
    assert line["level"] == "ERROR" and line["logger"] == "pipelines.post.job"
    assert line["time"].endswith("+00:00")


def test_two_worker_processes_share_the_partitions(settings, tmp_path):
    settings = make_settings(None, tmp_path, kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
                             elasticsearch=settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                             pipeline={**settings.pipeline.model_dump(mode="json"), "batch_max_records": 50,
                                       "status_dir": str(tmp_path / "st")})
    ensure_ready(settings)
    produce(settings, [post_value(i) for i in range(400)])
    config = write_config(settings, tmp_path / "workers.json")
    with (tmp_path / "workers.log").open("wb") as log:
        supervisor = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--config", str(config), "-v",
                                       "pipeline", "run", "--workers", "2"], cwd=REPO, stdout=log,
                                      stderr=subprocess.STDOUT)
        try:
            def statuses() -> list[dict]:
                return [json.loads(p.read_text()) for p in (tmp_path / "st").glob("*.json")]

            wait_until(lambda: committed_total(settings) == 400 and sum(s["committed"] for s in statuses()) == 400,
                       120, "both workers to drain the topic")
            reported = statuses()
        finally:
            supervisor.terminate()
            supervisor.wait(timeout=60)
    assert sorted(es_ids(settings)) == sorted(f"tiktok:f{i}" for i in range(400))
    assert len(reported) == 2, "each worker process reports its own status"
    assert all(s["committed"] > 0 for s in reported), reported


def _walk(pipeline: beam.Pipeline) -> dict[str, beam.pipeline.AppliedPTransform]:
    found: dict[str, beam.pipeline.AppliedPTransform] = {}

    class Visitor(beam.pipeline.PipelineVisitor):
        def enter_composite_transform(self, node):
            found[node.full_label] = node

        def visit_transform(self, node):
            found[node.full_label] = node

    pipeline.visit(Visitor())
    return found


def test_the_streaming_graph_has_the_shared_stages_coders_and_windows(settings):
    options = pipeline_options("flink", ["--flink_master=flink-jobmanager:8081", "--environment_type=DOCKER"])
    assert options.view_as(StandardOptions).streaming is True
    assert options.view_as(StandardOptions).runner == "FlinkRunner"
    assert pipeline_options("dataflow", ["--project=p"]).view_as(StandardOptions).runner == "DataflowRunner"
    pipeline = beam.Pipeline(options=PipelineOptions(["--streaming"]))
    source = test_stream.TestStream(coder=KafkaRecordCoder()).add_elements([KafkaRecord("raw", 0, 0, b"k", b"{}", 1000)])
    records = build_streaming(pipeline, settings, source=source.advance_watermark_to_infinity(), window_s=2.0)
    labels = set(_walk(pipeline))
    for stage in ("ReadFromKafka", "ToKafkaRecord", "EventTime", "Window", "ValidateAndTag",
                  "ValidateAndTag/Validate", "ValidateAndTag/Tag", "WriteToElasticsearch",
                  "WriteToElasticsearch/BulkIndex", "ToTaggedMessage", "WriteTaggedPosts", "AllDeadLetters",
                  "WriteDeadLetters"):
        assert stage in labels, stage
    assert records.element_type is KafkaRecord
    assert isinstance(coders.registry.get_coder(records.element_type), KafkaRecordCoder)
    windowfn = records.windowing.windowfn
    assert isinstance(windowfn, FixedWindows) and windowfn.size.micros == 2_000_000
    assert windowfn.assign(WindowFn.AssignContext(Timestamp(3.5))) == [IntervalWindow(2, 4)]
    # The graph survives the runner API round trip a job server does.
    proto = pipeline.to_runner_api()
    assert any(t.unique_name == "Window" for t in proto.components.transforms.values())


def test_kafka_record_coder_round_trips_and_rows_convert():
    coder = KafkaRecordCoder()
    for record in (KafkaRecord("siaga.posts.raw", 2, 123456789, b"tiktok:1", b'{"a": "\xc3\xa9"}', 1732400000000),
                   KafkaRecord("t", 0, 0, None, b"", 0)):
        assert coder.decode(coder.encode(record)) == record
    assert coder.is_deterministic()
    row = beam.Row(topic="t", partition=1, offset=5, key=b"k", value=b"v", timestamp=7)
    assert to_kafka_record(row) == KafkaRecord("t", 1, 5, b"k", b"v", 7)


def test_the_streaming_graph_runs_end_to_end_on_the_local_streaming_runner(settings):
    """TestStream in place of Kafka IO, the real sinks: posts reach Elasticsearch and the tagged topic."""
    ensure_ready(settings)
    posts = [make_post(f"s{i}", text=f"Pantau TPS {i} hari ini") for i in range(5)]
    stream = test_stream.TestStream(coder=KafkaRecordCoder())
    for i, post in enumerate(posts):
        stream = stream.add_elements([KafkaRecord("raw", 0, i, post["native_id"].encode(), json.dumps(post).encode(),
                                                  1_700_000_000_000 + i * 1000)])
    stream = stream.add_elements([KafkaRecord("raw", 0, 9, None, b"{nope", 1_700_000_009_000)])
    options = PipelineOptions(["--streaming"])
    options.view_as(StandardOptions).runner = "DirectRunner"
    with beam.Pipeline(options=options) as pipeline:
        build_streaming(pipeline, settings, source=stream.advance_watermark_to_infinity())
    close_shared_clients()
    assert sorted(es_ids(settings)) == sorted(f"tiktok:s{i}" for i in range(5))


def test_dashed_beam_flags_reach_beam_and_unknown_ones_are_refused():
    # Beam silently ignores a flag it does not know: `--flink-master` used to submit to an
    # embedded Flink instead of the operator's cluster.
    from apache_beam.options.pipeline_options import FlinkRunnerOptions, PortableOptions

    options = pipeline_options("flink", ["--flink-master", "jm:8081", "--environment-type=EXTERNAL",
                                         "--environment_config", "localhost:50000"])
    assert options.view_as(FlinkRunnerOptions).flink_master == "jm:8081"
    assert options.view_as(PortableOptions).environment_type == "EXTERNAL"
    assert options.view_as(PortableOptions).environment_config == "localhost:50000"
    with pytest.raises(ValueError, match="--flink_mastr"):
        pipeline_options("flink", ["--flink-mastr", "jm:8081"])


def test_pipeline_run_refuses_an_unknown_beam_flag_before_submitting(capsys):
    from pipelines.cli import main

    assert main(["pipeline", "run", "--runner", "flink", "--flink-mastr=jm:8081"]) == 2
    assert "--flink_mastr" in capsys.readouterr().err
