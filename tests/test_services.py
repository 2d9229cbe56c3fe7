"""Set-up versus check: `siaga setup` and `siaga run` prepare Kafka and Elasticsearch; the
long-running commands of a deployment only check that it was done, and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from pipelines.cli import main
from pipelines.common.kafka_io import missing_topics
from pipelines.ops.services import ALERTING, CONNECTOR, PIPELINE, NotSetUp, check_ready, ensure_ready
from schemas.config import Settings
from schemas.index import TEMPLATE_VERSION, mappings_of
from schemas.post import TaggedPost
from tests.conftest import make_settings

IMPORT_SAMPLE = Path(__file__).parent / "data" / "imports" / "apify-tiktok.json"


def all_topics(settings: Settings) -> list[str]:
    topics = settings.kafka.topics
    return [topics.raw, topics.tagged, topics.dead_letter, topics.alerts]


def indices_of(settings: Settings) -> list[str]:
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        config = settings.elasticsearch
        found = es.indices.get(index=f"{config.posts_index}*,{config.alerts_index}*", ignore_unavailable=True,
                               allow_no_indices=True)
        return sorted(found)
    finally:
        es.close()


def test_each_component_checks_what_it_uses_names_what_is_missing_and_creates_nothing(settings: Settings) -> None:
    topics, config = settings.kafka.topics, settings.elasticsearch
    expected = {
        CONNECTOR: [f"topic {topics.raw} does not exist", f"topic {topics.dead_letter} does not exist"],
        PIPELINE: [f"topic {topics.raw} does not exist", f"topic {topics.tagged} does not exist",
                   f"topic {topics.dead_letter} does not exist", f"the posts alias {config.posts_index} has no index"],
        ALERTING: [f"topic {topics.tagged} does not exist", f"topic {topics.alerts} does not exist",
                   f"topic {topics.dead_letter} does not exist", f"the posts alias {config.posts_index} has no index",
                   f"the alerts index {config.alerts_index} does not exist"],
    }
    for needs, problems in expected.items():
        with pytest.raises(NotSetUp) as caught:
            check_ready(settings, needs)
        message = str(caught.value)
        assert "\n" not in message and message.endswith("Run `siaga setup` with this configuration first")
        assert message == f"Siaga is not set up here: {'; '.join(problems)}. " \
                          "Run `siaga setup` with this configuration first"
    assert missing_topics(settings, all_topics(settings)) == all_topics(settings), "checking created a topic"
    assert indices_of(settings) == [], "checking created an index"
    ensure_ready(settings)
    for needs in expected:
        check_ready(settings, needs)


def test_an_index_set_up_by_an_older_siaga_fails_the_check_until_set_up_again(settings: Settings) -> None:
    ensure_ready(settings)
    alerts = settings.elasticsearch.alerts_index
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        es.indices.put_mapping(index=alerts, meta={**mappings_of(TaggedPost)["_meta"],
                                                   "template_version": TEMPLATE_VERSION - 1})
    finally:
        es.close()
    check_ready(settings, PIPELINE)  # the pipeline does not use the alerts index
    with pytest.raises(NotSetUp, match=f"the alerts index {alerts} has template version {TEMPLATE_VERSION - 1}, "
                                       f"this Siaga writes version {TEMPLATE_VERSION}"):
        check_ready(settings, ALERTING)
    ensure_ready(settings)
    check_ready(settings, ALERTING)


@pytest.mark.parametrize("command", [["connectors", "run", "apify-tt"], ["pipeline", "run"], ["alerts", "run"],
                                     ["import", str(IMPORT_SAMPLE), "--format", "apify-tiktok", "--watch"]],
                         ids=lambda command: " ".join(command[:2]) if command[0] != "import" else "import --watch")
def test_a_long_running_command_on_a_stack_not_set_up_exits_2_telling_to_run_setup(
    stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")}, sources=[
        {"type": "import", "name": "apify-tt", "format": "apify-tiktok", "path": str(IMPORT_SAMPLE)}])
    config = next(tmp_path.glob("siaga-*.yaml"))
    assert main(["--config", str(config), *command]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert "Siaga is not set up here: topic" in line and "Run `siaga setup`" in line
    assert missing_topics(settings, all_topics(settings)) == all_topics(settings)
    assert indices_of(settings) == []
    assert main(["--config", str(config), "setup"]) == 0
    assert missing_topics(settings, all_topics(settings)) == []
