"""Every rule type against scripted streams with known answers, plus one contract over the registry."""

from __future__ import annotations

import json
import zlib
from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from pipelines.alerting.engine import EVALUATORS, Breach, Resolution, RuleEngine, phrases_of
from pipelines.alerting.neardup import NearDuplicateIndex, normalise
from schemas.alert import make_alert_id
from schemas.config import RULE_TYPES, Rule, RuleBase
from schemas.post import TaggedPost
from tests.test_rules import T0, post

RULE = TypeAdapter(Rule)

CAMPAIGN = "Surat suara di TPS 7 Cibeureum sudah dicoblos untuk paslon 02 sebelum hari H, KPU curang, viralkan!"
VARIANTS = [
    CAMPAIGN,
    CAMPAIGN.upper() + " 🔥🔥",
    CAMPAIGN.replace("viralkan!", "viralkan sekarang!!") + " #kpucurang",
    "@kpu_sukamaju " + CAMPAIGN + " https://t.co/xyz",
    CAMPAIGN.replace("Surat", "surat\u200b"),
    CAMPAIGN + " #fyp #sukamaju",
]


def make_rule(**spec: Any) -> RuleBase:
    return RULE.validate_python({"id": "r", "name": "Aturan", **spec})


def events(engine: RuleEngine, posts: list[TaggedPost]) -> list[Breach | Resolution]:
    out: list[Breach | Resolution] = []
    for item in posts:
        out.extend(engine.observe_all(item))
    return out


def fired(engine: RuleEngine, posts: list[TaggedPost]) -> list[Breach]:
    return [e for e in events(engine, posts) if isinstance(e, Breach)]


def restarted(engine: RuleEngine) -> RuleEngine:
    fresh = RuleEngine(engine.rules, engine.max_evidence)
    fresh.restore(json.loads(json.dumps(engine.snapshot())))
    return fresh


AWAS = {"risk": {"level": "awas", "score": 0.95, "labels": [{"label": "provocation", "score": 0.95}]}}
SIAGA = {"risk": {"level": "siaga", "score": 0.75, "labels": [{"label": "hoax", "score": 0.75}]}}
WATCH = {"matches": [{"watchlist": "sara", "term": "usir pendatang", "risk": "hate_speech"}]}
WATCH_NO_RISK = {"matches": [{"watchlist": "kandidat", "term": "paslon 02", "risk": None}]}
KTP_ID, BALLOTS_ID = "fc-" + "1" * 20, "fc-" + "2" * 20


def repeats(factcheck_id: str = KTP_ID, score: float = 0.9, verdict: str = "false") -> dict[str, Any]:
    """The tags of a post repeating a debunked claim (what the pipeline's matcher gives it)."""
    return {"factchecks": [{"factcheck_id": factcheck_id, "claim": "KTP-el lama tidak bisa dipakai mencoblos",
                            "title": "[SALAH] KTP-el lama tidak bisa dipakai mencoblos",
                            "url": "https://cekfakta.sukamaju.example/ktp", "rating": "SALAH", "verdict": verdict,
                            "publisher": "Cek Fakta Sukamaju", "score": score, "matched": "KTP-el lama",
                            "reason": "repeats the claim"}], **SIAGA}


def campaign(prefix: str, start: float = 0, accounts: int = 6, platforms: tuple[str, ...] = ("tiktok", "facebook"),
             step: float = 2) -> list[TaggedPost]:
    return [post(f"{prefix}{i}", start + i * step, text=VARIANTS[i % len(VARIANTS)], handle=f"akun{i % accounts}",
                 platform=platforms[i % len(platforms)], author={"id": f"id{i % accounts}", "handle": f"akun{i % accounts}"})
            for i in range(6)]


DIFFERENT = ["Ayo datang ke TPS tanggal 27 dan gunakan hak pilihmu dengan bijak ya warga",
    "Harga cabai di pasar Sukamaju naik lagi minggu ini, emak-emak pada mengeluh",
    "Persisma menang dua kosong tadi malam, stadion penuh sampai luar pagar",
    "Jalan provinsi di Tegalmanik rusak parah, motor saya sampai bocor ban dua kali",
    "Pengajian akbar malam Jumat di masjid agung, semua warga diundang hadir"]


