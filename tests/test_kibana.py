"""Kibana saved objects: tied to the generated mapping field by field, well-formed NDJSON, and
`siaga kibana import` against a loopback server that plays Kibana's saved objects import API."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.cli import main
from schemas.config import ElectionSettings, load_settings
from schemas.errors import ConfigError
from schemas.kibana import (
    ALERTS_VIEW_ID,
    ATTACKED_PANEL,
    POSTS_VIEW_ID,
    ROLE_TYPES,
    SEARCH_ALERT_POSTS,
    SEARCH_FACTCHECK_POSTS,
    SEARCH_RISKY_POSTS,
    VERDICTS_VIEW_ID,
    build,
    check_fields,
    fields_used,
    saved_objects,
    to_ndjson,
    view_fields,
)
from tests.doubles.kibana_api import KibanaDouble

POSTS, ALERTS = "siaga-posts", "siaga-alerts"
REQUIRED_KEYS = {"type", "id", "attributes", "references", "coreMigrationVersion", "typeMigrationVersion"}


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; only what a test sets itself may reach it."""
    for name in list(os.environ):
        if name.startswith("SIAGA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def objects() -> list[dict[str, Any]]:
    return build(POSTS, ALERTS)


@pytest.fixture
def kibana() -> Iterator[KibanaDouble]:
    with KibanaDouble() as double:
        yield double


def by_id(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {obj["id"]: obj for obj in objects}


# --- tied to the mapping, field by field -------------------------------------------------------


def agg_fields(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(aggregation type, field) of a visualisation, read straight from its visState."""
    aggs = json.loads(obj["attributes"]["visState"])["aggs"]
    return [(agg["type"], agg["params"]["field"]) for agg in aggs if "field" in agg.get("params", {})]


def test_every_aggregation_field_is_in_the_mapping_with_a_fitting_type(objects: list[dict[str, Any]]) -> None:
    fields = view_fields(POSTS, ALERTS)
    needs = {"terms": {"keyword", "long", "boolean", "date"}, "date_histogram": {"date"},
             "cardinality": {"keyword", "long", "date", "boolean"}, "min": {"date", "long", "float"},
             "max": {"date", "long", "float"}, "avg": {"long", "float"}, "sum": {"long", "float"}}
    checked = 0
    for obj in objects:
        if obj["type"] != "visualization" or not obj["references"]:
            continue
        view = obj["references"][0]["id"]
        for agg_type, field in agg_fields(obj):
            assert field in fields[view], f"{obj['id']}: {field} not in the {view} mapping"
            assert fields[view][field] in needs[agg_type], f"{obj['id']}: {agg_type} on {field} ({fields[view][field]})"
            checked += 1
    assert checked >= 30  # guards against a walk that silently finds no aggregation


def test_searches_maps_and_data_views_use_mapped_fields(objects: list[dict[str, Any]]) -> None:
    fields = view_fields(POSTS, ALERTS)
    for obj in objects:
        attrs = obj["attributes"]
        if obj["type"] == "search":
            view = obj["references"][0]["id"]
            assert set(attrs["columns"]) <= set(fields[view]), obj["id"]
            assert all(fields[view][field] == "date" for field, _ in attrs["sort"])
        elif obj["type"] == "map":
            for layer in json.loads(attrs["layerListJSON"]):
                assert fields[POSTS_VIEW_ID][layer["sourceDescriptor"]["geoField"]] == "geo_point"
        elif obj["type"] == "index-pattern":
            assert fields[obj["id"]][attrs["timeFieldName"]] == "date"
            assert set(json.loads(attrs["fieldFormatMap"])) <= set(fields[obj["id"]])


def test_check_fields_finds_nothing_wrong_with_the_shipped_objects(objects: list[dict[str, Any]]) -> None:
    uses = fields_used(objects)
    assert check_fields(objects, view_fields(POSTS, ALERTS)) == []
    assert {use.role for use in uses} >= {"terms", "date_histogram", "cardinality", "geo", "column", "sort",
                                          "time_field", "query", "format"}
    assert set(ROLE_TYPES) >= {use.role for use in uses}


def with_vis_state(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    state = json.loads(obj["attributes"]["visState"])
    state["aggs"][1]["params"].update(changes)
    return {**obj, "attributes": {**obj["attributes"], "visState": json.dumps(state)}}


@pytest.mark.parametrize(
    ("object_id", "field", "expected"),
    [
        pytest.param("siaga-vis-top-hashtags", "text", "terms on 'text' needs", id="terms-on-analysed-text"),
        pytest.param("siaga-vis-top-hashtags", "hashtag", "'hashtag' is not in the siaga-posts mapping", id="typo"),
        pytest.param("siaga-vis-volume-by-platform", "platform", "date_histogram on 'platform' needs", id="histogram-on-keyword"),
        pytest.param("siaga-vis-alerts-over-time", "created_at", "'created_at' is not in the siaga-alerts mapping",
                     id="posts-field-on-alerts-view"),
    ],
)
def test_check_fields_reports_a_field_that_does_not_fit(objects: list[dict[str, Any]], object_id: str, field: str,
                                                        expected: str) -> None:
    broken = [with_vis_state(obj, field=field) if obj["id"] == object_id else obj for obj in objects]
    problems = check_fields(broken, view_fields(POSTS, ALERTS))
    assert len(problems) == 1
    assert problems[0].startswith(object_id) and expected in problems[0]


def test_a_geo_layer_on_a_keyword_field_is_reported(objects: list[dict[str, Any]]) -> None:
    the_map = next(obj for obj in objects if obj["type"] == "map")
    layers = json.loads(the_map["attributes"]["layerListJSON"])
    layers[0]["sourceDescriptor"]["geoField"] = "region"
    broken = {**the_map, "attributes": {**the_map["attributes"], "layerListJSON": json.dumps(layers)}}
    problems = check_fields([broken], view_fields(POSTS, ALERTS))
    assert problems == ["siaga-map-post-locations: geo on 'region' needs geo_point, the mapping has keyword"]


def test_a_kql_query_on_an_unknown_field_is_reported(objects: list[dict[str, Any]]) -> None:
    search = by_id(objects)[SEARCH_RISKY_POSTS]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    source["query"]["query"] = 'risk_level : "awas"'
    broken = {**search, "attributes": {**search["attributes"],
                                       "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)}}}
    assert check_fields([broken], view_fields(POSTS, ALERTS)) == [
        f"{SEARCH_RISKY_POSTS}: query field 'risk_level' is not in the siaga-posts mapping"]


# --- well-formed for Kibana 8.15 ---------------------------------------------------------------


def test_ndjson_is_one_saved_object_per_line_with_kibana_export_keys(objects: list[dict[str, Any]]) -> None:
    text = to_ndjson(objects)
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == len(objects)
    parsed = [json.loads(line) for line in lines]
    assert parsed == objects
    for obj in parsed:
        assert REQUIRED_KEYS <= set(obj), obj["id"]
        assert obj["coreMigrationVersion"] == "8.8.0"
        assert all(part.isdigit() for part in obj["typeMigrationVersion"].split("."))
        assert isinstance(obj["attributes"]["title"], str) and obj["attributes"]["title"]
    ids = [(obj["type"], obj["id"]) for obj in parsed]
    assert len(ids) == len(set(ids))


def test_json_string_attributes_parse_and_references_resolve_within_the_file(objects: list[dict[str, Any]]) -> None:
    present = {(obj["type"], obj["id"]) for obj in objects}
    for obj in objects:
        attrs = obj["attributes"]
        for key in ("visState", "panelsJSON", "optionsJSON", "fieldAttrs", "fieldFormatMap", "sourceFilters",
                    "layerListJSON", "mapStateJSON", "uiStateJSON"):
            if key in attrs:
                json.loads(attrs[key])
        if "kibanaSavedObjectMeta" in attrs:
            source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
            if "indexRefName" in source:
                names = {ref["name"] for ref in obj["references"] if ref["type"] == "index-pattern"}
                assert source["indexRefName"] in names, obj["id"]
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, f"{obj['id']} refers to missing {ref}"


def test_every_panel_and_search_is_tied_to_a_siaga_data_view(objects: list[dict[str, Any]]) -> None:
    objs = by_id(objects)
    for obj in objects:
        if obj["type"] in ("search", "map") or (obj["type"] == "visualization" and
                                                json.loads(obj["attributes"]["visState"])["type"] != "markdown"):
            views = [ref["id"] for ref in obj["references"] if ref["type"] == "index-pattern"]
            assert views in ([POSTS_VIEW_ID], [ALERTS_VIEW_ID], [VERDICTS_VIEW_ID]), obj["id"]
        if obj["type"] == "dashboard":
            panels = json.loads(obj["attributes"]["panelsJSON"])
            refs = {ref["name"]: ref for ref in obj["references"]}
            assert panels
            for panel in panels:
                ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
                assert ref["type"] == panel["type"] == objs[ref["id"]]["type"]
                grid = panel["gridData"]
                assert grid["x"] + grid["w"] <= 48 and grid["i"] == panel["panelIndex"]


def test_data_views_have_fixed_ids_the_configured_titles_and_time_fields() -> None:
    objs = by_id(saved_objects("pilkada-posts", "pilkada-alerts"))
    posts, alerts = objs[POSTS_VIEW_ID], objs[ALERTS_VIEW_ID]
    assert posts["type"] == alerts["type"] == "index-pattern"
    assert posts["attributes"]["title"] == "pilkada-posts"
    assert alerts["attributes"]["title"] == "pilkada-alerts"
    assert posts["attributes"]["timeFieldName"] == "created_at"
    assert alerts["attributes"]["timeFieldName"] == "fired_at"
    url_format = json.loads(posts["attributes"]["fieldFormatMap"])["url"]
    assert url_format["id"] == "url" and url_format["params"]["type"] == "a"
    assert json.loads(posts["attributes"]["sourceFilters"]) == [{"value": "raw"}]


def dashboard_fields(objects: list[dict[str, Any]], dashboard_id: str) -> set[str]:
    objs = by_id(objects)
    targets = {ref["id"] for ref in objs[dashboard_id]["references"]}
    return {use.field for use in fields_used(objects) if use.object_id in targets}


def test_the_five_dashboards_are_bilingual_and_use_what_they_are_about(objects: list[dict[str, Any]]) -> None:
    titles = {obj["id"]: obj["attributes"]["title"] for obj in objects if obj["type"] == "dashboard"}
    assert titles == {
        "siaga-dashboard-overview": "Ringkasan / Overview",
        "siaga-dashboard-risk": "Pantauan risiko / Risk monitor",
        "siaga-dashboard-coordinated": "Aktivitas terkoordinasi / Coordinated activity",
        "siaga-dashboard-alerts": "Peringatan / Alerts",
        "siaga-dashboard-verdicts": "Penilaian petugas / Officers' verdicts",
    }
    assert dashboard_fields(objects, "siaga-dashboard-overview") >= {
        "platform", "language", "risk.level", "topics.label", "hashtags", "author.handle", "region", "location"}
    assert dashboard_fields(objects, "siaga-dashboard-risk") >= {
        "risk.labels.label", "text", "author.handle", "platform", "url", "matches.term"}
    assert dashboard_fields(objects, "siaga-dashboard-coordinated") >= {"cluster_id", "author.handle", "created_at"}
    assert dashboard_fields(objects, "siaga-dashboard-alerts") >= {
        "rule_id", "rule_type", "state", "severity", "delivery", "fired_at"}
    assert dashboard_fields(objects, "siaga-dashboard-verdicts") >= {"tagged_labels", "correct", "at"}


def test_saved_searches_for_alert_emails_exist_on_the_posts_view(objects: list[dict[str, Any]]) -> None:
    objs = by_id(objects)
    for search_id in (SEARCH_ALERT_POSTS, SEARCH_RISKY_POSTS):
        assert objs[search_id]["type"] == "search"
        assert objs[search_id]["references"][0]["id"] == POSTS_VIEW_ID
        assert "url" in objs[search_id]["attributes"]["columns"]


# --- engagement: unknown counts are left out, never read as 0 ----------------------------------

ENGAGEMENT_PANEL = "siaga-vis-engagement-by-platform"
SKIPS_MISSING = {"avg", "sum", "min", "max"}
"""Elasticsearch metric aggregations that leave a document without the field out of the figure."""


def test_engagement_is_only_averaged_or_summed_so_a_hidden_count_is_left_out(objects: list[dict[str, Any]]) -> None:
    uses = [use for use in fields_used(objects) if use.field.startswith("engagement.")]
    assert {use.field for use in uses if use.object_id == ENGAGEMENT_PANEL} == {
        "engagement.likes", "engagement.comments", "engagement.shares", "engagement.views"}
    # A terms bucket or a "missing" bucket would count unknown counts; a KQL test would need a value.
    assert {use.role for use in uses} <= SKIPS_MISSING | {"column"}, uses
    for obj in objects:
        if obj["type"] != "visualization":
            continue
        for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
            if str(agg.get("params", {}).get("field", "")).startswith("engagement."):
                assert "missing" not in agg["params"], (obj["id"], agg)
                assert "diketahui" in agg["params"]["customLabel"] and "known" in agg["params"]["customLabel"]
    assert ENGAGEMENT_PANEL in {ref["id"] for ref in by_id(objects)["siaga-dashboard-overview"]["references"]}
    labels = json.loads(by_id(objects)[POSTS_VIEW_ID]["attributes"]["fieldAttrs"])
    assert {"engagement.likes", "engagement.views"} <= set(labels)


def test_the_engagement_panel_over_posts_with_hidden_counts_gives_the_mean_of_the_known_ones(
    settings, objects: list[dict[str, Any]]
) -> None:
    """The panel's own aggregations, run by the local Elasticsearch on posts indexed through the
    generated template: a post whose likes are unknown does not pull the average down."""
    from datetime import UTC, datetime

    from elasticsearch import Elasticsearch

    from pipelines.common.records import KafkaRecord
    from pipelines.ops.services import ensure_ready
    from pipelines.post.job import run_batch
    from tests.conftest import make_post

    ensure_ready(settings)
    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    counts = [(100, 10, 4, 1000), (None, 20, None, None), (300, None, 8, 3000)]  # likes, comments, shares, views
    posts = [make_post(str(number), platform="instagram", start=start,
                       engagement=dict(zip(("likes", "comments", "shares", "views"), values, strict=True)))
             for number, values in enumerate(counts)]
    run_batch([KafkaRecord("raw", 0, offset, None, json.dumps(post).encode()) for offset, post in enumerate(posts)],
              settings)
    panel = json.loads(by_id(objects)[ENGAGEMENT_PANEL]["attributes"]["visState"])
    metrics = {agg["id"]: {agg["type"]: {"field": agg["params"]["field"]}} for agg in panel["aggs"]
               if agg["type"] in SKIPS_MISSING}
    es = Elasticsearch(settings.elasticsearch_url())
    alias = settings.elasticsearch.posts_index
    es.indices.refresh(index=alias)
    stored = es.search(index=alias, size=10, query={"match_all": {}})["hits"]["hits"]
    answer = es.search(index=alias, size=0, aggs=metrics)["aggregations"]
    es.close()
    assert sorted(str(hit["_source"]["engagement"]["likes"]) for hit in stored) == ["100", "300", "None"]
    by_field = {next(iter(spec.values()))["field"]: (kind, answer[agg_id]["value"])
                for agg_id, spec in metrics.items() for kind in spec}
    assert by_field == {
        "engagement.likes": ("avg", 200.0),  # not 133.3, as it would be with the hidden likes read as 0
        "engagement.comments": ("avg", 15.0),
        "engagement.shares": ("avg", 6.0),
        "engagement.views": ("sum", 4000.0),
    }


# --- candidates under attack, and why each post was raised -------------------------------------

DEMO_ELECTION = {
    "candidates": [
        {"id": "paslon-01", "ballot_number": 1, "name": "Dadan Hermawan", "running_mate": "Euis Kurniasih"},
        {"id": "paslon-02", "ballot_number": 2, "name": "Asep Wiranegara", "running_mate": "Rudi Santika",
         "label": "Asep–Rudi", "nicknames": ["Kang Asep"]},
    ],
    "election_bodies": [{"id": "kpu-sukamaju", "name": "KPU Kabupaten Sukamaju", "kind": "kpu",
                         "aliases": ["KPU Sukamaju"]}],
}


def test_candidates_under_attack_is_on_the_risk_monitor_with_one_row_per_candidate() -> None:
    election = ElectionSettings.model_validate(DEMO_ELECTION)
    objects = build(POSTS, ALERTS, election)
    panel = by_id(objects)[ATTACKED_PANEL]
    assert panel["attributes"]["title"] == "Kandidat yang diserang / Candidates under attack"
    assert ATTACKED_PANEL in {ref["id"] for ref in by_id(objects)["siaga-dashboard-risk"]["references"]}
    state = json.loads(panel["attributes"]["visState"])
    rows = next(agg for agg in state["aggs"] if agg["type"] == "filters")["params"]["filters"]
    assert [(row["input"]["query"], row["label"]) for row in rows] == [
        ('entities.id : "candidate:paslon-01"', "paslon 01 Dadan–Euis"),
        ('entities.id : "candidate:paslon-02"', "paslon 02 Asep–Rudi")]
    assert json.loads(panel["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"] == \
        'risk.labels.label : "black_campaign"'
    without = json.loads(by_id(build(POSTS, ALERTS))[ATTACKED_PANEL]["attributes"]["visState"])
    assert [(agg["type"], agg["params"].get("field")) for agg in without["aggs"]][1] == ("terms", "entities.id")


def test_a_filter_row_on_a_field_the_mapping_lacks_is_reported() -> None:
    objects = build(POSTS, ALERTS, ElectionSettings.model_validate(DEMO_ELECTION))
    panel = by_id(objects)[ATTACKED_PANEL]
    state = json.loads(panel["attributes"]["visState"])
    state["aggs"][1]["params"]["filters"][0]["input"]["query"] = 'entity.id : "candidate:paslon-01"'
    panel["attributes"]["visState"] = json.dumps(state)
    assert check_fields(objects, view_fields(POSTS, ALERTS)) == [
        f"{ATTACKED_PANEL}: query field 'entity.id' is not in the siaga-posts mapping"]


def test_discover_shows_why_a_post_was_raised_and_whom_it_names(objects: list[dict[str, Any]]) -> None:
    objs = by_id(objects)
    for search_id in (SEARCH_ALERT_POSTS, SEARCH_RISKY_POSTS):
        assert "risk.reasons.detail" in objs[search_id]["attributes"]["columns"]
    labels = json.loads(objs[POSTS_VIEW_ID]["attributes"]["fieldAttrs"])
    assert labels["risk.reasons.detail"] == {"customLabel": "Alasan / Why"}
    assert {"entities.id", "entities.surface", "risk.target", "risk.categories", "risk.strength"} <= set(labels)


def kql_query(kql: str) -> dict[str, Any]:
    """The panel's simple KQL (``field : "value"`` joined by ``and``) as an Elasticsearch query."""
    clauses = [part.split(" : ", 1) for part in kql.split(" and ")]
    return {"bool": {"filter": [{"term": {field.strip(): value.strip().strip('"')}} for field, value in clauses]}}


def test_the_candidates_under_attack_panel_counts_on_the_local_elasticsearch(stack, tmp_path: Path) -> None:
    """Posts through the real pipeline into the local server; the panel's own aggregation over them."""
    from datetime import UTC, datetime

    from elasticsearch import Elasticsearch

    from pipelines.common.records import KafkaRecord
    from pipelines.ops.services import ensure_ready
    from pipelines.post.job import run_batch
    from tests.conftest import make_post, make_settings

    insults = {"name": "hinaan", "terms": ["muka maling", "tukang bohong"], "risk": "abusive", "level": "siaga"}
    settings = make_settings(stack, tmp_path, election=DEMO_ELECTION, tagging={"watchlists": [insults]})
    ensure_ready(settings)
    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    texts = ["Kang Asep muka maling", "paslon 02 tukang bohong, KPU Sukamaju juga", "Asep Wiranegara muka maling",
             "Dadan Hermawan tukang bohong", "Kang Asep kampanye di alun-alun", "muka maling semua pejabat"]
    posts = [make_post(str(n), start=start, minutes=n, handle=f"akun{n % 2}", text=text)
             for n, text in enumerate(texts)]
    counters = run_batch([KafkaRecord("raw", 0, n, None, json.dumps(p).encode()) for n, p in enumerate(posts)],
                         settings)
    assert counters["attacked.candidate:paslon-02"] == 3 and counters["attacked.candidate:paslon-01"] == 1
    panel = by_id(build(settings.elasticsearch.posts_index, settings.elasticsearch.alerts_index,
                        settings.election))[ATTACKED_PANEL]
    state = json.loads(panel["attributes"]["visState"])
    query = json.loads(panel["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
    rows = next(agg for agg in state["aggs"] if agg["type"] == "filters")["params"]["filters"]
    aggs = {"rows": {"filters": {"filters": {row["label"]: kql_query(row["input"]["query"]) for row in rows}},
                     "aggs": {"accounts": {"cardinality": {"field": "author.handle"}}}}}
    es = Elasticsearch(settings.elasticsearch_url())
    alias = settings.elasticsearch.posts_index
    es.indices.refresh(index=alias)
    answer = es.search(index=alias, size=0, query=kql_query(query), aggs=aggs)["aggregations"]["rows"]["buckets"]
    stored = es.search(index=alias, size=10, query={"term": {"entities.id": "candidate:paslon-02"}})["hits"]["hits"]
    es.close()
    assert {label: (bucket["doc_count"], bucket["accounts"]["value"]) for label, bucket in answer.items()} == {
        "paslon 01 Dadan–Euis": (1, 1), "paslon 02 Asep–Rudi": (3, 2)}
    why = [reason["detail"] for hit in stored for reason in hit["_source"]["risk"]["reasons"]]
    assert "menyasar kandidat paslon 02 Asep–Rudi (\u201cKang Asep\u201d)" in why


# --- siaga kibana export / import --------------------------------------------------------------


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_export_writes_the_generated_ndjson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"elasticsearch": {"posts_index": "p-x", "alerts_index": "a-x"}})
    out = tmp_path / "kibana.ndjson"
    assert main(["--config", str(config), "kibana", "export", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == to_ndjson(build("p-x", "a-x"))
    assert main(["--config", str(config), "kibana", "export"]) == 0
    assert capsys.readouterr().out == to_ndjson(build("p-x", "a-x"))


def test_import_with_basic_auth_loads_everything_and_sets_wib(
        kibana: KibanaDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"username": kibana.username}})
    monkeypatch.setenv("SIAGA__KIBANA__PASSWORD", kibana.password)
    assert main(["--config", str(config), "kibana", "import", "--url", kibana.url]) == 0
    expected = build(POSTS, ALERTS)
    assert {key[1] for key in kibana.objects["default"]} == {obj["id"] for obj in expected}
    assert kibana.settings["default"] == {"dateFormat:tz": "Asia/Jakarta", "defaultIndex": "siaga-posts"}
    request = kibana.requests[0]
    assert request["path"] == "/api/saved_objects/_import" and request["query"] == "overwrite=true"
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    output = capsys.readouterr().out
    assert f"imported {len(expected)} saved objects into {kibana.url}; 0 refused" in output
    assert kibana.password not in output
    # Importing again overwrites Siaga's own objects instead of reporting conflicts.
    assert main(["--config", str(config), "kibana", "import", "--url", kibana.url]) == 0


def test_import_into_a_space_with_an_api_key(kibana: KibanaDouble, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"url": kibana.url, "space": "patroli"}})
    monkeypatch.setenv("SIAGA__KIBANA__API_KEY", kibana.api_key)
    assert main(["--config", str(config), "kibana", "import", "--no-settings"]) == 0
    assert kibana.objects["default"] == {}
    assert (("index-pattern", POSTS_VIEW_ID)) in kibana.objects["patroli"]
    assert kibana.settings["patroli"] == {}
    assert kibana.requests[0]["path"] == "/s/patroli/api/saved_objects/_import"
    assert kibana.requests[0]["headers"]["Authorization"] == f"ApiKey {kibana.api_key}"


def test_refused_credentials_stop_with_kibanas_message_and_no_secret(
        kibana: KibanaDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"username": kibana.username}})
    monkeypatch.setenv("SIAGA__KIBANA__PASSWORD", "wrong-password-123")
    assert main(["--config", str(config), "kibana", "import", "--url", kibana.url]) == 2
    err = capsys.readouterr().err
    assert "HTTP 401 Unauthorized" in err and "unable to authenticate" in err
    assert "wrong-password-123" not in err
    assert kibana.objects["default"] == {}


