"""The Beam transforms of the post pipeline: validate, tag, and route failures.

Each transform is runner-agnostic: it takes ``KafkaRecord``s and yields ``TaggedPost``s and
``DeadLetter``s, with no knowledge of where records come from or when offsets are committed.
The local driver (``pipelines.job``) feeds them bounded micro-batches; a streaming runner
would feed them from Kafka IO.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from pipelines.records import InvalidRecord, KafkaRecord, parse_post
from pipelines.tagging.tagger import Tagger
from schemas.config import TaggingSettings
from schemas.deadletter import DeadLetter
from schemas.fields import utc_now
from schemas.post import Post, TaggedPost

DEAD_LETTER = "dead_letter"
METRICS_NAMESPACE = "siaga"


def record_key(record: KafkaRecord) -> str | None:
    """The record's key as text, if it has a readable one."""
    if record.key is None:
        return None
    return record.key.decode("utf-8", "replace")


class ParseRecordFn(beam.DoFn):
    """Kafka record → ``Post``; anything invalid → a dead letter with the reason and original bytes."""

    def __init__(self) -> None:
        self.posts_in = Metrics.counter(METRICS_NAMESPACE, "posts_in")
        self.invalid = Metrics.counter(METRICS_NAMESPACE, "dead_letter.validate")

    def process(self, record: KafkaRecord) -> Iterator[Post | TaggedOutput]:
        self.posts_in.inc()
        try:
            yield parse_post(record.value)
        except InvalidRecord as exc:
            self.invalid.inc()
            yield TaggedOutput(
                DEAD_LETTER,
                DeadLetter.wrap(
                    record.value,
                    stage="validate",
                    reason=str(exc),
                    error_type=type(exc).__name__,
                    source=record.source,
                    key=record_key(record),
                    failed_at=utc_now(),
                ),
            )


class TagFn(beam.DoFn):
    """A batch of posts → tagged posts; the models load once per worker in ``setup``."""

    def __init__(self, settings: TaggingSettings) -> None:
        self._settings = settings
        self._tagger: Tagger | None = None

    def setup(self) -> None:
        self._tagger = Tagger(self._settings)
        self._tagger.tag(["siap"])

    def process(self, batch: list[Post]) -> Iterator[TaggedPost]:
        assert self._tagger is not None
        tagged_at = utc_now()
        version = self._tagger.version
        for post, tags in zip(batch, self._tagger.tag([post.text for post in batch]), strict=True):
            Metrics.counter(METRICS_NAMESPACE, f"language.{tags.language}").inc()
            Metrics.counter(METRICS_NAMESPACE, f"risk_level.{tags.risk.level}").inc()
            yield TaggedPost(
                **post.model_dump(),
                language=tags.language,
                language_score=tags.language_score,
                topics=tags.topics,
                risk=tags.risk,
                matches=tags.matches,
                tagged_at=tagged_at,
                tagger_version=version,
            )


class ValidateAndTag(beam.PTransform):
    """``KafkaRecord``s → ``{"tagged": TaggedPost, "dead_letter": DeadLetter}``."""

    def __init__(self, settings: TaggingSettings, max_batch_size: int = 500) -> None:
        super().__init__()
        self._tag = TagFn(settings)
        self._max_batch_size = max_batch_size

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        parsed = records | "Validate" >> beam.ParDo(ParseRecordFn()).with_outputs(DEAD_LETTER, main="posts")
        tagged = (
            parsed.posts
            | "BatchForTagging" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._max_batch_size)
            | "Tag" >> beam.ParDo(self._tag)
        )
        return {"tagged": tagged, DEAD_LETTER: parsed[DEAD_LETTER]}


def as_kafka_message(post: TaggedPost) -> tuple[bytes, bytes]:
    """A tagged post as the tagged-posts topic's ``(key, value)``."""
    return post.post_id.encode(), post.model_dump_json().encode()


def dead_letter_message(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    """A dead letter as the dead-letter topic's ``(key, value)``."""
    key = (letter.key or letter.source).encode()
    return key, letter.model_dump_json().encode()


def flatten_all(pcollections: Iterable[beam.PCollection], label: str) -> beam.PCollection:
    """Flatten several PCollections under one labelled step."""
    return tuple(pcollections) | label >> beam.Flatten()
