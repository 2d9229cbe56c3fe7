"""One registration point per extension, and everything else agrees with it.

Source types are registered in ``schemas.config.SOURCE_MODELS``, rule types in
``schemas.config.RULE_MODELS``, import formats in ``connectors.formats.FORMATS``. The config
unions are built from those tuples; the connectors' registry, the rule evaluators, the alert
schema, the CLI's choices and the docs must name exactly the same set, which this checks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from connectors import REGISTRY
from connectors.formats import FORMATS
from pipelines.alerting.engine import EVALUATORS
from schemas.alert import RuleType
from schemas.config import (
    RULE_MODELS,
    RULE_TYPES,
    SOURCE_MODELS,
    SOURCE_TYPES,
    ImportFormat,
    Rule,
    Source,
    type_key,
)

ROOT = Path(__file__).resolve().parents[1]


def docs() -> str:
    """The README and every page under docs/, where the tables of types live."""
    pages = [ROOT / "README.md", *sorted(ROOT.glob("docs/**/*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def union_members(union: object) -> tuple[type, ...]:
    """The models of a tagged union as pydantic validates it."""
    inner = get_args(union)[0]  # Annotated[Union[Annotated[Model, Tag], ...], Discriminator]
    return tuple(get_args(member)[0] for member in get_args(inner))


# --- sources ----------------------------------------------------------------------------------


def test_the_source_union_is_the_registered_models() -> None:
    assert union_members(Source) == SOURCE_MODELS
    assert list(SOURCE_TYPES) == [type_key(model) for model in SOURCE_MODELS]


def test_the_connector_registry_has_exactly_one_connector_per_source_type() -> None:
    assert sorted(REGISTRY) == sorted(SOURCE_TYPES)


@pytest.mark.parametrize("kind", sorted(SOURCE_TYPES))
def test_each_registered_connector_is_built_from_its_own_configuration_model(kind: str) -> None:
    import inspect

    from_config = inspect.signature(REGISTRY[kind].from_config)
    annotation = from_config.parameters["source"].annotation
    # A connector that names its model must name the one registered for its type.
    if annotation not in (inspect.Parameter.empty, "Any"):
        assert annotation == SOURCE_TYPES[kind].__name__


@pytest.mark.parametrize("kind", sorted(SOURCE_TYPES))
def test_each_source_type_has_its_section_in_the_docs(kind: str) -> None:
    assert re.search(rf"^#+ `?{re.escape(kind)}`?(:|$)", docs(), re.MULTILINE), (
        f"no section for source type {kind!r} (a heading like '### {kind}: ...') in README.md or docs/")


# --- rules ------------------------------------------------------------------------------------


def test_the_rule_union_is_the_registered_models() -> None:
    assert union_members(Rule) == RULE_MODELS
    assert list(RULE_TYPES) == [type_key(model) for model in RULE_MODELS]


def test_every_rule_type_has_exactly_one_evaluator() -> None:
    assert sorted(EVALUATORS) == sorted(RULE_TYPES)


def test_the_alert_document_knows_every_rule_type() -> None:
    assert sorted(get_args(RuleType)) == sorted(RULE_TYPES)


@pytest.mark.parametrize("kind", sorted(RULE_TYPES))
def test_each_rule_type_is_described_in_the_docs(kind: str) -> None:
    section = docs().split("### Rule types", 1)[1].split("\n### ", 1)[0]
    assert f"`{kind}`" in section or f"type: {kind}" in section, f"rule type {kind!r} is not under 'Rule types'"


# --- import formats ---------------------------------------------------------------------------


def test_the_import_format_setting_accepts_exactly_the_registered_formats() -> None:
    assert sorted(get_args(ImportFormat)) == sorted(FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_import_format_is_named_in_the_docs(fmt: str) -> None:
    assert f"`{fmt}`" in docs()
