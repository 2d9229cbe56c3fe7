"""`siaga connectors list | check | run` against configured sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.ops.stack import free_port
from schemas.clock import utc_now
from tests.conftest import make_settings, read_topic
from tests.doubles.tiktok_api import FakeClock, TikTokDouble

IMPORT_SAMPLE = Path(__file__).parent / "data" / "imports" / "apify-tiktok.json"


def config_with(stack, tmp_path: Path, sources: list[dict]) -> tuple[Path, object]:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")},
                             sources=sources)
    return next(tmp_path.glob("siaga-*.yaml")), settings


def test_list_check_and_run_an_import_source(stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, settings = config_with(stack, tmp_path, [
        {"type": "import", "name": "apify-tt", "format": "apify-tiktok", "path": str(IMPORT_SAMPLE)},
    ])
    assert main(["--config", str(config), "setup"]) == 0  # `connectors run` checks the set-up, it does not make it
    assert main(["--config", str(config), "connectors", "list"]) == 0
    assert "apify-tt" in capsys.readouterr().out
    assert main(["--config", str(config), "connectors", "check", "apify-tt"]) == 0
    out = capsys.readouterr().out
    assert "1 export file(s)" in out and "0 fully imported" in out
    assert main(["--config", str(config), "connectors", "run", "apify-tt"]) == 0
    items = json.loads(IMPORT_SAMPLE.read_text(encoding="utf-8"))
    assert f"{len(items)} posts sent" in capsys.readouterr().out
    assert main(["--config", str(config), "connectors", "check", "apify-tt"]) == 0
    assert "1 fully imported" in capsys.readouterr().out
    assert len(read_topic(settings, settings.kafka.topics.raw, len(items))) == len(items)


def test_check_a_tiktok_source_validates_credentials_without_leaking_them(
    stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with TikTokDouble(FakeClock(utc_now()), []) as double:
        config, _ = config_with(stack, tmp_path, [
            {"type": "tiktok", "name": "tt", "base_url": double.url, "hashtags": ["pilkada"]},
        ])
        monkeypatch.setenv("TIKTOK_CLIENT_KEY", double.client_key)
        monkeypatch.setenv("TIKTOK_CLIENT_SECRET", double.client_secret)
        assert main(["--config", str(config), "connectors", "check", "tt"]) == 0
        out = capsys.readouterr().out
        assert "credentials accepted" in out and "0/1000 requests and 0/100000 records used" in out
        monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "wrong-secret-value")
        assert main(["--config", str(config), "connectors", "check", "tt"]) == 2
        captured = capsys.readouterr()
        assert "client credentials were refused" in captured.err
        assert "wrong-secret-value" not in captured.err + captured.out


def test_unknown_source_names_the_known_ones(stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = config_with(stack, tmp_path, [
        {"type": "import", "name": "apify-tt", "format": "apify-tiktok", "path": str(IMPORT_SAMPLE)},
    ])
    assert main(["--config", str(config), "connectors", "check", "nope"]) == 2
    assert "no source named 'nope' (sources: apify-tt)" in capsys.readouterr().err


@pytest.mark.parametrize("source", [
    {"type": "facebook_pages", "name": "fb", "pages": ["kompascom", "detikcom"], "access_token_env": "FB_TOKEN"},
    {"type": "instagram_hashtag", "name": "fb", "ig_user_id": "17841400000000000", "hashtags": ["pilkada"],
     "access_token_env": "FB_TOKEN"},
    {"type": "meta_content_library", "name": "fb", "keywords": ["pilkada"], "access_token_env": "FB_TOKEN"},
], ids=lambda source: source["type"])
def test_check_of_a_graph_api_that_does_not_answer_exits_3_and_claims_nothing(
    source: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    down = f"http://127.0.0.1:{free_port()}/v21.0"
    config, _ = config_with(None, tmp_path, [{**source, "base_url": down}])
    monkeypatch.setenv("FB_TOKEN", "EAAG-token-for-the-check")
    assert main(["--config", str(config), "connectors", "check", "fb"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "", "no 'access token accepted' when nothing answered"
    assert f"fb: {down} did not answer" in captured.err and "EAAG-token-for-the-check" not in captured.err


def test_connectors_run_warns_once_when_authors_are_hashed_under_the_public_built_in_key(
    stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config, _ = config_with(stack, tmp_path, [
        {"type": "import", "name": "apify-tt", "format": "apify-tiktok", "path": str(IMPORT_SAMPLE)},
    ])
    assert main(["--config", str(config), "setup"]) == 0
    monkeypatch.delenv("SIAGA__ERASURE__KEY", raising=False)
    with caplog.at_level("WARNING", logger="siaga"):
        assert main(["--config", str(config), "connectors", "run", "apify-tt"]) == 0
    warned = [r for r in caplog.records if "SIAGA__ERASURE__KEY" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelname == "WARNING"
    assert "built-in, public key" in warned[0].getMessage()
    caplog.clear()
    # With the deployment's key set, nothing to warn about (and the key itself is never logged).
    monkeypatch.setenv("SIAGA__ERASURE__KEY", "a-deployment-key-of-its-own")
    with caplog.at_level("WARNING", logger="siaga"):
        assert main(["--config", str(config), "connectors", "run", "apify-tt"]) == 0
    assert not [r for r in caplog.records if "ERASURE" in r.getMessage()]
    assert "a-deployment-key-of-its-own" not in caplog.text
