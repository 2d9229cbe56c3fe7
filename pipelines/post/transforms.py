"""The Beam transforms of the post pipeline: validate, tag, and route failures.

Each transform is runner-agnostic: it takes ``KafkaRecord``s and yields ``TaggedPost``s and
``DeadLetter``s, with no knowledge of where records come from or when offsets are committed.
The local driver (``pipelines.post.job``) feeds them bounded micro-batches; a streaming runner
would feed them from Kafka IO.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from pipelines.common.erasures import SuppressionSource, shared_suppressions
from pipelines.common.records import (
    MAX_TAGGED_BYTES,
    InvalidRecord,
    KafkaRecord,
    cut,
    parse_post,
    record_key,
    serialised_size,
)
from pipelines.factchecks.matcher import debunk_cue
from pipelines.factchecks.store import FactCheckSource, LoadedFactChecks, shared_factchecks
from pipelines.tagging.tagger import Tagger, Tags
from schemas.clock import utc_now
from schemas.config import ElectionSettings, TaggingSettings
from schemas.deadletter import DeadLetter
from schemas.erasure import SuppressionList
from schemas.post import Post, RiskTags, TaggedPost

DEAD_LETTER = "dead_letter"
METRICS_NAMESPACE = "siaga"

log = logging.getLogger(__name__)
_taggers: dict[str, Tagger] = {}
_taggers_lock = threading.Lock()


def build_tagger(settings: TaggingSettings, election: ElectionSettings | None = None) -> Tagger:
    """The tagger as the pipeline runs it: the election's entities, and the fact-check matcher's
    debunk cues, so a KPU clarification that quotes a hoax is not composed into an attack on KPU."""
    return Tagger(settings, election, debunk=debunk_cue)


def shared_tagger(settings: TaggingSettings, election: ElectionSettings | None = None) -> Tagger:
    """One warmed-up ``Tagger`` per process and tagging (and election) configuration.

    The local driver builds a Beam pipeline per micro-batch, so ``DoFn.setup`` runs once per
    batch; loading the models there each time cost ~0.07 s a batch. Here they load once.
    """
    cache_key = settings.model_dump_json() + (election.model_dump_json() if election is not None else "")
    with _taggers_lock:
        tagger = _taggers.get(cache_key)
        if tagger is None:
            tagger = build_tagger(settings, election)
            tagger.tag(["siap"])
            _taggers[cache_key] = tagger
        return tagger


class ParseRecordFn(beam.DoFn):
    """Kafka record → ``Post``; anything invalid → a dead letter with the reason and original bytes.

    A post on the suppression list (erased with ``siaga erase`` after it reached the raw topic,
    or produced by a connector that did not know yet) is dropped and counted as ``suppressed``:
    neither indexed, nor tagged, nor dead-lettered.
    """

    def __init__(self, erasures: SuppressionSource | None = None) -> None:
        self.posts_in = Metrics.counter(METRICS_NAMESPACE, "posts_in")
        self.invalid = Metrics.counter(METRICS_NAMESPACE, "dead_letter.validate")
        self.suppressed = Metrics.counter(METRICS_NAMESPACE, "suppressed")
        self._erasures = erasures
        self._suppressions: SuppressionList | None = None

    def setup(self) -> None:
        if self._erasures is not None:
            self._suppressions = shared_suppressions(self._erasures)

    def process(self, record: KafkaRecord) -> Iterator[Post | TaggedOutput]:
        self.posts_in.inc()
        try:
            post = parse_post(record.value)
        except InvalidRecord as exc:
            self.invalid.inc()
            yield TaggedOutput(
                DEAD_LETTER,
                DeadLetter.wrap(
                    record.value,
                    stage="validate",
                    reason=cut(str(exc)),
                    error_type=type(exc).__name__,
                    source=record.source,
                    key=record_key(record),
                    failed_at=utc_now(),
                ),
            )
            return
        if self._suppressions is not None and self._suppressions.blocks_post(post):
            self.suppressed.inc()
            log.info("post %s is erased: dropped (%s)", post.post_id, record.source)
            return
        yield post


class TagFn(beam.DoFn):
    """A batch of posts → tagged posts; the models load once per worker process in ``setup``.

    A post that makes the tagger raise is a poison record: the batch is re-tagged one post at a
    time and only the post that still raises goes to the dead letters, so it never blocks its
    partition (a batch that fails is otherwise retried forever).

    With ``factchecks`` (where the imported fact-checks are), each batch is matched against the
    process's shared matcher (``pipelines.factchecks.store``), which picks up new imports within
    ``factchecks.refresh``; the batch keeps the matcher it started with.
    """

    def __init__(self, settings: TaggingSettings, election: ElectionSettings | None = None,
                 factchecks: FactCheckSource | None = None) -> None:
        self._settings = settings
        self._election = election
        self._factcheck_source = factchecks
        self._factchecks: LoadedFactChecks | None = None
        self._tagger: Tagger | None = None
        self.failed = Metrics.counter(METRICS_NAMESPACE, "dead_letter.tag")
        self.repeats = Metrics.counter(METRICS_NAMESPACE, "factcheck_matched")

    def setup(self) -> None:
        self._tagger = shared_tagger(self._settings, self._election)
        if self._factcheck_source is not None:
            self._factchecks = shared_factchecks(self._factcheck_source)

    def _tag_each(self, batch: list[Post]) -> Iterator[tuple[Post, Tags | Exception]]:
        assert self._tagger is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        matcher = self._factchecks.matcher() if self._factchecks is not None else None
        try:
            yield from zip(batch, self._tagger.tag([post.text for post in batch], matcher), strict=True)
            return
        except Exception:
            if len(batch) == 1:
                raise
            log.warning("tagging a batch of %d posts failed; tagging them one by one", len(batch))
        for post in batch:
            try:
                (tags,) = self._tagger.tag([post.text], matcher)
            except Exception as exc:  # noqa: BLE001 - a poison post: dead-lettered with the reason
                yield post, exc
            else:
                yield post, tags

    def process(self, batch: list[Post]) -> Iterator[TaggedPost | TaggedOutput]:
        assert self._tagger is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        # Between batches: a model `siaga model retrain` installed is picked up here, without a restart.
        self._tagger.reload_if_changed()
        tagged_at = utc_now()
        version = self._tagger.version
        for post, tags in self._tag_each(batch):
            if isinstance(tags, Exception):
                yield self._dead_letter(post, f"tagging failed: {tags}", type(tags).__name__)
                continue
            tagged = TaggedPost(
                **post.model_dump(),
                language=tags.language,
                language_score=tags.language_score,
                text_norm=tags.text_norm,
                topics=tags.topics,
                risk=tags.risk,
                matches=tags.matches,
                entities=tags.entities,
                factchecks=tags.factchecks,
                tagged_at=tagged_at,
                tagger_version=version,
                tags=tags.info,
            )
            # Checked before indexing, so a post is in Elasticsearch only if the tagged topic takes
            # it too: the validated post is at most MAX_RECORD_BYTES, but its watchlist matches are
            # not bounded by anything but the text.
            try:
                size = serialised_size(tagged)
            except InvalidRecord as exc:
                yield self._dead_letter(post, str(exc), "InvalidRecord")
                continue
            if size > MAX_TAGGED_BYTES:
                yield self._dead_letter(post, f"tagged post is {size:,} bytes, over the {MAX_TAGGED_BYTES:,}-byte "
                                              "limit of the tagged-posts topic", "InvalidRecord")
                continue
            Metrics.counter(METRICS_NAMESPACE, f"language.{tags.language}").inc()
            Metrics.counter(METRICS_NAMESPACE, f"risk_level.{tags.risk.level}").inc()
            if tags.factchecks:
                self.repeats.inc()
            for attacked in attacked_entities(tags.risk):
                Metrics.counter(METRICS_NAMESPACE, f"attacked.{attacked}").inc()
            yield tagged

    def _dead_letter(self, post: Post, reason: str, error_type: str) -> TaggedOutput:
        self.failed.inc()
        return TaggedOutput(DEAD_LETTER, DeadLetter.wrap(
            post.model_dump_json().encode(), stage="tag", reason=cut(reason), error_type=error_type,
            source=f"post/{post.post_id}", key=post.post_id, failed_at=utc_now(),
        ))


def attacked_entities(risk: RiskTags) -> list[str]:
    """The candidates and parties a post's ``black_campaign`` is aimed at (entity ids), each once."""
    return list(dict.fromkeys(r.ref for r in risk.reasons
                              if r.label == "black_campaign" and r.kind == "entity" and r.ref is not None))


