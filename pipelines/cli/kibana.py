"""``siaga kibana export | import``: the dashboards, generated from ``schemas/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.cli.common import EXIT_FAILED, EXIT_OK, add_command, existing_path, subcommands
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga kibana`` and its subcommands."""
    parser = add_command(
        commands, "kibana", summary="export or import the Kibana dashboards",
        description="""
            The data views, searches, visualisations and dashboards for the posts and alerts
            indices, generated from the schemas as Kibana saved objects (NDJSON).""",
        examples=["siaga kibana export --out siaga-kibana.ndjson",
                  "SIAGA__KIBANA__API_KEY=... siaga kibana import --url https://kibana.internal:5601 --space patroli"],
    )
    actions = subcommands(parser, "action")
    export_parser = add_command(
        actions, "export", handler=export, summary="write the generated saved objects as NDJSON",
        description="Write the saved objects for the configured index names, to a file or stdout.",
        examples=["siaga kibana export > siaga.ndjson", "siaga kibana export --out siaga.ndjson"])
    export_parser.add_argument("--out", type=Path, metavar="FILE.ndjson",
                               help="the NDJSON file to write (default: stdout)")
    import_parser = add_command(
        actions, "import", handler=import_objects, summary="load the saved objects through Kibana's API",
        description=f"""
            Import the generated saved objects (or --file) into a Kibana space, overwriting
            earlier versions, then set the space's time zone and default data view. Exits
            {EXIT_FAILED} when Kibana refused some objects (each is listed).""",
        examples=["siaga kibana import", "siaga kibana import --url https://kibana.internal:5601 --space patroli",
                  "siaga kibana import --file edited.ndjson --no-settings"])
    import_parser.add_argument("--url", help="Kibana's URL (default: kibana.url)")
    import_parser.add_argument("--space", help="the Kibana space (default: kibana.space, else the default space)")
    import_parser.add_argument("--file", type=Path, metavar="FILE.ndjson",
                               help="import this NDJSON instead of the generated objects")
    import_parser.add_argument("--no-settings", action="store_true",
                               help="leave the space's time zone and default data view alone")


def export(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga kibana export``."""
    from schemas.kibana import build, to_ndjson

    es = settings.elasticsearch
    ndjson = to_ndjson(build(es.posts_index, es.alerts_index, settings.election, es.verdicts_index))
    if args.out is None:
        sys.stdout.write(ndjson)
    else:
        args.out.write_text(ndjson, encoding="utf-8")
        print(f"wrote {ndjson.count(chr(10))} saved objects to {args.out} (Kibana {es.posts_index}, "
              f"{es.alerts_index})", file=sys.stderr)
    return EXIT_OK


def import_objects(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga kibana import``."""
    from pipelines.ops.kibana import apply_space_settings, base_url, import_ndjson
    from schemas.kibana import build, to_ndjson

    es = settings.elasticsearch
    if args.file is not None:
        ndjson = existing_path(args.file, "--file").read_text(encoding="utf-8")
    else:
        ndjson = to_ndjson(build(es.posts_index, es.alerts_index, settings.election, es.verdicts_index))
    where = base_url(settings.kibana, args.url, args.space)
    report = import_ndjson(settings.kibana, ndjson, url=args.url, space=args.space)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for error in report.errors:
        print(f"refused: {error}")
    print(f"imported {report.imported} saved objects into {where}; {len(report.errors)} refused")
    if not report.ok:
        return EXIT_FAILED
    if not args.no_settings:
        apply_space_settings(settings.kibana, url=args.url, space=args.space)
        print(f"space settings: dateFormat:tz={settings.kibana.timezone}, default data view siaga-posts")
    return EXIT_OK