# A configuration and a stream that breaches it once, per rule type: the contract below runs them all.
BREACHING: dict[str, tuple[dict[str, Any], Any]] = {
    "threshold": ({"type": "threshold", "threshold": 3, "window": "10m"},
                  lambda: [post(f"t{i}", i) for i in range(3)]),
    "spike": ({"type": "spike", "window": "10m", "baseline": "1h", "factor": 3, "min_count": 4},
              lambda: [post(f"b{i}", -75 + 20 * i) for i in range(3)] + [post(f"s{i}", i) for i in range(4)]),
    "new_term": ({"type": "new_term", "threshold": 3, "window": "30m", "memory": "1d"},
                 lambda: [post(f"w{i}", i * 5, hashtags=["pemilu"]) for i in range(8)]
                 + [post(f"n{i}", 60 + i, hashtags=["pemilu", "tpsbaru"]) for i in range(3)]),
    "critical_post": ({"type": "critical_post"}, lambda: [post("c0", 0), post("c1", 1, tags=AWAS)]),
    "coordinated": ({"type": "coordinated", "min_posts": 4, "min_accounts": 4, "window": "30m"},
                    lambda: campaign("k")[:4]),
    "factcheck_match": ({"type": "factcheck_match", "min_posts": 2},
                        lambda: [post("f0", 0), post("f1", 1, tags=repeats()), post("f2", 2, tags=repeats()),
                                 post("f3", 3, tags=repeats())]),
}


def test_the_registry_covers_every_rule_type() -> None:
    assert set(EVALUATORS) == set(RULE_TYPES) == set(BREACHING)
    for name, model in RULE_TYPES.items():
        assert model.model_fields["type"].default == name


@pytest.mark.parametrize("rule_type", sorted(BREACHING))
def test_contract_fires_once_on_its_stream(rule_type: str) -> None:
    spec, stream = BREACHING[rule_type]
    engine = RuleEngine([make_rule(**spec, cooldown="6h")])
    breaches = fired(engine, stream())
    assert len(breaches) == 1, breaches
    assert breaches[0].rule.type == rule_type
    assert breaches[0].posts and breaches[0].post_ids


@pytest.mark.parametrize("rule_type", sorted(BREACHING))
def test_contract_redelivery_after_restart_fires_nothing_more(rule_type: str) -> None:
    spec, stream = BREACHING[rule_type]
    engine = RuleEngine([make_rule(**spec, cooldown="6h")])
    assert len(fired(engine, stream())) == 1
    again = restarted(engine)
    assert fired(again, stream()) == []
    assert again.snapshot() == restarted(again).snapshot()


@pytest.mark.parametrize("rule_type", sorted(BREACHING))
def test_contract_restart_in_the_middle_gives_the_same_alert(rule_type: str) -> None:
    spec, stream = BREACHING[rule_type]
    posts = stream()
    straight = fired(RuleEngine([make_rule(**spec)]), posts)
    engine = RuleEngine([make_rule(**spec)])
    half = len(posts) // 2
    first = fired(engine, posts[:half])
    second = fired(restarted(engine), posts[half:])
    assert [(b.group, b.trigger_post_id, b.count) for b in first + second] == \
        [(b.group, b.trigger_post_id, b.count) for b in straight]


@pytest.mark.parametrize("rule_type", sorted(BREACHING))
def test_contract_filter_that_matches_nothing_never_fires(rule_type: str) -> None:
    spec, stream = BREACHING[rule_type]
    engine = RuleEngine([make_rule(**spec, filter={"platforms": ["instagram"]})])
    assert fired(engine, stream()) == []


# --- threshold groups ----------------------------------------------------------------------


def test_threshold_groups_by_topic_and_risk_label() -> None:
    topic = {"topics": [{"label": "election", "score": 0.9}, {"label": "security", "score": 0.6}]}
    by_topic = RuleEngine([make_rule(threshold=2, window="10m", group_by="topic")])
    groups = [b.group for b in fired(by_topic, [post("a", 0, tags=topic), post("b", 1, tags=topic), post("c", 2)])]
    assert sorted(groups) == ["election", "security"]
    by_label = RuleEngine([make_rule(threshold=2, window="10m", group_by="risk_label")])
    assert [b.group for b in fired(by_label, [post("a", 0, tags=SIAGA), post("b", 1, tags=AWAS),
                                              post("c", 2, tags=SIAGA)])] == ["hoax"]


