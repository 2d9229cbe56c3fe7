"""The election labels composed from evidence, and the post's risk level, with the reasons for each.

The risk model reads words; it cannot know that "Asep" is a candidate on this ballot. So the two
labels that are about the election are not guessed by the model but composed from what it and
the other taggers found, each with its reasons, so an officer reads *why* a post was raised:

- **black_campaign** = an attack (``hate_speech``, ``abusive`` or ``hoax`` from the model, a
  watchlist with one of those risks, or a fact-check the post repeats) aimed at a named
  candidate or party (an entity of that type in the post). The model's own ``black_campaign``
  counts as an attack too, but only with a named candidate or party.
- **provocation** = hostile or violent calls against a religious or ethnic group (the model's
  hate speech or abuse aimed at a group, category religion or ethnicity, when the model says so;
  a watchlist with risk ``provocation``, which is where violence terms such as "bawa golok"
  belong; or the model's own ``provocation``), or against an election body (an attack with an
  election body entity: "KPU curang, surat suara sudah dicoblos").

The level (``normal < waspada < siaga < awas``) follows from the labels:

1. each label's score against ``tagging.risk_levels`` (``waspada`` 0.5, ``siaga`` 0.7,
   ``awas`` 0.9); a composed label scores as its strongest piece of evidence; a watchlist's
   label scores as the level the watchlist asks for (``siaga`` → 0.7), or ``waspada`` without one;
2. abusive language aimed at no named candidate, party or body and at no group counts at most
   ``waspada``: swearing about football or a parcel is not an election risk, and it was most of
   the false alarms (7 of 10 ``siaga`` posts among 440 everyday posts of the demo sample);
3. the model's ``black_campaign`` with no named candidate or party counts at most ``waspada``
   when an election is configured (there is nobody to show as its target);
4. strong hate speech against a group (``strength: strong`` and ``target: group``, when the
   model gives them) is ``awas``;
5. any label assigned makes the post at least ``waspada``;
6. a watchlist match raises the post to at least the watchlist's ``level``;
7. a post that debunks a hoax ("CEK FAKTA ... = HOAKS", "#lawanhoaks", "klarifikasi") is no
   attack: its ``hoax`` label counts at most ``waspada`` and composes nothing (the tagger asks
   the fact-check matcher's debunk cues, and only for posts where it would matter).

Plain functions on plain data: ``compose`` takes the model's labels, the watchlist matches and
the entities of one post and returns its ``RiskTags``; the tagger calls it for every post.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from schemas.config import RiskLevels
from schemas.factcheck import FactCheckMatch
from schemas.post import (
    Entity,
    LabelScore,
    ReasonKind,
    RiskCategory,
    RiskReason,
    RiskStrength,
    RiskTags,
    RiskTarget,
    WatchlistMatch,
)
from schemas.taxonomy import RISK_LEVELS, RISKS, RiskLevel

ATTACKS = frozenset({"hate_speech", "abusive", "hoax"})
"""Labels that are an attack when aimed at someone."""
TARGETED = {"black_campaign": frozenset({"candidate", "party"}), "provocation": frozenset({"election_body"})}
"""The composed labels and the entity types an attack must be aimed at to make them."""
SARA = frozenset({"religion", "ethnicity"})
CAPPED_WITHOUT_TARGET = frozenset({"abusive"})
"""Labels that alone, aimed at nobody, count at most ``waspada`` (rule 2)."""
NAMED = frozenset({"candidate", "party", "election_body"})
"""Entity types that make an attack aimed (a region is where, not whom)."""
MAX_REASONS = 12
CATEGORY_NAMES = {"religion": "agama", "ethnicity": "suku/etnis", "physical": "fisik", "gender": "gender",
                  "other": "lainnya"}
TYPE_NAMES = {"candidate": "kandidat", "party": "partai", "election_body": "penyelenggara pemilu",
              "region": "wilayah"}


class Evidence(NamedTuple):
    """One thing that speaks for a risk label: the label, how sure, and the reason to show."""

    label: str
    score: float
    reason: RiskReason


_RANK: dict[str, int] = {level: rank for rank, level in enumerate(RISK_LEVELS)}
_DEFAULT_LEVELS = RiskLevels()


def label_score(label: str, score: float) -> LabelScore:
    """``LabelScore(label, score rounded to 4 places)``, shared: frozen, ~2 µs to build, ~0.1 µs to look up."""
    return _label_score(label, round(score, 4))


@lru_cache(maxsize=65536)
def _label_score(label: str, score: float) -> LabelScore:
    # a label has 10,001 rounded scores; the cache keeps the most used, a few MB at most
    return LabelScore.model_construct(label=label, score=score)


def level_of(score: float, levels: RiskLevels) -> RiskLevel:
    """The level a score reaches under ``levels``."""
    if score >= levels.awas:
        return "awas"
    if score >= levels.siaga:
        return "siaga"
    if score >= levels.waspada:
        return "waspada"
    return "normal"


@lru_cache(maxsize=65536)
def _reason(kind: ReasonKind, label: str, ref: str | None, detail: str, score: float | None = None) -> RiskReason:
    # model_construct: built from our own values; validating each again per post would cost more
    # than composing it. Reasons are frozen and repeat (the same label and score, the same
    # candidate named alike), so posts share them: a lookup costs a tenth of building one.
    return RiskReason.model_construct(kind=kind, label=label, ref=ref, detail=detail[:512],
                                      score=None if score is None else round(score, 4))


@lru_cache(maxsize=65536)
def _model_reason(label: str, score: float) -> RiskReason:
    return _reason("model", label, label, f"model: {RISKS.get(label, label)} ({score:.2f})", score)


def model_evidence(labels: Sequence[LabelScore]) -> list[Evidence]:
    """The model's labels as evidence."""
    return [Evidence(item.label, item.score, _model_reason(item.label, item.score)) for item in labels]


