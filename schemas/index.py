"""Elasticsearch index templates generated from the pydantic models, and the index layout.

The mapping of every index follows from the model that defines its documents: strings are
``keyword`` unless a field declares itself full text (``es_text``), datetimes are ``date``,
nested models are objects. ``dynamic: strict`` makes Elasticsearch refuse a document carrying a
field the model does not know, so the index and the model cannot drift apart silently.

Layout: posts live in monthly indices ``<posts_index>-YYYY.MM`` (by the post's ``created_at``,
UTC) behind the alias ``<posts_index>``, which is what every reader searches and what the Kibana
data view is titled; the template adds each new monthly index to the alias. Retention drops
whole months. Alerts stay one index, ``<alerts_index>``, updated in place by id.

Language analysis: a field declared ``es_text(indonesian=True)`` (the post's ``text``) gets a
``text.id`` sub-field analysed by Elasticsearch's built-in ``indonesian`` analyzer when
``indonesian_analyzer`` is on (``elasticsearch.indonesian_analyzer``). Off by default: a server
that does not know an analyzer refuses the whole mapping (noida-db 0.2.3 answers 400
``analyzer [x] has not been configured`` for an unknown one; it accepts ``indonesian`` but only
drops stop words, without stemming). What Siaga computes itself (``text_norm``) needs no analyzer
and searches the same everywhere.

Versioning: ``TEMPLATE_VERSION`` is stored in the template and in each index's ``_meta``.
Adding a field to a model needs no reindex: set-up puts the new template (for future indices)
and the same properties on the existing indices, which Elasticsearch accepts for new fields.
"""

from __future__ import annotations

import types
from datetime import UTC, datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import AnyUrl, AwareDatetime, BaseModel

from schemas.alert import Alert
from schemas.erasure import Erasure
from schemas.factcheck import FactCheck
from schemas.post import TaggedPost
from schemas.verdict import Verdict

INDONESIAN_ANALYZER = "indonesian"

TEMPLATE_VERSION = 5
MONTH_FORMAT = "%Y.%m"

_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "keyword", "ignore_above": 1024},
    bool: {"type": "boolean"},
    int: {"type": "long"},
    float: {"type": "float"},
    datetime: {"type": "date"},
}


def _mapping_for(annotation: Any, indonesian: bool) -> dict[str, Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) != 1:
            msg = f"cannot map a union of several types: {annotation!r}"
            raise TypeError(msg)
        return _mapping_for(options[0], indonesian)
    if origin is Literal:
        return {"type": "keyword"}
    if origin is list:
        (item,) = get_args(annotation)
        return _mapping_for(item, indonesian)
    if annotation is AwareDatetime:
        return {"type": "date"}
    if origin is dict or annotation is dict:
        return {"type": "object", "enabled": False}
    if origin is not None and hasattr(annotation, "__metadata__"):
        return _mapping_for(get_args(annotation)[0], indonesian)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return {"properties": properties_of(annotation, indonesian_analyzer=indonesian)}
        if issubclass(annotation, AnyUrl):
            return {"type": "keyword", "ignore_above": 2048}
        for scalar, mapping in _SCALARS.items():
            if issubclass(annotation, scalar):
                return dict(mapping)
    msg = f"no Elasticsearch mapping for {annotation!r}"
    raise TypeError(msg)


def properties_of(model: type[BaseModel], *, indonesian_analyzer: bool = False) -> dict[str, Any]:
    """The ``properties`` block of a mapping for every field of ``model`` (``text.id`` sub-fields if asked)."""
    properties: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        hint = extra.get("es")
        if isinstance(hint, dict):
            mapping: dict[str, Any] = dict(hint)
            subfield = extra.get("es_indonesian")
            if indonesian_analyzer and isinstance(subfield, str):
                mapping["fields"] = {**dict(mapping.get("fields") or {}),
                                     subfield: {"type": "text", "analyzer": INDONESIAN_ANALYZER}}
            properties[name] = mapping
        else:
            properties[name] = _mapping_for(field.annotation, indonesian_analyzer)
    return properties