# --- spike -----------------------------------------------------------------------------------


def spike_rule(**spec: Any) -> RuleBase:
    return make_rule(**{"type": "spike", "window": "10m", "baseline": "1h", "factor": 3, "min_count": 4,
                        "cooldown": "2h", **spec})


WARM = [post("warm", -80)]
"""One old post: the spike rule has watched for a window and a baseline, so zero before means zero."""


def test_spike_fires_when_the_window_is_k_times_the_baseline() -> None:
    engine = RuleEngine([spike_rule()])
    # baseline: 12 posts in the hour before (2 per 10 minutes); then 6 in 10 minutes = 3×
    baseline = [post(f"b{i}", -65 + 5 * i) for i in range(12)]
    assert fired(engine, baseline) == []
    burst = [post(f"s{i}", 1 + i) for i in range(6)]
    breaches = fired(engine, burst)
    assert [b.trigger_post_id for b in breaches] == ["tiktok:s5"]
    assert breaches[0].count == 6 and breaches[0].threshold == 6
    assert breaches[0].detail == "6 vs 1.8 expected from the baseline (3.3×)"


def test_spike_does_not_fire_on_a_steady_high_rate_nor_before_it_has_a_baseline() -> None:
    engine = RuleEngine([spike_rule()])
    assert fired(engine, [post(f"p{i}", i) for i in range(180)]) == []


def test_spike_needs_the_minimum_count() -> None:
    engine = RuleEngine([spike_rule(filter={"platforms": ["tiktok"]})])
    assert fired(engine, WARM + [post(f"p{i}", i) for i in range(3)]) == []  # 3 from nothing is not a spike
    assert [b.count for b in fired(engine, [post("p3", 4)])] == [4]


def test_spike_resolves_when_the_rate_falls_back() -> None:
    engine = RuleEngine([spike_rule()])
    stream = WARM + [post(f"s{i}", i) for i in range(5)] + [post("later", 45)]
    kinds = [type(e).__name__ for e in events(engine, stream)]
    assert kinds == ["Breach", "Resolution"]


# --- new_term --------------------------------------------------------------------------------


def term_rule(**spec: Any) -> RuleBase:
    return make_rule(**{"type": "new_term", "threshold": 3, "window": "30m", "memory": "1d", "cooldown": "6h", **spec})


def known_history() -> list[TaggedPost]:
    return [post(f"h{i}", -600 + 10 * i, hashtags=["pemilu"]) for i in range(10)]


def test_new_hashtag_fires_on_its_nth_use_and_known_ones_never() -> None:
    engine = RuleEngine([term_rule()])
    assert fired(engine, known_history()) == []
    stream = [post(f"n{i}", i, hashtags=["pemilu", "tpssiluman"]) for i in range(5)]
    breaches = fired(engine, stream)
    assert [(b.group, b.trigger_post_id, b.count) for b in breaches] == [("#tpssiluman", "tiktok:n2", 3)]


def test_term_that_needs_longer_than_the_window_is_not_new_news() -> None:
    engine = RuleEngine([term_rule()])
    fired(engine, known_history())
    slow = [post(f"n{i}", i * 20, hashtags=["pelan"]) for i in range(4)]
    assert fired(engine, slow) == []


def test_term_forgotten_after_the_memory_is_new_again() -> None:
    engine = RuleEngine([term_rule()])
    fired(engine, known_history())
    fired(engine, [post(f"o{i}", i, hashtags=["lama"]) for i in range(3)])  # new now: fires once
    engine.sweep()
    later = 60 * 30  # 30 hours later: "lama" not seen for longer than the 1-day memory
    fired(engine, [post("k", later - 1, hashtags=["pemilu"])])
    breaches = fired(engine, [post(f"q{i}", later + i, hashtags=["lama"]) for i in range(3)])
    assert [b.group for b in breaches] == ["#lama"]


