"""Kibana saved objects (data views, visualisations, saved searches, dashboards) generated from the schemas.

Officers work in Kibana; what they see is defined here, in code, next to the models that define
the documents. Every field a visualisation or search uses is checked against the mapping that
``schemas.index`` generates (``check_fields``), so renaming a model field breaks the export, not
a dashboard in a police station. ``siaga kibana export`` writes these objects as NDJSON and
``siaga kibana import`` loads them through Kibana's saved objects API.

The objects follow the shape Kibana 8.15 exports: one JSON object a line with ``type``, ``id``,
``attributes``, ``references``, ``coreMigrationVersion`` and ``typeMigrationVersion``. The
migration versions are the oldest 8.x model versions of each type that carry today's attribute
shape; Kibana migrates older objects up on import but refuses ones newer than it knows, so an
older version is the one that imports into every 8.x from 8.9 on.

Engagement counts can be unknown (``null``: the platform or the owner hid them, see
``schemas.post.Engagement``). Elasticsearch leaves a document without the field out of ``avg``,
``sum``, ``min`` and ``max``, so the panels use only those on engagement fields and say that
the figures are over the known counts; no panel buckets or filters on them, which would count
an unknown as a value. Discover shows an unknown count as an empty cell, not 0.

Visualisations are aggregation-based ("legacy") ones: their aggregations name their fields
explicitly (``visState``), which keeps the field-by-field check simple and exact, and Kibana
8.15 still edits and renders them. The data view ids are fixed (``siaga-posts``,
``siaga-alerts``): alert emails link to Discover with them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from schemas.config import ElectionSettings
from schemas.index import templates

KIBANA_VERSION = "8.15.3"
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS: dict[str, str] = {
    "index-pattern": "8.0.0",
    "visualization": "8.5.0",
    "search": "8.0.0",
    "dashboard": "8.9.0",
    "map": "8.4.0",
}

POSTS_VIEW_ID = "siaga-posts"
ALERTS_VIEW_ID = "siaga-alerts"
POSTS_TIME_FIELD = "created_at"
ALERTS_TIME_FIELD = "fired_at"
VERDICTS_VIEW_ID = "siaga-verdicts"
VERDICTS_TIME_FIELD = "at"
DEFAULT_VERDICTS_INDEX = "siaga-verdicts"

SEARCH_RISKY_POSTS = "siaga-search-risky-posts"
SEARCH_ALERT_POSTS = "siaga-search-alert-posts"
SEARCH_CLUSTERED_POSTS = "siaga-search-clustered-posts"
SEARCH_OPEN_ALERTS = "siaga-search-open-alerts"
SEARCH_WORDS = "siaga-search-words"
SEARCH_FACTCHECK_POSTS = "siaga-search-factcheck-posts"
"""Saved searches with fixed ids: an alert email can open ``/app/discover#/view/<id>`` and
override the query (``_a=(query:(language:kuery,query:'post_id:(...)'))``) while keeping the
columns chosen here."""

WORDS_QUERY = "text_norm : *"
"""The word search opens on every post that has a normalised text; officers replace it with
``text_norm : coblos`` (``siaga normalise WORDS`` prints what to type)."""
RISKY_QUERY = 'risk.level : ("siaga" or "awas")'
ELEVATED_QUERY = 'risk.level : ("waspada" or "siaga" or "awas")'
BLACK_CAMPAIGN_QUERY = 'risk.labels.label : "black_campaign"'
FACTCHECK_QUERY = "factchecks.factcheck_id : *"
"""Posts that repeat a debunked fact-check (``pipelines.factchecks``)."""
ATTACKED_PANEL = "siaga-vis-attacked-candidates"

_AGG_ROLES = {"terms": "terms", "date_histogram": "date_histogram", "cardinality": "cardinality",
              "min": "min", "max": "max", "sum": "sum", "avg": "avg"}

ROLE_TYPES: dict[str, set[str] | None] = {
    # Terms aggregations need doc values: keyword, numbers, booleans, dates, never analysed text.
    "terms": {"keyword", "long", "integer", "boolean", "date"},
    "date_histogram": {"date"},
    "cardinality": {"keyword", "long", "integer", "date", "boolean"},
    "min": {"date", "long", "integer", "float", "double"},
    "max": {"date", "long", "integer", "float", "double"},
    "sum": {"long", "integer", "float", "double"},
    "avg": {"long", "integer", "float", "double"},
    "geo": {"geo_point"},
    "time_field": {"date"},
    "sort": {"date", "keyword", "long", "integer", "float", "double", "boolean"},
    # Discover columns, field formats and KQL may name any indexed field, text included.
    "column": None,
    "format": None,
    "query": None,
}


@dataclass(frozen=True)
class FieldUse:
    """One field one saved object relies on, and what for."""

    object_id: str
    view_id: str
    field: str
    role: str


def mapping_fields(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Every searchable field path of a mapping's ``properties`` with its type, sub-fields included.

    Objects that are not indexed (``enabled: false``) have no searchable fields and are left out.
    """
    fields: dict[str, str] = {}
    for name, spec in properties.items():
        path = prefix + name
        if "properties" in spec:
            fields.update(mapping_fields(spec["properties"], path + "."))
            continue
        if spec.get("enabled") is False:
            continue
        fields[path] = spec.get("type", "object")
        for sub, sub_spec in spec.get("fields", {}).items():
            fields[f"{path}.{sub}"] = sub_spec["type"]
    return fields