def test_an_unknown_space_is_an_error(kibana: KibanaDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"username": kibana.username}})
    monkeypatch.setenv("SIAGA__KIBANA__PASSWORD", kibana.password)
    assert main(["--config", str(config), "kibana", "import", "--url", kibana.url, "--space", "polda"]) == 2
    assert "Saved object [space/polda] not found" in capsys.readouterr().err


def test_objects_kibana_refuses_are_reported_one_by_one(
        kibana: KibanaDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    objects = build(POSTS, ALERTS)
    # Without the alerts data view, everything on it misses a reference; one object is from a newer Kibana.
    kept = [obj for obj in objects if obj["id"] != ALERTS_VIEW_ID]
    newer = next(obj for obj in kept if obj["id"] == "siaga-vis-top-topics")
    kept[kept.index(newer)] = {**newer, "typeMigrationVersion": "10.9.0"}
    ndjson = tmp_path / "partial.ndjson"
    ndjson.write_text(to_ndjson(kept), encoding="utf-8")
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"username": kibana.username}})
    monkeypatch.setenv("SIAGA__KIBANA__PASSWORD", kibana.password)
    code = main(["--config", str(config), "kibana", "import", "--url", kibana.url, "--file", str(ndjson)])
    assert code == 1
    output = capsys.readouterr().out
    on_alerts = [obj["id"] for obj in kept if any(ref["id"] == ALERTS_VIEW_ID for ref in obj["references"])]
    assert len(on_alerts) >= 6
    for oid in on_alerts:
        assert f"{oid} (" in output and f"missing references: index-pattern {ALERTS_VIEW_ID}" in output
    assert "visualization siaga-vis-top-topics (Topik teratas / Top topics): unknown: Document" in output
    assert "more recent version of Kibana [10.9.0]" in output
    refused = len(on_alerts) + 1
    assert f"imported {len(kept) - refused} saved objects into {kibana.url}; {refused} refused" in output
    assert kibana.settings["default"] == {}, "settings are left alone after a partial import"