class ValidateAndTag(beam.PTransform):
    """``KafkaRecord``s → ``{"tagged": TaggedPost, "dead_letter": DeadLetter}``."""

    def __init__(self, settings: TaggingSettings, max_batch_size: int = 500,
                 erasures: SuppressionSource | None = None, election: ElectionSettings | None = None,
                 factchecks: FactCheckSource | None = None) -> None:
        super().__init__()
        self._tag = TagFn(settings, election, factchecks)
        self._max_batch_size = max_batch_size
        self._erasures = erasures

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        parsed = records | "Validate" >> beam.ParDo(ParseRecordFn(self._erasures)).with_output_types(Post).with_outputs(
            DEAD_LETTER, main="posts")
        tagged = (
            parsed.posts
            | "BatchForTagging" >> beam.BatchElements(
                min_batch_size=self._max_batch_size, max_batch_size=self._max_batch_size
            )
            | "Tag" >> beam.ParDo(self._tag).with_output_types(TaggedPost).with_outputs(DEAD_LETTER, main="tagged")
        )
        dead = flatten_all((parsed[DEAD_LETTER], tagged[DEAD_LETTER]), "InvalidOrUntaggable")
        return {"tagged": tagged.tagged, DEAD_LETTER: dead}


def as_kafka_message(post: TaggedPost) -> tuple[bytes, bytes]:
    """A tagged post as the tagged-posts topic's ``(key, value)``."""
    return post.post_id.encode(), post.model_dump_json().encode()


