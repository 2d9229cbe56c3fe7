"""Every `siaga` command fails with one clear line on stderr and the documented exit code.

Each case runs the command as an operator does, in its own process (``python -m pipelines.cli``),
so what is checked is exactly what a terminal shows: no traceback, no library log noise, one
``siaga: error: ...`` line, and 2 for a usage or configuration error, 3 for a service that is
not reachable, 1 for a run that failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.ops.stack import free_port

# Every test here but the last runs `siaga` as a process, as an operator would.
pytestmark = pytest.mark.services

REPO = Path(__file__).resolve().parents[1]
GUARD_S = 20
"""A command that hangs (kafka-python bootstrapping for 30 s) fails the test instead of the suite."""


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def siaga(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> Ran:
    """``siaga ARGS`` in a fresh process, with no SIAGA__ overrides from the test's environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIAGA__") and k != "SIAGA_CONFIG"}
    clean["PYTHONPATH"] = str(REPO)
    completed = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], cwd=cwd, env={**clean, **(env or {})},
                               capture_output=True, text=True, timeout=GUARD_S, check=False)
    return Ran(completed.returncode, completed.stdout, completed.stderr)


def assert_one_line(ran: Ran, code: int, *needles: str) -> None:
    assert "Traceback" not in ran.err, ran.err
    assert len(ran.err_lines) == 1, ran.err
    assert ran.err.startswith("siaga: error: "), ran.err
    for needle in needles:
        assert needle in ran.err
    assert ran.code == code, (ran.code, ran.err)


