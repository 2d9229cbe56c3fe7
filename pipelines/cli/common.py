"""What every ``siaga`` verb shares: global options, exit codes, one-line errors, output helpers.

A verb module has a ``register(commands)`` that adds its parser with ``add_command`` (which
gives it a description, an example epilogue and the global options) and sets ``handler``: a
function ``(settings, args) -> exit code``. ``main`` loads the configuration, calls the handler
and turns whatever it raises into one line on stderr and an exit code (``failure_of``).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from schemas.config import Settings
from schemas.errors import ServiceUnavailable, SiagaError, UsageError

log = logging.getLogger("siaga")

Handler = Callable[[Settings, argparse.Namespace], int]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "ok",
    EXIT_FAILED: "the command ran and something failed: a connector in `run`, an object Kibana refused, "
                 "a line `tag` could not read, an unhealthy `status --health`",
    EXIT_USAGE: "a usage or configuration error: a bad option, a missing file, an invalid siaga.yaml, "
                "refused credentials",
    EXIT_UNAVAILABLE: "a service is not reachable: Kafka, Elasticsearch, Kibana or a platform API "
                      "(also `stack status` with a service down); try again once it is up",
}
"""The exit codes every command uses; ``siaga --help`` and docs/commands.md lists them."""


# --- global options ---------------------------------------------------------------------------

_GLOBAL = ("config", "verbose", "log_format")
_AFTER = "_after_command"


def global_options(*, after_command: bool) -> argparse.ArgumentParser:
    """The options every command takes, as a parent parser, before or after the command's name.

    Given after the command they land under other names (argparse hands a subcommand a fresh
    namespace, which would overwrite the values given before it); ``merge_global_options``
    puts the two together.
    """
    suffix = _AFTER if after_command else ""
    unset = argparse.SUPPRESS if after_command else None
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("--config", type=Path, metavar="PATH", dest="config" + suffix, default=unset,
                       help="configuration file (default: $SIAGA_CONFIG, else ./siaga.yaml, else built-in defaults)")
    group.add_argument("-v", "--verbose", action="count", dest="verbose" + suffix,
                       default=argparse.SUPPRESS if after_command else 0,
                       help="more logging on stderr: -v for info, -vv for debug (and tracebacks)")
    group.add_argument("--log-format", choices=["text", "json"], dest="log_format" + suffix, default=unset,
                       help="log lines as text or one JSON object each (default: pipeline.log_format)")
    return parser


COMMAND_OPTIONS = global_options(after_command=True)
"""The one parent parser of every command: the global options, accepted after the command too."""


def merge_global_options(args: argparse.Namespace) -> None:
    """Fold the global options given after the command into those given before it (after wins)."""
    for name in _GLOBAL:
        after = vars(args).pop(name + _AFTER, None)
        if name == "verbose":
            args.verbose += after or 0
        elif after is not None:
            setattr(args, name, after)


def add_command(commands: argparse._SubParsersAction, name: str, *, summary: str, description: str,
                examples: Iterable[str] = (), handler: Handler | None = None) -> argparse.ArgumentParser:
    """Add a (sub)command with its one-line summary, a description and an example epilogue.

    A command with a ``handler`` is one that runs, so it takes the global options; a command
    that only groups others (``alerts``, ``model``) gets its subcommands added to it instead.
    """
    example_lines = list(examples)
    epilog = ("examples:\n" + "\n".join(f"  {line}" for line in example_lines)) if example_lines else None
    parser = commands.add_parser(
        name, help=summary, description=textwrap.dedent(description).strip(), epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[COMMAND_OPTIONS] if handler is not None else [],
    )
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def subcommands(parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction:
    """The required subcommands of a grouping command (``siaga alerts list``, ``siaga stack up``)."""
    return parser.add_subparsers(dest=dest, required=True, metavar=dest.upper().removesuffix("_COMMAND") or dest.upper(),
                                 title="subcommands")


def exit_codes_epilog() -> str:
    """The exit-code table as ``siaga --help`` shows it."""
    lines = [f"  {code}  {textwrap.fill(text, 90, subsequent_indent=' ' * 5)}" for code, text in EXIT_CODES.items()]
    return "exit codes:\n" + "\n".join(lines) + "\n\n`siaga COMMAND --help` describes a command, with examples."


# --- failing with one line --------------------------------------------------------------------


def failure_of(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and the one line an operator sees for ``exc``; ``None`` for a bug (a traceback).

    Beyond Siaga's own errors, the few library errors that only mean "that service or file is
    not there" are translated too, so that a broker going away between the reachability check
    and the request still ends in one line.
    """
    if isinstance(exc, ServiceUnavailable):
        return EXIT_UNAVAILABLE, str(exc)
    if isinstance(exc, SiagaError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, ConnectionError | TimeoutError):
        return EXIT_UNAVAILABLE, str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return EXIT_USAGE, where + (exc.strerror or str(exc))
    # Only loaded modules are looked at: an error of a library never imported cannot have happened.
    kafka_errors = sys.modules.get("kafka.errors")
    if kafka_errors is not None and isinstance(
            exc, kafka_errors.KafkaTimeoutError | kafka_errors.KafkaConnectionError | kafka_errors.BrokerNotAvailableError):
        return EXIT_UNAVAILABLE, f"Kafka is not reachable: {exc}"
    es_errors = sys.modules.get("elastic_transport")
    if es_errors is not None and isinstance(exc, es_errors.ConnectionError | es_errors.ConnectionTimeout):
        return EXIT_UNAVAILABLE, f"Elasticsearch is not reachable: {exc}"
    return None


