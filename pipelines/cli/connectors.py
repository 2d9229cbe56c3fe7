"""``siaga connectors list | check | run``: the configured sources, one at a time.

Also what ``siaga import`` shares with ``connectors run``: running one connector in the
foreground with a progress line, and reporting its warnings.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pipelines.cli.common import (
    EXIT_OK,
    add_command,
    existing_path,
    notes_stream,
    print_json,
    stop_on_signals,
    subcommands,
    untrusted,
    warn_if_public_erasure_key,
)
from schemas.config import SOURCE_TYPES, Settings
from schemas.errors import ServiceUnavailable, SiagaError, UsageError

if TYPE_CHECKING:
    from connectors import Connector, ConnectorStats
    from connectors.api import ApiFailure

_SINCE_TYPES = sorted(name for name, model in SOURCE_TYPES.items() if "since" in model.model_fields)
"""The source types whose configuration says how far back they read, so ``--since`` can replace it."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga connectors`` and its subcommands."""
    parser = add_command(
        commands, "connectors", summary="list, check and run the configured sources one at a time",
        description=f"""
            The sources configured under `sources:` in siaga.yaml. Connector types:
            {', '.join(SOURCE_TYPES)}.""",
        examples=["siaga connectors list", "siaga connectors check tiktok-pilkada",
                  "siaga connectors run fb-berita --since 2026-11-20"],
    )
    actions = subcommands(parser, "action")
    list_parser = add_command(
        actions, "list", handler=list_sources, summary="the configured sources and the connector types",
        description="List every configured source with its type, format and where it reads from.",
        examples=["siaga connectors list", "siaga connectors list --json"])
    list_parser.add_argument("--json", action="store_true", help="print types and sources as one JSON object")
    check_parser = add_command(
        actions, "check", handler=check, summary="validate a source's configuration and credentials, report its quota",
        description="""
            Build the source's connector and ask it to check itself: credentials accepted,
            quota used, pages or files readable. Sends nothing to Kafka.""",
        examples=["siaga connectors check tiktok-pilkada", "siaga connectors check apify-tiktok"])
    check_parser.add_argument("name", help="the source's name (see `siaga connectors list`)")
    run_parser = add_command(
        actions, "run", handler=run, summary="run one source on its own until it finishes or Ctrl-C",
        description="""
            Run one source's connector in the foreground: its posts go to the raw-posts topic,
            and Ctrl-C stops it cleanly after a checkpoint.""",
        examples=["siaga connectors run tiktok-pilkada", "siaga connectors run tiktok-pilkada --since 14d",
                  "siaga connectors run fb-berita --since 2026-11-20"])
    run_parser.add_argument("name", help="the source's name (see `siaga connectors list`)")
    run_parser.add_argument("--since", metavar="WHEN",
                            help=f"how far back this run reaches, instead of the source's configured since "
                                 f"({', '.join(_SINCE_TYPES)} only): 3d, 12h, or a date or time "
                                 f"(2026-11-20 is midnight WIB)")