def mappings_of(model: type[BaseModel], *, indonesian_analyzer: bool = False) -> dict[str, Any]:
    """The ``mappings`` block for ``model``'s documents, stamped with the template version."""
    return {
        "dynamic": "strict",
        "_meta": {"model": model.__name__, "template_version": TEMPLATE_VERSION},
        "properties": properties_of(model, indonesian_analyzer=indonesian_analyzer),
    }


def index_template(model: type[BaseModel], pattern: str, *, shards: int = 1, replicas: int = 0,
                   alias: str | None = None, priority: int = 200, ilm_policy: str | None = None,
                   indonesian_analyzer: bool = False) -> dict[str, Any]:
    """A composable index template body for indices matching ``pattern`` (joined to ``alias``)."""
    settings: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
    if ilm_policy:
        settings["index.lifecycle.name"] = ilm_policy
    template: dict[str, Any] = {
        "settings": settings,
        "mappings": mappings_of(model, indonesian_analyzer=indonesian_analyzer),
    }
    if alias:
        template["aliases"] = {alias: {}}
    return {
        "index_patterns": [pattern],
        "version": TEMPLATE_VERSION,
        "priority": priority,
        "template": template,
        "_meta": {"generated_by": "schemas.index", "model": model.__name__},
    }


def monthly_index(alias: str, created_at: datetime) -> str:
    """The monthly index a post created at ``created_at`` lives in: ``<alias>-YYYY.MM`` (UTC)."""
    return f"{alias}-{created_at.astimezone(UTC).strftime(MONTH_FORMAT)}"


def posts_pattern(alias: str) -> str:
    """The index pattern of every monthly post index: the target for ``update_by_query``.

    Searches go to the alias. An update or delete by query should name this pattern: noida-db
    (the local stand-in) applies ``update_by_query`` on an alias to its first index only.
    """
    return f"{alias}-*"


def month_of(alias: str, index: str) -> datetime | None:
    """The first instant (UTC) of the month a monthly index holds; ``None`` if not one of ``alias``'s."""
    suffix = index.removeprefix(f"{alias}-")
    if suffix == index:
        return None
    try:
        return datetime.strptime(suffix, MONTH_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def templates(posts_index: str, alerts_index: str, *, shards: int = 1, replicas: int = 0,
              ilm_policy: str | None = None, erasures_index: str | None = None,
              factchecks_index: str | None = None, verdicts_index: str | None = None,
              indonesian_analyzer: bool = False) -> dict[str, dict[str, Any]]:
    """Every index template Siaga needs, by template name.

    The alerts template outranks the posts one, so an alerts index name that the posts pattern
    happens to match (``siaga`` and ``siaga-alerts``) still gets the alert mapping; the
    erasures index (the suppression list, ``schemas.erasure``), the fact-checks index
    (``schemas.factcheck``) and the verdicts index (``schemas.verdict``) outrank both. An ILM policy,
    when configured, is attached to the post indices here: set-up rewrites the template, so a
    policy added to it by hand would be lost at the next start.
    """
    bodies = {
        posts_index: index_template(TaggedPost, posts_pattern(posts_index), shards=shards, replicas=replicas,
                                    alias=posts_index, ilm_policy=ilm_policy, indonesian_analyzer=indonesian_analyzer),
        alerts_index: index_template(Alert, alerts_index, shards=shards, replicas=replicas, priority=210,
                                     indonesian_analyzer=indonesian_analyzer),
    }
    if erasures_index is not None:
        bodies[erasures_index] = index_template(Erasure, erasures_index, shards=1, replicas=replicas, priority=220)
    if factchecks_index is not None:
        bodies[factchecks_index] = index_template(FactCheck, factchecks_index, shards=1, replicas=replicas,
                                                  priority=230)
    if verdicts_index is not None:
        bodies[verdicts_index] = index_template(Verdict, verdicts_index, shards=1, replicas=replicas, priority=240)
    return bodies
