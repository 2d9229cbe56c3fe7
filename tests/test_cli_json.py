"""`--json` on the commands an operator scripts: stdout carries JSON only, and notes go to stderr.

Runs ``pipelines.cli.main`` against the session's Kafka and Elasticsearch: a replay through
``siaga run --json`` fires an alert, which ``alerts list --json`` then shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from kafka import KafkaProducer

from pipelines.cli import main
from pipelines.ops.services import ensure_ready
from tests.conftest import Stack, make_post, make_settings, write_jsonl


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; only what a test sets itself may reach it."""
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name == "SIAGA_CONFIG":
            monkeypatch.delenv(name)


RULE = {"id": "golput", "name": "Ajakan golput", "threshold": 3, "window": "30m", "cooldown": "1h",
        "filter": {"terms_any": ["golput"]}}


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_run_json_summary_and_alerts_list_json(stack: Stack, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    posts = write_jsonl(tmp_path / "posts.jsonl", [make_post(f"71{i}", minutes=i) for i in range(4)] + [b"{oops"])
    make_settings(stack, tmp_path, rules=[RULE], connectors={"state_dir": str(tmp_path / "connectors")})
    config = str(next(tmp_path.glob("siaga-*.yaml")))

    assert main(["run", "--config", config, "--input", str(posts), "--until-idle", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)  # one JSON object, nothing else
    assert summary["connectors"] == {"input": 5}
    assert summary["posts_in"] == 5 and summary["indexed"] == 4
    assert summary["dead_lettered"] == {"validate": 1}
    assert summary["connector_errors"] == {}
    (alert,) = summary["alerts"]
    assert alert["rule_id"] == "golput" and alert["severity"] == "waspada"
    assert "Ajakan golput" in alert["subject"]

    assert main(["alerts", "list", "--json", "--config", config]) == 0
    (listed,) = json_lines(capsys.readouterr().out)
    assert listed["alert_id"] == alert["alert_id"] and listed["state"] == "open"
    assert len(listed["posts"]) == 3

    assert main(["alerts", "list", "--open", "--config", config]) == 0
    assert alert["alert_id"] in capsys.readouterr().out


def test_alerts_silences_json_gives_each_silence_with_its_state(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_settings(None, tmp_path, rules=[RULE])
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["alerts", "silences", "--json", "--config", config]) == 0
    assert capsys.readouterr().out == ""  # no silences: no lines, and no prose on stdout
    assert main(["alerts", "silence", "golput", "--for", "2h", "--reason", "debat capres", "--by", "andi",
                 "--config", config]) == 0
    capsys.readouterr()
    assert main(["alerts", "silences", "--json", "--config", config]) == 0
    (silence,) = json_lines(capsys.readouterr().out)
    assert (silence["rule_id"], silence["state"], silence["created_by"], silence["reason"]) == (
        "golput", "active", "andi", "debat capres")


def test_status_json_gives_lag_per_partition(stack: Stack, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(stack, tmp_path)
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    ensure_ready(settings)
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    for i in range(5):
        producer.send(settings.kafka.topics.raw, json.dumps(make_post(f"72{i}")).encode()).get(timeout=10)
    producer.close()

    assert main(["status", "--json", "--config", config]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["group"] == settings.pipeline.group_id and status["topic"] == settings.kafka.topics.raw
    assert status["total_lag"] == 5
    assert sum(p["end"] for p in status["partitions"]) == 5
    assert all(p["committed"] is None for p in status["partitions"])
    assert status["workers"] == [] and status["last_errors"] == []


def test_status_health_is_healthy_while_the_services_answer(stack: Stack, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    make_settings(stack, tmp_path)
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["status", "--health", "--config", config]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "healthy"
    assert main(["status", "--health", "--json", "--config", config]) == 0
    assert json.loads(capsys.readouterr().out) == {"healthy": True, "findings": ["no sources configured"]}


def test_stack_status_json_with_external_services(stack: Stack, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_settings(stack, tmp_path)
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["stack", "status", "--json", "--config", config]) == 0
    services = json.loads(capsys.readouterr().out)["services"]
    assert [(s["name"], s["address"], s["embedded"], s["reachable"]) for s in services] == [
        ("kafka", stack.bootstrap, False, True), ("elasticsearch", stack.es_url, False, True)]


def test_connectors_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.json"
    make_settings(None, tmp_path, sources=[
        {"type": "import", "name": "apify-tt", "format": "apify-tiktok", "path": str(export)},
        {"type": "tiktok", "name": "tt", "hashtags": ["pilkada"]},
    ])
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["connectors", "list", "--json", "--config", config]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["types"] == sorted(["replay", "import", "tiktok", "instagram_hashtag", "meta_content_library",
                                      "facebook_pages", "factchecks"])
    assert listed["sources"] == [
        {"name": "apify-tt", "type": "import", "format": "apify-tiktok", "where": str(export)},
        {"name": "tt", "type": "tiktok", "format": None, "where": "https://open.tiktokapis.com"},
    ]


def test_status_health_fails_where_sources_are_configured_but_no_siaga_run_reports(
        stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = tmp_path / "posts.jsonl"
    sample.write_text("", encoding="utf-8")
    make_settings(stack, tmp_path, pipeline={"status_dir": str(tmp_path / "status")},
                  sources=[{"type": "replay", "name": "sample", "path": str(sample)}])
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["status", "--health", "--config", config]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "unhealthy"
    assert out[1].startswith("no running `siaga run` has reported in")
