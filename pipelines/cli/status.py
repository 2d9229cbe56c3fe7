"""``siaga status``: pipeline lag per partition, throughput, the last errors, and a health check."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from pipelines.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    add_command,
    print_json,
    require_services,
    untrusted,
)
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga status``."""
    parser = add_command(
        commands, "status", handler=status,
        summary="pipeline consumer lag per partition, throughput and the last errors",
        description=f"""
            Read the pipeline group's committed offsets from Kafka (without joining the group)
            and the status file each pipeline worker keeps in pipeline.status_dir: lag per
            partition, records/s over the last minute, and the last errors (times in WIB).
            With --health, only check that the system is alive: exit {EXIT_UNAVAILABLE} when Kafka or
            Elasticsearch does not answer; where sources are configured, exit {EXIT_FAILED} when no live
            `siaga run` reports in pipeline.status_dir, when it stopped reporting, or when one of its
            connectors stopped or kept failing for connectors.unhealthy_after.""",
        examples=["siaga status", "siaga status --json | jq .total_lag", "siaga status --health"],
    )
    parser.add_argument("--json", action="store_true", help="print lag, workers and errors as one JSON object")
    parser.add_argument("--health", action="store_true",
                        help=f"exit {EXIT_OK} only if Kafka and Elasticsearch answer and every connector of `siaga run` is alive")


def status(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga status``."""
    if args.health:
        return health(settings, as_json=args.json)
    require_services(settings, "kafka")
    report = gather(settings)
    if args.json:
        print_json(report)
    else:
        print(render(report, settings))
    return EXIT_OK


def gather(settings: Settings) -> dict[str, Any]:
    """Lag per partition from Kafka, and what the pipeline workers last reported."""
    from pipelines.common.kafka_io import group_lag
    from pipelines.common.metrics import read_status_files

    topic, group = settings.kafka.topics.raw, settings.pipeline.group_id
    partitions = [{"partition": partition, "end": end, "committed": committed, "lag": end - (committed or 0)}
                  for partition, (end, committed) in group_lag(settings, group, topic).items()]
    workers = read_status_files(settings.pipeline.status_dir)
    errors = sorted((e for w in workers for e in w.get("last_errors", [])), key=lambda e: e["at"])[-5:]
    return {"group": group, "topic": topic, "partitions": partitions,
            "total_lag": sum(p["lag"] for p in partitions), "workers": workers,
            "records_per_s": sum(w.get("rate_per_s", 0) for w in workers), "last_errors": errors}


def render(report: dict[str, Any], settings: Settings) -> str:
    """The report as the operator reads it."""
    from schemas.clock import wib

    lines = [f"consumer group {report['group']} on {report['topic']}:"]
    for p in report["partitions"]:
        committed = p["committed"] if p["committed"] is not None else "-"
        lines.append(f"  partition {p['partition']:<3} end {p['end']:<10} committed {committed:<10} lag {p['lag']}")
    lines.append(f"  total lag {report['total_lag']}")
    workers = report["workers"]
    if not workers:
        lines.append(f"no pipeline worker has reported (status files in {settings.pipeline.status_dir})")
        return "\n".join(lines)
    lines.append(f"throughput (last minute): {report['records_per_s']:.1f} records/s over {len(workers)} worker(s)")
    for worker in workers:
        updated = wib(datetime.fromisoformat(worker["updated_at"]))
        lines.append(f"  pid {worker['pid']:<8} updated {updated}  committed {worker['committed']}  "
                     f"indexed {worker['indexed']}  dead-lettered {worker['dead_lettered']}  {worker['rate_per_s']}/s")
    lines.append("last errors:" if report["last_errors"] else "last errors: none")
    lines += [f"  {wib(datetime.fromisoformat(e['at']))}  {untrusted(e['error'])}" for e in report["last_errors"]]
    return "\n".join(lines)


def health(settings: Settings, *, as_json: bool) -> int:
    """``siaga status --health``: services reachable and, where sources are configured, a live
    ``siaga run`` whose connectors are all alive; otherwise a non-zero exit."""
    from pipelines.ops.supervisor import Health
    from pipelines.ops.supervisor import health as run_health
    from schemas.clock import utc_now

    require_services(settings, "kafka", "elasticsearch")
    verdict = run_health(settings, utc_now()) if settings.sources else Health(True, ["no sources configured"])
    if as_json:
        print_json({"healthy": verdict.healthy, "findings": [untrusted(line) for line in verdict.lines]})
    else:
        print("\n".join(untrusted(line) for line in verdict.render().splitlines()))
    return EXIT_OK if verdict.healthy else EXIT_FAILED
