"""Index lifecycle: set-up of the templates, the posts alias and its monthly indices, and retention.

The retention pass also prunes the files on this machine that keep post ids and alert details:
the connectors' state and the outbox (``prune_local_files``).

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

from connectors.state import Pruned, prune_state_dir
from pipelines.common.verdicts import delete_verdicts
from pipelines.delivery.outbox import FilesRemoved, prune_files
from schemas.alert import Alert
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.erasure import Erasure
from schemas.errors import SiagaError
from schemas.factcheck import FactCheck
from schemas.index import TEMPLATE_VERSION, mappings_of, month_of, monthly_index, templates
from schemas.post import TaggedPost
from schemas.verdict import Verdict

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
                       erasures_index=config.erasures_index, factchecks_index=config.factchecks_index,
                       verdicts_index=config.verdicts_index,
                       indonesian_analyzer=config.indonesian_analyzer)
    if es.indices.exists(index=alias) and not es.indices.exists_alias(name=alias):
        msg = (f"Elasticsearch has an index named {alias!r} where Siaga now keeps an alias over monthly indices "
               f"{alias}-YYYY.MM; move its documents (reindex into {monthly_index(alias, now)}) and "
               f"delete it, or, for local demo data, run `make demo-reset`")
        raise IndexLayoutError(msg)
    for name, body in bodies.items():
        es.indices.put_index_template(name=name, **body)
    _create(es, alerts)
    _create(es, config.erasures_index)
    _create(es, config.factchecks_index)
    _create(es, config.verdicts_index)
    _create(es, monthly_index(alias, now))
    existing = ((post_indices(es, alias), TaggedPost), ([alerts], Alert), ([config.erasures_index], Erasure),
                ([config.factchecks_index], FactCheck), ([config.verdicts_index], Verdict))
    for indices, model in existing:
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


def template_version(es: Elasticsearch, index: str) -> int:
    """The template version stamped in ``index``'s mapping (0 if none); ``NotFoundError`` if it does not exist."""
    found: dict[str, Any] = dict(es.indices.get_mapping(index=index))
    first: dict[str, Any] = next(iter(found.values()), {})
    meta = first.get("mappings", {}).get("_meta", {})
    try:
        return int(meta.get("template_version", 0))
    except (TypeError, ValueError):
        return 0


def set_up_problems(es: Elasticsearch, settings: Settings, *, posts: bool, alerts: bool) -> list[str]:
    """What ``ensure_indices`` would still have to do for the posts alias and the alerts index, in words.

    Reads only index metadata (``view_index_metadata``), so a component without set-up rights
    can ask. The newest post index stands for the alias: set-up stamps every post index it
    updates, and the next month's is created from the template set-up installed. A version
    newer than this Siaga's is fine (the indices were set up by a newer release).
    """
    config = settings.elasticsearch
    problems = []
    if posts:
        indices = post_indices(es, config.posts_index)
        if not indices:
            problems.append(f"the posts alias {config.posts_index} has no index")
        elif (version := template_version(es, indices[-1])) < TEMPLATE_VERSION:
            problems.append(f"the post index {indices[-1]} has template version {version}, "
                            f"this Siaga writes version {TEMPLATE_VERSION}")
    if alerts:
        try:
            version = template_version(es, config.alerts_index)
        except es_errors.NotFoundError:
            problems.append(f"the alerts index {config.alerts_index} does not exist")
        else:
            if version < TEMPLATE_VERSION:
                problems.append(f"the alerts index {config.alerts_index} has template version {version}, "
                                f"this Siaga writes version {TEMPLATE_VERSION}")
    return problems


