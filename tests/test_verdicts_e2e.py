"""End to end: verdicts from the command line and from a signed email link teach the next retrained
model, which the running pipeline picks up without a restart; a forged link teaches nothing.

Real Kafka and Elasticsearch (the session stack), the real pipeline (``run_batch``), the alerting
job's own verdict endpoint on loopback, and ``siaga model retrain`` on the shared training split.
Retraining takes ~15-40 s on this machine: marked slow.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from elasticsearch import Elasticsearch

from pipelines.alerting.job import AlertingJob
from pipelines.cli import main
from pipelines.common.records import KafkaRecord
from pipelines.common.verdicts import read_verdicts
from pipelines.delivery.emails import render
from pipelines.delivery.verdict_links import LinkSigner
from pipelines.ops.services import ensure_ready
from pipelines.post.job import run_batch
from pipelines.tagging.retrain import previous_of
from schemas.alert import Alert, AlertPost
from schemas.clock import FixedClock
from schemas.config import Settings, load_settings
from tests.conftest import Stack, make_post, make_settings

KEY = "an-end-to-end-verdict-link-key-0123456789"
ROOT = Path(__file__).resolve().parent.parent
MONEY = "Warga Sukamaju diminta datang ke balai desa bawa KTP untuk pendataan ulang pemilih, katanya ada amplop"
RUDE = "Dasar kampret semua pendukung paslon itu, otak udang"
FIRED = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name in ("SIAGA_CONFIG", "SIAGA_OFFICER"):
            monkeypatch.delenv(name)


def tagged(settings: Settings, post_id: str) -> dict:
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.refresh(index=settings.elasticsearch.posts_index)
    return es.get(index=settings.elasticsearch.posts_index + "-2026.11", id=post_id)["_source"]


def labels(source: dict) -> list[str]:
    return sorted(item["label"] for item in source["risk"]["labels"])


def send(url: str, fields: dict[str, str] | None = None) -> int:
    data = urlencode(fields).encode() if fields is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.slow
def test_verdicts_from_the_cli_and_a_signed_link_change_the_next_model_and_a_forged_link_does_not(
        stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    make_settings(stack, tmp_path, retention={"interval": None}, tagging={"model_dir": str(tmp_path / "models")},
                  verdicts={"public_url": "https://siaga.example.go.id/penilaian", "listen_port": 0})
    config = next(tmp_path.glob("siaga-*.yaml"))
    monkeypatch.setenv("SIAGA__VERDICTS__LINK_KEY", KEY)
    settings = load_settings(config, environ={"SIAGA__VERDICTS__LINK_KEY": KEY})
    ensure_ready(settings)
    posts = [make_post("101", text=MONEY), make_post("102", text=RUDE, minutes=1)]
    records = [KafkaRecord("raw", 0, n, None, json.dumps(post).encode()) for n, post in enumerate(posts)]
    run_batch(records, settings)
    before = {pid: tagged(settings, pid) for pid in ("tiktok:101", "tiktok:102")}
    assert "money_politics" not in labels(before["tiktok:101"]) and "abusive" in labels(before["tiktok:102"])

    # On the command line: "wrong, it is actually money politics".
    assert main(["verdict", "tiktok:101", "--wrong", "--label", "money_politics", "--by", "andi",
                 "--config", str(config)]) == 0

    # Through the email: the alerting job (`siaga alerts run`) serves the links its emails carry.
    alert = Alert(alert_id="kasar-00112233445566aa", rule_id="kasar", rule_name="Kata kasar", severity="siaga",
                  group_by="none", group="all", count=1, threshold=1, window_seconds=1800, window_start=FIRED,
                  window_end=FIRED, fired_at=FIRED, post_ids=["tiktok:102"],
                  posts=[AlertPost(post_id="tiktok:102", platform="tiktok", url="https://www.tiktok.com/@w/video/102",
                                   author_handle="warga_sukamaju", created_at=FIRED, text=RUDE,
                                   labels=labels(before["tiktok:102"]))])
    job = AlertingJob(settings, FixedClock(FIRED + timedelta(hours=1)))
    try:
        assert job.verdict_server is not None
        endpoint = f"http://127.0.0.1:{job.verdict_server.port}/penilaian"
        email = BytesParser(policy=policy.default).parsebytes(bytes(render(
            alert, settings.email, links=job.deliverer.links)))
        (salah,) = [line.split(": ", 1)[1] for line in email.get_body(("plain",)).get_content().splitlines()
                    if line.strip().startswith("Penilaian salah")]
        fields = {k: v[0] for k, v in parse_qs(urlsplit(salah).query).items()}
        forged = LinkSigner(b"not-the-key-but-just-as-long-as-it-0123", settings.verdicts.public_url or "",
                            settings.verdicts.link_ttl).link("tiktok:101", alert.alert_id, "benar", FIRED)
        assert send(endpoint, {k: v[0] for k, v in parse_qs(urlsplit(forged).query).items()}) == 403
        assert send(endpoint, {**fields, "v": "benar"}) == 403
        assert send(f"{endpoint}?{urlsplit(salah).query}") == 200  # the confirmation page
        assert send(endpoint, {**fields, "by": "sari"}) == 200  # its button
    finally:
        job.close()
    given = list(read_verdicts(Elasticsearch(settings.elasticsearch_url()), settings.elasticsearch.verdicts_index))
    assert sorted((v.post_id, v.source, v.correct) for v in given) == [("tiktok:101", "cli", False),
                                                                       ("tiktok:102", "link", False)]

    # Retrain on the shared split plus both verdicts (none held out: two verdicts, both to learn).
    capsys.readouterr()
    assert main(["model", "retrain", "--task", "risk", "--data", str(ROOT / "data" / "splits"), "--hold-out", "0",
                 "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "F1 before" in printed and "INSTALLED" in printed
    installed = tmp_path / "models" / "risk.ftz"
    assert installed.is_file()

    # The same process, no restart: the next batch is tagged by the installed model.
    run_batch(records, settings)
    after = {pid: tagged(settings, pid) for pid in ("tiktok:101", "tiktok:102")}
    for pid in after:
        assert after[pid]["tags"]["model"]["version"] != before[pid]["tags"]["model"]["version"]
    assert "money_politics" in labels(after["tiktok:101"])
    assert "abusive" not in labels(after["tiktok:102"])

    # Rolled back: the next batch is tagged by the model of before again.
    assert previous_of(installed).is_file()
    assert main(["model", "rollback", "--task", "risk", "--config", str(config)]) == 0
    run_batch(records, settings)
    rolled = tagged(settings, "tiktok:101")
    assert rolled["tags"]["model"]["version"] == before["tiktok:101"]["tags"]["model"]["version"]
    assert labels(rolled) == labels(before["tiktok:101"])