def test_seen_terms_memory_survives_a_restart() -> None:
    engine = RuleEngine([term_rule()])
    fired(engine, known_history())
    fired(engine, [post("x0", 0, hashtags=["dikenal"])])
    after = restarted(engine)
    # "dikenal" was seen before the restart: its uses count from that first one
    breaches = fired(after, [post(f"x{i}", i, hashtags=["dikenal"]) for i in range(1, 3)])
    assert [(b.group, b.count) for b in breaches] == [("#dikenal", 3)]
    # and a term seen long ago before the restart stays known
    assert fired(after, [post(f"p{i}", 10 + i, hashtags=["pemilu"]) for i in range(5)]) == []


def test_an_empty_memory_does_not_call_everything_new() -> None:
    engine = RuleEngine([term_rule()])
    assert fired(engine, [post(f"p{i}", i, hashtags=["pemilu"]) for i in range(10)]) == []


def test_new_phrase_mode() -> None:
    assert phrases_of("Surat suara #pemilu SUDAH dicoblos!! https://x.id/a") == [
        "surat suara", "suara sudah", "sudah dicoblos"]
    engine = RuleEngine([term_rule(terms="phrase", threshold=2)])
    fired(engine, [post(f"h{i}", -100 + i, text="ayo ke tps bersama") for i in range(3)])
    breaches = fired(engine, [post(f"n{i}", i, text="serangan fajar di tps") for i in range(2)])
    assert sorted(b.group for b in breaches) == ["di tps", "fajar di", "serangan fajar"]


# --- critical_post ---------------------------------------------------------------------------


def test_critical_post_fires_per_awas_post_or_watchlist_with_risk() -> None:
    engine = RuleEngine([make_rule(type="critical_post")])
    stream = [post("a", 0, tags=AWAS), post("s", 1, tags=SIAGA), post("w", 2, tags=WATCH),
              post("k", 3, tags=WATCH_NO_RISK), post("a", 0, tags=AWAS), post("b", 4, tags=AWAS)]
    breaches = fired(engine, stream)
    assert [b.trigger_post_id for b in breaches] == ["tiktok:a", "tiktok:w", "tiktok:b"]
    assert "risk level awas" in breaches[0].detail
    assert "watchlist sara: usir pendatang (hate_speech)" in breaches[1].detail


def test_critical_post_level_and_watchlist_switch() -> None:
    engine = RuleEngine([make_rule(type="critical_post", min_level="siaga", watchlist_with_risk=False)])
    assert [b.trigger_post_id for b in fired(engine, [post("s", 1, tags=SIAGA), post("w", 2, tags=WATCH)])] == \
        ["tiktok:s"]


# --- coordinated -----------------------------------------------------------------------------


def coord_rule(**spec: Any) -> RuleBase:
    return make_rule(**{"type": "coordinated", "min_posts": 5, "min_accounts": 4, "window": "30m", "cooldown": "6h",
                        **spec})


def test_normalisation_drops_what_campaigns_vary() -> None:
    assert normalise("BONGKAR\u200b dosa!! 🔥 #fyp @kpu https://t.co/x Paslon-02") == "bongkar dosa paslon 02"


def test_near_identical_posts_from_distinct_accounts_fire_with_one_cluster() -> None:
    engine = RuleEngine([coord_rule()])
    noise = [post(f"z{i}", i, text=t) for i, t in enumerate(DIFFERENT[:3])]
    breaches = fired(engine, noise + campaign("k"))
    assert len(breaches) == 1
    breach = breaches[0]
    assert breach.trigger_post_id == "tiktok:k4"
    assert breach.count == 5 and breach.accounts == 5
    assert breach.platforms == ("facebook", "tiktok")
    assert breach.cluster_id and breach.group == breach.cluster_id
    assert set(breach.post_ids) == {f"{'tiktok' if i % 2 == 0 else 'facebook'}:k{i}" for i in range(5)}
    updates = {u.cluster_id: u.post_ids for u in engine.take_cluster_updates()}
    assert list(updates) == [breach.cluster_id]
    assert sorted(updates[breach.cluster_id]) == sorted(
        f"{'tiktok' if i % 2 == 0 else 'facebook'}:k{i}" for i in range(6))