def watchlist_evidence(matches: Sequence[WatchlistMatch], levels_by_watchlist: Mapping[str, RiskLevel | None],
                       levels: RiskLevels) -> list[Evidence]:
    """Watchlist matches that carry a risk label, as evidence scored at their watchlist's level."""
    found = []
    for match in matches:
        if match.risk is None:
            continue
        level = levels_by_watchlist.get(match.watchlist) or "waspada"
        score = getattr(levels, level) if level != "normal" else levels.waspada
        found.append(Evidence(match.risk, score, _reason(
            "watchlist", match.risk, match.term, f"daftar pantauan {match.watchlist}: \u201c{match.term}\u201d")))
    return found


def factcheck_evidence(found: Sequence[FactCheckMatch]) -> list[Evidence]:
    """Debunked claims a post repeats (``pipelines.factchecks``), as ``hoax`` evidence scored by the match.

    A fact-checker has already judged the claim false, so unlike the model's guess this needs no
    second opinion: the match's score (a probability, at least the matcher's threshold, 0.7) is
    the label's score, which makes the post ``siaga`` at least.
    """
    return [Evidence("hoax", match.score, _reason("factcheck", "hoax", match.factcheck_id,
                                                 "mengulang klaim yang sudah dibantah: " + match.summary(),
                                                 match.score)) for match in found]


def _entity_reason(label: str, entity: Entity, names: Mapping[str, str]) -> RiskReason:
    name = names.get(entity.id, entity.id)
    return _reason("entity", label, entity.id, f"menyasar {TYPE_NAMES[entity.type]} {name} (\u201c{entity.surface}\u201d)")


def _relabel(evidence: Evidence, label: str) -> RiskReason:
    """The reason of ``evidence``, as one for ``label`` (the attack that makes a black campaign)."""
    reason = evidence.reason
    return _reason(reason.kind, label, reason.ref, reason.detail, reason.score)


