"""The Meta Content Library connector against a loopback double of the API, on a fake clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.api import ConnectorFatal
from connectors.base import SourceRecord
from connectors.formats import facebook_post_id, instagram_shortcode
from connectors.meta_content_library import (
    OVERLAP,
    MetaContentLibraryConnector,
    NormaliseError,
    search_key,
    to_post,
)
from connectors.state import ConnectorState
from pipelines.ops.services import ensure_ready
from schemas.config import MetaContentLibrarySource, Settings
from schemas.deadletter import DeadLetter
from schemas.post import Post
from tests.conftest import make_settings, read_topic
from tests.doubles.meta_content_library_api import FakeClock, Hosted, MetaContentLibraryDouble

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TOKEN = "mcl-token-4b1d"
ENV = {"META_CL_ACCESS_TOKEN": TOKEN}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def fb(number: int, hours_ago: float, text: str = "Pilkada serentak: ayo ke TPS! #Pilkada2026") -> Hosted:
    created = START - timedelta(hours=hours_ago)
    return Hosted("facebook", {
        "id": f"1029384756_{100000 + number}",
        "text": f"{text} ({number})",
        "creation_time": _iso(created),
        "url": f"https://www.facebook.com/1029384756/posts/{100000 + number}",
        "owner": {"id": "1029384756", "name": "Info Sukamaju"},
        "statistics": {"reaction_count": 10 + number, "comment_count": 2, "share_count": 1},
    })


def ig(number: int, hours_ago: float, text: str = "Debat pilkada malam ini") -> Hosted:
    created = START - timedelta(hours=hours_ago)
    return Hosted("instagram", {
        "id": str(17_900_000_000_000_000 + number),
        "text": f"{text} @kpu_ri #debat ({number})",
        "creation_time": _iso(created),
        "url": f"https://www.instagram.com/p/Cx{number:05d}/",
        "owner": {"id": str(5_000_000 + number % 7), "username": f"warga.{number % 7}"},
        "statistics": {"reaction_count": 30, "comment_count": 4, "share_count": 0, "views": 900 + number},
    })


# Over the last six days: Facebook and Instagram posts about the pilkada, some also about a
# hoax (found by both keywords), posts only about the hoax, posts that appear during the
# simulated day, noise that matches neither keyword, and posts from another country.
POSTS = (
    [fb(i, hours_ago=2 + i * 2.5) for i in range(45)]
    + [fb(100 + i, hours_ago=5 + i * 7, text="Hoaks soal pilkada beredar lagi") for i in range(10)]
    + [fb(200 + i, hours_ago=8 + i * 9, text="Awas hoaks surat suara") for i in range(6)]
    + [fb(300 + i, hours_ago=-(1 + i * 1.5), text="Pilkada: TPS 12 dibuka") for i in range(6)]
    + [fb(900 + i, hours_ago=3 + i, text="Resep rendang enak") for i in range(8)]
    + [ig(i, hours_ago=1.5 + i * 3.5) for i in range(30)]
    + [ig(100 + i, hours_ago=4 + i * 5, text="Cek fakta hoaks pilkada") for i in range(8)]
    + [ig(300 + i, hours_ago=-(2 + i * 2)) for i in range(4)]
    + [ig(400 + i, hours_ago=-(0.25 + i / 3)) for i in range(12)]
    + [Hosted("facebook", {**fb(950, hours_ago=6).item, "id": "777_1"}, country="MY")]
)
KEYWORDS = ["pilkada", "hoaks"]


def post_id(hosted: Hosted) -> str:
    """An Instagram post is known by the shortcode in its URL, a Facebook post by the post part of its id."""
    if hosted.platform == "instagram":
        return f"instagram:{instagram_shortcode(hosted.item['url'])}"
    return f"{hosted.platform}:{facebook_post_id(hosted.item['id'])}"


def expected_ids(until: datetime, since: datetime = START - timedelta(days=7), delay: timedelta = timedelta(minutes=5),
                 keywords: tuple[str, ...] = tuple(KEYWORDS)) -> set[str]:
    return {post_id(h) for h in POSTS if h.country == "ID" and since <= h.created and h.created + delay <= until
            and any(k in h.item["text"].lower() for k in keywords)}


def source(double: MetaContentLibraryDouble, **overrides: object) -> MetaContentLibrarySource:
    spec = {"name": "mcl", "base_url": double.url, "keywords": KEYWORDS, "poll_interval": "1h", **overrides}
    return MetaContentLibrarySource.model_validate(spec)


def connector(double: MetaContentLibraryDouble, settings: Settings, clock: FakeClock, page_limit: int = 10,
              environ: dict[str, str] | None = None, **overrides: object) -> MetaContentLibraryConnector:
    state = ConnectorState(settings.connectors.state_dir / "mcl.sqlite")
    return MetaContentLibraryConnector(source(double, **overrides), state, clock=clock,
                                       environ=ENV if environ is None else environ, page_limit=page_limit)


@pytest.fixture
def mcl_settings(stack, tmp_path: Path) -> Settings:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    return settings


def sent_ids(settings: Settings, expected: int) -> list[str]:
    messages = read_topic(settings, settings.kafka.topics.raw, expected + 5, timeout_ms=1000)
    posts = [Post.model_validate_json(m.value) for m in messages]
    assert all(m.key.decode() == p.post_id for m, p in zip(messages, posts, strict=True))
    return [p.post_id for p in posts]


# -- the normaliser ----------------------------------------------------------------------------


def test_to_post_facebook() -> None:
    post = to_post(fb(7, hours_ago=3).item, "facebook", collected_at=START)
    assert post.post_id == "facebook:100007", "the post part of the id, as from every source of Facebook posts"
    assert str(post.url) == "https://www.facebook.com/1029384756/posts/100007"
    assert post.author.handle == "Info Sukamaju" and post.author.id == "1029384756"
    assert post.author.display_name == "Info Sukamaju"
    assert post.text == "Pilkada serentak: ayo ke TPS! #Pilkada2026 (7)" and post.hashtags == ["pilkada2026"]
    assert post.created_at == START - timedelta(hours=3) and post.collected_at == START
    assert (post.engagement.likes, post.engagement.comments, post.engagement.shares) == (17, 2, 1)
    assert post.engagement.views is None and post.raw["id"] == "1029384756_100007"


def test_to_post_instagram_and_fallbacks() -> None:
    post = to_post(ig(3, hours_ago=1).item, "instagram", collected_at=START)
    assert post.post_id == "instagram:Cx00003", "the shortcode in the URL, as from every other Instagram source"
    assert post.raw["id"] == "17900000000000003"
    assert post.author.handle == "warga.3" and post.author.display_name is None
    assert post.mentions == ["kpu_ri"] and post.hashtags == ["debat"] and post.engagement.views == 903
    # No URL: a Facebook post's URL is derived from its id; statistics may be missing: unknown, not 0.
    bare = {"id": "55_66", "creation_time": "2026-11-24T08:00:00Z", "owner": {"name": "Warga"}}
    warnings: list[str] = []
    post = to_post(bare, "facebook", collected_at=START - timedelta(days=1), warnings=warnings)
    assert str(post.url) == "https://www.facebook.com/55_66" and post.text == ""
    assert post.post_id == "facebook:66"
    assert post.collected_at == post.created_at, "collected_at is never before created_at"
    assert (post.engagement.likes, post.engagement.comments, post.engagement.shares) == (None, None, None)
    assert post.engagement.views is None
    missing = "is missing (hidden by the platform, or not given by the source), read as unknown"
    assert warnings == ["meta_content_library: no url: the URL is built from the post id",
                        f"meta_content_library: statistics.reaction_count {missing}",
                        f"meta_content_library: statistics.comment_count {missing}",
                        f"meta_content_library: statistics.share_count {missing}"]


@pytest.mark.parametrize(
    ("change", "platform", "reason"),
    [
        ({"id": None}, "facebook", "missing field 'id'"),
        ({"creation_time": "kemarin"}, "facebook", "creation_time 'kemarin' is not an ISO 8601 time"),
        ({"creation_time": 1764000000}, "facebook", "is not an ISO 8601 time"),
        ({"owner": {"id": "1"}}, "facebook", "owner has neither username nor name"),
        ({"url": None}, "instagram", "missing field 'url'"),
        ({"statistics": {"reaction_count": -3}}, "facebook", "statistics.reaction_count -3 is negative"),
        ({"statistics": {"reaction_count": "banyak"}}, "facebook",
         "statistics.reaction_count 'banyak' is not a whole number"),
        ({"id": "12/34"}, "facebook", "not a valid post"),
    ],
)
def test_to_post_rejects_malformed_items(change: dict, platform: str, reason: str) -> None:
    item = dict(fb(1, hours_ago=2).item)
    for field, value in change.items():
        if value is None:
            item.pop(field)
        else:
            item[field] = value
    with pytest.raises(NormaliseError, match=reason):
        to_post(item, platform, START)


def test_a_day_of_faults_and_rate_limits_loses_and_duplicates_nothing(mcl_settings: Settings) -> None:
    end = START + timedelta(hours=24)
    clock = FakeClock(START, stop_at=end)
    delay = timedelta(minutes=40)  # posts reach the search index late: each poll's overlap finds them
    with MetaContentLibraryDouble(clock, POSTS, queries_per_minute=5, index_delay=delay) as double:
        double.faults = ["500", "rate_limit", "app_limit", "empty_page", "malformed_item", "invalid_cursor",
                         "user_limit", "500", "not_object", "bad_time"]
        mcl = connector(double, mcl_settings, clock, queries_per_minute=5)
        stats = mcl.run(mcl_settings, threading.Event())

        assert stats.error is None and not double.faults, "every scripted fault was played"
        expected = expected_ids(until=end, delay=delay)
        assert expected > expected_ids(until=START, delay=delay), "some posts only appear during the day"
        ids = sent_ids(mcl_settings, len(expected))
        assert len(ids) == len(set(ids)), "no post is sent twice, though both keywords and the overlap find some again"
        # Corrupted copies went to the dead-letter topic; a post is missing only if its one copy was.
        # The double names an item by its Content Library id; Siaga keys a Facebook post by its post part.
        corrupted = {f"{platform}:{facebook_post_id(item_id)}" for platform, _, item_id in
                     (pid.partition(":") for _, pid in double.applied if pid)}
        assert len(corrupted) == 2 and set(ids) <= expected and expected - set(ids) <= corrupted
        letters = [DeadLetter.model_validate_json(m.value)
                   for m in read_topic(mcl_settings, mcl_settings.kafka.topics.dead_letter, 3)]
        assert sorted(letter.reason for letter in letters) == [
            "meta_content_library: an item is not a JSON object",
            "meta_content_library: creation_time 'kemarin sore' is not an ISO 8601 time",
            "meta_content_library: missing field 'id'",
        ]
        assert stats.dead_lettered == 3 and all(letter.source == "connector:mcl" for letter in letters)
        assert stats.unchanged > 0, "posts found again in the overlap were recognised and not resent"
        # Never more than 5 queries in any minute: the connector paced itself, the double refused none.
        assert double.max_queries_in_a_minute() == 5 and double.calls["rate_refused"] == 0
        assert len(double.requests) > 40, "the scenario covers many pages and polls"
        # The posts found by both keywords were sent once.
        both = {post_id(h) for h in POSTS if "hoaks" in h.item["text"].lower() and "pilkada" in h.item["text"].lower()}
        assert len(both) == 18 and both - corrupted <= set(ids)
        assert TOKEN not in repr(stats)


def test_each_poll_searches_from_the_high_water_mark_less_the_overlap(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=2, minutes=30))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        state = ConnectorState(tmp_path / "mcl.sqlite")
        mcl = MetaContentLibraryConnector(source(double, platforms=["instagram"], keywords=["pilkada"]), state,
                                          clock=clock, environ=ENV)
        records = list(drive(mcl, threading.Event()))
        requests = double.searches("instagram", "pilkada")
        windows = [(r.params["since"], r.params["until"]) for r in requests]
        assert windows[0] == ("2026-11-17T10:00:00Z", "2026-11-24T10:00:00Z"), "the first poll reaches back 7 days"
        assert len(windows) == 3 and OVERLAP == timedelta(hours=1)
        assert windows[1] == ("2026-11-24T09:00:00Z", "2026-11-24T11:00:00Z")
        assert windows[2] == ("2026-11-24T10:00:00Z", "2026-11-24T12:00:00Z")
        assert all(r.params["country"] == "ID" and r.params["limit"] == "100" for r in requests)
        assert state.checkpoint(search_key("instagram", "pilkada")) == {"until": "2026-11-24T12:00:00Z",
                                                                         "active": None}
        produced = [r.key for r in records if r.produce]
        assert len(produced) == len(set(produced))
        assert set(produced) == expected_ids(START + timedelta(hours=2), keywords=("pilkada",)) & {
            post_id(h) for h in POSTS if h.platform == "instagram"}


def drive(mcl: MetaContentLibraryConnector, stop: threading.Event) -> Iterator[SourceRecord]:
    """``records`` with checkpoints committed as ``run`` does, without Kafka."""
    sent: list[tuple[str, str]] = []
    for record in mcl.records(stop):
        if record.produce and record.failure is None and record.key and record.digest:
            if not mcl.state.is_new(record.key, record.digest):
                continue
            sent.append((record.key, record.digest))
        yield record
        if record.checkpoint:
            mcl.state.commit(sent, record.checkpoint)
            sent.clear()


# -- restart, budget and credentials -----------------------------------------------------------


def test_a_search_whose_cursor_keeps_expiring_is_restarted_with_backoff(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        double.faults = ["invalid_cursor"] * 6  # the second page of the search, six times over
        state = ConnectorState(tmp_path / "mcl.sqlite")
        mcl = MetaContentLibraryConnector(source(double, platforms=["facebook"], keywords=["pilkada"]), state,
                                          clock=clock, environ=ENV, page_limit=10)
        records = list(drive(mcl, threading.Event()))
        state.close()

    assert not double.faults and [r for r in records if r.produce]
    # The first restart goes at once; the five after it wait as backoff says, then the poll interval.
    restart_waits = [wait for wait in clock.sleeps if wait < 3600]
    assert len(restart_waits) == 5
    assert all(wait <= 2.0 ** attempt for attempt, wait in enumerate(restart_waits, 1)), restart_waits


def test_a_restart_resumes_mid_search_without_resending(mcl_settings: Settings) -> None:
    clock = FakeClock(START)
    with MetaContentLibraryDouble(clock, POSTS) as double:
        first = connector(double, mcl_settings, clock)
        produced: list[str] = []

        def records_until_25(stop_event: threading.Event):  # an operator's Ctrl-C after 25 posts
            for record in MetaContentLibraryConnector.records(first, stop_event):
                yield record
                if record.produce and record.failure is None:
                    produced.append(record.key)
                if len(produced) >= 25:
                    stop_event.set()

        first.records = records_until_25  # type: ignore[method-assign]
        first.run(mcl_settings, threading.Event())
        assert first.stats.produced >= 25 and not first.stats.finished
        before = len(double.searches("facebook", "pilkada"))
        assert before == 3, "stopped on the third page of the first search"

        clock.stop_at = clock.now() + timedelta(minutes=30)
        second = connector(double, mcl_settings, clock)
        second.run(mcl_settings, threading.Event())
        resumed = double.searches("facebook", "pilkada")[before]
        first_page = double.searches("facebook", "pilkada")[0]
        assert resumed.params.get("after"), "resumed from the saved cursor, not from the start"
        assert (resumed.params["since"], resumed.params["until"]) == (first_page.params["since"],
                                                                       first_page.params["until"])

    expected = expected_ids(until=START)
    ids = sent_ids(mcl_settings, len(expected))
    assert len(ids) == len(set(ids)) and set(ids) == expected


def test_the_weekly_record_budget_is_never_exceeded_and_survives_a_restart(mcl_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    posts = [h for h in POSTS if h.platform == "facebook"]
    with MetaContentLibraryDouble(clock, posts, weekly_records=25) as double:
        first = connector(double, mcl_settings, clock, platforms=["facebook"], keywords=["pilkada"],
                          weekly_records=25, poll_interval="1d")
        first.run(mcl_settings, threading.Event())
        assert [r.returned for r in double.requests] == [10, 10, 5], "asks for no more than the budget leaves"
        assert first.stats.produced == 25

        # Restarted an hour later: the spent budget was checkpointed, so the new connector waits
        # until the first records leave the 7-day window instead of asking for more now.
        clock.current = START + timedelta(hours=2)
        clock.stop_at = START + timedelta(days=16)
        second = connector(double, mcl_settings, clock, platforms=["facebook"], keywords=["pilkada"],
                           weekly_records=25, poll_interval="1d")
        assert second.records_used() == 25
        second.run(mcl_settings, threading.Event())
        resumed = double.requests[3]
        assert resumed.at >= START + timedelta(days=7) and resumed.params.get("after")
        assert double.max_records_in_a_week() <= 25 and double.calls["budget_refused"] == 0

    expected = {i for i in expected_ids(until=START + timedelta(days=16), keywords=("pilkada",))
                if i.startswith("facebook:")}
    assert len(expected) == 61, "the first search needs three weeks of budget; 6 posts come later"
    ids = sent_ids(mcl_settings, len(expected))
    assert len(ids) == len(set(ids)) and set(ids) == expected


def test_a_refused_or_missing_token_stops_only_this_connector(mcl_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        refused = connector(double, mcl_settings, clock, environ={"META_CL_ACCESS_TOKEN": "stale-token-99"})
        with pytest.raises(ConnectorFatal, match=r"access token in META_CL_ACCESS_TOKEN was refused "
                                                 r"\(OAuthException 190") as caught:
            refused.run(mcl_settings, threading.Event())
        assert "stale-token-99" not in str(caught.value)
        state = ConnectorState(mcl_settings.connectors.state_dir / "unset.sqlite")
        unset = MetaContentLibraryConnector(source(double), state, clock=clock, environ={})
        with pytest.raises(ConnectorFatal, match="set the environment variable META_CL_ACCESS_TOKEN"):
            unset.run(mcl_settings, threading.Event())


def test_a_withdrawn_permission_stops_the_connector_with_the_platforms_reason(mcl_settings: Settings) -> None:
    # For Facebook pages the same code skips one page; the Content Library has no object to skip.
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        double.faults = ["none", "forbidden"]
        mcl = connector(double, mcl_settings, clock)
        with pytest.raises(ConnectorFatal, match=r"HTTP 403 10: \(#10\) Application does not have permission"):
            mcl.run(mcl_settings, threading.Event())
        assert mcl.stats.produced == 10, "the page before was delivered"


def test_a_token_expiring_mid_search_is_fatal_and_progress_is_kept(mcl_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        double.faults = ["500", "none", "expire_token"]
        mcl = connector(double, mcl_settings, clock)
        with pytest.raises(ConnectorFatal, match="Session has expired") as caught:
            mcl.run(mcl_settings, threading.Event())
        assert "create a new Content Library API token" in str(caught.value) and TOKEN not in str(caught.value)
        assert mcl.stats.produced == 10, "the first page was delivered before the token expired"

        # A new token: the search resumes at its second page.
        double.access_token, double.token_expired = "fresh-token-7", False
        clock.stop_at = clock.now() + timedelta(minutes=30)
        again = connector(double, mcl_settings, clock, environ={"META_CL_ACCESS_TOKEN": "fresh-token-7"})
        again.run(mcl_settings, threading.Event())
        assert double.searches("facebook", "pilkada")[1].params.get("after")
    ids = sent_ids(mcl_settings, len(expected_ids(until=START)))
    assert len(ids) == len(set(ids)) and set(ids) == expected_ids(until=START)


def test_check_validates_the_token_and_reports_the_budget(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with MetaContentLibraryDouble(clock, POSTS) as double:
        state = ConnectorState(tmp_path / "mcl.sqlite")
        good = MetaContentLibraryConnector(source(double), state, clock=clock, environ=ENV)
        assert good.check() == (f"access token accepted by {double.url}; 0/500000 records used in the last 7 days, "
                                "1/60 queries in the last minute")
        assert double.requests[0].params["limit"] == "1"
        bad = MetaContentLibraryConnector(source(double), state, clock=clock,
                                          environ={"META_CL_ACCESS_TOKEN": "wrong-token-1"})
        with pytest.raises(ConnectorFatal, match="was refused") as caught:
            bad.check()
        assert "wrong-token-1" not in str(caught.value)


def test_a_post_found_by_two_keywords_is_offered_once_per_poll(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    with MetaContentLibraryDouble(clock, POSTS) as double:
        state = ConnectorState(tmp_path / "mcl.sqlite")
        mcl = MetaContentLibraryConnector(source(double, platforms=["facebook"]), state, clock=clock, environ=ENV)
        keys = [record.key for record in mcl.records(threading.Event()) if record.produce]
    both = [key for key in keys if key in {post_id(h) for h in POSTS if "hoaks" in h.item["text"].lower()
                                            and "pilkada" in h.item["text"].lower()}]
    assert len(both) == 10 and len(keys) == len(set(keys))
    assert set(keys) == {i for i in expected_ids(until=START) if i.startswith("facebook:")}