def list_sources(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga connectors list``."""
    from connectors import REGISTRY

    rows = [{"name": source.name, "type": source.type, "format": getattr(source, "format", None),
             "where": str(getattr(source, "path", None) or getattr(source, "url", None)
                          or getattr(source, "base_url", ""))}
            for source in settings.sources]
    if args.json:
        print_json({"types": sorted(REGISTRY), "sources": rows})
        return EXIT_OK
    print(f"connector types: {', '.join(sorted(REGISTRY))}")
    if not rows:
        print("no sources configured")
    for row in rows:
        print(f"  {row['name']:<20} {row['type']:<22} {row['format'] or '':<16} {row['where']}")
    return EXIT_OK


def check(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga connectors check NAME``."""
    source = _source(settings, args.name)
    connector = _connector(source, settings)
    with _explaining(source):
        answer = connector.check()
    print(f"{source.name} ({source.type}): {answer}")
    return EXIT_OK


def run(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga connectors run NAME``."""
    from pipelines.ops.services import CONNECTOR, check_ready

    source = _source(settings, args.name)
    if args.since is not None:
        source = _with_since(source, args.since)
    if getattr(source, "path", None) is not None:  # a file source: its file is the likelier mistake
        existing_path(source.path, f"source {source.name}:", folder_ok=True)
    connector = _connector(source, settings)
    check_ready(settings, CONNECTOR)  # `siaga setup` creates the topics; a connector's identity may not
    warn_if_public_erasure_key(settings)
    with _explaining(source):
        stats = run_in_foreground(connector, settings)
    print(f"{source.name}: {stats.produced} posts sent, {stats.unchanged} unchanged, "
          f"{stats.dead_lettered} dead-lettered, {stats.suppressed} suppressed (erased), {stats.warnings} warnings")
    print_warnings(stats)
    return EXIT_OK


def _source(settings: Settings, name: str) -> Any:
    by_name = {source.name: source for source in settings.sources}
    if name not in by_name:
        known = ", ".join(by_name) or "none configured"
        msg = f"no source named {name!r} (sources: {known})"
        raise UsageError(msg)
    return by_name[name]


def _connector(source: Any, settings: Settings) -> Connector:
    from connectors import REGISTRY

    return REGISTRY[source.type].from_config(source, settings)


def _with_since(source: Any, since: str) -> Any:
    from connectors.api import parse_since
    from schemas.clock import utc_now

    if source.type not in _SINCE_TYPES:
        msg = (f"--since applies to sources that read back in time ({', '.join(_SINCE_TYPES)}); "
               f"{source.name} is {source.type}, which has no since setting")
        raise UsageError(msg)
    try:
        return source.model_copy(update={"since": parse_since(since, utc_now())})
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@contextmanager
def _explaining(source: Any) -> Iterator[None]:
    """Turn a connector's failure into one line that names the source.

    A platform API that does not answer is a service not reachable (exit 3); a missing file or
    a refused request is the operator's to fix (exit 2). A bug stays a traceback.
    """
    from connectors.api import ApiFailure

    try:
        yield
    except ApiFailure as failure:
        raise _api_failure(failure, source) from failure
    except (ConnectionError, TimeoutError) as exc:
        raise ServiceUnavailable(f"{source.name}: {exc}") from exc
    except OSError as exc:
        raise UsageError(f"{source.name}: {exc}") from exc


def _api_failure(failure: ApiFailure, source: Any) -> SiagaError:
    from connectors.api import Action

    where = getattr(source, "base_url", "the API")
    if failure.status == 0:
        return ServiceUnavailable(f"{source.name}: {where} did not answer ({failure.message})")
    if failure.action in (Action.RETRY, Action.WAIT_QUOTA):
        return ServiceUnavailable(f"{source.name}: {where} is failing or limiting requests ({failure}); try later")
    return UsageError(f"{source.name}: {where} refused the request ({failure})")


# --- what `siaga import` shares -----------------------------------------------------------------


def run_in_foreground(connector: Connector, settings: Settings) -> ConnectorStats:
    """Run one connector until it finishes or Ctrl-C, with a progress line when stderr is a terminal.

    Posts erased with ``siaga erase`` (the suppression list in Elasticsearch) are dropped, not sent.
    """
    from pipelines.common.erasures import forget_shared_suppressions, shared_suppressions

    suppressions = shared_suppressions(settings)
    done = threading.Event()
    progress = threading.Thread(target=show_progress, args=(connector, done), daemon=True)
    if sys.stderr.isatty():
        progress.start()
    try:
        with stop_on_signals() as stop:
            return connector.run(settings, stop, suppressions)
    finally:
        forget_shared_suppressions()
        done.set()
        if progress.is_alive():
            progress.join()


def print_warnings(stats: ConnectorStats, *, as_json: bool = False) -> None:
    """The most frequent non-fatal problems of a connector run, one line each."""
    for line in stats.warning_lines():
        print(f"  warning: {untrusted(line)}", file=notes_stream(as_json))


def show_progress(connector: Connector, done: threading.Event) -> None:
    """A one-line progress display on a terminal, refreshed twice a second."""
    started = time.monotonic()
    while not done.wait(0.5):
        stats = connector.stats
        handled = stats.produced + stats.unchanged + stats.dead_lettered
        rate = handled / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r  {handled:,} items: {stats.produced:,} sent, {stats.unchanged:,} unchanged, "
                         f"{stats.dead_lettered:,} dead-lettered ({rate:,.0f}/s)   ")
        sys.stderr.flush()
    sys.stderr.write("\n")
