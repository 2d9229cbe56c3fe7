"""Index lifecycle against the real local Elasticsearch server: monthly indices, alias, schema growth, retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from pipelines.cli import main
from pipelines.common.records import KafkaRecord
from pipelines.ops.indices import apply_retention, ensure_indices, post_indices
from pipelines.ops.services import ensure_ready
from pipelines.post.job import run_batch
from schemas.clock import FixedClock
from schemas.index import TEMPLATE_VERSION, mappings_of, month_of, monthly_index
from schemas.post import TaggedPost
from tests.conftest import make_post, make_settings


def record(native_id: str, created: datetime, offset: int = 0) -> KafkaRecord:
    return KafkaRecord("raw", 0, offset, None, json.dumps(make_post(native_id, start=created)).encode())


def test_a_post_lands_in_the_month_of_its_creation_and_a_refetch_in_the_same_index(settings):
    ensure_ready(settings)
    alias = settings.elasticsearch.posts_index
    run_batch([record("a", datetime(2026, 9, 30, 23, 59, tzinfo=UTC)), record("b", datetime(2026, 10, 1, tzinfo=UTC), 1)],
              settings)
    # The same post fetched again a month later (new counts): still one document, same index.
    refetched = make_post("a", start=datetime(2026, 9, 30, 23, 59, tzinfo=UTC), engagement={"likes": 99, "comments": 1,
                                                                                              "shares": 0, "views": 5})
    run_batch([KafkaRecord("raw", 0, 2, None, json.dumps(refetched).encode())], settings)
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=10, query={"match_all": {}})["hits"]["hits"]
    es.close()
    assert sorted((h["_index"], h["_id"]) for h in hits) == [
        (f"{alias}-2026.09", "tiktok:a"), (f"{alias}-2026.10", "tiktok:b")]
    assert next(h for h in hits if h["_id"] == "tiktok:a")["_source"]["engagement"]["likes"] == 99


def test_monthly_index_names_are_utc_months():
    wib_midnight = datetime.fromisoformat("2026-12-01T00:30:00+07:00")  # still November in UTC
    assert monthly_index("siaga-posts", wib_midnight) == "siaga-posts-2026.11"
    assert month_of("siaga-posts", "siaga-posts-2026.11") == datetime(2026, 11, 1, tzinfo=UTC)
    assert month_of("siaga-posts", "siaga-posts-old") is None
    assert month_of("siaga-posts", "siaga-alerts") is None


def test_adding_a_field_needs_no_reindex(settings):
    """An index made by an older template (without ``cluster_id``) takes documents with it after set-up."""
    alias = settings.elasticsearch.posts_index
    old = mappings_of(TaggedPost)
    del old["properties"]["cluster_id"]
    old["_meta"]["template_version"] = TEMPLATE_VERSION - 1
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.create(index=f"{alias}-2025.01", mappings=old, aliases={alias: {}})
    ensure_indices(es, settings)
    mapping = es.indices.get_mapping(index=f"{alias}-2025.01")[f"{alias}-2025.01"]["mappings"]
    assert "cluster_id" in mapping["properties"]
    assert mapping["_meta"]["template_version"] == TEMPLATE_VERSION
    template = es.indices.get_index_template(name=alias)["index_templates"][0]["index_template"]
    assert template["version"] == TEMPLATE_VERSION
    assert template["template"]["aliases"] == {alias: {}}
    es.close()
    counters = run_batch([record("old", datetime(2025, 1, 10, tzinfo=UTC))], settings)
    assert counters["indexed"] == 1
    es = Elasticsearch(settings.elasticsearch_url())
    es.update(index=f"{alias}-2025.01", id="tiktok:old", doc={"cluster_id": "c-1"}, refresh=True)
    assert es.get(index=f"{alias}-2025.01", id="tiktok:old")["_source"]["cluster_id"] == "c-1"
    es.close()


def test_retention_deletes_old_months_and_old_alerts_and_logs_them(settings, caplog):
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)  # the default 180 days back: 2026-05-28
    clock = FixedClock(now)
    ensure_ready(settings, clock)
    alias, alerts = settings.elasticsearch.posts_index, settings.elasticsearch.alerts_index
    months = [datetime(2026, 4, 5, tzinfo=UTC), datetime(2026, 5, 20, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)]
    run_batch([record(f"m{i}", when, i) for i, when in enumerate(months)], settings)
    es = Elasticsearch(settings.elasticsearch_url())
    for alert_id, fired in (("old", "2024-01-01T00:00:00+00:00"), ("new", "2026-11-20T00:00:00+00:00")):
        # Only the field retention reads; the alerting stage owns the rest of the document.
        es.index(index=alerts, id=alert_id, document={"fired_at": fired})
    es.indices.refresh(index=alerts)
    dry = apply_retention(es, settings, dry_run=True, clock=clock)
    assert dry.deleted_indices == [f"{alias}-2026.04"]
    assert dry.deleted_alerts == 1
    assert post_indices(es, alias) == [f"{alias}-2026.04", f"{alias}-2026.05", f"{alias}-2026.11"]
    with caplog.at_level("WARNING", logger="pipelines.ops.indices"):
        report = apply_retention(es, settings, clock=clock)
    assert report.deleted_indices == [f"{alias}-2026.04"]
    # May 2026 still holds posts newer than the cutoff: the whole month stays.
    assert post_indices(es, alias) == [f"{alias}-2026.05", f"{alias}-2026.11"]
    assert f"deleted index {alias}-2026.04" in caplog.text
    count = es.count(index=alerts)["count"]
    es.close()
    assert report.deleted_alerts == 1
    assert count == 1


def test_retention_command_dry_run_prints_what_it_would_delete(settings, tmp_path, capsys):
    ensure_ready(settings)
    run_batch([record("z", datetime(2020, 3, 3, tzinfo=UTC))], settings)
    config = tmp_path / "retention.json"
    config.write_text(json.dumps({section: getattr(settings, section).model_dump(mode="json", exclude_none=True)
                                  for section in ("kafka", "elasticsearch")}))
    assert main(["--config", str(config), "retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would delete 1 index(es): {settings.elasticsearch.posts_index}-2020.03" in out
    es = Elasticsearch(settings.elasticsearch_url())
    assert f"{settings.elasticsearch.posts_index}-2020.03" in post_indices(es, settings.elasticsearch.posts_index)
    es.close()


def test_an_old_single_posts_index_is_explained_not_clobbered(stack, tmp_path):
    settings = make_settings(stack, tmp_path)
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.create(index=settings.elasticsearch.posts_index)
    es.close()
    assert main(["--config", str(_config(settings, tmp_path)), "setup"]) == 2


def _config(settings, tmp_path):
    path = tmp_path / "setup.json"
    path.write_text(json.dumps({section: getattr(settings, section).model_dump(mode="json", exclude_none=True)
                                for section in ("kafka", "elasticsearch")}))
    return path


def test_update_by_query_on_the_posts_pattern_reaches_every_month(settings):
    """The alerting stage's contract: re-apply ``cluster_id`` with update_by_query on ``posts_pattern``."""
    from schemas.index import posts_pattern

    ensure_ready(settings)
    run_batch([record("u1", datetime(2026, 8, 1, tzinfo=UTC)), record("u2", datetime(2026, 9, 1, tzinfo=UTC), 1)],
              settings)
    es = Elasticsearch(settings.elasticsearch_url())
    alias = settings.elasticsearch.posts_index
    es.indices.refresh(index=alias)
    result = es.update_by_query(index=posts_pattern(alias), query={"ids": {"values": ["tiktok:u1", "tiktok:u2"]}},
                                script={"source": "ctx._source.cluster_id = params.c", "params": {"c": "k-7"}},
                                refresh=True)
    assert result["updated"] == 2
    hits = es.search(index=alias, query={"term": {"cluster_id": "k-7"}})["hits"]["hits"]
    es.close()
    assert sorted(h["_id"] for h in hits) == ["tiktok:u1", "tiktok:u2"]


