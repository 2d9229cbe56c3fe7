"""Unit tests for schemas.config.load_settings: file, environment, validation and helpers."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from schemas.config import load_settings
from schemas.errors import ConfigError
from tests.conftest import make_settings


def write_yaml(tmp_path: Path, text: str, name: str = "siaga.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rule(**overrides: object) -> dict[str, object]:
    return {"id": "r1", "name": "Rule one", "threshold": 3, "window": "30m", "cooldown": "1h", **overrides}


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./siaga.yaml here
    settings = load_settings(None, environ={})
    assert settings.kafka.partitions == 3
    assert settings.kafka.bootstrap_servers is None
    assert settings.kafka.topics.raw == "siaga.posts.raw"
    assert settings.elasticsearch.posts_index == "siaga-posts"
    assert settings.tagging.candidate_languages is None, "unset: every language the model knows"
    assert settings.tagging.language_strategy == "siaga"
    assert settings.tagging.min_confidence == 0.25
    assert settings.email.recipients == ["piket-siber@localhost"]
    assert settings.rules == []
    assert settings.sources == []


def test_values_from_yaml_file(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path,
        "kafka:\n  partitions: 2\n  topics:\n    raw: my.raw\n"
        "elasticsearch:\n  posts_index: posts-x\n"
        "email:\n  sender: Piket <piket@example.id>\n",
    )
    settings = load_settings(path, environ={})
    assert settings.kafka.partitions == 2
    assert settings.kafka.topics.raw == "my.raw"
    assert settings.kafka.topics.tagged == "siaga.posts.tagged"  # untouched default
    assert settings.elasticsearch.posts_index == "posts-x"
    assert settings.email.sender == "Piket <piket@example.id>"


def test_siaga_config_env_names_the_file(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka:\n  partitions: 7\n", name="other.yaml")
    settings = load_settings(None, environ={"SIAGA_CONFIG": str(path)})
    assert settings.kafka.partitions == 7


def test_env_override_beats_file(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka:\n  partitions: 2\n")
    settings = load_settings(path, environ={"SIAGA__KAFKA__PARTITIONS": "5"})
    assert settings.kafka.partitions == 5


def test_env_nested_section(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka:\n  topics:\n    raw: file.raw\n")
    settings = load_settings(path, environ={"SIAGA__KAFKA__TOPICS__RAW": "env.raw"})
    assert settings.kafka.topics.raw == "env.raw"


def test_env_json_list(tmp_path: Path) -> None:
    settings = load_settings(
        write_yaml(tmp_path, "{}\n"), environ={"SIAGA__EMAIL__RECIPIENTS": '["a@x","b@y"]'}
    )
    assert settings.email.recipients == ["a@x", "b@y"]


def test_env_variables_without_prefix_are_ignored(tmp_path: Path) -> None:
    settings = load_settings(write_yaml(tmp_path, "{}\n"), environ={"KAFKA__PARTITIONS": "9", "HOME": "/x"})
    assert settings.kafka.partitions == 3


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka:\n  partitons: 5\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert "kafka.partitons" in str(info.value)
    assert "unknown key" in str(info.value)


def test_unknown_key_in_env_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write_yaml(tmp_path, "{}\n"), environ={"SIAGA__KAFKA__PARTITONS": "5"})
    assert "kafka.partitons" in str(info.value)
    assert "unknown key" in str(info.value)


def test_unknown_section_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kafkaa: unknown key"):
        load_settings(write_yaml(tmp_path, "kafkaa:\n  partitions: 1\n"), environ={})


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("kafka:\n  partitions: 0\n", "kafka.partitions"),
        ("kafka:\n  partitions: many\n", "kafka.partitions"),
        ("stack:\n  kafka_port: 70000\n", "stack.kafka_port"),
        ("tagging:\n  min_confidence: 1.5\n", "tagging.min_confidence"),
        ("email:\n  security: tls\n", "email.security"),
        ("email:\n  recipients: []\n", "email.recipients"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, yaml_text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write_yaml(tmp_path, yaml_text), environ={})
    assert f"{key}:" in str(info.value)


def test_every_bad_key_is_reported_at_once(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka:\n  partitions: 0\n  partitons: 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert "kafka.partitions:" in str(info.value)
    assert "kafka.partitons:" in str(info.value)


@pytest.mark.parametrize(
    ("section", "key", "env"),
    [
        ("elasticsearch", "password", "SIAGA__ELASTICSEARCH__PASSWORD"),
        ("elasticsearch", "api_key", "SIAGA__ELASTICSEARCH__API_KEY"),
        ("kafka", "sasl_password", "SIAGA__KAFKA__SASL_PASSWORD"),
        ("email", "smtp_password", "SIAGA__EMAIL__SMTP_PASSWORD"),
    ],
)
def test_secret_in_file_is_refused(tmp_path: Path, section: str, key: str, env: str) -> None:
    path = write_yaml(tmp_path, f"{section}:\n  {key}: hunter2\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    message = str(info.value)
    assert f"{section}.{key}" in message
    assert env in message
    assert "hunter2" not in message


def test_secret_from_env_is_accepted_and_hidden(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "elasticsearch:\n  username: elastic\n")
    settings = load_settings(path, environ={"SIAGA__ELASTICSEARCH__PASSWORD": "hunter2-secret"})
    password = settings.elasticsearch.password
    assert isinstance(password, SecretStr)
    assert password.get_secret_value() == "hunter2-secret"
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in str(settings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("45s", timedelta(seconds=45)),
        ("1d", timedelta(days=1)),
        (" 90m ", timedelta(minutes=90)),
    ],
)
def test_durations_parse(tmp_path: Path, text: str, expected: timedelta) -> None:
    settings = make_settings(None, tmp_path, rules=[rule(window=text)])
    assert settings.rules[0].window == expected
    assert settings.rules[0].cooldown == timedelta(hours=1)


@pytest.mark.parametrize("text", ["10 minutes", "0m", "30", "m", "-5m", "1.5h", "2w"])
def test_bad_duration_names_the_rule_key(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_settings(None, tmp_path, rules=[rule(window=text)])
    assert "rules[r1].window:" in str(info.value)


def test_bad_cooldown_in_second_rule_names_that_rule(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_settings(None, tmp_path, rules=[rule(), rule(id="r2", cooldown="0s")])
    assert "rules[r2].cooldown:" in str(info.value)
    assert "rules[r1]" not in str(info.value)


def test_relative_paths_resolve_against_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write_yaml(
        folder,
        "email:\n  outbox_dir: out/mail\n"
        "alerting:\n  state_dir: /abs/state\n"
        "tagging:\n  language_model: models/lid.ftz\n"
        "sources:\n  - {name: sample, path: data/posts.jsonl}\n",
    )
    settings = load_settings(path, environ={})
    assert settings.email.outbox_dir == folder / "out" / "mail"
    assert settings.alerting.state_dir == Path("/abs/state")
    assert settings.tagging.language_model == folder / "models" / "lid.ftz"
    assert settings.sources[0].path == folder / "data" / "posts.jsonl"
    assert settings.stack.data_dir == folder / ".siaga" / "stack"  # defaults too


def test_duplicate_rule_ids_fail(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_settings(None, tmp_path, rules=[rule(id="dup"), rule(id="dup", name="Other"), rule(id="ok")])
    assert "duplicate" in str(info.value)
    assert "dup" in str(info.value)


def test_embedded_services_by_default(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "stack:\n  host: 127.0.0.2\n  kafka_port: 1111\n  elasticsearch_port: 2222\n")
    settings = load_settings(path, environ={})
    assert settings.embedded_services == ["kafka", "elasticsearch"]
    assert settings.kafka_bootstrap() == "127.0.0.2:1111"
    assert settings.elasticsearch_url() == "http://127.0.0.2:2222"


def test_external_services(tmp_path: Path) -> None:
    settings = make_settings(
        None,
        tmp_path,
        kafka={"bootstrap_servers": "b1:9092,b2:9092"},
        elasticsearch={"url": "https://es.example.id:9200"},
    )
    assert settings.embedded_services == []
    assert settings.kafka_bootstrap() == "b1:9092,b2:9092"
    assert settings.kafka_client_kwargs()["bootstrap_servers"] == ["b1:9092", "b2:9092"]
    assert settings.elasticsearch_url() == "https://es.example.id:9200"


def test_only_one_external_service(tmp_path: Path) -> None:
    settings = make_settings(None, tmp_path, elasticsearch={"url": "http://es:9200"})
    assert settings.embedded_services == ["kafka"]
    assert settings.kafka_bootstrap() == "127.0.0.1:19092"


def test_elasticsearch_kwargs_basic_auth_from_env_password(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path, "elasticsearch:\n  url: https://es:9200\n  username: elastic\n  verify_certs: false\n"
    )
    settings = load_settings(path, environ={"SIAGA__ELASTICSEARCH__PASSWORD": "s3cret"})
    kwargs = settings.elasticsearch_kwargs()
    assert kwargs["hosts"] == ["https://es:9200"]
    assert kwargs["basic_auth"] == ("elastic", "s3cret")
    assert kwargs["verify_certs"] is False
    assert kwargs["request_timeout"] == 30.0
    assert "api_key" not in kwargs


def test_elasticsearch_kwargs_api_key_wins(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "elasticsearch:\n  username: elastic\n")
    settings = load_settings(
        path, environ={"SIAGA__ELASTICSEARCH__API_KEY": "key123", "SIAGA__ELASTICSEARCH__PASSWORD": "pw"}
    )
    kwargs = settings.elasticsearch_kwargs()
    assert kwargs["api_key"] == "key123"
    assert "basic_auth" not in kwargs


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "kafka: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path, environ={})


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n"])
def test_non_mapping_file_is_a_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_settings(write_yaml(tmp_path, text), environ={})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.yaml", environ={})


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(write_yaml(tmp_path, ""), environ={})
    assert settings.kafka.partitions == 3


def test_json_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "siaga.json"
    path.write_text(json.dumps({"kafka": {"partitions": 4}, "rules": [rule()]}), encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.kafka.partitions == 4
    assert settings.rules[0].window == timedelta(minutes=30)


# --- the election section ------------------------------------------------------------------------

ELECTION = {
    "name": "Pilkada Kabupaten Sukamaju 2026",
    "region": {"code": "32.99", "name": "Kabupaten Sukamaju"},
    "candidates": [
        {"id": "paslon-01", "ballot_number": 1, "name": "Dadan Hermawan", "running_mate": "Euis Kurniasih",
         "parties": ["pnr"]},
        {"id": "paslon-02", "ballot_number": 2, "name": "Asep Wiranegara", "running_mate": "Rudi Santika",
         "label": "Asep–Rudi", "nicknames": ["Kang Asep"], "hashtags": ["asri02"]},
    ],
    "parties": [{"id": "pnr", "name": "Partai Nusa Raya", "abbreviation": "PNR"}],
    "election_bodies": [{"id": "kpu-sukamaju", "name": "KPU Kabupaten Sukamaju", "kind": "kpu"}],
}


def load_json(tmp_path: Path, data: dict[str, object]) -> object:
    return load_settings(write_yaml(tmp_path, json.dumps(data), "siaga.json"), environ={})


def test_the_election_section_is_typed_and_knows_its_entity_ids(tmp_path: Path) -> None:
    settings = load_json(tmp_path, {"election": ELECTION})
    election = settings.election
    assert election.candidates[1].display() == "paslon 02 Asep–Rudi"
    assert election.candidates[0].display() == "paslon 01 Dadan–Euis", "first names when no label is given"
    assert election.entity_ids() == {
        "candidate:paslon-01": "paslon 01 Dadan–Euis", "candidate:paslon-02": "paslon 02 Asep–Rudi",
        "party:pnr": "PNR", "election_body:kpu-sukamaju": "KPU Kabupaten Sukamaju",
        "election_body:kpu": "Komisi Pemilihan Umum (KPU RI)",
        "election_body:bawaslu": "Badan Pengawas Pemilihan Umum (Bawaslu RI)",
        "election_body:dkpp": "Dewan Kehormatan Penyelenggara Pemilu (DKPP RI)",
        "region:32.99": "Kabupaten Sukamaju"}
    assert load_json(tmp_path, {}).election.entity_ids() == {
        "election_body:kpu": "Komisi Pemilihan Umum (KPU RI)",
        "election_body:bawaslu": "Badan Pengawas Pemilihan Umum (Bawaslu RI)",
        "election_body:dkpp": "Dewan Kehormatan Penyelenggara Pemilu (DKPP RI)"}, "the national bodies are built in"


def test_a_configured_body_with_a_national_id_replaces_the_built_in_one(tmp_path: Path) -> None:
    election = {**ELECTION, "election_bodies": [{"id": "kpu", "name": "KPU (ours)", "kind": "kpu"}]}
    bodies = load_json(tmp_path, {"election": election}).election.bodies
    assert [(b.id, b.name) for b in bodies if b.kind == "kpu"] == [("kpu", "KPU (ours)")]


@pytest.mark.parametrize(("change", "message"), [
    ({"candidates": [{**ELECTION["candidates"][0], "parties": ["pkx"]}]},
     "election: Value error, candidates[paslon-01].parties: unknown party pkx (define it under election.parties)"),
    ({"candidates": [ELECTION["candidates"][0], {**ELECTION["candidates"][1], "ballot_number": 1}]},
     "election: Value error, candidates (ballot_number): duplicate 1"),
    ({"candidates": [ELECTION["candidates"][0], {**ELECTION["candidates"][1], "id": "paslon-01"}]},
     "election: Value error, candidates: duplicate paslon-01"),
    ({"candidates": [{**ELECTION["candidates"][0], "id": "Paslon 01"}]}, "election.candidates.0.id: String should match"),
    ({"candidates": [{**ELECTION["candidates"][0], "ballot_number": 0}]}, "election.candidates.0.ballot_number"),
    ({"candidates": [{**ELECTION["candidates"][0], "nicknames": ["  "]}]},
     "election.candidates.0: Value error, nicknames [0] are empty"),
    ({"election_bodies": [{"id": "kpu-x", "name": "KPU X", "kind": "komisi"}]}, "election.election_bodies.0.kind"),
    ({"region": {"code": "32 99", "name": "X"}}, "election.region.code"),
    ({"candidatez": []}, "election.candidatez: unknown key"),
])
def test_a_bad_election_section_names_the_key(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_json(tmp_path, {"election": {**ELECTION, **change}})
    assert message in str(caught.value)


def test_a_rule_naming_an_entity_the_election_does_not_know_is_refused(tmp_path: Path) -> None:
    known = rule(filter={"entities_any": ["candidate:paslon-02", "election_body:kpu"]}, group_by="entity")
    settings = load_json(tmp_path, {"election": ELECTION, "rules": [known]})
    assert settings.rules[0].filter.entities_any == ["candidate:paslon-02", "election_body:kpu"]
    with pytest.raises(ConfigError) as caught:
        load_json(tmp_path, {"election": ELECTION, "rules": [rule(filter={"entities_any": ["candidate:paslon-09"]})]})
    assert "rules[r1].filter.entities_any: candidate:paslon-09 is not in the election section" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_json(tmp_path, {"election": ELECTION, "rules": [rule(filter={"entities_any": ["paslon-02"]})]})
    assert "rules[r1].filter: Value error, entities_any: 'paslon-02' is not an entity id" in str(caught.value)


def test_the_demo_configurations_election_is_valid_and_its_rule_names_known_candidates() -> None:
    settings = load_settings(Path(__file__).resolve().parents[1] / "siaga.yaml", environ={})
    assert [c.display() for c in settings.election.candidates] == [
        "paslon 01 Dadan–Euis", "paslon 02 Asep–Rudi", "paslon 03 Nining–Bayu"]
    rule_ = next(r for r in settings.rules if r.filter.entities_any)
    assert rule_.group_by == "entity"


def test_the_compose_trial_knows_the_same_fictional_election_as_the_demo() -> None:
    root = Path(__file__).resolve().parents[1]
    demo = load_settings(root / "siaga.yaml", environ={}).election
    trial = load_settings(root / "deploy" / "compose" / "siaga.yaml", environ={}).election
    assert trial == demo
