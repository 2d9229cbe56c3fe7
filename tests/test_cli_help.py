"""`siaga --help` teaches the command: every command and option is described, with examples.

Walks the whole parser tree that ``pipelines.cli.main.build_parser`` builds from the verb
modules, so a command added without a description, an example or help on an option fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from connectors import REGISTRY
from connectors.formats import FORMATS
from pipelines.cli import main
from pipelines.cli.common import EXIT_CODES, merge_global_options
from pipelines.cli.main import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, argparse.ArgumentParser]]:
    """Every (sub)command parser below ``parser``, named by its words (``alerts silence``)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((" ".join((*path, name)), sub))
                found.extend(commands(sub, (*path, name)))
    return found


ALL = commands(build_parser())
LEAVES = [(name, p) for name, p in ALL if "handler" in p._defaults]


def test_the_tree_has_the_commands_an_operator_uses() -> None:
    names = {name for name, _ in ALL}
    assert {"stack up", "stack status", "stack down", "run", "setup", "connectors list", "connectors check",
            "connectors run", "import", "pipeline run", "status", "retention", "deadletters", "templates",
            "alerts run", "alerts list", "alerts silence", "alerts silences", "alerts test-rule", "kibana export",
            "kibana import", "tag", "model train", "model evaluate", "model build-defaults"} <= names


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_every_command_has_a_description_and_examples(name: str, parser: argparse.ArgumentParser) -> None:
    assert parser.description and len(parser.description) > 40, name
    assert parser.epilog and parser.epilog.startswith("examples:\n  siaga "), name


@pytest.mark.parametrize(("name", "parser"), LEAVES, ids=[name for name, _ in LEAVES])
def test_every_option_of_every_command_has_help(name: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        assert action.help, f"siaga {name}: {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(("name", "parser"), LEAVES, ids=[name for name, _ in LEAVES])
def test_every_command_takes_the_global_options(name: str, parser: argparse.ArgumentParser) -> None:
    options = {option for action in parser._actions for option in action.option_strings}
    assert {"--config", "-v", "--log-format"} <= options, name


def test_stack_help_describes_each_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stack", "--help"]) == 0
    out = capsys.readouterr().out
    assert "start the embedded services that are not running yet" in out
    assert "stop the embedded services (their data is kept)" in out
    assert "examples:\n  siaga stack up" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "siaga 0.1.0"


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for code in EXIT_CODES:
        assert f"\n  {code}  " in out


def test_the_command_reference_documents_every_exit_code() -> None:
    # The reference is the page holding the command table: the README's, or its page under docs/.
    pages = [README, *sorted(README.parent.glob("docs/**/*.md"))]
    (reference,) = [page for page in pages if "| command | what it does |" in page.read_text(encoding="utf-8")]
    text = reference.read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} |" in text, f"exit code {code} is not in the command reference ({reference.name})"


COMMANDS_PAGE = README.parent / "docs" / "commands.md"


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_the_command_reference_has_a_row_for_every_command(name: str, parser: argparse.ArgumentParser) -> None:
    # A row names its verb first and may list several subcommands: `siaga stack up \| down`.
    verb, *sub = name.split()
    rows = [line for line in COMMANDS_PAGE.read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| `siaga {verb}")]
    assert rows, f"docs/commands.md has no row for `siaga {verb}`"
    if sub:
        assert any(f" {sub[0]}" in re.split(r"(?<!\\)\|", row)[1] for row in rows), f"docs/commands.md has no row for `siaga {name}`"


@pytest.mark.parametrize(
    ("argv", "config", "verbose", "log_format"),
    [
        (["status"], None, 0, None),
        (["--config", "a.yaml", "-v", "status"], "a.yaml", 1, None),
        (["status", "--config", "a.yaml", "-vv", "--log-format", "json"], "a.yaml", 2, "json"),
        (["-v", "--config", "a.yaml", "alerts", "list", "-v", "--config", "b.yaml"], "b.yaml", 2, None),
        (["--log-format", "json", "pipeline", "run", "--log-format", "text"], None, 0, "text"),
    ],
)
def test_global_options_count_before_and_after_the_command(
        argv: list[str], config: str | None, verbose: int, log_format: str | None) -> None:
    args, _ = build_parser().parse_known_args(argv)
    merge_global_options(args)
    assert (str(args.config) if args.config else None, args.verbose, args.log_format) == (config, verbose, log_format)


def test_the_import_formats_are_the_registered_ones(capsys: pytest.CaptureFixture[str]) -> None:
    (import_parser,) = [parser for name, parser in ALL if name == "import"]
    (fmt,) = [action for action in import_parser._actions if action.dest == "format"]
    assert sorted(fmt.choices) == sorted(FORMATS)


def test_connectors_help_names_every_registered_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connectors", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for kind in REGISTRY:
        assert kind in out
