"""The `siaga` command line: configuration errors at start-up, `templates`, and `deadletters`.

Everything goes through ``pipelines.cli.main`` as the console script calls it; `deadletters`
reads dead letters that the real pipeline wrote to the session broker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from kafka import KafkaAdminClient, KafkaProducer

from pipelines.cli import main
from pipelines.ops.services import ensure_ready
from pipelines.post.job import PostPipelineJob
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from tests.conftest import Stack, make_post, make_settings, read_topic


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; only what a test sets itself may reach it."""
    for name in list(os.environ):
        if name.startswith("SIAGA_"):
            monkeypatch.delenv(name)


def write_config(path: Path, data: dict | str) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def config_of(settings: Settings, path: Path) -> Path:
    """A YAML file that loads back to ``settings``."""
    return write_config(path, settings.model_dump(mode="json", exclude_none=True))


def rule(**overrides: object) -> dict[str, object]:
    return {"id": "r1", "name": "Rule one", "threshold": 3, "window": "30m", "cooldown": "1h", **overrides}


# --- configuration errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "named"),
    [
        pytest.param({"kafka": {"bootstrap": "x"}}, ["kafka.bootstrap: unknown key"], id="unknown-key"),
        pytest.param({"rules": [rule(window="30 minutes")]}, ["rules[r1].window", "not a duration"], id="bad-value"),
        pytest.param({"kafka": {"bootstrap": "x"}, "rules": [rule(), rule(id="r2", threshold=0)]},
                     ["kafka.bootstrap: unknown key", "rules[r2].threshold"], id="every-error-at-once"),
        pytest.param({"stack": {"kafka_port": 70000}}, ["stack.kafka_port"], id="port-out-of-range"),
    ],
)
def test_invalid_configuration_stops_start_up_naming_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], config: dict, named: list[str]) -> None:
    path = write_config(tmp_path / "siaga.yaml", config)
    assert main(["--config", str(path), "templates"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was run
    assert captured.err.startswith("siaga: error: invalid configuration")
    assert str(path) in captured.err
    for text in named:
        assert text in captured.err


@pytest.mark.parametrize(
    ("section", "key"),
    [("elasticsearch", "password"), ("elasticsearch", "api_key"), ("kafka", "sasl_password"),
     ("email", "smtp_password")],
)
def test_a_secret_in_the_file_is_refused_without_echoing_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, key: str) -> None:
    secret = "hunter2-Rahasia-9f3c"
    path = write_config(tmp_path / "siaga.yaml", {section: {key: secret}})
    assert main(["--config", str(path), "templates"]) == 2
    captured = capsys.readouterr()
    assert f"{section}.{key} is a secret" in captured.err
    assert f"SIAGA__{section.upper()}__{key.upper()}" in captured.err
    assert secret not in captured.out + captured.err


def test_a_secret_from_the_environment_is_accepted_and_not_printed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "hunter2-Rahasia-9f3c"
    monkeypatch.setenv("SIAGA__ELASTICSEARCH__PASSWORD", secret)
    path = write_config(tmp_path / "siaga.yaml", {"elasticsearch": {"username": "siaga_writer"}})
    assert main(["--config", str(path), "templates"]) == 0
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err


def test_a_bad_environment_override_names_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path / "siaga.yaml", {"pipeline": {"batch_max_records": 100}})
    monkeypatch.setenv("SIAGA__PIPELINE__BATCH_MAX_RECORDS", "abc")
    assert main(["--config", str(path), "templates"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "pipeline.batch_max_records" in captured.err
    assert "SIAGA__* environment" in captured.err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read configuration file"), ("kafka: [unclosed", "is not valid YAML"),
     ("- just\n- a list\n", "must hold a mapping of sections")],
    ids=["missing-file", "bad-yaml", "not-a-mapping"],
)
def test_an_unusable_configuration_file_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str) -> None:
    path = tmp_path / "siaga.yaml"
    if content is not None:
        write_config(path, content)
    assert main(["--config", str(path), "templates"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("siaga: error:")
    assert message in captured.err
    assert str(path) in captured.err


# --- templates --------------------------------------------------------------------------------


def test_templates_prints_the_posts_alerts_erasures_and_verdicts_templates_as_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path / "siaga.yaml",
                        {"elasticsearch": {"posts_index": "pemilu-posts", "alerts_index": "pemilu-alerts"}})
    assert main(["--config", str(path), "templates"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert sorted(printed) == ["pemilu-alerts", "pemilu-posts", "siaga-erasures", "siaga-verdicts"]
    assert printed["siaga-erasures"]["index_patterns"] == ["siaga-erasures"]
    verdict_fields = printed["siaga-verdicts"]["template"]["mappings"]["properties"]
    assert {"verdict_id", "post_id", "correct", "labels", "by", "at", "model", "source"} <= set(verdict_fields)

    posts, alerts = printed["pemilu-posts"], printed["pemilu-alerts"]
    assert posts["index_patterns"] == ["pemilu-posts-*"]  # monthly indices behind the alias
    assert posts["template"]["aliases"] == {"pemilu-posts": {}}
    assert alerts["index_patterns"] == ["pemilu-alerts"]  # one alerts index, updated in place
    assert posts["template"]["mappings"]["dynamic"] == "strict"
    assert alerts["template"]["mappings"]["dynamic"] == "strict"
    post_fields = posts["template"]["mappings"]["properties"]
    assert {"post_id", "platform", "text", "language", "created_at"} <= set(post_fields)
    assert post_fields["created_at"]["type"] == "date"
    alert_fields = alerts["template"]["mappings"]["properties"]
    assert {"alert_id", "rule_id", "severity", "posts", "fired_at"} <= set(alert_fields)
    assert "properties" in alert_fields["posts"]  # the evidence posts are mapped, not free-form


def test_templates_without_a_config_file_uses_the_default_index_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./siaga.yaml here
    assert main(["templates"]) == 0
    assert sorted(json.loads(capsys.readouterr().out)) == ["siaga-alerts", "siaga-erasures", "siaga-posts",
                                                           "siaga-verdicts"]


# --- deadletters ------------------------------------------------------------------------------


BROKEN: list[bytes] = [
    b"{oops",
    b"\xff\xfe not utf-8",
    b"[1, 2, 3]",
    json.dumps(make_post("bad-platform", platform="myspace")).encode(),
]


@dataclass(frozen=True)
class DeadLettered:
    settings: Settings
    config: Path
    originals: dict[str, bytes]
    """Source (``topic/partition/offset``) of each broken record → its bytes, as produced."""
    good_source: str


def produce(settings: Settings, topic: str, values: list[bytes]) -> list[str]:
    """Send ``values`` to ``topic``; return each record's ``topic/partition/offset``."""
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    sent = [producer.send(topic, value=value).get(timeout=10) for value in values]
    producer.close()
    return [f"{meta.topic}/{meta.partition}/{meta.offset}" for meta in sent]


@pytest.fixture(scope="module")
def dead_lettered(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeadLettered]:
    """Broken records and one good post run through the real pipeline into a dead-letter topic."""
    folder = tmp_path_factory.mktemp("deadletters")
    settings = make_settings(stack, folder)
    ensure_ready(settings)
    sources = produce(settings, settings.kafka.topics.raw, [*BROKEN, json.dumps(make_post("good")).encode()])
    job = PostPipelineJob(settings)
    try:
        for _ in range(20):
            job.step()
            if job.lag() == 0:
                break
        assert job.lag() == 0
    finally:
        job.close()
    yield DeadLettered(settings, config_of(settings, folder / "cli.yaml"),
                       dict(zip(sources[:-1], BROKEN, strict=True)), sources[-1])


def test_deadletters_shows_each_reason_and_where_the_record_came_from(
        dead_lettered: DeadLettered, capsys: pytest.CaptureFixture[str]) -> None:
    settings = dead_lettered.settings
    letters = [DeadLetter.model_validate_json(m.value)
               for m in read_topic(settings, settings.kafka.topics.dead_letter, len(BROKEN))]
    assert {letter.source for letter in letters} == set(dead_lettered.originals)

    assert main(["--config", str(dead_lettered.config), "deadletters"]) == 0
    out = capsys.readouterr().out
    for letter in letters:
        assert f"stage {letter.stage:<8} from {letter.source}\n    reason  : {letter.reason}\n" in out
    reasons = [line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("    reason  :")]
    assert len(reasons) == len(BROKEN)
    assert any(reason.startswith("malformed JSON") for reason in reasons)
    assert any(reason.startswith("not UTF-8") for reason in reasons)
    assert any(reason.startswith("expected a JSON object") for reason in reasons)
    assert any("platform" in reason for reason in reasons)
    assert "original: {oops" in out
    assert dead_lettered.good_source not in out
    assert f"{len(BROKEN)} most recent dead letter(s) on {settings.kafka.topics.dead_letter}" in out


def test_deadletters_json_gives_back_the_original_bytes(
        dead_lettered: DeadLettered, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(dead_lettered.config), "deadletters", "--json"]) == 0
    captured = capsys.readouterr()
    letters = [DeadLetter.model_validate_json(line) for line in captured.out.splitlines()]  # every line is JSON
    assert {letter.source: letter.original() for letter in letters} == dead_lettered.originals
    assert all(letter.stage == "validate" for letter in letters)
    assert "most recent dead letter(s)" in captured.err


def test_deadletters_limit(dead_lettered: DeadLettered, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(dead_lettered.config), "deadletters", "--json", "--limit", "2"]) == 0
    letters = [DeadLetter.model_validate_json(line) for line in capsys.readouterr().out.splitlines()]
    assert len(letters) == 2
    assert {letter.source for letter in letters} < set(dead_lettered.originals)


def test_deadletters_neither_creates_nor_moves_consumer_group_offsets(
        dead_lettered: DeadLettered, capsys: pytest.CaptureFixture[str]) -> None:
    settings = dead_lettered.settings
    admin = KafkaAdminClient(**settings.kafka_client_kwargs())
    try:
        def snapshot() -> dict[str, dict]:
            groups = sorted(group["group_id"] for group in admin.list_groups())
            return {group: admin.list_group_offsets(group)[group] for group in groups}

        before = snapshot()
        assert settings.pipeline.group_id in before  # the pipeline's group is visible to this check
        assert before[settings.pipeline.group_id]
        assert main(["--config", str(dead_lettered.config), "deadletters"]) == 0
        assert main(["--config", str(dead_lettered.config), "deadletters", "--json", "--limit", "1"]) == 0
        capsys.readouterr()
        after = snapshot()
    finally:
        admin.close()
    assert after == before
    dead_letter_topic = settings.kafka.topics.dead_letter
    assert not any(tp.topic == dead_letter_topic for offsets in after.values() for tp in offsets)


def test_deadletters_on_an_empty_topic(settings: Settings, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    ensure_ready(settings)
    config = config_of(settings, tmp_path / "cli.yaml")
    assert main(["--config", str(config), "deadletters"]) == 0
    assert capsys.readouterr().out.strip() == f"no dead letters on {settings.kafka.topics.dead_letter}"
    assert main(["--config", str(config), "deadletters", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # --json output stays parseable: notes go to stderr
    assert f"no dead letters on {settings.kafka.topics.dead_letter}" in captured.err


def test_deadletters_flags_a_record_that_is_not_a_dead_letter(
        settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_ready(settings)
    (source,) = produce(settings, settings.kafka.topics.dead_letter, [b"not a dead letter"])
    config = config_of(settings, tmp_path / "cli.yaml")
    assert main(["--config", str(config), "deadletters"]) == 0
    assert f"{source}: not a Siaga dead letter (17 bytes)" in capsys.readouterr().out
    assert main(["--config", str(config), "deadletters", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{source}: not a Siaga dead letter (17 bytes)" in captured.err


def test_templates_prints_what_setup_installs_shards_replicas_and_ilm_policy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path / "siaga.yaml",
                        {"elasticsearch": {"shards": 3, "replicas": 1, "ilm_policy": "siaga-posts"}})
    assert main(["--config", str(path), "templates"]) == 0
    printed = json.loads(capsys.readouterr().out)
    posts, alerts = printed["siaga-posts"]["template"]["settings"], printed["siaga-alerts"]["template"]["settings"]
    assert posts == {"number_of_shards": 3, "number_of_replicas": 1, "index.lifecycle.name": "siaga-posts"}
    # Alerts are deleted by `siaga retention` only: the post policy's whole-index delete must not reach them.
    assert alerts == {"number_of_shards": 3, "number_of_replicas": 1}


def test_deadletters_shows_terminal_escapes_in_a_post_as_text_never_as_control_codes(
        settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_ready(settings)
    # What an attacker can put in a post: clear the screen, set the window title, hide text,
    # and reverse what follows with a bidi override.
    hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[8mhidden\x1b[0m \u202etxt.exe"
    letter = DeadLetter.wrap(hostile.encode(), stage="validate", reason=f"malformed JSON near {hostile}",
                             error_type="InvalidRecord", source="raw/0/7", key=f"tiktok:{hostile}",
                             failed_at="2026-11-21T12:00:00+00:00")
    produce(settings, settings.kafka.topics.dead_letter, [letter.model_dump_json().encode()])
    config = config_of(settings, tmp_path / "cli.yaml")
    assert main(["--config", str(config), "deadletters"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out and "pwned" in out