def test_a_configured_ilm_policy_survives_set_up(settings):
    # Set-up rewrites the post template on every start; a policy added to it by hand was lost.
    es_settings = settings.elasticsearch.model_copy(update={"ilm_policy": "siaga-posts"})
    configured = settings.model_copy(update={"elasticsearch": es_settings})
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        for _ in range(2):  # the second set-up is the restart that used to drop it
            ensure_indices(es, configured)
        template = es.indices.get_index_template(name=settings.elasticsearch.posts_index)["index_templates"][0]
    finally:
        es.close()
    index_settings = template["index_template"]["template"]["settings"]
    flat = json.dumps(index_settings)
    assert "siaga-posts" in flat and "lifecycle" in flat, index_settings


def test_an_index_from_before_the_election_fields_takes_entities_and_reasons_after_set_up(settings):
    """Version 3 indices had no ``entities`` and no ``risk.reasons/target/categories/strength``."""
    alias = settings.elasticsearch.posts_index
    old = mappings_of(TaggedPost)
    del old["properties"]["entities"]
    for name in ("target", "categories", "strength", "reasons"):
        del old["properties"]["risk"]["properties"][name]
    old["_meta"]["template_version"] = 3
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.create(index=f"{alias}-2025.02", mappings=old, aliases={alias: {}})
    ensure_indices(es, settings)
    mapping = es.indices.get_mapping(index=f"{alias}-2025.02")[f"{alias}-2025.02"]["mappings"]
    es.close()
    assert TEMPLATE_VERSION > 3
    assert mapping["properties"]["entities"]["properties"]["id"]["type"] == "keyword"
    assert set(mapping["properties"]["risk"]["properties"]) >= {"target", "categories", "strength", "reasons"}
    tagged = TaggedPost.model_validate({
        **make_post("election", start=datetime(2025, 2, 10, tzinfo=UTC)), "language": "id", "language_score": 0.9,
        "tagged_at": "2025-02-10T00:00:00+00:00", "tagger_version": "test",
        "entities": [{"type": "candidate", "id": "candidate:paslon-02", "surface": "Kang Asep"}],
        "risk": {"level": "siaga", "score": 0.8, "target": "individual", "categories": ["other"], "strength": "weak",
                 "labels": [{"label": "black_campaign", "score": 0.8}],
                 "reasons": [{"kind": "entity", "label": "black_campaign", "ref": "candidate:paslon-02",
                              "detail": "menyasar kandidat paslon 02 Asep–Rudi"}]}})
    es = Elasticsearch(settings.elasticsearch_url())
    es.index(index=f"{alias}-2025.02", id=tagged.post_id, document=tagged.model_dump(mode="json"), refresh=True)
    hits = es.search(index=alias, query={"term": {"risk.reasons.ref": "candidate:paslon-02"}})["hits"]["hits"]
    es.close()
    assert [hit["_id"] for hit in hits] == [tagged.post_id]
