"""Every third-party module the code imports is declared in setup.py (a fresh install has it)."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"schemas", "connectors", "pipelines", "tests", "bench", "__future__"}


def declared() -> tuple[set[str], set[str]]:
    """The distributions setup.py installs, and those its ``test`` extra adds (normalised names)."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup")
    options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords
               if keyword.arg in ("install_requires", "extras_require")}

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
                for requirement in requirements}

    return names(options["install_requires"]), names(options["extras_require"]["test"])


def eval_extra() -> set[str]:
    """The distributions of the ``eval`` extra (the baseline the risk model is measured against)."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup")
    extras = next(ast.literal_eval(k.value) for k in call.keywords if k.arg == "extras_require")
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower() for r in extras["eval"]}


BASELINE = "pipelines/tagging/baseline.py"
"""The one runtime module that may import the ``eval`` extra (lazily, for ``siaga model`` only)."""


def third_party_imports(*folders: str) -> dict[str, set[str]]:
    """Top-level module → the files importing it, outside the standard library and our own packages."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OURS:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def undeclared(imports: dict[str, set[str]], allowed: set[str]) -> list[str]:
    providers = packages_distributions()
    missing = []
    for module, files in sorted(imports.items()):
        distributions = {name.lower().replace("_", "-") for name in providers.get(module, [])}
        if not distributions & allowed:
            missing.append(f"{module} (from {', '.join(sorted(distributions)) or 'no installed distribution'}; "
                           f"imported in {', '.join(sorted(files)[:3])})")
    return missing


def test_every_module_the_code_imports_is_an_install_requirement() -> None:
    runtime, _ = declared()
    imports = third_party_imports("schemas", "connectors", "pipelines")
    baseline_only = {module: files for module, files in imports.items() if files == {BASELINE}}
    assert not undeclared({m: f for m, f in imports.items() if m not in baseline_only}, runtime)
    assert not undeclared(baseline_only, runtime | eval_extra())


def test_every_module_the_tests_and_benchmarks_import_is_a_requirement_or_a_test_extra() -> None:
    runtime, test = declared()
    assert not undeclared(third_party_imports("tests", "bench"), runtime | test | eval_extra())
