"""The election labels composed from evidence, the level rules, and the reasons an officer reads."""

from __future__ import annotations

import pytest

from pipelines.tagging.compose import Evidence, compose, label_score
from schemas.config import RiskLevels
from schemas.post import Entity, RiskReason, RiskTags, WatchlistMatch

ASEP = Entity(type="candidate", id="candidate:paslon-02", surface="Kang Asep")
PARTY = Entity(type="party", id="party:pgt", surface="PGT")
KPU = Entity(type="election_body", id="election_body:kpu-sukamaju", surface="KPU Sukamaju")
REGION = Entity(type="region", id="region:32.99", surface="Sukamaju")
NAMES = {"candidate:paslon-02": "paslon 02 Asep–Rudi", "election_body:kpu-sukamaju": "KPU Kabupaten Sukamaju"}
LEVELS = {"golok": "awas", "hoaks-list": "siaga", "plain": None}


def risk(labels: dict[str, float], *, entities: list[Entity] | None = None, matches: list[WatchlistMatch] | None = None,
         **kwargs: object) -> RiskTags:
    tags = compose([label_score(label, score) for label, score in labels.items()], entities=entities or [],
                   matches=matches or [], levels_by_watchlist=LEVELS, names=NAMES, election_known=True, **kwargs)
    # what the tagger builds must be a valid document
    assert RiskTags.model_validate(tags.model_dump()) == tags
    return tags


def labels_of(tags: RiskTags) -> dict[str, float]:
    return {item.label: item.score for item in tags.labels}


def reasons_for(tags: RiskTags, label: str) -> list[tuple[str, str | None]]:
    return [(reason.kind, reason.ref) for reason in tags.reasons if reason.label == label]


def test_an_attack_on_a_named_candidate_is_a_black_campaign_with_its_reasons() -> None:
    tags = risk({"abusive": 0.82}, entities=[ASEP, REGION])
    assert labels_of(tags) == {"abusive": 0.82, "black_campaign": 0.82}
    assert tags.level == "siaga"
    assert reasons_for(tags, "black_campaign") == [("model", "abusive"), ("entity", "candidate:paslon-02")]
    entity_reason = next(r for r in tags.reasons if r.kind == "entity")
    assert entity_reason.detail == "menyasar kandidat paslon 02 Asep–Rudi (\u201cKang Asep\u201d)"
    assert reasons_for(tags, "abusive") == [("model", "abusive")]


@pytest.mark.parametrize("attack", ["hate_speech", "abusive", "hoax"])
def test_each_kind_of_attack_on_a_party_is_a_black_campaign(attack: str) -> None:
    assert "black_campaign" in labels_of(risk({attack: 0.75}, entities=[PARTY]))


def test_the_same_attack_naming_nobody_is_no_black_campaign_and_plain_abuse_stays_waspada() -> None:
    tags = risk({"abusive": 0.95}, entities=[REGION])
    assert labels_of(tags) == {"abusive": 0.95}
    assert tags.level == "waspada", "swearing aimed at no one named is not an election risk (rule 2)"
    assert risk({"hoax": 0.95}).level == "awas", "a hoax needs no target to be one"


def test_the_models_own_black_campaign_needs_a_named_candidate() -> None:
    alone = risk({"black_campaign": 0.93})
    assert labels_of(alone) == {"black_campaign": 0.93} and alone.level == "waspada"
    aimed = risk({"black_campaign": 0.93}, entities=[ASEP])
    assert aimed.level == "awas"
    assert reasons_for(aimed, "black_campaign") == [("model", "black_campaign"), ("entity", "candidate:paslon-02")]
    no_election = compose([label_score("black_campaign", 0.93)], election_known=False)
    assert no_election.level == "awas", "without an election section the model's label is all there is"


def test_a_composed_label_scores_as_its_strongest_evidence() -> None:
    tags = risk({"abusive": 0.6, "hoax": 0.71, "black_campaign": 0.4}, entities=[ASEP])
    assert labels_of(tags)["black_campaign"] == 0.71
    assert [label.label for label in tags.labels][0] in {"hoax", "black_campaign"}
    assert tags.score == 0.71


