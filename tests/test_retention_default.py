"""One default retention everywhere: the code's constant, the deploy configurations and the documents agree.

The code once defaulted to 365 days while README and ``deploy/`` said 180. The figure is now
``schemas.config.DEFAULT_RETENTION``; this test reads every place that states it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from schemas.config import DEFAULT_RETENTION, RetentionSettings, Settings, load_settings
from schemas.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONFIGS = [ROOT / "deploy" / "compose" / "siaga.yaml", ROOT / "deploy" / "k8s" / "base" / "siaga.yaml"]
DAYS = DEFAULT_RETENTION.days


def test_the_default_is_180_days_for_posts_and_alerts() -> None:
    assert DEFAULT_RETENTION == timedelta(days=180)
    assert RetentionSettings().posts == RetentionSettings().alerts == DEFAULT_RETENTION
    assert Settings().retention.posts == DEFAULT_RETENTION


def test_alerts_may_not_be_kept_longer_than_the_posts_they_quote(tmp_path: Path) -> None:
    config = tmp_path / "siaga.yaml"
    config.write_text("retention:\n  posts: 90d\n  alerts: 180d\n")
    with pytest.raises(ConfigError, match="retention: .*alerts .* may not be kept longer than posts"):
        load_settings(config, environ={})
    config.write_text("retention:\n  posts: 90d\n  alerts: 30d\n")
    assert load_settings(config, environ={}).retention.alerts == timedelta(days=30)


@pytest.mark.parametrize("path", DEPLOY_CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_deploy_configurations_state_the_default(path: Path) -> None:
    retention = yaml.safe_load(path.read_text(encoding="utf-8"))["retention"]
    stated = RetentionSettings.model_validate({"posts": retention["posts"], "alerts": retention["alerts"]})
    assert stated.posts == stated.alerts == DEFAULT_RETENTION, path


def test_the_ilm_policy_deletes_a_month_after_the_retention() -> None:
    policy = json.loads((ROOT / "deploy" / "elasticsearch" / "ilm-siaga-posts.json").read_text())["policy"]
    # ILM counts from the index's creation (the first post of its month), Siaga from the month's
    # end: the retention plus a month and a few days.
    assert policy["phases"]["delete"]["min_age"] == f"{DAYS + 35}d"
    assert f"{DAYS}-day retention" in policy["_meta"]["description"]


def test_the_operations_page_states_the_default() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("### Index lifecycle and retention", 1)[1].split("\n### ", 1)[0]
    assert f"`retention.posts` (default {DAYS} days)" in section
    assert f"`retention.alerts` (default {DAYS} days" in section
    assert not re.search(r"\b365\b", section)
    assert f"delete after {DAYS + 35}, to match a {DAYS}-day retention" in " ".join(section.split())


def test_the_operators_guide_states_the_default_and_the_kafka_retention() -> None:
    text = " ".join((ROOT / "deploy" / "README.md").read_text(encoding="utf-8").split())
    assert f"| posts in Elasticsearch (`raw` holds only the fields in docs/raw-fields.md) | {DAYS} days" in text
    assert f"| alerts in Elasticsearch (they quote post text and handles) | {DAYS} days" in text
    assert f"is sized for {DAYS} days" in " ".join((ROOT / "deploy" / "compose" / "siaga.yaml").read_text().split())
    # Kafka keeps what an erasure cannot reach: the documented figures are the configured ones.
    # A compacted topic (siaga.factchecks: public debunks, the latest of each kept) has no retention.ms.
    topics = {doc["metadata"]["name"]: doc["spec"]["config"].get("retention.ms")
              for doc in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "base" / "kafka.yaml").read_text())
              if doc and doc.get("kind") == "KafkaTopic"}
    day_ms = 24 * 3600 * 1000
    assert topics["siaga.posts.raw"] == topics["siaga.posts.tagged"] == topics["siaga.alerts"] == 7 * day_ms
    assert "| raw and tagged posts, and alerts, in Kafka | 7 days" in text
    assert topics["siaga.deadletter"] == 28 * day_ms and "28 days on Kubernetes" in text
    compose = (ROOT / "deploy" / "compose" / "compose.yaml").read_text()
    assert 'KAFKA_LOG_RETENTION_HOURS: "168"' in compose and "7 days in Compose" in text
