"""The ``siaga`` command: the parser made of one module per verb, and ``main``.

Each verb module (``stack``, ``run``, ``alerts`` ...) registers its parser and handler;
``pipelines/cli/common.py`` holds what they share (global options, exit codes, one-line errors).
"""

from __future__ import annotations

import argparse
from importlib import metadata

from pipelines.cli import (
    alerts,
    connectors,
    deadletters,
    erase,
    factchecks,
    imports,
    kibana,
    model,
    normalise,
    pipeline,
    retention,
    run,
    search,
    setup,
    stack,
    status,
    tag,
    templates,
    verdict,
)
from pipelines.cli.common import (
    EXIT_USAGE,
    configure_logging,
    exit_codes_epilog,
    global_options,
    merge_global_options,
    report,
)
from schemas.config import load_settings

VERBS = (stack, setup, run, connectors, imports, factchecks, pipeline, status, deadletters, alerts, verdict, search,
         retention, erase, tag, normalise, model, kibana, templates)
"""The commands in the order ``siaga --help`` lists them: running the system first, then looking at it."""


def version() -> str:
    """The installed Siaga's version."""
    try:
        return metadata.version("siaga")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The whole ``siaga`` command line."""
    parser = argparse.ArgumentParser(
        prog="siaga", description="Watch public social-media posts for election risks.",
        epilog=exit_codes_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options(after_command=False)],
    )
    parser.add_argument("--version", action="version", version=f"siaga {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    for verb in VERBS:
        verb.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``siaga`` console script: parse, load the configuration, run the command."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not getattr(args, "passes_unknown_options", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # --help, --version and usage errors end here: a code, as for any command
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.extra = extra
    merge_global_options(args)
    try:
        settings = load_settings(args.config)
        configure_logging(args.verbose, args.log_format or settings.pipeline.log_format)
        return args.handler(settings, args)
    except Exception as exc:  # noqa: BLE001 - `report` re-raises what is not an operator's error
        return report(exc)
