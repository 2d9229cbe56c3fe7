"""Officers' verdicts against the real local Kafka and Elasticsearch: give, search, change, erase, retain.

Posts go through the real pipeline (``run_batch``) so they carry what the tagger stamps on them
(``tags.model``); an alert is indexed as the alerting job indexes one.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from pipelines.cli import main
from pipelines.common.records import KafkaRecord
from pipelines.common.verdicts import read_verdicts
from pipelines.ops.erasure import Target, erase
from pipelines.ops.indices import apply_retention
from pipelines.ops.services import ensure_ready
from pipelines.post.job import run_batch
from schemas.alert import Alert, AlertPost
from schemas.clock import FixedClock
from schemas.config import Settings
from schemas.verdict import Verdict, current
from tests.conftest import Stack, make_post, make_settings, read_topic

HOAX = "KPU umumkan pencoblosan diundur ke minggu depan, jangan datang ke TPS besok, sebarkan!"
CALM = "Ayo ke TPS tanggal 27, jangan golput ya!"


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; only what a test sets itself may reach it."""
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name in ("SIAGA_CONFIG", "SIAGA_OFFICER"):
            monkeypatch.delenv(name)


@pytest.fixture
def configured(stack: Stack, tmp_path: Path) -> tuple[Settings, str]:
    settings = make_settings(stack, tmp_path, retention={"interval": None},
                             tagging={"model_dir": str(tmp_path / "models")})
    ensure_ready(settings)
    return settings, str(next(tmp_path.glob("siaga-*.yaml")))


def index_posts(settings: Settings, posts: list[dict]) -> None:
    records = [KafkaRecord("raw", 0, offset, None, json.dumps(post).encode()) for offset, post in enumerate(posts)]
    run_batch(records, settings)
    Elasticsearch(settings.elasticsearch_url()).indices.refresh(index=settings.elasticsearch.posts_index)


def es_of(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**settings.elasticsearch_kwargs())


def test_every_tagged_post_says_which_risk_model_raised_it(configured: tuple[Settings, str]) -> None:
    settings, _ = configured
    index_posts(settings, [make_post("1", text=HOAX)])
    source = es_of(settings).get(index=settings.elasticsearch.posts_index + "-2026.11", id="tiktok:1")["_source"]
    assert source["tags"]["model"]["name"] == "risk"
    assert len(source["tags"]["model"]["version"]) == 12
    assert [ref["name"] for ref in source["tags"]["models"]] == ["language", "topic", "risk"]