def flatten_all(pcollections: Iterable[beam.PCollection], label: str) -> beam.PCollection:
    """Flatten several PCollections under one labelled step."""
    return tuple(pcollections) | label >> beam.Flatten()


class PostCoder(beam.coders.Coder):
    """``Post`` / ``TaggedPost`` as their JSON, with a cheap size estimate.

    Beam's default for these is pickling. The runner also samples element sizes for its
    metrics, and with the pickle coder each estimate pickled the whole post: in a profile of a
    2,000-post batch that was ~20 % of the time. The estimate here is the text length plus a
    fixed overhead, close enough for a metric.
    """

    def __init__(self, model: type[Post]) -> None:
        self._model = model

    @classmethod
    def from_type_hint(cls, typehint: type[Post], registry: object) -> PostCoder:  # type: ignore[override]  # Beam's stub: a type variable
        return cls(typehint)

    def encode(self, value: Post) -> bytes:
        return value.model_dump_json().encode()

    def decode(self, encoded: bytes) -> Post:
        return self._model.model_validate_json(encoded)

    def is_deterministic(self) -> bool:
        return True

    def estimate_size(self, value: Post) -> int:
        return len(value.text) + 600

    def _create_impl(self) -> beam.coders.coder_impl.CoderImpl:
        return beam.coders.coder_impl.CallbackCoderImpl(self.encode, self.decode, self.estimate_size)

    def to_type_hint(self) -> type:
        return self._model

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._model is self._model

    def __hash__(self) -> int:
        return hash((type(self), self._model))


beam.coders.registry.register_coder(Post, PostCoder)
beam.coders.registry.register_coder(TaggedPost, PostCoder)