@pytest.fixture(scope="module")
def down_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configuration whose embedded Kafka and Elasticsearch ports have nothing listening."""
    folder = tmp_path_factory.mktemp("down")
    config = folder / "siaga.yaml"
    api = f"http://127.0.0.1:{free_port()}"
    config.write_text(json.dumps({
        "stack": {"kafka_port": free_port(), "elasticsearch_port": free_port(), "data_dir": str(folder / "stack")},
        "connectors": {"state_dir": str(folder / "connectors")},
        "alerting": {"state_dir": str(folder / "alerting")},
        "sources": [
            {"type": "import", "name": "gone", "format": "apify-tiktok", "path": str(folder / "no-such-export.json")},
            {"type": "tiktok", "name": "tt", "base_url": api, "hashtags": ["pilkada"]},
        ],
    }), encoding="utf-8")
    return config


# --- a service that is down -------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["status"], ["status", "--json"], ["deadletters"], ["deadletters", "--json"], ["alerts", "list"],
    ["retention", "--dry-run"], ["setup"], ["run", "--until-idle"],
], ids=" ".join)
def test_a_command_needing_a_service_that_is_down_says_so_in_one_line_with_exit_3(
        down_config: Path, command: list[str]) -> None:
    ran = siaga("--config", str(down_config), *command)
    assert_one_line(ran, 3, "is not reachable", "start it with `siaga stack up`")
    assert ran.out == ""
    assert "kafka.net" not in ran.err and "KafkaTimeoutError" not in ran.err


def test_status_with_the_broker_down_names_the_broker_and_not_elasticsearch(down_config: Path) -> None:
    ran = siaga("--config", str(down_config), "status")
    assert_one_line(ran, 3, "kafka at 127.0.0.1:")
    assert "elasticsearch" not in ran.err  # status reads Kafka only


def test_the_health_check_fails_with_exit_3_when_a_service_is_down(down_config: Path) -> None:
    assert_one_line(siaga("--config", str(down_config), "status", "--health"), 3, "is not reachable")


def test_stack_status_with_the_services_down_exits_3_and_shows_them_down(down_config: Path) -> None:
    ran = siaga("--config", str(down_config), "stack", "status", "--json")
    assert ran.code == 3 and ran.err == ""
    assert [(s["name"], s["reachable"]) for s in json.loads(ran.out)["services"]] == [
        ("kafka", False), ("elasticsearch", False)]


def test_connectors_check_of_an_api_that_does_not_answer_exits_3_naming_the_source(down_config: Path) -> None:
    ran = siaga("--config", str(down_config), "connectors", "check", "tt",
                env={"TIKTOK_CLIENT_KEY": "key", "TIKTOK_CLIENT_SECRET": "secret"})
    assert_one_line(ran, 3, "tt: http://127.0.0.1:", "did not answer")
    assert "secret" not in ran.err


# --- a file that is not there -----------------------------------------------------------------


def test_connectors_check_of_a_missing_import_path_exits_2_naming_the_path(down_config: Path) -> None:
    ran = siaga("--config", str(down_config), "connectors", "check", "gone")
    assert_one_line(ran, 2, "gone:", "no-such-export.json", "does not exist")


def test_connectors_run_of_a_missing_import_path_names_the_file_before_the_services(down_config: Path) -> None:
    ran = siaga("--config", str(down_config), "connectors", "run", "gone")
    assert_one_line(ran, 2, "no-such-export.json", "no such file or folder")
    assert "not reachable" not in ran.err


def test_import_of_a_missing_file_names_the_file_not_the_services(down_config: Path, tmp_path: Path) -> None:
    ran = siaga("--config", str(down_config), "import", str(tmp_path / "missing.json"), "--format", "apify-tiktok")
    assert_one_line(ran, 2, "missing.json: no such file or folder")
    assert "not reachable" not in ran.err


def test_tag_of_a_missing_input_exits_2_naming_it(down_config: Path, tmp_path: Path) -> None:
    ran = siaga("--config", str(down_config), "tag", "--input", str(tmp_path / "missing.jsonl"))
    assert_one_line(ran, 2, "--input", "missing.jsonl: no such file")


def test_run_with_a_missing_input_exits_2_naming_it(down_config: Path, tmp_path: Path) -> None:
    ran = siaga("--config", str(down_config), "run", "--input", str(tmp_path / "posts.jsonl"))
    assert_one_line(ran, 2, "posts.jsonl: no such file")


def test_a_backtest_rule_file_that_is_missing_exits_2(down_config: Path, tmp_path: Path) -> None:
    ran = siaga("--config", str(down_config), "alerts", "test-rule", str(tmp_path / "rule.yaml"),
                "--from", "2026-11-21", "--to", "2026-11-22")
    assert_one_line(ran, 2, "rule.yaml")


# --- exit codes 0, 1 and 2 --------------------------------------------------------------------


def test_a_tag_run_with_an_unreadable_line_exits_1(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"text": "Ayo ke TPS, jangan golput!"}\n{oops\n', encoding="utf-8")
    ran = siaga("tag", "--input", str(posts), cwd=tmp_path)
    assert ran.code == 1
    assert len(ran.out.splitlines()) == 1  # the good line is tagged
    assert "Traceback" not in ran.err and "line 2" in ran.err


def test_an_invalid_configuration_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "siaga.yaml"
    config.write_text("kafka: {bootstrap: x}\n", encoding="utf-8")
    ran = siaga("--config", str(config), "templates")
    assert ran.code == 2 and ran.out == ""
    assert "kafka.bootstrap: unknown key" in ran.err and "Traceback" not in ran.err


def test_an_unknown_option_is_a_usage_error_with_exit_2(tmp_path: Path) -> None:
    ran = siaga("templates", "--bogus", cwd=tmp_path)
    assert ran.code == 2
    assert ran.err_lines[-1] == "siaga: error: unrecognized arguments: --bogus"


def test_an_unknown_source_type_names_the_known_ones(tmp_path: Path) -> None:
    config = tmp_path / "siaga.yaml"
    config.write_text(json.dumps({"sources": [{"type": "myspace", "name": "m"}]}), encoding="utf-8")
    ran = siaga("--config", str(config), "connectors", "list")
    assert ran.code == 2
    assert "unknown source type (use one of: replay, import, tiktok," in ran.err


# --- global options after the command ---------------------------------------------------------


def test_config_after_the_command_is_used(tmp_path: Path) -> None:
    config = tmp_path / "x.yaml"
    config.write_text(json.dumps({"elasticsearch": {"posts_index": "pemilu-posts", "alerts_index": "pemilu-alerts"}}),
                      encoding="utf-8")
    ran = siaga("templates", "--config", str(config), cwd=tmp_path)
    assert ran.code == 0, ran.err
    assert sorted(json.loads(ran.out)) == ["pemilu-alerts", "pemilu-posts", "siaga-erasures", "siaga-verdicts"]


def test_verbose_and_log_format_after_the_command_are_accepted(tmp_path: Path) -> None:
    ran = siaga("templates", "-vv", "--log-format", "json", cwd=tmp_path)
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)


def test_pipeline_run_keeps_config_for_itself_instead_of_passing_it_to_beam(tmp_path: Path) -> None:
    config = tmp_path / "x.yaml"
    config.write_text("pipeline: {batch_max_records: 0}\n", encoding="utf-8")
    ran = siaga("pipeline", "run", "--config", str(config), cwd=tmp_path)
    assert ran.code == 2
    assert "pipeline.batch_max_records" in ran.err  # x.yaml was read
    assert "unknown options" not in ran.err


# --- one error tree ---------------------------------------------------------------------------


def test_the_errors_connectors_and_delivery_raise_are_siaga_errors_the_cli_reports() -> None:
    from connectors import facebook, formats, instagram, meta_content_library, tiktok
    from connectors.api import Action, ApiFailure
    from pipelines.cli.common import failure_of
    from pipelines.delivery import deliverer, emails, webhook
    from pipelines.delivery.failures import PermanentFailure, RefusedForNow
    from schemas.errors import NormaliseError, SiagaError

    # One NormaliseError, still a ValueError for the callers that guard normalising with it.
    assert {module.NormaliseError for module in (formats, tiktok, facebook, instagram, meta_content_library)} == {
        NormaliseError}
    assert issubclass(NormaliseError, SiagaError) and issubclass(NormaliseError, ValueError)
    assert emails.PermanentFailure is deliverer.PermanentFailure is webhook.PermanentFailure is PermanentFailure
    assert issubclass(PermanentFailure, SiagaError) and issubclass(RefusedForNow, SiagaError)
    assert failure_of(ApiFailure(Action.FATAL, 403, "forbidden", "no access", "/v2/research/video/query/")) == (
        2, "/v2/research/video/query/: HTTP 403 forbidden: no access → stop this connector")
