"""Unit tests for the threshold rule engine (pipelines.alerting.engine), driven directly with tagged posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipelines.alerting.engine import UNKNOWN, Breach, CompiledFilter, RuleEngine
from schemas.config import PostFilter, ThresholdRule
from schemas.post import TaggedPost
from tests.conftest import make_post

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def rule(**overrides: Any) -> ThresholdRule:
    spec = {"id": "r1", "name": "Lonjakan", "threshold": 3, "window": "10m", "cooldown": "1h", **overrides}
    return ThresholdRule.model_validate(spec)


def post(native_id: str, minutes: float = 0, *, language: str = "id", tags: dict[str, Any] | None = None,
         **kwargs: Any) -> TaggedPost:
    raw = make_post(native_id, minutes=minutes, **kwargs)
    tagged_at = (T0 + timedelta(minutes=minutes, seconds=1)).isoformat()
    return TaggedPost.model_validate(
        {**raw, "language": language, "language_score": 0.9, "tagged_at": tagged_at, "tagger_version": "test",
         **(tags or {})}
    )


def feed(engine: RuleEngine, posts: list[TaggedPost]) -> list[Breach]:
    breaches: list[Breach] = []
    for item in posts:
        breaches.extend(engine.observe(item))
    return breaches


def triggers(breaches: list[Breach]) -> list[str]:
    return [b.trigger_post_id for b in breaches]


# --- counting within the window --------------------------------------------------------------


@pytest.mark.parametrize("threshold", [1, 2, 3, 5])
def test_fires_exactly_on_the_nth_post_in_window(threshold: int) -> None:
    engine = RuleEngine([rule(threshold=threshold)])
    results = [engine.observe(post(f"p{i}", minutes=i)) for i in range(threshold)]
    assert all(r == [] for r in results[:-1])
    assert len(results[-1]) == 1
    assert results[-1][0].count == threshold
    assert results[-1][0].trigger_post_id == f"tiktok:p{threshold - 1}"


def test_one_short_of_threshold_fires_nothing() -> None:
    engine = RuleEngine([rule(threshold=4)])
    assert feed(engine, [post("a", 0), post("b", 1), post("c", 9)]) == []


def test_posts_spread_wider_than_window_never_fire() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m")])
    assert feed(engine, [post(f"p{i}", minutes=6 * i) for i in range(20)]) == []


def test_posts_just_inside_the_window_fire() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m")])
    breaches = feed(engine, [post("a", 0), post("b", 5), post("c", 9.9)])
    assert triggers(breaches) == ["tiktok:c"]


def test_old_posts_drop_out_of_the_window() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m")])
    assert feed(engine, [post("a", 0), post("b", 2), post("c", 11), post("d", 13)]) == []
    assert triggers(feed(engine, [post("e", 14)])) == ["tiktok:e"]


# --- cooldown ------------------------------------------------------------------------------


def test_cooldown_gives_one_alert_per_sustained_burst() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m", cooldown="2h")])
    breaches = feed(engine, [post(f"p{i}", minutes=i) for i in range(60)])
    assert triggers(breaches) == ["tiktok:p2"]


def test_second_burst_after_cooldown_fires_again() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m", cooldown="30m")])
    first = feed(engine, [post(f"a{i}", minutes=i) for i in range(10)])
    second = feed(engine, [post(f"b{i}", minutes=40 + i) for i in range(10)])
    assert triggers(first) == ["tiktok:a2"]
    assert triggers(second) == ["tiktok:b2"]
    assert second[0].count == 3


def test_burst_inside_cooldown_is_silent() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m", cooldown="1h")])
    first = feed(engine, [post(f"a{i}", minutes=i) for i in range(3)])
    second = feed(engine, [post(f"b{i}", minutes=30 + i) for i in range(5)])
    assert triggers(first) == ["tiktok:a2"]
    assert second == []


def test_long_burst_realerts_once_per_cooldown() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m", cooldown="30m")])
    breaches = feed(engine, [post(f"p{i}", minutes=i) for i in range(60)])
    assert triggers(breaches) == ["tiktok:p2", "tiktok:p32"]


# --- duplicates and groups -----------------------------------------------------------------


def test_same_post_delivered_twice_counts_once() -> None:
    engine = RuleEngine([rule(threshold=3)])
    assert feed(engine, [post("a", 0), post("a", 0), post("b", 1), post("b", 1)]) == []
    breaches = feed(engine, [post("c", 2)])
    assert triggers(breaches) == ["tiktok:c"]
    assert breaches[0].count == 3
    assert [p.post_id for p in breaches[0].posts] == ["tiktok:c", "tiktok:b", "tiktok:a"]


def test_group_by_hashtag_counts_separately() -> None:
    engine = RuleEngine([rule(threshold=2, group_by="hashtag")])
    assert feed(engine, [post("a", 0, hashtags=["#Pemilu"]), post("b", 1, hashtags=["#Hoaks"])]) == []
    assert feed(engine, [post("n", 2)]) == []  # no hashtag: counts in no group
    breaches = feed(engine, [post("c", 3, hashtags=["#pemilu", "#hoaks"])])
    assert sorted((b.group, b.count) for b in breaches) == [("#hoaks", 2), ("#pemilu", 2)]
    assert all(b.trigger_post_id == "tiktok:c" for b in breaches)


def test_group_by_region_uses_unknown_label() -> None:
    engine = RuleEngine([rule(threshold=2, group_by="region")])
    breaches = feed(
        engine,
        [post("a", 0, region="Jawa Barat"), post("b", 1), post("c", 2, region="Papua"), post("d", 3)],
    )
    assert [(b.group, b.count) for b in breaches] == [(UNKNOWN, 2)]
    assert UNKNOWN == "(tidak diketahui)"
    assert [b.group for b in feed(engine, [post("e", 4, region="Jawa Barat")])] == ["Jawa Barat"]


def test_group_by_author_and_platform() -> None:
    by_author = RuleEngine([rule(threshold=2, group_by="author")])
    breaches = feed(by_author, [post("a", 0, handle="x"), post("b", 1, handle="y"), post("c", 2, handle="x")])
    assert [b.group for b in breaches] == ["tiktok:x"]
    by_platform = RuleEngine([rule(threshold=2, group_by="platform")])
    breaches = feed(by_platform, [post("a", 0), post("b", 1, platform="facebook"), post("c", 2, platform="facebook")])
    assert [b.group for b in breaches] == ["facebook"]


def test_group_none_is_one_group() -> None:
    breaches = feed(RuleEngine([rule(threshold=2)]), [post("a", 0, hashtags=["x"]), post("b", 1, region="Aceh")])
    assert [b.group for b in breaches] == ["*"]


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kwargs", "matches"),
    [
        ({}, {}, True),
        ({"platforms": ["facebook"]}, {"platform": "facebook"}, True),
        ({"platforms": ["facebook"]}, {"platform": "tiktok"}, False),
        ({"languages": ["id", "jv"]}, {"language": "jv"}, True),
        ({"languages": ["id", "jv"]}, {"language": "en"}, False),
        ({"regions": ["Jawa Barat"]}, {"region": "jawa barat"}, True),
        ({"regions": ["Jawa Barat"]}, {"region": "Jawa Timur"}, False),
        ({"regions": ["Jawa Barat"]}, {}, False),
        ({"hashtags_any": ["#Pemilu"]}, {"hashtags": ["PEMILU"]}, True),
        ({"hashtags_any": ["pemilu"]}, {"hashtags": ["#Pemilu"]}, True),
        ({"hashtags_any": ["#Pemilu"]}, {"hashtags": ["pemilu2024"]}, False),
        ({"hashtags_any": ["#Pemilu"]}, {"text": "soal pemilu besok"}, False),
        ({"terms_any": ["hoaks"]}, {"text": "Awas HOAKS!"}, True),
        ({"terms_any": ["hoaks"]}, {"text": "berita-hoaks beredar"}, True),
        ({"terms_any": ["hoaks"]}, {"text": "itu hoaksnya sudah dibantah"}, False),
        ({"terms_any": ["hoaks"]}, {"text": "antihoaks"}, False),
        ({"terms_any": ["Politik Uang"]}, {"text": "Ada politik uang di TPS 5"}, True),
        ({"terms_any": ["hoaks", "fitnah"]}, {"text": "Itu FITNAH."}, True),
        ({"hashtags_any": ["tolakhoaks"], "terms_any": ["hoaks"]}, {"hashtags": ["TolakHoaks"], "text": "halo"}, True),
        ({"hashtags_any": ["tolakhoaks"], "terms_any": ["hoaks"]}, {"text": "ini hoaks"}, True),
        ({"hashtags_any": ["tolakhoaks"], "terms_any": ["hoaks"]}, {"hashtags": ["pemilu"], "text": "halo"}, False),
        ({"platforms": ["tiktok"], "terms_any": ["hoaks"]}, {"platform": "facebook", "text": "hoaks"}, False),
        ({"platforms": ["tiktok"], "terms_any": ["hoaks"]}, {"platform": "tiktok", "text": "hoaks"}, True),
        ({"languages": ["id"], "regions": ["Aceh"]}, {"language": "id", "region": "Papua"}, False),
    ],
)
def test_filter(spec: dict[str, Any], kwargs: dict[str, Any], matches: bool) -> None:
    engine = RuleEngine([rule(threshold=1, filter=spec)])
    assert len(engine.observe(post("x", 0, **kwargs))) == (1 if matches else 0)


def test_non_matching_posts_are_not_counted() -> None:
    engine = RuleEngine([rule(threshold=2, filter={"terms_any": ["hoaks"]})])
    assert feed(engine, [post("a", 0, text="hoaks"), post("b", 1, text="halo"), post("c", 2, text="cuaca")]) == []
    assert triggers(feed(engine, [post("d", 3, text="HOAKS lagi")])) == ["tiktok:d"]


# --- the breach ----------------------------------------------------------------------------


def test_breach_carries_window_trigger_and_evidence() -> None:
    r = rule(threshold=3, window="10m")
    engine = RuleEngine([r], max_evidence=10)
    breaches = feed(engine, [post("old", 0), post("a", 11), post("b", 13), post("c", 15)])
    assert len(breaches) == 1
    breach = breaches[0]
    assert breach.rule == r
    assert breach.group == "*"
    assert breach.count == 3
    assert breach.window_end == T0 + timedelta(minutes=15)
    assert breach.window_start == T0 + timedelta(minutes=5)
    assert breach.trigger_post_id == "tiktok:c"
    assert [p.post_id for p in breach.posts] == ["tiktok:c", "tiktok:b", "tiktok:a"]
    assert breach.posts[0].created_at == T0 + timedelta(minutes=15)
    assert breach.posts[0].author_handle == "warga_sukamaju"
    assert breach.posts[0].url == "https://www.tiktok.com/@warga_sukamaju/video/c"


def test_evidence_is_capped_at_max_evidence() -> None:
    engine = RuleEngine([rule(threshold=5)], max_evidence=2)
    breaches = feed(engine, [post(f"p{i}", i) for i in range(5)])
    assert breaches[0].count == 5
    assert [p.post_id for p in breaches[0].posts] == ["tiktok:p4", "tiktok:p3"]


def test_evidence_stays_newest_first_over_a_long_stream() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m", cooldown="1s")], max_evidence=3)
    for i in range(40):
        breaches = engine.observe(post(f"p{i:02d}", minutes=i / 6))  # every 10 seconds
        if i < 2:
            assert breaches == []
            continue
        assert len(breaches) == 1
        assert breaches[0].count == i + 1
        assert [p.post_id for p in breaches[0].posts] == [f"tiktok:p{j:02d}" for j in (i, i - 1, i - 2)]


# --- late posts ----------------------------------------------------------------------------


def test_late_post_counts_in_its_own_window() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m")])
    assert feed(engine, [post("a", 0), post("t", 9), post("l1", 5)]) == []
    breaches = feed(engine, [post("l2", 6)])
    assert len(breaches) == 1
    breach = breaches[0]
    assert breach.trigger_post_id == "tiktok:l2"
    assert breach.count == 3  # a, l1, l2: the later post t is not in l2's window
    assert breach.window_end == T0 + timedelta(minutes=6)
    assert breach.window_start == T0 - timedelta(minutes=4)
    assert [p.post_id for p in breach.posts] == ["tiktok:l2", "tiktok:l1", "tiktok:a"]


def test_late_post_inside_the_window_counts_for_later_posts() -> None:
    engine = RuleEngine([rule(threshold=4, window="10m")])
    assert feed(engine, [post("a", 0), post("b", 8), post("late", 4)]) == []
    breaches = feed(engine, [post("d", 9)])
    assert breaches[0].count == 4
    assert [p.post_id for p in breaches[0].posts] == ["tiktok:d", "tiktok:b", "tiktok:late", "tiktok:a"]


def test_late_post_older_than_the_window_does_not_inflate_it() -> None:
    engine = RuleEngine([rule(threshold=3, window="10m")])
    assert feed(engine, [post("a", 20), post("late", 5), post("d", 22)]) == []


# --- state ---------------------------------------------------------------------------------


def roundtrip(engine: RuleEngine, rules: list[ThresholdRule], max_evidence: int = 10) -> RuleEngine:
    data = json.loads(json.dumps(engine.snapshot()))
    fresh = RuleEngine(rules, max_evidence=max_evidence)
    fresh.restore(data)
    return fresh


def test_restore_continues_counting() -> None:
    rules = [rule(threshold=3)]
    old = RuleEngine(rules)
    assert feed(old, [post("a", 0), post("b", 1)]) == []
    new = roundtrip(old, rules)
    breaches = feed(new, [post("c", 2)])
    assert triggers(breaches) == ["tiktok:c"]
    assert breaches[0].count == 3
    assert [p.post_id for p in breaches[0].posts] == ["tiktok:c", "tiktok:b", "tiktok:a"]


def test_restore_still_ignores_redelivered_posts() -> None:
    rules = [rule(threshold=3)]
    old = RuleEngine(rules)
    feed(old, [post("a", 0), post("b", 1)])
    new = roundtrip(old, rules)
    assert feed(new, [post("a", 0), post("b", 1)]) == []
    assert triggers(feed(new, [post("c", 2)])) == ["tiktok:c"]


def test_restore_keeps_the_window() -> None:
    rules = [rule(threshold=3, window="10m")]
    old = RuleEngine(rules)
    feed(old, [post("a", 0), post("b", 5)])
    new = roundtrip(old, rules)
    assert feed(new, [post("c", 12)]) == []  # a fell out of the window
    assert triggers(feed(new, [post("d", 13)])) == ["tiktok:d"]


def test_restore_keeps_the_cooldown() -> None:
    rules = [rule(threshold=3, window="10m", cooldown="1h")]
    old = RuleEngine(rules)
    assert triggers(feed(old, [post(f"a{i}", i) for i in range(3)])) == ["tiktok:a2"]
    new = roundtrip(old, rules)
    assert feed(new, [post(f"b{i}", 30 + i) for i in range(3)]) == []
    assert triggers(feed(new, [post(f"c{i}", 70 + i) for i in range(3)])) == ["tiktok:c2"]


def test_restore_drops_groups_of_removed_rules() -> None:
    r1, r2 = rule(id="r1"), rule(id="r2", threshold=2)
    old = RuleEngine([r1, r2])
    feed(old, [post("a", 0)])
    assert {rid for rid, item in old.snapshot()["rules"].items() if item["groups"]} == {"r1", "r2"}
    new = roundtrip(old, [r1, rule(id="r3")])
    assert {rid for rid, item in new.snapshot()["rules"].items() if item["groups"]} == {"r1"}
    back = roundtrip(new, [r1, r2])
    assert feed(back, [post("b", 1)]) == []  # r2 starts again from zero; r1 has 2 of 3
    assert [b.rule.id for b in feed(back, [post("c", 2)])] == ["r1", "r2"]


def test_restore_rejects_unknown_version() -> None:
    engine = RuleEngine([rule()])
    data = engine.snapshot()
    data["version"] = 999
    with pytest.raises(ValueError, match="999"):
        RuleEngine([rule()]).restore(data)


def test_disabled_rule_never_fires() -> None:
    engine = RuleEngine([rule(id="off", threshold=1, enabled=False), rule(id="on", threshold=1)])
    breaches = feed(engine, [post(f"p{i}", i) for i in range(5)])
    assert {b.rule.id for b in breaches} == {"on"}
    assert list(engine.snapshot()["rules"]) == ["on"]


def test_sweep_forgets_idle_groups_but_keeps_cooling_ones() -> None:
    engine = RuleEngine([rule(threshold=2, group_by="hashtag", window="10m", cooldown="1h")])
    fired = feed(engine, [post("a1", 0, hashtags=["a"]), post("a2", 1, hashtags=["a"]), post("b1", 0, hashtags=["b"])])
    assert [b.group for b in fired] == ["#a"]
    feed(engine, [post("c1", 30, hashtags=["c"])])
    engine.sweep()
    assert sorted(engine.snapshot()["rules"]["r1"]["groups"]) == ["#c"]
    assert [q[1] for q in engine.snapshot()["quiet_until"]] == ["#a"]
    # #a is still cooling down: a fresh burst inside the hour stays silent
    assert feed(engine, [post("a3", 40, hashtags=["a"]), post("a4", 41, hashtags=["a"])]) == []


def test_sweep_forgets_groups_once_cooled_and_idle() -> None:
    engine = RuleEngine([rule(threshold=2, group_by="hashtag", window="10m", cooldown="30m")])
    feed(engine, [post("a1", 0, hashtags=["a"]), post("a2", 1, hashtags=["a"])])
    feed(engine, [post("c1", 120, hashtags=["c"])])
    engine.sweep()
    assert list(engine.snapshot()["rules"]["r1"]["groups"]) == ["#c"]
    assert engine.snapshot()["quiet_until"] == []


def test_sweep_on_an_empty_engine() -> None:
    engine = RuleEngine([rule()])
    engine.sweep()
    assert engine.snapshot()["rules"]["r1"]["groups"] == {}
    assert engine.snapshot()["watermark"] is None


SMEAR = {"risk": {"level": "siaga", "score": 0.81, "labels": [{"label": "black_campaign", "score": 0.81}]},
         "topics": [{"label": "candidate", "score": 0.9}],
         "matches": [{"watchlist": "kandidat", "term": "pak darsono", "risk": None}]}
MILD = {"risk": {"level": "waspada", "score": 0.55, "labels": [{"label": "abusive", "score": 0.55}]},
        "topics": [{"label": "economy", "score": 0.7}]}


@pytest.mark.parametrize(
    ("spec", "matches"),
    [
        ({"min_risk_level": "siaga"}, {"smear"}),
        ({"min_risk_level": "waspada"}, {"smear", "mild"}),
        ({"risk_labels_any": ["black_campaign", "hoax"]}, {"smear"}),
        ({"topics_any": ["economy"]}, {"mild"}),
        ({"watchlists_any": ["kandidat"]}, {"smear"}),
        ({"min_risk_level": "waspada", "topics_any": ["candidate"]}, {"smear"}),
        ({}, {"smear", "mild", "plain"}),
    ],
)
def test_filters_on_tags(spec: dict[str, Any], matches: set[str]) -> None:
    compiled = CompiledFilter(PostFilter.model_validate(spec))
    posts = {"smear": post("1", tags=SMEAR), "mild": post("2", tags=MILD), "plain": post("3")}
    assert {name for name, item in posts.items() if compiled.matches(item)} == matches


# --- the election's entities ----------------------------------------------------------------


def attack_on(*entity_ids: str, score: float = 0.8) -> dict[str, Any]:
    """Tags of a post whose black campaign names ``entity_ids`` (as the tagger composes it)."""
    entities = [{"type": i.split(":")[0], "id": i, "surface": i.split(":")[1]} for i in entity_ids]
    reasons = [{"kind": "model", "label": "black_campaign", "ref": "abusive", "detail": "model", "score": score}]
    reasons += [{"kind": "entity", "label": "black_campaign", "ref": i, "detail": f"menyasar {i}"} for i in entity_ids
                if not i.startswith("region:")]
    return {"entities": entities,
            "risk": {"level": "siaga", "score": score, "reasons": reasons,
                     "labels": [{"label": "abusive", "score": score}, {"label": "black_campaign", "score": score}]}}


def test_filter_on_entities_any_counts_only_posts_naming_one_of_them() -> None:
    compiled = CompiledFilter(PostFilter(entities_any=["candidate:paslon-02"], risk_labels_any=["black_campaign"]))
    assert compiled.matches(post("a", tags=attack_on("candidate:paslon-02", "region:32.99")))
    assert not compiled.matches(post("b", tags=attack_on("candidate:paslon-01")))
    assert not compiled.matches(post("c", tags={"entities": attack_on("candidate:paslon-02")["entities"]})), \
        "naming the candidate without attacking is no black campaign"
    assert not compiled.matches(post("d"))


def test_a_spike_of_attacks_on_candidate_2_fires_and_attacks_on_others_do_not_count() -> None:
    spec = {"entities_any": ["candidate:paslon-02"], "risk_labels_any": ["black_campaign"]}
    engine = RuleEngine([rule(threshold=3, filter=spec)])
    others = [post(f"o{i}", i, tags=attack_on("candidate:paslon-01")) for i in range(5)]
    assert feed(engine, others) == []
    breaches = feed(engine, [post(f"a{i}", 5 + i, tags=attack_on("candidate:paslon-02")) for i in range(3)])
    assert triggers(breaches) == ["tiktok:a2"]
    evidence = breaches[0].posts[0]
    assert evidence.labels == ["abusive", "black_campaign"] and evidence.level == "siaga"
    assert [e.id for e in evidence.entities] == ["candidate:paslon-02"]
    assert [(r.kind, r.ref) for r in evidence.reasons] == [("model", "abusive"), ("entity", "candidate:paslon-02")]
    assert evidence.engagement is not None and evidence.engagement.views == 120


def test_group_by_entity_says_which_candidate_is_attacked() -> None:
    spec = {"entities_any": ["candidate:paslon-01", "candidate:paslon-02"], "risk_labels_any": ["black_campaign"]}
    engine = RuleEngine([rule(threshold=2, group_by="entity", filter=spec)])
    posts = [post("a", 0, tags=attack_on("candidate:paslon-02", "region:32.99")),
             post("b", 1, tags=attack_on("candidate:paslon-01")),
             post("c", 2, tags=attack_on("candidate:paslon-02", "party:pgt"))]
    breaches = feed(engine, posts)
    assert [(b.group, b.count) for b in breaches] == [("candidate:paslon-02", 2)], \
        "only the entities the filter names are groups: not the region, not the party"
    every_entity = RuleEngine([rule(threshold=2, group_by="entity")])
    groups = sorted(b.group for b in feed(every_entity, posts))
    assert groups == ["candidate:paslon-02"]
    assert sorted(b.group for b in feed(every_entity, [post("d", 3, tags=attack_on("region:32.99"))])) == [
        "region:32.99"]


def test_a_spike_rule_by_entity_compares_each_candidate_with_its_own_baseline() -> None:
    from schemas.config import SpikeRule

    spike = SpikeRule(id="lonjakan-serangan", name="Lonjakan serangan", group_by="entity", window=timedelta(minutes=10),
                      baseline=timedelta(minutes=60), factor=3, min_count=4,
                      filter=PostFilter(entities_any=["candidate:paslon-01", "candidate:paslon-02"],
                                        risk_labels_any=["black_campaign"]))
    engine = RuleEngine([spike])
    steady = [post(f"s{i}", i * 10, tags=attack_on("candidate:paslon-01")) for i in range(8)]  # one every 10 min
    assert feed(engine, steady) == []
    burst = [post(f"b{i}", 75 + i, tags=attack_on("candidate:paslon-02")) for i in range(4)]
    assert [(b.group, b.count) for b in feed(engine, burst)] == [("candidate:paslon-02", 4)]
