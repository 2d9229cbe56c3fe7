"""``siaga run``: connectors, the post pipeline and alerting together in one process.

The three stages talk only through Kafka topics, exactly as they would as separate services;
here they share a process so that one command runs the whole system on a laptop. Connectors
run in threads (they mostly wait on I/O), each under a supervisor that restarts it with
backoff when it fails (``pipelines.ops.supervisor``); the pipeline and alerting steps take
turns on the main thread. The pipeline's status file also carries each connector's state, for
the health check. With ``until_idle`` the run ends once every connector has finished (or been
given up) and both consumer groups have committed everything on their topics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from connectors import REGISTRY, Connector
from pipelines.alerting.job import AlertingJob, Recent
from pipelines.common.clients import close_shared_clients, shared_client
from pipelines.common.erasures import forget_shared_suppressions, shared_suppressions
from pipelines.delivery.emails import subject_of
from pipelines.factchecks.store import forget_shared_factchecks
from pipelines.ops.factchecks import FactCheckIngestJob
from pipelines.ops.services import ensure_ready
from pipelines.ops.supervisor import GIVE_UP_AFTER, ConnectorSupervisor
from pipelines.post.job import PostPipelineJob, counters_summary
from schemas.alert import Alert
from schemas.clock import Clock, process_clock
from schemas.config import Settings

log = logging.getLogger(__name__)

IDLE_CONFIRMATIONS = 2


@dataclass
class RunSummary:
    """What one ``siaga run`` did."""

    seconds: float
    posts_in: int
    indexed: int
    dead_lettered: dict[str, int]
    languages: dict[str, int]
    risk_levels: dict[str, int]
    alerts: list[Alert] | Recent[Alert]
    """The newest alerts (``Recent``: its ``len`` counts them all)."""
    already_sent: int
    destinations: list[str]
    connectors: dict[str, int]
    connector_errors: dict[str, str] = field(default_factory=dict)
    connector_warnings: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    """Per connector with warnings: how many, and the most frequent (``ConnectorStats.warning_lines``)."""
    connector_restarts: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Per connector restarted after failures: how often, and the last failure."""
    suppressed: dict[str, int] = field(default_factory=dict)
    """Erased posts dropped, by stage (connectors before producing, the pipeline, alerting)."""
    attacked: dict[str, int] = field(default_factory=dict)
    """Posts with a black campaign aimed at each candidate or party (entity id), most attacked first."""

    def render(self, settings: Settings) -> str:
        """The summary as printed at the end of a run."""
        dead_total = sum(self.dead_lettered.values())
        dead_detail = ", ".join(f"{stage} {n}" for stage, n in sorted(self.dead_lettered.items()))
        langs = ", ".join(f"{lang} {n}" for lang, n in self.languages.items()) or "-"
        lines = [
            f"Siaga run finished in {self.seconds:.1f} s",
            f"  produced by connectors : {sum(self.connectors.values())} "
            + " ".join(f"({name}: {n})" for name, n in self.connectors.items()),
            f"  records in             : {self.posts_in}",
            f"  indexed                : {self.indexed} → {settings.elasticsearch_url()}"
            f" index {settings.elasticsearch.posts_index}",
            f"  dead-lettered          : {dead_total}"
            + (f" ({dead_detail}) → topic {settings.kafka.topics.dead_letter}; see `siaga deadletters`"
               if dead_total else ""),
            f"  languages              : {langs}",
            "  risk levels            : "
            + (", ".join(f"{level} {n}" for level, n in self.risk_levels.items()) or "-"),
        ]
        for kind, label in (("candidate", "kandidat diserang"), ("party", "partai diserang")):
            attacked = [(entity, n) for entity, n in self.attacked.items() if entity.startswith(kind + ":")]
            if attacked:
                lines.append(f"  {label:<23}: " + ", ".join(f"{settings.election.display(entity)} {n} unggahan"
                                                           for entity, n in attacked))
        lines += [
            f"  alerts fired           : {len(self.alerts)}"
            + (f" (already sent earlier, not resent: {self.already_sent})" if self.already_sent else ""),
        ]
        if any(self.suppressed.values()):
            lines.append("  suppressed (erased)    : "
                         + ", ".join(f"{stage} {n}" for stage, n in self.suppressed.items() if n))
        lines += [f"    - {subject_of(alert)}" for alert in self.alerts]
        if self.destinations:
            lines.append(f"  emails                 : {', '.join(self.destinations)}")
        for name, error in self.connector_errors.items():
            lines.append(f"  connector {name} FAILED: {error}")
        for name, (count, error) in self.connector_restarts.items():
            lines.append(f"  connector {name} restarted {count} time(s); last failure: {error}")
        for name, (count, top) in self.connector_warnings.items():
            lines.append(f"  connector {name} warnings: {count}")
            lines += [f"    - {line}" for line in top]
        # The last line: what an officer does next, with an alert of this run to try it on.
        target = self.alerts[0].alert_id if self.alerts else "POST_ID|ALERT_ID"
        lines.append(f"Beri penilaian / give a verdict: siaga verdict {target} --correct | --wrong [--label L] "
                     "--by NAMA; then `siaga model retrain --task risk` (docs/verdicts.md)")
        return "\n".join(lines)


def build_connectors(settings: Settings) -> list[Connector]:
    """One connector per configured source, from the registry."""
    return [REGISTRY[source.type].from_config(source, settings) for source in settings.sources]