def test_import_without_a_url_names_the_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "siaga.yaml", {})
    assert main(["--config", str(config), "kibana", "import"]) == 2
    assert "SIAGA__KIBANA__URL" in capsys.readouterr().err


def test_kibana_password_in_the_file_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"username": "u", "password": "p"}})
    with pytest.raises(ConfigError, match="SIAGA__KIBANA__PASSWORD"):
        load_settings(config, environ={})


def test_kibana_down_is_reported_as_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.ops.stack import free_port

    config = write_config(tmp_path / "siaga.yaml", {"kibana": {"url": f"http://127.0.0.1:{free_port()}"}})
    assert main(["--config", str(config), "kibana", "import"]) == 3  # a service is not reachable
    assert "is not reachable" in capsys.readouterr().err


def test_the_risk_monitor_shows_the_most_repeated_debunked_claims_and_their_posts() -> None:
    objects = by_id(build(POSTS, ALERTS))
    on_dashboard = {ref["id"] for ref in objects["siaga-dashboard-risk"]["references"]}
    assert {"siaga-vis-repeated-debunked-claims", SEARCH_FACTCHECK_POSTS} <= on_dashboard
    panel = json.loads(objects["siaga-vis-repeated-debunked-claims"]["attributes"]["visState"])
    assert [agg["params"].get("field") for agg in panel["aggs"][1:3]] == ["factchecks.title.keyword", "factchecks.url"]
    search = objects[SEARCH_FACTCHECK_POSTS]["attributes"]
    assert {"factchecks.title", "factchecks.rating", "factchecks.url"} <= set(search["columns"])
    assert json.loads(search["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"] == \
        "factchecks.factcheck_id : *"


def test_the_verdicts_dashboard_shows_verdicts_per_label_and_the_weekly_share_of_wrong(
        objects: list[dict[str, Any]]) -> None:
    objs = by_id(objects)
    assert objs[VERDICTS_VIEW_ID]["attributes"]["timeFieldName"] == "at"
    by_label = json.loads(objs["siaga-vis-verdicts-by-label"]["attributes"]["visState"])
    assert [agg.get("params", {}).get("field") for agg in by_label["aggs"]] == [None, "tagged_labels", "correct"]
    share = json.loads(objs["siaga-vis-verdicts-wrong-share"]["attributes"]["visState"])
    assert share["aggs"][1]["params"]["interval"] == "w"
    assert share["params"]["valueAxes"][0]["scale"]["mode"] == "percentage"
    panels = {ref["id"] for ref in objs["siaga-dashboard-verdicts"]["references"]}
    assert {"siaga-vis-verdicts-by-label", "siaga-vis-verdicts-wrong-share"} <= panels