def report(exc: BaseException) -> int:
    """Print ``exc`` as ``siaga: error: ...`` and return its exit code; re-raise a bug."""
    known = failure_of(exc)
    if known is None:
        raise exc
    code, message = known
    log.debug("the error in full", exc_info=exc)
    print(f"siaga: error: {message}", file=sys.stderr)
    return code


# --- checks before the work -------------------------------------------------------------------


def warn_if_public_erasure_key(settings: Settings) -> None:
    """One WARNING when ``erasure.key`` is unset: this component then hashes authors under the built-in key."""
    if settings.erasure.key is None:
        # Not an error: a laptop demo has nothing to protect. In a deployment the built-in key is
        # public, so anyone who can read the list can test guessed handles against it, and a key
        # set in some containers only makes author erasures silently miss in the others.
        log.warning("erasure.key is unset (SIAGA__ERASURE__KEY): erased authors are recognised under the "
                    "built-in, public key; set the same key in every container that takes in posts "
                    "(deploy/README.md, \"Erasure requests\")")


def require_services(settings: Settings, *names: str) -> None:
    """Fail at once with ``ServiceUnavailable`` when one of ``names`` ("kafka", "elasticsearch") is down.

    A TCP connect with a 0.5 s timeout: without it, kafka-python tries to bootstrap for 30 s,
    logging a dozen connection errors, and ends in a ``KafkaTimeoutError``.
    """
    from pipelines.ops.stack import status

    down = [service for service in status(settings) if service.name in names and not service.reachable]
    if down:
        raise ServiceUnavailable("; ".join(unreachable(service.name, service.address, embedded=service.embedded)
                                           for service in down))


def unreachable(name: str, address: str, *, embedded: bool) -> str:
    """How a service that does not answer is reported, with what to do about it."""
    hint = "start it with `siaga stack up`" if embedded else "check the address and the network"
    return f"{name} at {address} is not reachable ({hint})"


def existing_path(path: Path, option: str | None = None, *, folder_ok: bool = False) -> Path:
    """``path`` if it exists (a file, or a folder when ``folder_ok``); else a one-line ``UsageError``."""
    if path.is_file() or (folder_ok and path.is_dir()):
        return path
    what = "is a folder, not a file" if path.is_dir() else f"no such {'file or folder' if folder_ok else 'file'}"
    msg = f"{option + ' ' if option else ''}{path}: {what}"
    raise UsageError(msg)


# --- output -----------------------------------------------------------------------------------


def untrusted(text: str) -> str:
    r"""Text from outside Siaga (post text, handles, dead-letter reasons quoting them) as it is printed.

    Every such text a command prints to a terminal passes through here, and only here: control
    characters, escape sequences and bidi overrides are shown as visible escapes (``\x1b``), so
    a post cannot move the cursor, recolour the terminal or reorder what the operator reads.
    """
    from pipelines.common.terminal import printable

    return printable(text)


def print_json(value: Any) -> None:
    """One JSON document on its own line of stdout (``--json`` output: nothing else goes to stdout)."""
    print(json.dumps(value, ensure_ascii=False, default=str))


def notes_stream(as_json: bool) -> Any:
    """Where human notes go: stderr when stdout carries JSON, so that it stays parseable."""
    return sys.stderr if as_json else sys.stdout


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while the block runs; the previous handlers come back after."""
    stop = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def configure_logging(verbose: int, log_format: str = "text") -> None:
    """Logging on stderr: warnings by default, ``-v`` info, ``-vv`` debug; text or JSON lines."""
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_format == "json":
        from pipelines.common.metrics import JsonFormatter

        logging.getLogger().handlers[0].setFormatter(JsonFormatter())
    # Beam warns at import about optional Google Cloud libraries Siaga does not use.
    logging.getLogger().handlers[0].addFilter(lambda record: "apitools not found" not in record.getMessage())
    for noisy in ("apache_beam", "kafka", "elastic_transport", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR if verbose < 2 else logging.INFO)
