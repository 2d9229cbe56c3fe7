"""A trained tagging model's metadata and the labelled-example format operators train on.

Every model file ``NAME.ftz`` has a ``NAME.json`` beside it holding a ``ModelMeta``: which task
it does, its labels, a hash of the data it was trained on, when, with which fastText settings,
its calibration, and its metrics on held-out data. The tagger refuses a model whose metadata
names another task, so a risk model cannot be loaded as the topic model by mistake.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.fields import UtcDatetime

MODEL_FORMAT = 1


class Example(BaseModel):
    """One labelled training line: ``{"text": "...", "labels": ["label", ...]}``; empty = none apply."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str = Field(min_length=1)
    labels: list[str] = Field(default_factory=list)


class Platt(BaseModel):
    """``p = 1 / (1 + exp(-(a * logit(raw) + b)))``: maps a raw score to a calibrated probability."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: float = 1.0
    b: float = 0.0


class LabelMetrics(BaseModel):
    """Precision, recall and F1 of one label, with its support (gold examples)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    precision: float
    recall: float
    f1: float
    support: int


class Metrics(BaseModel):
    """How a model did on one labelled data set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str
    examples: int
    exact_match: float = Field(description="share of examples whose predicted label set equals the gold set "
                                           "(attribute labels such as target:group left aside)")
    exact_match_attributes: float | None = Field(
        default=None, description="the same with attribute labels counted, when the data has any")
    micro_f1: float
    macro_f1: float
    labels: dict[str, LabelMetrics]


class ModelMeta(BaseModel):
    """Everything known about a model file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = MODEL_FORMAT
    task: str
    labels: list[str] = Field(description="the labels the model can predict, 'none' excluded")
    multi_label: bool
    training_data_sha256: str
    training_examples: int
    trained_at: UtcDatetime
    fasttext: dict[str, Any]
    normalisation: Literal["lid", "classifier", "risk"] = Field(
        default="classifier", description="the text normalisation the model reads (pipelines.tagging.models.NORMALISERS)")

    @model_validator(mode="before")
    @classmethod
    def _normalisation_of_older_models(cls, data: Any) -> Any:
        # Metadata written before the field existed: language models read lid text, the others
        # the classifier's.
        if isinstance(data, dict) and "normalisation" not in data:
            data = {**data, "normalisation": "lid" if data.get("task") == "language" else "classifier"}
        return data
    calibration: dict[str, Platt] = Field(default_factory=dict)
    thresholds: dict[str, float] = Field(default_factory=dict, description="per-label decision thresholds")
    metrics: list[Metrics] = Field(default_factory=list)

    def threshold(self, label: str) -> float:
        """The calibrated score at or above which ``label`` is assigned."""
        return self.thresholds.get(label, 0.5)
