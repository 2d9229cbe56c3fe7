"""Index lifecycle: set-up of the templates, the posts alias and its monthly indices, and retention.

Posts live in ``<posts_index>-YYYY.MM`` behind the alias ``<posts_index>``; alerts in the one
index ``<alerts_index>`` (see ``schemas.index``). Retention is ours, not Elasticsearch ILM's:
the personal-data retention must hold on every deployment, including ones without ILM (and the
local stand-in has none). It lists the monthly indices by name and deletes those whose whole
month is older than ``retention.posts`` (wildcard deletes are refused by some servers and are
a foot-gun anyway), and deletes alerts whose ``fired_at`` is older than ``retention.alerts``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors

from schemas.errors import SiagaError
from schemas.clock import Clock, process_clock
from schemas.index import mappings_of, month_of, monthly_index, templates
from schemas.alert import Alert
from schemas.post import TaggedPost
from schemas.config import Settings

log = logging.getLogger(__name__)


class IndexLayoutError(SiagaError):
    """The cluster holds an index where Siaga needs an alias (data from before monthly indices)."""


def _create(es: Elasticsearch, index: str) -> None:
    try:
        es.indices.create(index=index)
    except es_errors.BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def post_indices(es: Elasticsearch, alias: str) -> list[str]:
    """The monthly post indices behind ``alias``, oldest first."""
    try:
        found = es.indices.get_alias(name=alias)
    except es_errors.NotFoundError:
        return []
    return sorted(name for name in found if month_of(alias, name) is not None)


def ensure_indices(es: Elasticsearch, settings: Settings, clock: Clock | None = None) -> list[str]:
    """Install the templates, the alerts index and this month's post index; return the template names.

    Existing post indices get the current properties too, so a field added to ``TaggedPost``
    is writable at once, with no reindex (Elasticsearch accepts new fields on a live mapping).
    """
    now = (clock or process_clock()).now()
    config = settings.elasticsearch
    alias, alerts = config.posts_index, config.alerts_index
    bodies = templates(alias, alerts, shards=config.shards, replicas=config.replicas, ilm_policy=config.ilm_policy,
                       indonesian_analyzer=config.indonesian_analyzer)
    if es.indices.exists(index=alias) and not es.indices.exists_alias(name=alias):
        msg = (f"Elasticsearch has an index named {alias!r} where Siaga now keeps an alias over monthly indices "
               f"{alias}-YYYY.MM; move its documents (reindex into {monthly_index(alias, now)}) and "
               f"delete it, or, for local demo data, run `make demo-reset`")
        raise IndexLayoutError(msg)
    for name, body in bodies.items():
        es.indices.put_index_template(name=name, **body)
    _create(es, alerts)
    _create(es, monthly_index(alias, now))
    for indices, model in ((post_indices(es, alias), TaggedPost), ([alerts], Alert)):
        mappings = mappings_of(model, indonesian_analyzer=config.indonesian_analyzer)
        for index in indices:
            try:
                es.indices.put_mapping(index=index, properties=mappings["properties"], meta=mappings["_meta"])
            except es_errors.BadRequestError as exc:
                # An incompatible field (not an added one) in an old index: its documents that hit
                # the conflict are refused and dead-lettered with the reason; the rest go on.
                log.error("index %s keeps its old mapping, it conflicts with template version %s: %s",
                          index, mappings["_meta"]["template_version"], exc.message)
    return list(bodies)


@dataclass
class RetentionReport:
    """What one retention pass deleted (or, dry, would delete)."""

    dry_run: bool
    posts_cutoff: datetime
    alerts_cutoff: datetime
    deleted_indices: list[str] = field(default_factory=list)
    kept_indices: list[str] = field(default_factory=list)
    deleted_alerts: int = 0

    def render(self) -> str:
        """The report as printed by ``siaga retention``."""
        verb = "would delete" if self.dry_run else "deleted"
        lines = [
            f"posts older than {self.posts_cutoff.isoformat()}: {verb} {len(self.deleted_indices)} index(es)"
            + (f": {', '.join(self.deleted_indices)}" if self.deleted_indices else ""),
            f"  kept: {', '.join(self.kept_indices) or '-'}",
            f"alerts fired before {self.alerts_cutoff.isoformat()}: {verb} {self.deleted_alerts}",
        ]
        return "\n".join(lines)


def _month_end(start: datetime) -> datetime:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def apply_retention(es: Elasticsearch, settings: Settings, *, dry_run: bool = False,
                    clock: Clock | None = None) -> RetentionReport:
    """Delete post months and alerts older than the configured retention; log each deletion."""
    now = (clock or process_clock()).now()
    retention = settings.retention
    alias, alerts = settings.elasticsearch.posts_index, settings.elasticsearch.alerts_index
    report = RetentionReport(dry_run, now - retention.posts, now - retention.alerts)
    for index in post_indices(es, alias):
        start = month_of(alias, index)
        assert start is not None
        # A month goes only when its newest possible post is past the cutoff.
        if _month_end(start) <= report.posts_cutoff:
            report.deleted_indices.append(index)
            if not dry_run:
                es.indices.delete(index=index)
                log.warning("retention: deleted index %s (posts created before %s)", index, _month_end(start).date())
        else:
            report.kept_indices.append(index)
    old_alerts: dict[str, Any] = {"range": {"fired_at": {"lt": report.alerts_cutoff.isoformat()}}}
    if es.indices.exists(index=alerts):
        if dry_run:
            report.deleted_alerts = int(es.count(index=alerts, query=old_alerts)["count"])
        else:
            result = es.delete_by_query(index=alerts, query=old_alerts, refresh=True, conflicts="proceed")
            report.deleted_alerts = int(result.get("deleted", 0))
            if result.get("version_conflicts") or result.get("failures"):
                # An alert being updated right then is skipped; the next pass deletes it.
                log.warning("retention: %s alert(s) in %s not deleted this pass (version conflicts), failures: %s",
                            result.get("version_conflicts", 0), alerts, result.get("failures") or "none")
            if report.deleted_alerts:
                log.warning("retention: deleted %d alert(s) fired before %s from %s",
                            report.deleted_alerts, report.alerts_cutoff.isoformat(), alerts)
    return report
