"""``siaga stack up | status | down``: the embedded local Kafka and Elasticsearch (noida-db)."""

from __future__ import annotations

import argparse
import dataclasses

from pipelines.cli.common import EXIT_OK, EXIT_UNAVAILABLE, add_command, print_json, subcommands
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga stack`` and its subcommands."""
    stack = add_command(
        commands, "stack", summary="start, check and stop the embedded local Kafka and Elasticsearch",
        description="""
            The embedded default: one local noida-db server speaking the Kafka protocol and the
            Elasticsearch API, with its data under stack.data_dir. Only the services your
            configuration does not point elsewhere are started.""",
        examples=["siaga stack up", "siaga stack status --json", "siaga stack down"],
    )
    actions = subcommands(stack, "action")
    add_command(actions, "up", handler=up, summary="start the embedded services that are not running yet",
                description="""
                    Start noida-db for every service without an external address, wait until its
                    ports answer, then show where each service is. A port already taken by
                    another server is used as it is.""",
                examples=["siaga stack up"])
    status_parser = add_command(
        actions, "status", handler=status, summary="where Kafka and Elasticsearch are and whether they answer",
        description=f"""
            Show each service's address, whether it is embedded or external, and whether it
            accepts connections. Exits {EXIT_UNAVAILABLE} when one does not (a health check can use this).""",
        examples=["siaga stack status", "siaga stack status --json"])
    status_parser.add_argument("--json", action="store_true", help="print the services as one JSON object")
    add_command(actions, "down", handler=down, summary="stop the embedded services (their data is kept)",
                description="Stop the noida-db server started by `siaga stack up`; the data stays in stack.data_dir.",
                examples=["siaga stack down"])


def up(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga stack up``."""
    from pipelines.ops import stack

    if not settings.embedded_services:
        print("Kafka and Elasticsearch are external in this configuration; nothing to start.")
    else:
        started = stack.up(settings)
        if started:
            print(f"started: {', '.join(started)}")
        elif stack.owned(settings):
            print("already running")
        else:
            print(f"the stack ports are already in use by a server not started from {settings.stack.data_dir};"
                  " Siaga will use it as it is, and `siaga stack down` will not stop it")
    return _show(settings, as_json=False)


def status(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga stack status``."""
    return _show(settings, as_json=args.json)


def down(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga stack down``."""
    from pipelines.ops import stack

    print(f"stopped (data kept in {settings.stack.data_dir})" if stack.down(settings) else "not running")
    return EXIT_OK


def _show(settings: Settings, *, as_json: bool) -> int:
    from pipelines.ops import stack

    rows = stack.status(settings)
    if as_json:
        print_json({"services": [dataclasses.asdict(row) for row in rows]})
    else:
        for row in rows:
            where = "embedded" if row.embedded else "external"
            print(f"{row.name:<14} {row.address:<32} {where:<9} {'up' if row.reachable else 'DOWN'}")
    return EXIT_OK if all(row.reachable for row in rows) else EXIT_UNAVAILABLE
