"""End to end: replay connector → Kafka → Beam pipeline → Elasticsearch → alerting → SMTP.

Everything is real: the noida-db broker and Elasticsearch server of the test session, an
aiosmtpd server on loopback, and ``pipelines.ops.runner.run`` exactly as ``siaga run --until-idle``
calls it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml
from elasticsearch import Elasticsearch

from pipelines.ops.runner import run
from schemas.alert import Alert
from schemas.config import Settings
from tests.conftest import Stack, make_post, make_settings, write_jsonl

REPO = Path(__file__).resolve().parents[1]

HOSTILE_TEXT = '<script>alert("x")</script> Paslon 02 <b>korupsi</b> & "bohong" #bongkarasep'


def burst_rule(**overrides: object) -> dict:
    rule = {
        "id": "kampanye-hitam",
        "name": "Lonjakan tagar kampanye hitam",
        "severity": "siaga",
        "filter": {"hashtags_any": ["bongkarasep"]},
        "threshold": 5,
        "window": "30m",
        "cooldown": "2h",
    }
    rule.update(overrides)
    return rule


def stream_file(tmp_path: Path) -> Path:
    """Benign posts, a burst of six matching posts (one with hostile markup) and three bad lines."""
    lines: list = [make_post(f"10{i}", minutes=i * 7, text=f"Jalan-jalan sore di alun-alun, rame bgt {i} 😄",
                             hashtags=["sukamaju"]) for i in range(8)]
    burst = [make_post(f"20{i}", minutes=60 + i * 3, handle=f"akun_baru_{i}", hashtags=["bongkarasep"],
                       text=f"Bongkar dosa paslon 02!! share sebanyak2nya sebelum dihapus #{i}") for i in range(5)]
    burst.append(make_post("209", minutes=76, handle="akun_baru_9", hashtags=["bongkarasep"], text=HOSTILE_TEXT))
    lines += burst
    lines += [b'{"platform": "tiktok", "native_id": "3', b"\xff\xfe not utf-8",
              make_post("301", text="x" * 10_001)]
    return write_jsonl(tmp_path / "stream.jsonl", lines)


def smtp_settings(stack: Stack, tmp_path: Path, port: int, path: Path) -> Settings:
    return make_settings(
        stack, tmp_path,
        sources=[{"name": "stream", "type": "replay", "path": str(path)}],
        rules=[burst_rule()],
        email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
               "recipients": ["piket@polres.example"], "outbox_dir": str(tmp_path / "outbox")},
    )


def test_replay_to_email_received_over_smtp(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port, stream_file(tmp_path))

    summary = run(settings, until_idle=True)

    assert summary.connectors == {"stream": 17}
    assert summary.posts_in == 17
    assert summary.indexed == 14
    assert summary.dead_lettered == {"validate": 3}
    assert len(summary.alerts) == 1
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert sink.envelopes[0].rcpt_tos == ["piket@polres.example"]
    assert message["Subject"] == "[SIAGA] Lonjakan tagar kampanye hitam: 5 unggahan dalam 30 menit"
    alert_id = summary.alerts[0].alert_id
    assert message["X-Siaga-Alert-Id"] == alert_id

    plain = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    # The fifth matching post (13:12 UTC = 20:12 WIB) completes the breach; the window is in WIB.
    assert "Jumlah      : 5 unggahan dalam 30 menit (ambang 5)" in plain
    assert "21 Nov 2026 19:42 WIB s.d. 21 Nov 2026 20:12 WIB" in plain
    assert "@akun_baru_4" in plain and "https://www.tiktok.com/@akun_baru_4/video/204" in plain
    assert "akun_baru_9" not in plain, "the sixth post came after the breach and inside the cooldown"
    assert "@akun_baru_4" in html_part

    es = Elasticsearch(settings.elasticsearch_url())
    stored = Alert.model_validate(es.get(index=settings.elasticsearch.alerts_index, id=alert_id)["_source"])
    assert stored.delivery == "sent" and stored.delivered_at is not None
    assert es.count(index=settings.elasticsearch.posts_index)["count"] == 14
    es.close()

    # The same input again: same ids in Elasticsearch, the breach is remembered, no second email.
    again = run(settings, until_idle=True)
    assert again.posts_in == 17 and again.indexed == 14
    assert again.alerts == []
    assert len(sink.messages) == 1
    es = Elasticsearch(settings.elasticsearch_url())
    assert es.count(index=settings.elasticsearch.posts_index)["count"] == 14
    assert es.count(index=settings.elasticsearch.alerts_index)["count"] == 1
    es.close()


def test_hostile_post_text_is_escaped_in_the_html_email(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    lines = [make_post(f"40{i}", minutes=i, handle=f"akun_{i}", hashtags=["bongkarasep"],
                       text="Paslon 02 tukang bohong #bongkarasep") for i in range(4)]
    lines.append(make_post("499", minutes=5, handle="akun_x", hashtags=["bongkarasep"], text=HOSTILE_TEXT))
    settings = smtp_settings(stack, tmp_path, port, write_jsonl(tmp_path / "hostile.jsonl", lines))

    summary = run(settings, until_idle=True)

    assert len(summary.alerts) == 1 and len(sink.messages) == 1
    html_part = sink.messages[0].get_body(("html",)).get_content()
    plain = sink.messages[0].get_body(("plain",)).get_content()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_part
    assert "&lt;b&gt;korupsi&lt;/b&gt; &amp; &quot;bohong&quot;" in html_part
    assert "<script>" not in html_part and "<b>korupsi" not in html_part
    assert HOSTILE_TEXT in plain, "the plain-text part shows the text as written"


def test_without_smtp_the_email_lands_in_the_outbox(stack: Stack, tmp_path: Path) -> None:
    lines = [make_post(f"50{i}", minutes=i, handle=f"akun_{i}", hashtags=["bongkarasep"]) for i in range(5)]
    settings = make_settings(
        stack, tmp_path,
        sources=[{"name": "stream", "type": "replay", "path": str(write_jsonl(tmp_path / "s.jsonl", lines))}],
        rules=[burst_rule()],
    )

    summary = run(settings, until_idle=True)

    outbox = settings.email.outbox_dir
    files = sorted(outbox.glob("*.eml"))
    assert [f.stem for f in files] == [summary.alerts[0].alert_id]
    assert b"Subject: [SIAGA] Lonjakan tagar kampanye hitam" in files[0].read_bytes()
    assert str(outbox) in summary.render(settings)


def _sample_categories() -> dict[str, str]:
    """post id → category of the bundled sample, from the generator that wrote it."""
    path = REPO / "connectors" / "samples" / "build_sample.py"
    spec = importlib.util.spec_from_file_location("build_sample", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {f"{record['platform']}:{record['native_id']}": category for category, record in module.build()}


def test_demo_configuration_fires_each_rule_type_on_its_burst(stack: Stack, tmp_path: Path) -> None:
    demo = yaml.safe_load((REPO / "siaga.yaml").read_text(encoding="utf-8"))
    sources = [{**source, "path": str(REPO / source["path"])} for source in demo["sources"]]
    settings = make_settings(stack, tmp_path, sources=sources, rules=demo["rules"],
                             tagging=demo["tagging"], election=demo["election"])

    summary = run(settings, until_idle=True)

    categories = _sample_categories()
    repeats = (REPO / "connectors" / "samples" / "hoax-repeats.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(categories) == 579 and summary.indexed == 579 + len(repeats)
    assert summary.dead_lettered == {"validate": 6}
    assert sorted(summary.languages, key=summary.languages.get)[-1] == "id"
    by_rule: dict[str, list[Alert]] = {}
    for alert in summary.alerts:
        by_rule.setdefault(alert.rule_id, []).append(alert)
    assert {alert.rule_type for alert in summary.alerts} == {"threshold", "critical_post", "coordinated",
                                                             "factcheck_match"}
    # one breach, one alert: the cooldown holds back the rest of each burst
    assert {rule: len(alerts) for rule, alerts in by_rule.items()} == {
        "kampanye-hitam": 1, "hoaks-pemilu": 1, "provokasi-sara": 1, "ancaman-kekerasan": 2,
        "kampanye-salin-tempel": 2, "serangan-kandidat": 1, "hoaks-terbantah": 1}
    expected_burst = {"kampanye-hitam": {"burst_a"}, "hoaks-pemilu": {"burst_b"}, "provokasi-sara": {"burst_c"},
                      "ancaman-kekerasan": {"burst_c"}, "kampanye-salin-tempel": {"burst_a", "burst_d"},
                      "serangan-kandidat": {"burst_a"}, "hoaks-terbantah": {"burst_b"}}
    for rule_id, alerts in by_rule.items():
        evidence = {categories[post.post_id] for alert in alerts for post in alert.posts}
        assert evidence == expected_burst[rule_id], f"{rule_id} alert carries posts from {evidence}"
    # the sample's ballots hoax (burst b) is what the demo's first fact-check debunks
    (debunked,) = by_rule["hoaks-terbantah"]
    assert debunked.factcheck is not None and debunked.factcheck.title is not None
    assert debunked.factcheck.title.startswith("[SALAH] Surat suara di gudang KPU Sukamaju")
    # each copy-paste campaign is its own cluster, and every post of it carries the cluster id
    campaigns = {categories[a.posts[0].post_id]: a.cluster_id for a in by_rule["kampanye-salin-tempel"]}
    assert sorted(campaigns) == ["burst_a", "burst_d"] and len(set(campaigns.values())) == 2
    es = Elasticsearch(settings.elasticsearch_url())
    labelled = es.search(index=settings.elasticsearch.posts_index, size=100,
                         query={"term": {"cluster_id": campaigns["burst_d"]}})["hits"]["hits"]
    assert sorted(categories[hit["_id"]] for hit in labelled) == ["burst_d"] * 9
    es.close()
    # the officers' view: which candidate is under attack, and why each post of the alert was raised
    (attack,) = by_rule["serangan-kandidat"]
    assert (attack.group, attack.detail) == ("candidate:paslon-02", "paslon 02 Asep–Rudi")
    for post in attack.posts:
        assert "black_campaign" in post.labels
        assert ("entity", "candidate:paslon-02") in [(r.kind, r.ref) for r in post.reasons]
        assert post.engagement is not None
    assert max(summary.attacked, key=summary.attacked.get) == "candidate:paslon-02"
    assert summary.attacked["candidate:paslon-02"] >= 15
    line = next(line for line in summary.render(settings).splitlines() if "kandidat diserang" in line)
    assert line.startswith("  kandidat diserang      : paslon 02 Asep–Rudi ")
    assert f"paslon 02 Asep–Rudi {summary.attacked['candidate:paslon-02']} unggahan" in line
    # every incident of a threshold or coordinated rule cleared later in the sample: one notice each
    notices = sorted(p.name for p in settings.email.outbox_dir.glob("*.resolved.eml"))
    assert len(notices) == 6
    assert len(list(settings.email.outbox_dir.glob("*.eml"))) == 9 + 6, "9 alerts (a fact-check match has no notice)"