def compose(model_labels: Sequence[LabelScore], *, entities: Sequence[Entity] = (),
            matches: Sequence[WatchlistMatch] = (), levels_by_watchlist: Mapping[str, RiskLevel | None] | None = None,
            extra: Sequence[Evidence] = (), target: RiskTarget | None = None, categories: Sequence[RiskCategory] = (),
            strength: RiskStrength | None = None, names: Mapping[str, str] | None = None,
            levels: RiskLevels | None = None, election_known: bool = False, debunked: bool = False) -> RiskTags:
    """One post's ``RiskTags`` from the model's labels, its watchlist matches and its entities.

    ``extra`` is further evidence (a fact-check the post repeats: label ``hoax``, kind
    ``factcheck``); ``target``, ``categories`` and ``strength`` are the model's reading of hate
    speech when it gives one; ``names`` maps entity ids to the names officers read;
    ``election_known`` says whether candidates or parties are configured (rule 3); ``debunked``
    whether the post debunks a hoax (rule 7).
    """
    levels = levels or _DEFAULT_LEVELS
    names = names or {}
    watch_levels = levels_by_watchlist or {}
    by_label: dict[str, list[Evidence]] = {}
    for item in model_evidence(model_labels) + watchlist_evidence(matches, watch_levels, levels) + list(extra):
        by_label.setdefault(item.label, []).append(item)
    caps: dict[str, RiskLevel] = {}
    attacks = [item for label in ATTACKS for item in by_label.get(label, ())]
    if debunked and "hoax" in by_label:
        attacks = [item for item in attacks if item.label != "hoax"]
        caps["hoax"] = "waspada"  # rule 7

    aimed_at = {e.type for e in entities} if entities else set()
    for label, types in TARGETED.items():
        own = by_label.get(label)
        if types.isdisjoint(aimed_at):
            if label == "black_campaign" and own and election_known:
                caps[label] = "waspada"  # rule 3: the model's guess, aimed at nobody we know
            continue
        support = attacks + (own or [])
        if not support:
            continue
        aimed = _unique([e for e in entities if e.type in types])
        reasons = [_relabel(item, label) for item in support] + [_entity_reason(label, e, names) for e in aimed]
        by_label[label] = [Evidence(label, max(item.score for item in support), reasons[0]),
                           *(Evidence(label, 0.0, reason) for reason in reasons[1:])]

    raise_to: dict[str, RiskLevel] = {}
    if target == "group":
        group_hate = [item for label in ("hate_speech", "abusive") for item in by_label.get(label, ())
                      if item.reason.kind == "model"]
        sara = [c for c in categories if c in SARA]
        if group_hate and sara:
            what = ", ".join(CATEGORY_NAMES[c] for c in sara)
            previous = by_label.get("provocation", [])
            reasons = [_relabel(item, "provocation") for item in group_hate]
            reasons.append(_reason("composition", "provocation", "group", f"kebencian terhadap kelompok ({what})"))
            score = max([item.score for item in group_hate] + [item.score for item in previous])
            by_label["provocation"] = [Evidence("provocation", score, reasons[0]),
                                       *(Evidence("provocation", 0.0, r) for r in reasons[1:]), *previous]
        if strength == "strong" and "hate_speech" in by_label:
            raise_to["hate_speech"] = "awas"  # rule 4
            by_label["hate_speech"].append(Evidence("hate_speech", 0.0, _reason(
                "composition", "hate_speech", "strong-group", "ujaran kebencian kuat terhadap kelompok: calon awas")))

    if target != "group" and aimed_at.isdisjoint(NAMED):
        for label in CAPPED_WITHOUT_TARGET:
            caps.setdefault(label, "waspada")  # rule 2

    labels: list[LabelScore] = []
    reasons = []
    rank = 0
    for label, items in by_label.items():
        score = max(item.score for item in items)
        labels.append(label_score(label, score))
        reasons += [item.reason for item in items]
        reached = max(_RANK[level_of(score, levels)], 1)  # rule 5: any label is at least waspada
        if label in caps:
            reached = min(reached, _RANK[caps[label]])
        if label in raise_to:
            reached = max(reached, _RANK[raise_to[label]])
        rank = max(rank, reached)
    if len(labels) > 1:
        labels.sort(key=lambda item: -item.score)
    raised = False
    floors = [_RANK[lv] for m in matches if (lv := watch_levels.get(m.watchlist)) is not None]
    if floors and max(floors) > rank:
        rank, raised = max(floors), True  # rule 6
    return RiskTags.model_construct(
        level=RISK_LEVELS[rank], score=labels[0].score if labels else 0.0, labels=labels, raised_by_watchlist=raised,
        target=target, categories=list(categories), strength=strength, reasons=_dedupe(reasons)[:MAX_REASONS])


def _unique(entities: Sequence[Entity]) -> list[Entity]:
    seen: set[str] = set()
    unique = []
    for entity in entities:
        if entity.id not in seen:
            seen.add(entity.id)
            unique.append(entity)
    return unique


def _dedupe(reasons: list[RiskReason]) -> list[RiskReason]:
    if len(reasons) < 2:
        return reasons
    seen: set[tuple[str, str, str | None]] = set()
    kept = []
    for reason in reasons:
        key = (reason.kind, reason.label, reason.ref)
        if key not in seen:
            seen.add(key)
            kept.append(reason)
    return kept
