"""The tree mirrors the data flow: each room of ``pipelines/`` imports only the rooms below it.

The rule is written once here and in ``pipelines/__init__.py``; a change that crosses it (say,
delivery importing the alerting job) fails this test instead of growing a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "connectors": {"schemas"},
    "pipelines.common": {"schemas"},
    "pipelines.tagging": {"schemas"},
    "pipelines.delivery": {"schemas", "pipelines.common"},
    "pipelines.post": {"schemas", "pipelines.common", "pipelines.tagging", "pipelines.factchecks"},
    "pipelines.factchecks": {"schemas", "pipelines.common", "pipelines.tagging"},
    "pipelines.alerting": {"schemas", "pipelines.common", "pipelines.delivery"},
    "pipelines.ops": {"schemas", "connectors", "pipelines.common", "pipelines.tagging", "pipelines.factchecks",
                      "pipelines.post",
                      "pipelines.alerting", "pipelines.delivery"},
    "pipelines.cli": {"schemas", "connectors", "pipelines.common", "pipelines.tagging", "pipelines.factchecks",
                      "pipelines.post",
                      "pipelines.alerting", "pipelines.delivery", "pipelines.ops"},
}
PROJECT = ("schemas", "connectors", "pipelines")


def room_of(module: str) -> str | None:
    """The room a dotted module name belongs to (the longest prefix in ``ALLOWED``)."""
    best = None
    for room in ALLOWED:
        if (module == room or module.startswith(room + ".")) and (best is None or len(room) > len(best)):
            best = room
    return best


def modules() -> list[tuple[str, Path]]:
    found = []
    for top in PROJECT:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.split(".")[0] in PROJECT}


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_a_module_imports_only_the_rooms_below_its_own(module: str, path: Path) -> None:
    own = room_of(module)
    if own is None:
        assert module in {"pipelines", "connectors.samples.build_sample"}, f"{module} is in no room"
        return
    crossing = sorted(name for name in imports_of(path)
                      if room_of(name) not in ALLOWED[own] | {own} and name != "pipelines")
    assert not crossing, f"{module} ({own}) imports {crossing}"