def view_fields(posts_index: str, alerts_index: str,
                verdicts_index: str = DEFAULT_VERDICTS_INDEX) -> dict[str, dict[str, str]]:
    """The fields each data view sees, by data view id, from the generated index templates."""
    generated = templates(posts_index, alerts_index, verdicts_index=verdicts_index)
    return {
        POSTS_VIEW_ID: mapping_fields(generated[posts_index]["template"]["mappings"]["properties"]),
        ALERTS_VIEW_ID: mapping_fields(generated[alerts_index]["template"]["mappings"]["properties"]),
        VERDICTS_VIEW_ID: mapping_fields(generated[verdicts_index]["template"]["mappings"]["properties"]),
    }


# --- building blocks ---------------------------------------------------------------------------


def _compact(value: Any) -> str:
    """JSON inside a string attribute, compact as Kibana writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
 

def _saved_object(kind: str, object_id: str, attributes: dict[str, Any],
                  references: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": object_id,
        "managed": False,
        "references": references or [],
        "type": kind,
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[kind],
    }


def _search_source(query: str = "", *, view: bool = True) -> str:
    source: dict[str, Any] = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if view:
        source["indexRefName"] = "kibanaSavedObjectMeta.searchSourceJSON.index"
    return _compact(source)


def _view_reference(view_id: str) -> dict[str, str]:
    return {"id": view_id, "name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern"}


def _count(agg_id: str = "1", label: str = "Jumlah unggahan / Posts") -> dict[str, Any]:
    return {"id": agg_id, "enabled": True, "type": "count", "params": {"customLabel": label}, "schema": "metric"}


def _metric(agg_id: str, kind: str, field: str, label: str) -> dict[str, Any]:
    return {"id": agg_id, "enabled": True, "type": kind, "params": {"field": field, "customLabel": label},
            "schema": "metric"}


def _terms(agg_id: str, field: str, label: str, *, size: int = 10, schema: str = "segment",
           order_by: str = "1") -> dict[str, Any]:
    return {
        "id": agg_id, "enabled": True, "type": "terms", "schema": schema,
        "params": {
            "field": field, "orderBy": order_by, "order": "desc", "size": size,
            "otherBucket": False, "otherBucketLabel": "Lainnya / Other",
            "missingBucket": False, "missingBucketLabel": "Tidak ada / Missing",
            "customLabel": label,
        },
    }


def _filters(agg_id: str, filters: list[tuple[str, str]], label: str) -> dict[str, Any]:
    """Rows of a table, one per KQL query: (query, row label)."""
    return {
        "id": agg_id, "enabled": True, "type": "filters", "schema": "bucket",
        "params": {"filters": [{"input": {"query": query, "language": "kuery"}, "label": row}
                               for query, row in filters], "customLabel": label},
    }


def _date_histogram(agg_id: str, field: str, label: str = "Waktu (WIB) / Time",
                    interval: str = "auto") -> dict[str, Any]:
    return {
        "id": agg_id, "enabled": True, "type": "date_histogram", "schema": "segment",
        "params": {
            "field": field, "useNormalizedEsInterval": True, "scaleMetricValues": False,
            "interval": interval, "drop_partials": False, "min_doc_count": 1, "extended_bounds": {},
            "customLabel": label,
        },
    }


def _palette() -> dict[str, Any]:
    return {"type": "palette", "name": "default"}


def _xy_params(chart: str, metric_label: str) -> dict[str, Any]:
    return {
        "type": chart,
        "grid": {"categoryLines": False},
        "categoryAxes": [{
            "id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True,
            "scale": {"type": "linear"}, "labels": {"show": True, "filter": True, "truncate": 100}, "title": {},
        }],
        "valueAxes": [{
            "id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True,
            "scale": {"type": "linear", "mode": "normal"},
            "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
            "title": {"text": metric_label},
        }],
        "seriesParams": [{
            "show": True, "type": chart, "mode": "stacked" if chart == "histogram" else "normal",
            "data": {"label": metric_label, "id": "1"}, "valueAxis": "ValueAxis-1",
            "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True, "interpolate": "linear",
        }],
        "addTooltip": True, "detailedTooltip": True, "palette": _palette(), "addLegend": True,
        "legendPosition": "right", "times": [], "addTimeMarker": False, "labels": {"show": False},
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
        "radiusRatio": 9,
    }


_PARAMS = {
    "pie": lambda: {
        "type": "pie", "addTooltip": True, "legendDisplay": "show", "legendPosition": "right",
        "isDonut": True, "nestedLegend": False, "distinctColors": False, "truncateLegend": True,
        "maxLegendLines": 1, "palette": _palette(),
        "labels": {"show": True, "last_level": True, "values": True, "valuesFormat": "percent",
                   "percentDecimals": 1, "truncate": 100, "position": "default"},
    },
    "table": lambda: {
        "perPage": 10, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
        "totalFunc": "sum", "percentageCol": "", "autoFitRowToContent": True, "row": True,
    },
    "tagcloud": lambda: {
        "scale": "linear", "orientation": "single", "minFontSize": 14, "maxFontSize": 60,
        "showLabel": True, "palette": _palette(),
    },
    "metric": lambda: {
        "addTooltip": True, "addLegend": False, "type": "metric",
        "metric": {"percentageMode": False, "useRanges": False, "colorSchema": "Green to Red",
                   "metricColorMode": "None", "colorsRange": [{"from": 0, "to": 10000}],
                   "labels": {"show": True}, "invertColors": False,
                   "style": {"bgFill": "#000", "bgColor": False, "labelColor": False, "subText": "",
                             "fontSize": 48}},
    },
}


def _visualization(object_id: str, title: str, vis_type: str, aggs: list[dict[str, Any]], view_id: str,
                   *, query: str = "", description: str = "") -> dict[str, Any]:
    if vis_type in ("histogram", "line", "area"):
        metric_label = aggs[0]["params"].get("customLabel", "Count")
        params = _xy_params(vis_type, metric_label)
    else:
        params = _PARAMS[vis_type]()
    vis_state = {"title": title, "type": vis_type, "aggs": aggs, "params": params}
    attributes = {
        "title": title,
        "description": description,
        "uiStateJSON": "{}",
        "version": 1,
        "visState": _compact(vis_state),
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)},
    }
    return _saved_object("visualization", object_id, attributes, [_view_reference(view_id)])


def _markdown(object_id: str, title: str, text: str) -> dict[str, Any]:
    vis_state = {"title": title, "type": "markdown", "aggs": [],
                 "params": {"fontSize": 12, "openLinksInNewTab": False, "markdown": text}}
    attributes = {
        "title": title, "description": "", "uiStateJSON": "{}", "version": 1,
        "visState": _compact(vis_state),
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(view=False)},
    }
    return _saved_object("visualization", object_id, attributes)


def _search(object_id: str, title: str, view_id: str, columns: list[str], *, query: str,
            sort_field: str, description: str) -> dict[str, Any]:
    attributes = {
        "title": title,
        "description": description,
        "columns": columns,
        "sort": [[sort_field, "desc"]],
        "grid": {},
        "hideChart": False,
        "isTextBasedQuery": False,
        "timeRestore": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)},
    }
    return _saved_object("search", object_id, attributes, [_view_reference(view_id)])


def _points_map(object_id: str, title: str, view_id: str, geo_field: str, *, query: str = "") -> dict[str, Any]:
    # No basemap layer: election rooms often have no internet, and Elastic Maps Service tiles need it.
    layers = [{
        "id": "siaga-points",
        "label": "Unggahan berlokasi / Posts with a location",
        "type": "GEOJSON_VECTOR",
        "visible": True,
        "minZoom": 0,
        "maxZoom": 24,
        "alpha": 0.75,
        "sourceDescriptor": {
            "type": "ES_GEO_GRID",
            "id": "siaga-points-source",
            "geoField": geo_field,
            "requestType": "point",
            "resolution": "COARSE",
            "metrics": [{"type": "count"}],
            "applyGlobalQuery": True,
            "applyGlobalTime": True,
            "indexPatternRefName": "layer_0_source_index_pattern",
        },
        "style": {"type": "VECTOR", "properties": {}},
    }]
    map_state = {"zoom": 4.2, "center": {"lon": 118.0, "lat": -2.5}, "timeFilters": {"from": "now-7d", "to": "now"},
                 "refreshConfig": {"isPaused": True, "interval": 0},
                 "query": {"query": query, "language": "kuery"}, "filters": [], "settings": {}}
    attributes = {
        "title": title,
        "description": "",
        "layerListJSON": _compact(layers),
        "mapStateJSON": _compact(map_state),
        "uiStateJSON": _compact({"isLayerTOCOpen": True, "openTOCDetails": []}),
    }
    return _saved_object("map", object_id, attributes,
                         [{"id": view_id, "name": "layer_0_source_index_pattern", "type": "index-pattern"}])


def _dashboard(object_id: str, title: str, description: str, rows: list[list[tuple[dict[str, Any], int]]],
               *, time_from: str = "now-24h") -> dict[str, Any]:
    """A dashboard laid out row by row on Kibana's 48-column grid; each panel is (object, height)."""
    panels: list[dict[str, Any]] = []
    references: list[dict[str, str]] = []
    y = 0
    for row in rows:
        width = 48 // len(row)
        for column, (target, height) in enumerate(row):
            index = str(len(panels) + 1)
            panels.append({
                "type": target["type"],
                "gridData": {"x": column * width, "y": y, "w": width, "h": height, "i": index},
                "panelIndex": index,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{index}",
            })
            references.append({"id": target["id"], "name": f"{index}:panel_{index}", "type": target["type"]})
        y += max(height for _, height in row)
    attributes = {
        "title": title,
        "description": description,
        "panelsJSON": _compact(panels),
        "optionsJSON": _compact({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True,
        "timeFrom": time_from,
        "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 60_000},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(view=False)},
    }
    return _saved_object("dashboard", object_id, attributes, references)


# --- data views --------------------------------------------------------------------------------

POST_LABELS = {
    "created_at": "Waktu unggah / Posted at",
    "collected_at": "Waktu dikumpulkan / Collected at",
    "platform": "Platform",
    "url": "Tautan / Link",
    "text": "Teks / Text",
    "text_norm": "Teks untuk pencarian / Search text (text_norm)",
    "author.handle": "Akun / Account",
    "author.display_name": "Nama akun / Display name",
    "hashtags": "Tagar / Hashtags",
    "region": "Wilayah / Region",
    "location": "Lokasi / Location",
    "language": "Bahasa / Language",
    "topics.label": "Topik / Topic",
    "risk.level": "Tingkat risiko / Risk level",
    "risk.score": "Skor risiko / Risk score",
    "risk.labels.label": "Label risiko / Risk label",
    "matches.term": "Kata pantauan / Watchlist term",
    "matches.watchlist": "Daftar pantauan / Watchlist",
    "risk.reasons.detail": "Alasan / Why",
    "risk.reasons.kind": "Jenis alasan / Reason kind",
    "risk.reasons.label": "Label yang didukung / Reason for label",
    "risk.reasons.ref": "Rujukan alasan / Reason ref",
    "risk.target": "Sasaran kebencian / Hate target",
    "risk.categories": "Kategori (SARA) / Category",
    "risk.strength": "Kekuatan / Strength",
    "entities.id": "Entitas / Entity",
    "entities.type": "Jenis entitas / Entity type",
    "entities.surface": "Disebut sebagai / Named as",
    "cluster_id": "Klaster / Cluster",
    "tags.model.version": "Versi model risiko / Risk model version",
    "engagement.likes": "Suka / Likes",
    "engagement.comments": "Komentar / Comments",
    "engagement.shares": "Dibagikan / Shares",
    "engagement.views": "Ditonton / Views",
}
ALERT_LABELS = {
    "fired_at": "Waktu peringatan / Fired at",
    "rule_id": "Aturan / Rule",
    "rule_name": "Nama aturan / Rule name",
    "rule_type": "Jenis aturan / Rule type",
    "state": "Status insiden / Incident state",
    "severity": "Tingkat / Severity",
    "group": "Kelompok / Group",
    "count": "Jumlah / Count",
    "threshold": "Ambang / Threshold",
    "delivery": "Pengiriman / Delivery",
    "posts.url": "Tautan unggahan / Post link",
    "posts.reasons.detail": "Alasan unggahan / Why each post",
    "posts.entities.id": "Entitas yang disebut / Entities named",
    "posts.level": "Tingkat unggahan / Post level",
    "cluster_id": "Klaster / Cluster",
}


def _url_format(label: str) -> dict[str, Any]:
    # A link to the original post that opens in a new tab; the label keeps long URLs readable.
    return {"id": "url", "params": {"type": "a", "urlTemplate": None, "labelTemplate": label,
                                    "openLinkInCurrentTab": False}}


def _data_view(object_id: str, title: str, name: str, time_field: str, labels: dict[str, str],
               formats: dict[str, Any], hidden: list[str]) -> dict[str, Any]:
    attributes = {
        "title": title,
        "name": name,
        "timeFieldName": time_field,
        "allowHidden": False,
        "fields": "[]",
        "fieldAttrs": _compact({field: {"customLabel": label} for field, label in labels.items()}),
        "fieldFormatMap": _compact(formats),
        "runtimeFieldMap": "{}",
        "sourceFilters": _compact([{"value": field} for field in hidden]),
        "typeMeta": "{}",
    }
    return _saved_object("index-pattern", object_id, attributes)


# --- the objects -------------------------------------------------------------------------------

_NOTE = (
    "**{id}** — {id_text}\n\n**{en}** — {en_text}\n\n"
    "Cari kata di bilah kueri dengan `text_norm`: `text_norm : coblos` menemukan dicoblos, mencoblos dan "
    "nyoblos; `text_norm : jangan` menemukan jgn (`siaga normalise KATA` menunjukkan yang perlu diketik). / "
    "Search words in the query bar with `text_norm`: `text_norm : coblos` finds dicoblos, mencoblos and nyoblos; "
    "`text_norm : jangan` finds jgn (`siaga normalise WORDS` shows what to type).\n\n"
    "Waktu ditampilkan dalam WIB (Asia/Jakarta). Label topik dan risiko dari model adalah petunjuk untuk "
    "diperiksa, bukan putusan. / Times are shown in WIB. Model topic and risk labels are leads to check, "
    "not verdicts."
)


def _note(object_id: str, title: str, id_text: str, en_text: str) -> dict[str, Any]:
    id_title, en_title = (part.strip() for part in title.split("/", 1))
    text = _NOTE.format(id=id_title, id_text=id_text, en=en_title, en_text=en_text)
    return _markdown(object_id, f"Petunjuk: {id_title} / Guide: {en_title}", text)


def attacked_candidates(view_id: str, election: ElectionSettings | None) -> dict[str, Any]:
    """The panel "Kandidat yang diserang": posts with ``black_campaign`` per candidate they name.

    With candidates configured, one row per candidate (a ``filters`` aggregation on
    ``entities.id``), labelled as officers call the pair ("paslon 02 Asep–Rudi"); re-export after
    changing the election section. Without, a ``terms`` aggregation on ``entities.id`` over posts
    that name a candidate. Why not always ``terms`` with ``include: "candidate:.*"``: entities are
    plain objects, so a post attacking paslon 02 in "KPU Sukamaju" would add a row for the body,
    and the local stand-in (noida-db) ignores ``include``; a filter per candidate is exact on both.
    """
    title = "Kandidat yang diserang / Candidates under attack"
    description = ("Unggahan kampanye hitam (serangan yang menyebut kandidat) per kandidat / Black-campaign posts "
                   "(attacks naming a candidate) per candidate")
    metrics = [_count(label="Unggahan kampanye hitam / Black-campaign posts"),
               _metric("3", "cardinality", "author.handle", "Akun berbeda / Distinct accounts")]
    candidates = election.candidates if election is not None else []
    if candidates:
        rows = [(f'entities.id : "candidate:{c.id}"', c.display()) for c in candidates]
        return _visualization(ATTACKED_PANEL, title, "table", [metrics[0], _filters("2", rows, "Kandidat / Candidate"),
                                                               metrics[1]],
                              view_id, query=BLACK_CAMPAIGN_QUERY, description=description)
    return _visualization(ATTACKED_PANEL, title, "table",
                          [metrics[0], _terms("2", "entities.id", "Kandidat / Candidate", size=20, schema="bucket"),
                           metrics[1]],
                          view_id, query=BLACK_CAMPAIGN_QUERY + ' and entities.type : "candidate"',
                          description=description)


VERDICT_LABELS = {
    "at": "Waktu penilaian / Given at",
    "post_id": "Unggahan / Post",
    "alert_id": "Peringatan / Alert",
    "correct": "Benar? / Correct?",
    "labels": "Sebenarnya / Actually",
    "tagged_labels": "Label model / Model's labels",
    "by": "Petugas / Officer",
    "source": "Lewat / Via",
    "model.version": "Versi model / Model version",
}


def verdict_objects(verdicts_index: str) -> list[dict[str, Any]]:
    """The verdicts data view, its two panels and their dashboard ("Penilaian petugas").

    "Share of wrong per week" is a weekly histogram split by ``correct`` on a percentage axis:
    each week's bar is 100 %, its "false" part the share of verdicts that said the model was wrong.
    """
    view = VERDICTS_VIEW_ID
    data_view = _data_view(view, verdicts_index, f"Penilaian petugas / Officers' verdicts ({verdicts_index})",
                           VERDICTS_TIME_FIELD, VERDICT_LABELS, {}, hidden=["text"])
    by_label = _visualization(
        "siaga-vis-verdicts-by-label", "Penilaian per label / Verdicts per label", "histogram",
        [_count(label="Penilaian / Verdicts"),
         _terms("2", "tagged_labels", "Label model / Model's label", size=10, schema="segment"),
         _terms("3", "correct", "Benar? / Correct?", size=2, schema="group")],
        view, description="Per label the model gave: benar (true) dan salah (false) / right and wrong")
    wrong_share = _visualization(
        "siaga-vis-verdicts-wrong-share", "Bagian penilaian 'salah' per minggu / Share of 'wrong' per week",
        "histogram",
        [_count(label="Bagian penilaian / Share of verdicts"),
         _date_histogram("2", VERDICTS_TIME_FIELD, "Minggu (WIB) / Week", interval="w"),
         _terms("3", "correct", "Benar? / Correct?", size=2, schema="group")],
        view, description="false = salah / wrong")
    state = json.loads(wrong_share["attributes"]["visState"])
    state["params"]["valueAxes"][0]["scale"]["mode"] = "percentage"
    wrong_share["attributes"]["visState"] = _compact(state)
    note = _note("siaga-note-verdicts", "Tentang penilaian / About verdicts",
                 "Penilaian petugas (`siaga verdict`, tautan benar/salah di email) melatih ulang model "
                 "(`siaga model retrain`). Yang terakhir per unggahan yang berlaku.",
                 "Officers' verdicts (`siaga verdict`, the benar/salah links in emails) retrain the models "
                 "(`siaga model retrain`). The latest per post counts.")
    dashboard = _dashboard("siaga-dashboard-verdicts", "Penilaian petugas / Officers' verdicts",
                           "Seberapa sering model keliru, per label dan per minggu / How often the models are wrong",
                           [[(note, 6)], [(by_label, 16), (wrong_share, 16)]], time_from="now-90d")
    return [data_view, note, by_label, wrong_share, dashboard]


def saved_objects(posts_index: str, alerts_index: str, election: ElectionSettings | None = None,
                  verdicts_index: str = DEFAULT_VERDICTS_INDEX) -> list[dict[str, Any]]:
    """Every saved object Siaga ships, in an order Kibana can import (targets before dashboards).

    ``election`` (the configuration's section) names the candidates in "Kandidat yang diserang".
    """
    posts, alerts = POSTS_VIEW_ID, ALERTS_VIEW_ID
    post_view = _data_view(
        posts, posts_index, f"Unggahan / Posts ({posts_index})", POSTS_TIME_FIELD, POST_LABELS,
        {"url": _url_format("Buka unggahan / Open post"), "risk.score": {"id": "percent"},
         "language_score": {"id": "percent"}},
        hidden=["raw"],
    )
    alert_view = _data_view(
        alerts, alerts_index, f"Peringatan / Alerts ({alerts_index})", ALERTS_TIME_FIELD, ALERT_LABELS,
        {"posts.url": _url_format("Buka unggahan / Open post")}, hidden=[],
    )

    # Overview
    volume_platform = _visualization(
        "siaga-vis-volume-by-platform", "Volume unggahan per platform / Post volume by platform", "histogram",
        [_count(), _date_histogram("2", POSTS_TIME_FIELD), _terms("3", "platform", "Platform", size=5, schema="group")],
        posts)
    volume_language = _visualization(
        "siaga-vis-volume-by-language", "Volume unggahan per bahasa / Post volume by language", "line",
        [_count(), _date_histogram("2", POSTS_TIME_FIELD),
         _terms("3", "language", "Bahasa / Language", size=8, schema="group")],
        posts)
    risk_mix = _visualization(
        "siaga-vis-risk-level-mix", "Komposisi tingkat risiko / Risk level mix", "pie",
        [_count(), _terms("2", "risk.level", "Tingkat risiko / Risk level", size=4)], posts)
    top_topics = _visualization(
        "siaga-vis-top-topics", "Topik teratas / Top topics", "table",
        [_count(), _terms("2", "topics.label", "Topik / Topic", size=10, schema="bucket")], posts)
    top_hashtags = _visualization(
        "siaga-vis-top-hashtags", "Tagar teratas / Top hashtags", "tagcloud",
        [_count(), _terms("2", "hashtags", "Tagar / Hashtag", size=40)], posts)
    top_risky_authors = _visualization(
        "siaga-vis-top-risky-authors", "Akun dengan unggahan berisiko terbanyak / Top authors by risky posts", "table",
        [_count(label="Unggahan berisiko / Risky posts"),
         _terms("2", "author.handle", "Akun / Account", size=15, schema="bucket"),
         _terms("3", "platform", "Platform", size=3, schema="bucket")],
        posts, query=ELEVATED_QUERY,
        description="Unggahan dengan tingkat waspada, siaga atau awas / Posts at waspada, siaga or awas")
    regions = _visualization(
        "siaga-vis-regions", "Sebaran wilayah / Region breakdown", "table",
        [_count(), _terms("2", "region", "Wilayah / Region", size=20, schema="bucket"),
         _metric("3", "cardinality", "author.handle", "Akun berbeda / Distinct accounts")],
        posts)
    engagement = _visualization(
        "siaga-vis-engagement-by-platform", "Keterlibatan per platform / Engagement by platform", "table",
        [_count(), _terms("2", "platform", "Platform", size=3, schema="bucket"),
         _metric("3", "avg", "engagement.likes", "Rata-rata suka (yang diketahui) / Mean likes (known)"),
         _metric("4", "avg", "engagement.comments", "Rata-rata komentar (yang diketahui) / Mean comments (known)"),
         _metric("5", "avg", "engagement.shares", "Rata-rata dibagikan (yang diketahui) / Mean shares (known)"),
         _metric("6", "sum", "engagement.views", "Total ditonton (yang diketahui) / Total views (known)")],
        posts,
        description=("Jumlah yang disembunyikan platform tidak dihitung, bukan dianggap 0 / Counts a platform hides "
                     "are left out, not counted as 0"))
    region_map = _points_map("siaga-map-post-locations", "Peta unggahan / Post map", posts, "location")
    overview_note = _note(
        "siaga-note-overview", "Ringkasan / Overview",
        "volume unggahan, bahasa, tingkat risiko, topik, tagar, akun, wilayah dan keterlibatan (suka, komentar dan "
        "tayangan yang disembunyikan platform tidak dihitung).",
        "post volume, languages, risk levels, topics, hashtags, accounts, regions and engagement (likes, comments "
        "and views a platform hides are left out).")

    # Risk monitor
    risky_by_label = _visualization(
        "siaga-vis-risky-by-label", "Unggahan berisiko per label / Risky posts by risk label", "histogram",
        [_count(label="Unggahan berisiko / Risky posts"), _date_histogram("2", POSTS_TIME_FIELD),
         _terms("3", "risk.labels.label", "Label risiko / Risk label", size=6, schema="group")],
        posts, query=ELEVATED_QUERY)
    level_over_time = _visualization(
        "siaga-vis-level-over-time", "Tingkat risiko dari waktu ke waktu / Risk level over time", "area",
        [_count(), _date_histogram("2", POSTS_TIME_FIELD),
         _terms("3", "risk.level", "Tingkat risiko / Risk level", size=4, schema="group")],
        posts, query=ELEVATED_QUERY)
    watchlist_terms = _visualization(
        "siaga-vis-watchlist-terms", "Kata pantauan yang cocok / Matched watchlist terms", "table",
        [_count(), _terms("2", "matches.watchlist", "Daftar pantauan / Watchlist", size=10, schema="bucket"),
         _terms("3", "matches.term", "Kata pantauan / Watchlist term", size=10, schema="bucket")],
        posts)
    risky_search = _search(
        SEARCH_RISKY_POSTS, "Unggahan siaga dan awas terbaru / Latest siaga and awas posts", posts,
        ["risk.level", "text", "author.handle", "platform", "url", "risk.labels.label", "risk.reasons.detail",
         "entities.surface", "matches.term", "region", "engagement.views", "engagement.likes", "engagement.shares",
         "tags.model.version"],
        query=RISKY_QUERY, sort_field=POSTS_TIME_FIELD,
        description="Unggahan tingkat siaga atau awas, terbaru di atas / Posts at siaga or awas, newest first")
    attacked = attacked_candidates(posts, election)
    words_search = _search(
        SEARCH_WORDS, "Cari kata di unggahan / Word search in posts", posts,
        ["text", "text_norm", "author.handle", "platform", "url", "risk.level", "matches.term"],
        query=WORDS_QUERY, sort_field=POSTS_TIME_FIELD,
        description=("Ganti kueri dengan text_norm : kata (bentuk baku atau kata dasar: coblos, jangan) / Replace "
                     "the query with text_norm : word (standard form or stem: coblos, jangan)"))
    repeated_claims = _visualization(
        "siaga-vis-repeated-debunked-claims",
        "Klaim terbantah yang paling sering diulang / Most-repeated debunked claims", "table",
        [_count(), _terms("2", "factchecks.title.keyword", "Bantahan / Debunk", size=15, schema="bucket"),
         _terms("3", "factchecks.url", "Tautan bantahan / Debunk link", size=1, schema="bucket"),
         _metric("4", "cardinality", "author.handle", "Akun berbeda / Distinct accounts"),
         _metric("5", "cardinality", "platform", "Platform berbeda / Distinct platforms"),
         _metric("6", "max", POSTS_TIME_FIELD, "Terakhir / Last")],
        posts, query=FACTCHECK_QUERY)
    factcheck_search = _search(
        SEARCH_FACTCHECK_POSTS, "Unggahan yang mengulang hoaks terbantah / Posts repeating debunked claims", posts,
        ["text", "factchecks.title", "factchecks.rating", "factchecks.url", "factchecks.score", "author.handle",
         "platform", "url", "risk.level", "engagement.shares"],
        query=FACTCHECK_QUERY, sort_field=POSTS_TIME_FIELD,
        description=("Unggahan yang mengulang klaim yang sudah dibantah pemeriksa fakta, dengan bantahannya / Posts "
                     "repeating a claim a fact-checker debunked, with the debunk"))
    risk_note = _note(
        "siaga-note-risk", "Pantauan risiko / Risk monitor",
        "unggahan berisiko menurut label dan tingkat; kandidat yang diserang (kampanye hitam per kandidat); tabel "
        "unggahan siaga/awas dengan alasannya dan tautan ke aslinya.",
        "risky posts by label and level; candidates under attack (black campaign per candidate); a table of "
        "siaga/awas posts with why they were raised and links to the originals.")

    # Coordinated activity
    clusters = _visualization(
        "siaga-vis-clusters", "Klaster unggahan mirip / Near-duplicate clusters", "table",
        [_count(label="Ukuran klaster / Cluster size"),
         _terms("2", "cluster_id", "Klaster / Cluster", size=25, schema="bucket"),
         _metric("3", "cardinality", "author.handle", "Akun berbeda / Distinct accounts"),
         _metric("4", "cardinality", "platform", "Platform berbeda / Distinct platforms"),
         _metric("5", "min", POSTS_TIME_FIELD, "Pertama / First"),
         _metric("6", "max", POSTS_TIME_FIELD, "Terakhir / Last")],
        posts, query="cluster_id : *")
    cluster_timeline = _visualization(
        "siaga-vis-cluster-timeline", "Linimasa klaster / Cluster timelines", "histogram",
        [_count(), _date_histogram("2", POSTS_TIME_FIELD),
         _terms("3", "cluster_id", "Klaster / Cluster", size=10, schema="group")],
        posts, query="cluster_id : *")
    cluster_accounts = _visualization(
        "siaga-vis-cluster-accounts", "Akun dalam klaster / Accounts in clusters", "table",
        [_count(), _terms("2", "author.handle", "Akun / Account", size=20, schema="bucket"),
         _metric("3", "cardinality", "cluster_id", "Jumlah klaster / Clusters")],
        posts, query="cluster_id : *")
    clustered_search = _search(
        SEARCH_CLUSTERED_POSTS, "Unggahan dalam klaster / Clustered posts", posts,
        ["cluster_id", "author.handle", "platform", "text", "url", "risk.level"],
        query="cluster_id : *", sort_field=POSTS_TIME_FIELD,
        description="Unggahan yang hampir sama dari beberapa akun / Near-identical posts from several accounts")
    coordinated_note = _note(
        "siaga-note-coordinated", "Aktivitas terkoordinasi / Coordinated activity",
        "klaster unggahan hampir sama: ukuran, jumlah akun berbeda, dan linimasanya.",
        "near-duplicate clusters: size, distinct accounts, and their timelines.")

    # Alerts
    alerts_by_rule_state = _visualization(
        "siaga-vis-alerts-by-rule-state", "Peringatan per aturan dan status / Alerts by rule and state", "table",
        [_count(label="Peringatan / Alerts"), _terms("2", "rule_id", "Aturan / Rule", size=20, schema="bucket"),
         _terms("3", "state", "Status / State", size=3, schema="bucket"),
         _metric("4", "max", ALERTS_TIME_FIELD, "Terakhir / Last fired")],
        alerts)
    alerts_over_time = _visualization(
        "siaga-vis-alerts-over-time", "Peringatan dari waktu ke waktu / Alerts over time", "histogram",
        [_count(label="Peringatan / Alerts"), _date_histogram("2", ALERTS_TIME_FIELD),
         _terms("3", "severity", "Tingkat / Severity", size=3, schema="group")],
        alerts)
    alerts_by_type = _visualization(
        "siaga-vis-alerts-by-type", "Peringatan per jenis aturan / Alerts by rule type", "pie",
        [_count(label="Peringatan / Alerts"), _terms("2", "rule_type", "Jenis aturan / Rule type", size=5)],
        alerts)
    delivery = _visualization(
        "siaga-vis-alert-delivery", "Pengiriman peringatan / Alert delivery", "pie",
        [_count(label="Peringatan / Alerts"), _terms("2", "delivery", "Pengiriman / Delivery", size=3)],
        alerts)
    open_count = _visualization(
        "siaga-vis-open-incidents", "Insiden terbuka / Open incidents", "metric",
        [_count(label="Insiden terbuka / Open incidents")], alerts, query='state : "open"')
    open_search = _search(
        SEARCH_OPEN_ALERTS, "Insiden terbuka / Open incidents", alerts,
        ["severity", "rule_name", "rule_type", "group", "count", "threshold", "delivery", "cluster_id"],
        query='state : "open"', sort_field=ALERTS_TIME_FIELD,
        description="Peringatan yang belum selesai / Alerts not yet resolved or silenced")
    alert_posts_search = _search(
        SEARCH_ALERT_POSTS, "Unggahan di balik peringatan / Posts behind an alert", posts,
        ["text", "author.handle", "platform", "url", "risk.level", "risk.labels.label", "risk.reasons.detail",
         "matches.term", "cluster_id", "engagement.views", "engagement.likes", "engagement.shares"],
        query="", sort_field=POSTS_TIME_FIELD,
        description="Dibuka dari email peringatan dengan kueri post_id / Opened from alert emails with a post_id query")
    alerts_note = _note(
        "siaga-note-alerts", "Peringatan / Alerts",
        "peringatan per aturan, status dan tingkat; insiden yang masih terbuka.",
        "alerts by rule, state and severity; incidents still open.")

    dashboards = [
        _dashboard("siaga-dashboard-overview", "Ringkasan / Overview",
                   "Gambaran umum unggahan yang dipantau / What is being watched, at a glance", [
                       [(overview_note, 6), (open_count, 6)],
                       [(volume_platform, 14), (volume_language, 14)],
                       [(risk_mix, 14), (top_topics, 14), (top_hashtags, 14)],
                       [(top_risky_authors, 16), (regions, 16)],
                       [(engagement, 14)],
                       [(region_map, 18)],
                   ]),
        _dashboard("siaga-dashboard-risk", "Pantauan risiko / Risk monitor",
                   "Unggahan berisiko dan alasannya / Risky posts and why they were flagged", [
                       [(risk_note, 6)],
                       [(risky_by_label, 14), (level_over_time, 14)],
                       [(attacked, 14)],
                       [(risky_search, 22)],
                       [(watchlist_terms, 14)],
                       [(repeated_claims, 16)],
                       [(factcheck_search, 18)],
                       [(words_search, 18)],
                   ]),
        _dashboard("siaga-dashboard-coordinated", "Aktivitas terkoordinasi / Coordinated activity",
                   "Unggahan hampir sama dari banyak akun / Near-identical posts from many accounts", [
                       [(coordinated_note, 6)],
                       [(clusters, 16)],
                       [(cluster_timeline, 14), (cluster_accounts, 14)],
                       [(clustered_search, 18)],
                   ], time_from="now-7d"),
        _dashboard("siaga-dashboard-alerts", "Peringatan / Alerts",
                   "Peringatan yang dikirim ke petugas piket / Alerts sent to the on-call officer", [
                       [(alerts_note, 6), (open_count, 6)],
                       [(alerts_by_rule_state, 16), (alerts_over_time, 16)],
                       [(alerts_by_type, 12), (delivery, 12)],
                       [(open_search, 18)],
                   ], time_from="now-7d"),
    ]
    targets = [
        overview_note, volume_platform, volume_language, risk_mix, top_topics, top_hashtags, top_risky_authors,
        regions, engagement, region_map, risk_note, risky_by_label, level_over_time, attacked, watchlist_terms,
        risky_search, words_search, repeated_claims, factcheck_search,
        coordinated_note, clusters, cluster_timeline, cluster_accounts, clustered_search, alerts_note,
        alerts_by_rule_state, alerts_over_time, alerts_by_type, delivery, open_count, open_search,
        alert_posts_search,
    ]
    return [post_view, alert_view, *targets, *dashboards, *verdict_objects(verdicts_index)]


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    """Objects as NDJSON, one compact object a line, keys sorted as Kibana exports them."""
    return "".join(json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                   for obj in objects)


# --- which fields the objects use, and whether the mapping has them ----------------------------

_KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")
_KQL_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def _kql_fields(query: str) -> list[str]:
    """The fields a KQL query names; a quoted value (``"candidate:paslon-02"``) names none."""
    return _KQL_FIELD.findall(_KQL_QUOTED.sub('""', query))


def _view_of(obj: dict[str, Any]) -> str | None:
    for ref in obj["references"]:
        if ref["type"] == "index-pattern":
            return ref["id"]
    return None


def _query_fields(search_source_json: str) -> list[str]:
    query = json.loads(search_source_json).get("query", {}).get("query", "")
    return _kql_fields(query) if isinstance(query, str) else []


def fields_used(objects: list[dict[str, Any]]) -> list[FieldUse]:
    """Every (object, data view, field, role) the saved objects rely on."""
    uses: list[FieldUse] = []
    for obj in objects:
        attrs, kind, oid = obj["attributes"], obj["type"], obj["id"]
        if kind == "index-pattern":
            uses.append(FieldUse(oid, oid, attrs["timeFieldName"], "time_field"))
            uses.extend(FieldUse(oid, oid, f, "format") for f in json.loads(attrs["fieldFormatMap"]))
            uses.extend(FieldUse(oid, oid, f, "column") for f in json.loads(attrs["fieldAttrs"]))
            continue
        view = _view_of(obj)
        if view is None:
            continue
        if kind == "visualization":
            for agg in json.loads(attrs["visState"])["aggs"]:
                field = agg.get("params", {}).get("field")
                if field is not None:
                    uses.append(FieldUse(oid, view, field, _AGG_ROLES[agg["type"]]))
                for item in agg.get("params", {}).get("filters", []):
                    uses.extend(FieldUse(oid, view, f, "query") for f in _kql_fields(item["input"]["query"]))
        elif kind == "search":
            uses.extend(FieldUse(oid, view, column, "column") for column in attrs["columns"])
            uses.extend(FieldUse(oid, view, field, "sort") for field, _ in attrs["sort"])
        elif kind == "map":
            for layer in json.loads(attrs["layerListJSON"]):
                uses.append(FieldUse(oid, view, layer["sourceDescriptor"]["geoField"], "geo"))
        if "kibanaSavedObjectMeta" in attrs:
            source = attrs["kibanaSavedObjectMeta"]["searchSourceJSON"]
            uses.extend(FieldUse(oid, view, field, "query") for field in _query_fields(source))
    return uses


def check_fields(objects: list[dict[str, Any]], fields_by_view: dict[str, dict[str, str]]) -> list[str]:
    """Problems with the fields the objects use: missing from the mapping or of an unfit type."""
    problems = []
    for use in fields_used(objects):
        known = fields_by_view.get(use.view_id)
        if known is None:
            problems.append(f"{use.object_id}: unknown data view {use.view_id!r}")
            continue
        if use.field not in known:
            problems.append(f"{use.object_id}: {use.role} field {use.field!r} is not in the {use.view_id} mapping")
            continue
        allowed = ROLE_TYPES[use.role]
        if allowed is not None and known[use.field] not in allowed:
            problems.append(f"{use.object_id}: {use.role} on {use.field!r} needs {'/'.join(sorted(allowed))}, "
                            f"the mapping has {known[use.field]}")
    return problems


def build(posts_index: str, alerts_index: str, election: ElectionSettings | None = None,
          verdicts_index: str = DEFAULT_VERDICTS_INDEX) -> list[dict[str, Any]]:
    """The saved objects, checked field by field against the generated mapping; raises on a mismatch."""
    objects = saved_objects(posts_index, alerts_index, election, verdicts_index)
    problems = check_fields(objects, view_fields(posts_index, alerts_index, verdicts_index))
    if problems:
        msg = "Kibana objects do not fit the index mapping:\n  " + "\n  ".join(problems)
        raise ValueError(msg)
    return objects