@dataclass
class RetentionReport:
    """What one retention pass deleted (or, dry, would delete).

    ``connector_state`` and ``outbox`` are ``None`` where their folders are not on this machine
    (the Kubernetes CronJob reaches Elasticsearch only): there the connectors and the deliverer
    prune their own files.
    """

    dry_run: bool
    posts_cutoff: datetime
    alerts_cutoff: datetime
    deleted_indices: list[str] = field(default_factory=list)
    kept_indices: list[str] = field(default_factory=list)
    deleted_alerts: int = 0
    deleted_verdicts: int = 0
    connector_state: Pruned | None = None
    outbox: FilesRemoved | None = None

    @property
    def deleted_anything(self) -> bool:
        """Whether the pass deleted (or would delete) anything at all."""
        local = (self.connector_state.sent + self.connector_state.checkpoints if self.connector_state else 0) + (
            self.outbox.total if self.outbox else 0)
        return bool(self.deleted_indices or self.deleted_alerts or self.deleted_verdicts or local)

    def render(self) -> str:
        """The report as printed by ``siaga retention``."""
        verb = "would delete" if self.dry_run else "deleted"
        lines = [
            f"posts older than {self.posts_cutoff.isoformat()}: {verb} {len(self.deleted_indices)} index(es)"
            + (f": {', '.join(self.deleted_indices)}" if self.deleted_indices else ""),
            f"  kept: {', '.join(self.kept_indices) or '-'}",
            f"alerts fired before {self.alerts_cutoff.isoformat()}: {verb} {self.deleted_alerts}",
            f"verdicts on posts created before {self.posts_cutoff.isoformat()}: {verb} {self.deleted_verdicts}",
        ]
        state = self.connector_state
        lines.append(f"connector state from before {self.posts_cutoff.isoformat()}: "
                     + (f"{verb} {state.sent} sent-post record(s) and {state.checkpoints} idle checkpoint(s)"
                        if state is not None else "no connector state on this machine"))
        outbox = self.outbox
        lines.append(f"outbox files from before {self.alerts_cutoff.isoformat()}: "
                     + (f"{verb} {outbox.records} record(s), {outbox.failed} failed/ file(s), {outbox.eml} .eml file(s)"
                        if outbox is not None else "no outbox on this machine"))
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The report as ``siaga retention --json`` prints it."""
        state, outbox = self.connector_state, self.outbox
        return {
            "dry_run": self.dry_run, "posts_cutoff": self.posts_cutoff.isoformat(),
            "alerts_cutoff": self.alerts_cutoff.isoformat(), "deleted_indices": self.deleted_indices,
            "kept_indices": self.kept_indices, "deleted_alerts": self.deleted_alerts,
            "deleted_verdicts": self.deleted_verdicts,
            "connector_state": None if state is None else {"sent": state.sent, "checkpoints": state.checkpoints},
            "outbox": None if outbox is None else {"records": outbox.records, "failed": outbox.failed,
                                                   "eml": outbox.eml},
        }


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
        assert start is not None  # noqa: S101 - an invariant for the type checker, not a check of input
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
    # A verdict keeps its post's text: it is kept exactly as long as its post.
    report.deleted_verdicts = delete_verdicts(es, settings.elasticsearch.verdicts_index,
                                              created_before=report.posts_cutoff, dry_run=dry_run)
    if report.deleted_verdicts and not dry_run:
        log.warning("retention: deleted %d verdict(s) on posts created before %s", report.deleted_verdicts,
                    report.posts_cutoff.isoformat())
    prune_local_files(report, settings)
    return report


def prune_local_files(report: RetentionReport, settings: Settings) -> None:
    """Apply the retention to the files on this machine: connector state and the outbox (into ``report``).

    Connector state (sent-post digests, idle checkpoints) goes by ``retention.posts``; outbox
    records, ``failed/`` files and ``.eml`` files by ``retention.alerts``, since they record
    alerts. A folder that is not here is left to the component that has it.
    """
    state_dir = settings.connectors.state_dir
    if state_dir.is_dir():
        report.connector_state = prune_state_dir(state_dir, report.posts_cutoff, dry_run=report.dry_run)
    queue, eml_dir = settings.alerting.state_dir / "queue", settings.email.outbox_dir
    if queue.is_dir() or eml_dir.is_dir():
        report.outbox = prune_files(queue, eml_dir, report.alerts_cutoff, dry_run=report.dry_run)