def test_an_attack_on_an_election_body_is_provocation() -> None:
    tags = risk({"hoax": 0.88}, entities=[KPU])
    assert labels_of(tags) == {"hoax": 0.88, "provocation": 0.88}
    assert reasons_for(tags, "provocation") == [("model", "hoax"), ("entity", "election_body:kpu-sukamaju")]


def test_a_debunk_of_a_hoax_attacks_nobody_and_stays_waspada() -> None:
    tags = risk({"hoax": 0.88}, entities=[KPU, ASEP], debunked=True)
    assert labels_of(tags) == {"hoax": 0.88}
    assert tags.level == "waspada"


def test_hate_against_a_religious_or_ethnic_group_is_provocation_and_strong_hate_is_awas() -> None:
    tags = risk({"hate_speech": 0.72}, target="group", categories=["religion"], strength="moderate")
    assert labels_of(tags) == {"hate_speech": 0.72, "provocation": 0.72}
    assert tags.level == "siaga"
    assert ("composition", "group") in reasons_for(tags, "provocation")
    assert tags.target == "group" and tags.categories == ["religion"] and tags.strength == "moderate"
    strong = risk({"hate_speech": 0.72}, target="group", categories=["ethnicity"], strength="strong")
    assert strong.level == "awas"
    assert ("composition", "strong-group") in reasons_for(strong, "hate_speech")
    individual = risk({"hate_speech": 0.72}, target="individual", categories=["physical"], strength="strong")
    assert labels_of(individual) == {"hate_speech": 0.72} and individual.level == "siaga"


def test_a_watchlist_with_a_risk_adds_it_at_the_watchlists_level_and_composes() -> None:
    golok = WatchlistMatch(watchlist="golok", term="bawa golok", risk="provocation")
    tags = risk({}, matches=[golok])
    assert labels_of(tags) == {"provocation": 0.9}
    assert tags.level == "awas"
    assert tags.reasons[0] == RiskReason(kind="watchlist", label="provocation", ref="bawa golok",
                                         detail="daftar pantauan golok: \u201cbawa golok\u201d")
    smear = WatchlistMatch(watchlist="hoaks-list", term="ijazah palsu", risk="hoax")
    composed = risk({}, matches=[smear], entities=[ASEP])
    assert labels_of(composed) == {"hoax": 0.7, "black_campaign": 0.7}
    assert reasons_for(composed, "black_campaign") == [("watchlist", "ijazah palsu"), ("entity", "candidate:paslon-02")]


def test_a_watchlist_without_a_risk_only_raises_the_level() -> None:
    tags = risk({"abusive": 0.55}, matches=[WatchlistMatch(watchlist="golok", term="golok", risk=None)])
    assert labels_of(tags) == {"abusive": 0.55}
    assert tags.level == "awas" and tags.raised_by_watchlist


def test_a_fact_check_the_post_repeats_is_an_attack() -> None:
    repeated = Evidence("hoax", 0.8, RiskReason(kind="factcheck", label="hoax", ref="fc-0123456789abcdef0123",
                                               detail="mengulang klaim yang dibantah cek fakta"))
    tags = risk({}, entities=[ASEP], extra=[repeated])
    assert labels_of(tags) == {"hoax": 0.8, "black_campaign": 0.8}
    assert reasons_for(tags, "black_campaign")[0] == ("factcheck", "fc-0123456789abcdef0123")


def test_levels_follow_the_configured_thresholds() -> None:
    levels = RiskLevels(waspada=0.3, siaga=0.4, awas=0.6)
    assert compose([label_score("hoax", 0.5)], levels=levels).level == "siaga"
    assert compose([label_score("hoax", 0.2)], levels=levels).level == "waspada", "any label asks for attention"
    assert compose([]).level == "normal"


def test_reasons_are_capped_and_each_said_once() -> None:
    entities = [Entity(type="candidate", id=f"candidate:c{i}", surface=f"C{i}") for i in range(20)]
    tags = compose([label_score("abusive", 0.8), label_score("hoax", 0.8)], entities=entities, election_known=True)
    keys = [(r.kind, r.label, r.ref) for r in tags.reasons]
    assert len(keys) == len(set(keys)) == 12