def test_one_account_repeating_itself_is_not_coordinated() -> None:
    assert fired(RuleEngine([coord_rule()]), campaign("k", accounts=1)) == []


def test_coordinated_across_platforms_when_required() -> None:
    one_platform = campaign("k", platforms=("tiktok",))
    assert fired(RuleEngine([coord_rule(min_platforms=2)]), one_platform) == []
    assert len(fired(RuleEngine([coord_rule(min_platforms=2)]), campaign("k"))) == 1


def test_coordinated_needs_the_posts_within_the_window() -> None:
    assert fired(RuleEngine([coord_rule()]), campaign("k", step=10)) == []


def test_different_texts_are_not_a_cluster() -> None:
    texts = DIFFERENT
    stream = [post(f"d{i}", i, text=t, handle=f"a{i}") for i, t in enumerate(texts)]
    engine = RuleEngine([coord_rule(min_posts=2, min_accounts=2)])
    assert fired(engine, stream) == []
    assert len(engine.neardup.clusters) == 5


def test_a_clustered_post_seen_again_is_labelled_again_but_counted_once() -> None:
    engine = RuleEngine([coord_rule()])
    posts = campaign("k")
    fired(engine, posts)
    engine.take_cluster_updates()
    assert fired(engine, [posts[1]]) == []
    assert [u.post_ids for u in engine.take_cluster_updates()] == [[posts[1].post_id]]


def test_cluster_index_expires_and_restores() -> None:
    index = NearDuplicateIndex(0.6, 20, timedelta(hours=1))
    first = index.assign("a", CAMPAIGN, T0)
    assert first is not None and index.assign("b", VARIANTS[1], T0) is first
    copy = NearDuplicateIndex(0.6, 20, timedelta(hours=1))
    copy.restore(json.loads(json.dumps(index.snapshot())))
    assert copy.assign("c", VARIANTS[2], T0).cluster_id == first.cluster_id
    copy.forget_before(T0 + timedelta(hours=2))
    assert copy.clusters == {} and copy.assigned == {} and copy.buckets == {}
    assert index.assign("short", "ok", T0) is None


# --- incidents -------------------------------------------------------------------------------


def test_incident_resolves_when_the_condition_clears_and_reopens_after_cooldown() -> None:
    engine = RuleEngine([make_rule(threshold=3, window="10m", cooldown="20m")])
    stream = [post(f"a{i}", i) for i in range(3)] + [post("quiet", 15)] + [post(f"b{i}", 40 + i) for i in range(3)]
    got = events(engine, stream)
    assert [(type(e).__name__, getattr(e, "trigger_post_id", None)) for e in got] == [
        ("Breach", "tiktok:a2"), ("Resolution", None), ("Breach", "tiktok:b2")]
    resolution = got[1]
    assert resolution.at == T0 + timedelta(minutes=15)
    assert engine.open_incidents().keys() == {("r", "*")}


def test_realerts_back_off_exponentially() -> None:
    engine = RuleEngine([make_rule(threshold=2, window="10m", cooldown="10m", realert_backoff=2)])
    breaches = fired(engine, [post(f"p{i}", i) for i in range(80)])
    # opens at 1, re-alerts after the 10-minute cooldown, then after 10·2=20 and 10·4=40 minutes
    assert [(b.trigger_post_id, b.realert) for b in breaches] == [("tiktok:p1", 0), ("tiktok:p11", 1),
                                                                  ("tiktok:p31", 2), ("tiktok:p71", 3)]
    assert {b.incident_id for b in breaches[1:]} == {engine.open_incidents()[("r", "*")].alert_id}


def test_an_open_incident_survives_a_restart() -> None:
    engine = RuleEngine([make_rule(threshold=3, window="10m", cooldown="1h")])
    fired(engine, [post(f"a{i}", i) for i in range(3)])
    after = restarted(engine)
    assert after.open_incidents() == engine.open_incidents()
    assert [type(e).__name__ for e in events(after, [post("late", 30)])] == ["Resolution"]


