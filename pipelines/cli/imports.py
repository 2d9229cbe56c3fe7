"""``siaga import``: send a collection tool's export file (or a folder of them) to Kafka."""

from __future__ import annotations

import argparse
from pathlib import Path

from connectors.formats import FORMATS
from pipelines.cli.common import EXIT_OK, add_command, existing_path
from pipelines.cli.connectors import print_warnings, run_in_foreground
from schemas.config import Settings
from schemas.errors import UsageError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga import``."""
    parser = add_command(
        commands, "import", handler=import_export,
        summary="send a collection tool's export (file or folder) to Kafka",
        description="""
            Normalise every item of an export (Apify datasets as JSON arrays or JSON lines,
            Zeeschuimer / 4CAT NDJSON captures) into posts on the raw-posts topic. Progress is
            checkpointed under --name, so a stopped import resumes and a re-run sends only
            changed posts. An item that cannot be read goes to the dead-letter topic.""",
        examples=["siaga import exports/dataset_tiktok.json --format apify-tiktok",
                  "siaga import /data/zeeschuimer --format zeeschuimer --watch --name zs"],
    )
    parser.add_argument("path", type=Path, help="a .json / .jsonl / .ndjson export, or a folder of them")
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="the tool and platform of the export")
    parser.add_argument("--watch", action="store_true",
                        help="keep watching the folder for new and growing files (until Ctrl-C)")
    parser.add_argument("--name", default="import", help="the import's name: its checkpoints are kept under it "
                                                         "(default: import)")


def import_export(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga import PATH --format FORMAT``."""
    from pydantic import ValidationError

    from connectors.imports import ImportConnector
    from pipelines.ops.services import CONNECTOR, check_ready, ensure_ready
    from schemas.config import ImportSource

    # The file is checked before the services: a typo in the path is the likelier mistake.
    path = existing_path(args.path, folder_ok=True).resolve()
    try:
        source = ImportSource(name=args.name, path=path, format=args.format, watch=args.watch)
    except ValidationError as exc:
        problem = exc.errors()[0]
        msg = f"--{problem['loc'][0]} {problem['input']!r}: {problem['msg']}"
        raise UsageError(msg) from None
    if args.watch:
        # Watching is long-running, like `siaga connectors run`: it checks the set-up that
        # `siaga setup` made and creates nothing, so it runs under a connector's identity.
        check_ready(settings, CONNECTOR)
    else:
        ensure_ready(settings)
    stats = run_in_foreground(ImportConnector.from_config(source, settings), settings)
    print(f"import {args.name} ({args.format}) from {args.path}: {stats.produced} posts sent to "
          f"{settings.kafka.topics.raw}, {stats.unchanged} already sent unchanged, "
          f"{stats.dead_lettered} dead-lettered to {settings.kafka.topics.dead_letter}, "
          f"{stats.suppressed} suppressed (erased), {stats.warnings} warnings")
    print_warnings(stats)
    return EXIT_OK