def test_a_verdict_given_on_the_command_line_is_searchable_at_once_and_on_its_topic(
        configured: tuple[Settings, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings, config = configured
    index_posts(settings, [make_post("1", text=CALM)])
    monkeypatch.setenv("SIAGA_OFFICER", "andi")
    code = main(["verdict", "tiktok:1", "--wrong", "--label", "hoax", "--note", "hoaks <b>jadwal</b>",
                      "--config", config, "--json"])
    assert code == 0
    found = es_of(settings).search(index=settings.elasticsearch.verdicts_index,
                                   query={"term": {"post_id": "tiktok:1"}})["hits"]["hits"]
    # no refresh here: `siaga verdict` returns once the verdict is searchable
    assert len(found) == 1
    verdict = Verdict.model_validate(found[0]["_source"])
    assert (verdict.by, verdict.correct, verdict.labels, verdict.source) == ("andi", False, ["hoax"], "cli")
    assert verdict.model is not None and verdict.model.name == "risk"
    assert verdict.example_labels() == ["hoax"]
    printed = json.loads(capsys.readouterr().out)
    assert printed["verdict_id"] == verdict.verdict_id
    (message,) = read_topic(settings, settings.kafka.topics.verdicts, 1)
    assert message.key == b"tiktok:1" and json.loads(message.value)["verdict_id"] == verdict.verdict_id


def test_an_alert_level_verdict_applies_to_each_of_its_posts(configured: tuple[Settings, str]) -> None:
    settings, config = configured
    index_posts(settings, [make_post("1", text=CALM), make_post("2", text=CALM, minutes=1)])
    at = datetime(2026, 11, 21, 12, 5, tzinfo=UTC)
    posts = [AlertPost(post_id=f"tiktok:{n}", platform="tiktok", url=f"https://www.tiktok.com/@w/video/{n}",
                       author_handle="w", created_at=at, text=CALM) for n in (1, 2)]
    alert = Alert(alert_id="golput-0123456789abcdef", rule_id="golput", rule_name="Golput", severity="siaga",
                  group_by="none", group="all", count=2, threshold=2, window_seconds=1800, window_start=at,
                  window_end=at, fired_at=at, posts=posts, post_ids=["tiktok:1", "tiktok:2"])
    es_of(settings).index(index=settings.elasticsearch.alerts_index, id=alert.alert_id,
                          document=alert.model_dump(mode="json"), refresh=True)
    assert main(["verdict", alert.alert_id, "--correct", "--by", "sari", "--config", config]) == 0
    verdicts = list(read_verdicts(es_of(settings), settings.elasticsearch.verdicts_index))
    assert sorted(v.post_id for v in verdicts) == ["tiktok:1", "tiktok:2"]
    assert {v.alert_id for v in verdicts} == {alert.alert_id}


def test_an_unknown_id_or_label_ends_in_one_line(configured: tuple[Settings, str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    settings, config = configured
    assert main(["verdict", "alert-that-never-was", "--correct", "--by", "a", "--config", config]) == 2
    assert "neither a known alert id nor a post id" in capsys.readouterr().err
    assert main(["verdict", "tiktok:404", "--correct", "--by", "a", "--config", config]) == 2
    assert "post tiktok:404: not in the posts index" in capsys.readouterr().err
    index_posts(settings, [make_post("1", text=CALM)])
    assert main(["verdict", "tiktok:1", "--wrong", "--label", "gosip", "--by", "a", "--config", config]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown risk label(s) gosip" in err
    assert main(["verdict", "tiktok:1", "--correct", "--config", config]) == 2
    assert "SIAGA_OFFICER" in capsys.readouterr().err


def test_a_changed_verdict_counts_and_the_first_one_stays_on_record(configured: tuple[Settings, str]) -> None:
    settings, config = configured
    index_posts(settings, [make_post("1", text=CALM)])
    assert main(["verdict", "tiktok:1", "--wrong", "--label", "hoax", "--by", "a", "--config", config]) == 0
    time.sleep(0.01)
    assert main(["verdict", "tiktok:1", "--correct", "--by", "b", "--config", config]) == 0
    history = list(read_verdicts(es_of(settings), settings.elasticsearch.verdicts_index))
    assert [v.by for v in history] == ["a", "b"]
    assert current(history)[("tiktok:1", "risk")].by == "b"


def test_erasure_and_retention_take_the_verdicts_with_their_posts(configured: tuple[Settings, str]) -> None:
    settings, config = configured
    index_posts(settings, [make_post("1", text=CALM), make_post("2", text=CALM, minutes=1)])
    for post in ("tiktok:1", "tiktok:2"):
        assert main(["verdict", post, "--wrong", "--label", "hoax", "--by", "a", "--config", config]) == 0
    erase(settings, Target.post("tiktok:1"), reason="PDP-1", by="dpo", recheck=False)
    es = es_of(settings)
    assert [v.post_id for v in read_verdicts(es, settings.elasticsearch.verdicts_index)] == ["tiktok:2"]
    report = apply_retention(es, settings, clock=FixedClock(datetime(2026, 11, 21, tzinfo=UTC) + timedelta(days=400)))
    assert report.deleted_verdicts == 1
    assert list(read_verdicts(es, settings.elasticsearch.verdicts_index)) == []


def test_the_run_summary_ends_telling_the_officer_how_to_give_a_verdict(tmp_path: Path) -> None:
    from pipelines.ops.runner import RunSummary

    at = datetime(2026, 11, 21, 12, 5, tzinfo=UTC)
    alert = Alert(alert_id="golput-0123456789abcdef", rule_id="golput", rule_name="Golput", severity="siaga",
                  group_by="none", group="all", count=2, threshold=2, window_seconds=1800, window_start=at,
                  window_end=at, fired_at=at, posts=[])
    summary = RunSummary(seconds=1.0, posts_in=2, indexed=2, dead_lettered={}, languages={}, risk_levels={},
                         alerts=[alert], already_sent=0, destinations=[], connectors={})
    last = summary.render(make_settings(None, tmp_path)).splitlines()[-1]
    assert last.startswith("Beri penilaian / give a verdict: siaga verdict golput-0123456789abcdef --correct")
    assert "siaga model retrain --task risk" in last


def test_a_note_too_long_ends_in_one_line(configured: tuple[Settings, str], capsys: pytest.CaptureFixture[str]) -> None:
    settings, config = configured
    index_posts(settings, [make_post("1", text=CALM)])
    assert main(["verdict", "tiktok:1", "--correct", "--by", "a", "--note", "x" * 2000, "--config", config]) == 2
    assert "note: String should have at most 1000 characters" in capsys.readouterr().err