# --- bounded state ---------------------------------------------------------------------------
# The rule engine's state is saved before every commit: whatever it keeps must end with its window
# (or its memory) and have a ceiling, or a week of posts makes every save slower.


def letters(number: int) -> str:
    """A number spelt in letters (phrases are words of letters only)."""
    spelt = ""
    while True:
        number, digit = divmod(number, 26)
        spelt += chr(ord("a") + digit)
        if number == 0:
            return spelt


def wordy(native_id: str, minutes: float, words: int = 30) -> TaggedPost:
    """A post of ``words`` words nobody wrote before: ``words - 1`` phrases never seen."""
    return post(native_id, minutes, text=" ".join(f"kata{letters(zlib.crc32(native_id.encode()))}x{letters(i)}"
                                                  for i in range(words)))


def test_a_new_term_memory_keeps_at_most_max_terms_forgetting_single_use_terms_first() -> None:
    engine = RuleEngine([term_rule(terms="phrase", max_terms=500, memory="7d")])
    fired(engine, [post(f"r{i}", i, text="surat suara sudah dicoblos") for i in range(3)])  # used thrice
    fired(engine, [wordy(f"w{i}", 10 + i) for i in range(60)])  # 60 × 29 single-use phrases
    evaluator = engine.evaluators["r"]
    assert len(evaluator.memory) <= 500
    assert evaluator.forgotten >= 60 * 29 + 3 - 500
    # the phrases used more than once outlive the single-use ones
    assert evaluator.knows("surat suara") and evaluator.knows("sudah dicoblos")
    assert not evaluator.knows(phrases_of(wordy("w0", 0).text)[0])


def test_new_term_windows_end_with_their_window_however_few_posts_arrive() -> None:
    # A quiet stream (one post every 2 hours): counting sweeps, every 1000 posts, would keep each
    # new phrase's window for weeks.
    engine = RuleEngine([term_rule(terms="phrase", window="1h", memory="7d")])
    fired(engine, [post(f"h{i}", -200 + i, text="ayo ke tps bersama") for i in range(3)])
    fired(engine, [wordy(f"w{i}", i * 120) for i in range(5)])
    groups = engine.evaluators["r"].groups
    assert set(groups) <= set(phrases_of(wordy("w4", 0).text)), "only the last post's phrases are within 1h"


def test_a_long_campaign_keeps_only_the_members_within_the_near_duplicate_memory() -> None:
    from schemas.config import AlertingSettings

    engine = RuleEngine([coord_rule(min_posts=2, min_accounts=2)],
                        settings=AlertingSettings(near_duplicate_memory="6h"))
    # one copy an hour for two days: the cluster stays alive all along
    stream = [post(f"k{i}", i * 60, text=VARIANTS[i % len(VARIANTS)], handle=f"akun{i}") for i in range(48)]
    fired(engine, stream)
    engine.sweep()
    (cluster,) = engine.neardup.clusters.values()
    assert cluster.size == 48
    assert len(engine.neardup.assigned) <= 7, "members older than 6 hours are forgotten"
    assert len(json.dumps(engine.snapshot())) < 20_000


def test_a_saved_state_is_swept_first_and_carries_each_posts_evidence_once() -> None:
    engine = RuleEngine([term_rule(terms="phrase", window="1h", memory="7d", threshold=50)])
    fired(engine, [post(f"h{i}", -200 + i, text="ayo ke tps bersama") for i in range(3)])
    fired(engine, [wordy("w0", 0, words=60)])
    snapshot = json.dumps(engine.snapshot())
    # 59 new phrases, each with a window holding the same post: its text is saved once
    assert snapshot.count(wordy("w0", 0, words=60).text) == 1


