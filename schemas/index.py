"""Elasticsearch index templates generated from the pydantic models.

The mapping of every index follows from the model that defines its documents: strings are
``keyword`` unless a field declares itself full text (``es_text``), datetimes are ``date``,
nested models are objects. ``dynamic: strict`` makes Elasticsearch refuse a document carrying a
field the model does not know, so the index and the model cannot drift apart silently.
"""

from __future__ import annotations

import types
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import AnyUrl, AwareDatetime, BaseModel

from schemas.alert import Alert
from schemas.post import TaggedPost

TEMPLATE_VERSION = 2

_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "keyword", "ignore_above": 1024},
    bool: {"type": "boolean"},
    int: {"type": "long"},
    float: {"type": "float"},
    datetime: {"type": "date"},
}


def _mapping_for(annotation: Any) -> dict[str, Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) != 1:
            msg = f"cannot map a union of several types: {annotation!r}"
            raise TypeError(msg)
        return _mapping_for(options[0])
    if origin is Literal:
        return {"type": "keyword"}
    if origin is list:
        (item,) = get_args(annotation)
        return _mapping_for(item)
    if annotation is AwareDatetime:
        return {"type": "date"}
    if origin is dict or annotation is dict:
        return {"type": "object", "enabled": False}
    if origin is not None and hasattr(annotation, "__metadata__"):
        return _mapping_for(get_args(annotation)[0])
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return {"properties": properties_of(annotation)}
        if issubclass(annotation, AnyUrl):
            return {"type": "keyword", "ignore_above": 2048}
        for scalar, mapping in _SCALARS.items():
            if issubclass(annotation, scalar):
                return dict(mapping)
    msg = f"no Elasticsearch mapping for {annotation!r}"
    raise TypeError(msg)


def properties_of(model: type[BaseModel]) -> dict[str, Any]:
    """The ``properties`` block of a mapping for every field of ``model``."""
    properties: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        hint = extra.get("es")
        properties[name] = dict(hint) if isinstance(hint, dict) else _mapping_for(field.annotation)
    return properties


def index_template(model: type[BaseModel], pattern: str, *, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """A composable index template body for indices matching ``pattern``."""
    return {
        "index_patterns": [pattern],
        "version": TEMPLATE_VERSION,
        "priority": 200,
        "template": {
            "settings": {"number_of_shards": shards, "number_of_replicas": replicas},
            "mappings": {
                "dynamic": "strict",
                "_meta": {"model": model.__name__, "template_version": TEMPLATE_VERSION},
                "properties": properties_of(model),
            },
        },
        "_meta": {"generated_by": "schemas.index", "model": model.__name__},
    }


def templates(posts_index: str, alerts_index: str) -> dict[str, dict[str, Any]]:
    """Every index template Siaga needs, by template name."""
    return {
        posts_index: index_template(TaggedPost, f"{posts_index}*"),
        alerts_index: index_template(Alert, f"{alerts_index}*"),
    }
