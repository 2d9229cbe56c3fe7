"""Field helpers shared by the models: Elasticsearch hints and aware UTC datetimes.

A model states how a field is indexed right where the field is declared (``es_text``,
``es_disabled``); ``schemas.index`` reads those hints to generate the index templates, so a
mapping is never written by hand a second time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

MAX_TEXT_CHARS = 10_000
"""Longest post text accepted; TikTok captions stop at 4,000 and Facebook posts at ~63k, but
anything past 10k characters in this stream has so far been spam or a paste of a document.
(Defined here, below ``schemas.post`` and ``schemas.factcheck``, because both need it.)"""


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, normalised to UTC; naive datetimes are rejected."""


def es_hint(**mapping: Any) -> dict[str, Any]:
    """JSON-schema extra carrying an explicit Elasticsearch mapping for one field."""
    return {"es": mapping}


INDONESIAN_SUBFIELD = "id"
"""The sub-field analysed with Elasticsearch's built-in ``indonesian`` analyzer (``text.id``), where enabled."""


def es_text(*, indonesian: bool = False, **kwargs: Any) -> Any:
    """A full-text field that also keeps a ``keyword`` sub-field for exact terms and aggregations.

    ``indonesian``: also a ``text.id`` sub-field analysed by Elasticsearch's ``indonesian`` analyzer
    (stop words and Lucene's Indonesian stemmer), mapped only when the cluster is said to have it
    (``elasticsearch.indonesian_analyzer``, see ``schemas.index``).
    """
    hint = es_hint(type="text", fields={"keyword": {"type": "keyword", "ignore_above": 256}})
    if indonesian:
        hint["es_indonesian"] = INDONESIAN_SUBFIELD
    return Field(json_schema_extra=hint, **kwargs)


def es_search_text(**kwargs: Any) -> Any:
    """A full-text field searched by its words only: no ``keyword`` sub-field (nothing aggregates on it)."""
    return Field(json_schema_extra=es_hint(type="text"), **kwargs)


def es_disabled(**kwargs: Any) -> Any:
    """A field stored in ``_source`` but not indexed (raw platform payloads)."""
    return Field(json_schema_extra=es_hint(type="object", enabled=False), **kwargs)