def test_a_state_saved_before_the_compact_format_is_read_and_goes_on() -> None:
    # tests/data/engine-state-v2.json: written by the engine before state version 3, after a copy-paste
    # campaign (an open `salin` incident) and a new hashtag #tpssiluman (an open `tagar` incident).
    from pathlib import Path

    engine = RuleEngine([term_rule(id="tagar"), coord_rule(id="salin", min_posts=4, min_accounts=4)])
    engine.restore(json.loads((Path(__file__).parent / "data" / "engine-state-v2.json").read_text()))
    assert {rule for rule, _ in engine.open_incidents()} == {"tagar", "salin"}
    assert engine.evaluators["tagar"].knows("#pemilu") and engine.evaluators["tagar"].knows("#tpssiluman")
    # the campaign's sixth copy joins its cluster and is labelled (after the labels still pending in
    # the saved state); nothing fires again inside the cooldown
    assert fired(engine, [campaign("k")[5], post("n3", 13, hashtags=["tpssiluman"])]) == []
    (update,) = engine.take_cluster_updates()
    assert update.post_ids == [p.post_id for p in campaign("k")]
    assert json.loads(json.dumps(engine.snapshot()))["version"] == 3


def test_an_incident_rebuilt_after_the_state_was_lost_is_neither_resolved_nor_opened_again_mid_burst() -> None:
    rule = make_rule(threshold=3, window="10m", cooldown="1h")
    (opened,) = fired(RuleEngine([rule]), [post(f"a{i}", i) for i in range(3)])
    engine = RuleEngine([rule])  # the state was lost: it knows of no incident
    opening = make_alert_id("r", "*", opened.trigger_post_id, opened.window_end)
    assert engine.adopt_incident("r", "*", opening, opened.window_end, opened.window_end, 0)
    # the burst goes on: its empty window after the restart does not "clear" it, nor open a new incident
    assert events(engine, [post(f"a{i}", i) for i in range(3, 12)]) == []
    got = events(engine, [post("quiet", 40)])
    assert [(type(e).__name__, e.incident_id) for e in got] == [("Resolution", opening)]


# --- factcheck_match ---------------------------------------------------------------------------


def test_factcheck_match_fires_once_per_fact_check_with_the_debunk_however_many_repeat_it() -> None:
    engine = RuleEngine([make_rule(type="factcheck_match")])
    stream = [post("a", 0, tags=repeats()), post("b", 5, tags=repeats(), platform="facebook"),
              post("c", 9, tags=repeats(BALLOTS_ID)), post("a", 12, tags=repeats()), post("d", 60 * 24, tags=repeats())]
    breaches = fired(engine, stream)
    assert [(b.group, b.trigger_post_id) for b in breaches] == [(KTP_ID, "tiktok:a"), (BALLOTS_ID, "tiktok:c")]
    assert breaches[0].factcheck is not None and str(breaches[0].factcheck.url) == "https://cekfakta.sukamaju.example/ktp"
    assert breaches[0].factcheck.title == "[SALAH] KTP-el lama tidak bisa dipakai mencoblos"
    assert breaches[0].detail == "1 unggahan, 1 akun, tiktok"


def test_factcheck_match_counts_only_the_verdicts_and_scores_it_is_given() -> None:
    engine = RuleEngine([make_rule(type="factcheck_match", verdicts=["false"], min_score=0.8)])
    assert fired(engine, [post("m", 0, tags=repeats(verdict="misleading")), post("s", 1, tags=repeats(score=0.75))]) == []
    assert [b.trigger_post_id for b in fired(engine, [post("t", 2, tags=repeats())])] == ["tiktok:t"]


def test_factcheck_match_fires_again_only_after_its_posts_left_the_window() -> None:
    engine = RuleEngine([make_rule(type="factcheck_match", window="1d")])
    first = fired(engine, [post("a", 0, tags=repeats()), post("b", 60 * 12, tags=repeats())])
    later = fired(engine, [post("c", 60 * 24 * 3, tags=repeats()), post("d", 60 * 24 * 3 + 1, tags=repeats())])
    assert [b.trigger_post_id for b in first] == ["tiktok:a"] and [b.trigger_post_id for b in later] == ["tiktok:c"]


def test_factcheck_match_grouped_by_platform_is_one_incident_per_fact_check_and_platform() -> None:
    engine = RuleEngine([make_rule(type="factcheck_match", group_by="platform")])
    breaches = fired(engine, [post("a", 0, tags=repeats()), post("b", 1, tags=repeats()),
                              post("c", 2, tags=repeats(), platform="facebook")])
    assert [b.group for b in breaches] == [f"{KTP_ID} tiktok", f"{KTP_ID} facebook"]