def refresh_indices(settings: Settings) -> None:
    """Make everything written so far searchable now rather than at the next refresh interval."""
    es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
    es.indices.refresh(index=f"{settings.elasticsearch.posts_index},{settings.elasticsearch.alerts_index}")


class PeriodicRetention:
    """Applies the retention every ``retention.interval`` while ``siaga run`` runs (first at start)."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        self.next_at = self.clock.monotonic()

    def maybe_apply(self) -> None:
        """Apply the retention if it is due; a failure is logged and retried next interval."""
        interval = self.settings.retention.interval
        if interval is None or self.clock.monotonic() < self.next_at:
            return
        self.next_at = self.clock.monotonic() + interval.total_seconds()
        from pipelines.ops.indices import apply_retention

        try:
            report = apply_retention(shared_client("elasticsearch", self.settings.elasticsearch_kwargs()), self.settings,
                                     clock=self.clock)
        except Exception as exc:  # noqa: BLE001 - retention must never stop ingestion; it runs again later
            log.error("retention failed: %s", exc)
            return
        if report.deleted_anything:
            log.warning("retention: %s", report.render().replace("\n", "; "))


def _caught_up(*jobs: PostPipelineJob | AlertingJob | FactCheckIngestJob) -> bool:
    return all(job.lag() == 0 for job in jobs)


def run(settings: Settings, *, until_idle: bool, stop: threading.Event | None = None,
        clock: Clock | None = None) -> RunSummary:
    """Run everything until ``stop`` is set, or, with ``until_idle``, until all input is processed."""
    stop = stop or threading.Event()
    clock = clock or process_clock()
    started = time.monotonic()
    ensure_ready(settings, clock)
    pipeline = PostPipelineJob(settings, clock=clock)
    alerting = AlertingJob(settings, clock)
    retention = PeriodicRetention(settings, clock)
    status = pipeline.status
    status.connectors = {}  # marks the file as this run's, for the health check, even with no source
    suppressions = shared_suppressions(settings)
    supervisors = [
        ConnectorSupervisor(source.name, partial(REGISTRY[source.type].from_config, source, settings), settings,
                            stop, clock, status, give_up_after=GIVE_UP_AFTER if until_idle else None,
                            suppressions=suppressions)
        for source in settings.sources
    ]
    threads = [threading.Thread(target=s.run, name=f"connector-{s.name}", daemon=True) for s in supervisors]
    # Fact-check sources feed the fact-checks topic, which an ingest job stores (and back-matches);
    # the bounded ones are read and stored before any post source starts, so the first posts are
    # already matched against them.
    feeds = [REGISTRY[source.type].topic == "factchecks" for source in settings.sources]
    ingest = FactCheckIngestJob(settings, clock) if any(feeds) else None
    first = [thread for thread, source, feed in zip(threads, settings.sources, feeds, strict=True)
             if feed and not getattr(source, "watch", False)]
    status.write()
    try:
        for thread in first:
            thread.start()
        for thread in first:
            while thread.is_alive() and not stop.is_set():
                thread.join(timeout=0.5)
                status.heartbeat()
        if ingest is not None:
            for _ in range(100):
                ingest.step()
                if ingest.lag() == 0 or stop.is_set():
                    break
        for thread in threads:
            if thread not in first:
                thread.start()
        idle = 0
        while not stop.is_set():
            status.heartbeat()
            retention.maybe_apply()
            moved = ingest.step() if ingest is not None else 0
            moved += pipeline.step()
            moved += alerting.step()
            if not until_idle or moved or any(t.is_alive() for t in threads):
                idle = 0
                continue
            idle = idle + 1 if _caught_up(pipeline, alerting, *([ingest] if ingest else [])) else 0
            if idle >= IDLE_CONFIRMATIONS:
                break
    finally:
        stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=30)
        refresh_indices(settings)
        pipeline.close()
        alerting.close()
        if ingest is not None:
            ingest.close()
        close_shared_clients()
        forget_shared_suppressions()
        forget_shared_factchecks()
    counts = counters_summary(pipeline.totals)
    dead = Counter(counts["dead_lettered"])
    if alerting.totals.dead_lettered:
        dead["alert"] += alerting.totals.dead_lettered
    return RunSummary(
        seconds=time.monotonic() - started,
        posts_in=counts["posts_in"],
        indexed=counts["indexed"],
        dead_lettered=dict(dead),
        languages=counts["languages"],
        risk_levels=counts["risk_levels"],
        attacked=counts["attacked"],
        alerts=alerting.totals.fired,
        already_sent=alerting.totals.already_sent,
        destinations=sorted(alerting.totals.destinations),
        connectors={s.name: s.stats.produced for s in supervisors},
        connector_errors={s.name: s.error for s in supervisors if s.error is not None},
        connector_warnings={s.name: (s.stats.warnings, s.stats.warning_lines(5)) for s in supervisors
                            if s.stats.warnings},
        connector_restarts={s.name: (s.restarts, s.last_error or "") for s in supervisors if s.restarts},
        suppressed={"connectors": sum(s.stats.suppressed for s in supervisors), "pipeline": counts["suppressed"],
                    "alerting": alerting.totals.suppressed},
    )


def outbox_count(outbox: Path) -> int:
    """How many emails sit in the outbox folder."""
    return len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0
