"""The Instagram Graph API hashtag connector against a loopback double of the API, on a fake clock."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.api import ConnectorFatal
from connectors.base import SourceRecord
from connectors.formats import instagram_shortcode
from connectors.instagram import (
    InstagramHashtagConnector,
    NormaliseError,
    handle_from_permalink,
    to_post,
)
from connectors.state import ConnectorState
from pipelines.ops.services import ensure_ready
from schemas.config import InstagramHashtagSource, Settings
from schemas.deadletter import DeadLetter
from schemas.post import Post
from tests.conftest import make_settings, read_topic
from tests.doubles.instagram_api import FakeClock, InstagramDouble, hashtag_id, stamp

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TOKEN = "EAAGig-long-lived-secret-token"
ENV = {"IG_ACCESS_TOKEN": TOKEN}
USER = "17841400000000042"


def media(number: int, at: datetime, *tags: str, likes: int | None = None) -> dict[str, Any]:
    caption = f"Hadir di debat paslon malam ini, warga antusias! {' '.join('#' + t for t in tags)} ({number})"
    return {
        "id": f"179{number:014d}",
        "caption": caption,
        "media_type": "IMAGE" if number % 3 else "VIDEO",
        "comments_count": number % 7,
        "like_count": 10 + number if likes is None else likes,
        "permalink": f"https://www.instagram.com/p/DgC{number:07d}x/",
        "timestamp": stamp(at),
    }


def timeline() -> dict[str, list[dict[str, Any]]]:
    """Two hashtags: media too old to be returned, a 20-hour backlog, and 26 hours of new media.

    The backlog stops short of 24 hours so that hours of rate-limit waits during the first pass
    do not let its oldest media age out of ``recent_media`` before they are read.

    Every fifth #pilkada2026 post also carries #debatpaslon, so it is found under both.
    """
    pilkada = [media(i, START - timedelta(hours=30 - i), "pilkada2026") for i in range(6)]  # > 24 h old
    debat = [media(900 + i, START - timedelta(hours=29 - i), "debatpaslon") for i in range(4)]
    step = timedelta(minutes=12)
    for k in range(int(timedelta(hours=46) / step)):  # START - 20 h … START + 26 h
        at = START - timedelta(hours=20) + k * step
        tags = ("pilkada2026", "debatpaslon") if k % 5 == 0 else ("pilkada2026",)
        pilkada.append(item := media(100 + k, at, *tags))
        if k % 5 == 0:
            debat.append(item)
        elif k % 3 == 0:
            debat.append(media(5000 + k, at + timedelta(minutes=5), "debatpaslon"))
    return {"pilkada2026": pilkada, "debatpaslon": debat}


def post_id_of(media: dict[str, Any]) -> str:
    """The post id a media object becomes: its shortcode, the id every source of it agrees on."""
    return f"instagram:{instagram_shortcode(media['permalink'])}"


def expected_ids(media_by_tag: dict[str, list[dict[str, Any]]], start: datetime, until: datetime) -> set[str]:
    return {post_id_of(m) for items in media_by_tag.values() for m in items
            if start - timedelta(hours=24) < datetime.fromisoformat(m["timestamp"]) <= until}


def source(double: InstagramDouble, **overrides: Any) -> InstagramHashtagSource:
    spec = {"name": "instagram", "base_url": double.url, "ig_user_id": USER,
            "hashtags": ["#Pilkada2026", "debatpaslon"], "poll_interval": "30m", **overrides}
    return InstagramHashtagSource.model_validate(spec)


def connector(double: InstagramDouble, state_dir: Path, clock: FakeClock, environ: dict[str, str] | None = None,
              **overrides: Any) -> InstagramHashtagConnector:
    state = ConnectorState(state_dir / "instagram.sqlite")
    return InstagramHashtagConnector(source(double, **overrides), state, clock=clock,
                                     environ=ENV if environ is None else environ)


def collect(conn: InstagramHashtagConnector) -> list[SourceRecord]:
    """Every record of a run without Kafka (checkpoints are not saved)."""
    try:
        return list(conn.records(threading.Event()))
    finally:
        conn.state.close()


@pytest.fixture
def ig_settings(stack, tmp_path: Path) -> Settings:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    return settings


def sent_posts(settings: Settings, expected: int) -> list[Post]:
    return [Post.model_validate_json(m.value)
            for m in read_topic(settings, settings.kafka.topics.raw, expected + 5, timeout_ms=1200)]


# -- the normaliser ------------------------------------------------------------------------------


def test_to_post_maps_a_media_object() -> None:
    raw = {
        "id": "17912345678901234",
        "caption": "Ayo ke TPS tanggal 27! #Pilkada2026 #pilkada2026 #JagaSuara bareng @kpu_ri dan @bawaslu.ri",
        "media_type": "CAROUSEL_ALBUM",
        "comments_count": 12,
        "like_count": 345,
        "permalink": "https://www.instagram.com/p/DgC_KsL6bC6/",
        "timestamp": "2026-11-24T09:12:33+0000",
    }
    post = to_post(raw, collected_at=START)
    assert post.post_id == "instagram:DgC_KsL6bC6" and post.native_id == "DgC_KsL6bC6"
    assert post.raw["id"] == "17912345678901234", "the Graph API media id stays in raw"
    assert str(post.url) == "https://www.instagram.com/p/DgC_KsL6bC6/"
    assert post.text == raw["caption"]
    assert post.created_at == datetime(2026, 11, 24, 9, 12, 33, tzinfo=UTC)
    assert post.collected_at == START
    assert post.hashtags == ["pilkada2026", "jagasuara"]
    assert post.mentions == ["kpu_ri", "bawaslu.ri"]
    assert post.engagement.likes == 345 and post.engagement.comments == 12 and post.engagement.views is None
    assert post.author.handle == "unknown:DgC_KsL6bC6" and post.author.id is None
    assert post.raw == raw


def test_to_post_fills_what_the_api_may_leave_out() -> None:
    # Likes hidden by the owner, no caption, and a clock behind Instagram's.
    raw = {"id": "17900000000000001", "permalink": "https://www.instagram.com/reel/C9xYz_12ab/",
           "timestamp": "2026-11-24T10:05:00+0000", "media_type": "VIDEO", "comments_count": 0}
    warnings: list[str] = []
    post = to_post(raw, collected_at=START, warnings=warnings)
    assert post.text == "" and post.hashtags == [] and post.engagement.comments == 0
    # Hidden likes are unknown, not "nobody liked it"; Instagram has no share count at all.
    assert post.engagement.likes is None and post.engagement.shares is None
    assert warnings == ["instagram: like_count is missing (hidden by the platform, or not given by the source), "
                        "read as unknown"]
    assert post.collected_at == post.created_at == START + timedelta(minutes=5)
    assert post.author.handle == "unknown:C9xYz_12ab"


@pytest.mark.parametrize(
    ("permalink", "handle"),
    [
        ("https://www.instagram.com/p/DgC_KsL6bC6/", "unknown:DgC_KsL6bC6"),
        ("https://www.instagram.com/reel/C9xYz-12ab/", "unknown:C9xYz-12ab"),
        ("https://www.instagram.com/relawan.jabar/p/DgC_KsL6bC6/", "relawan.jabar"),
        ("https://www.instagram.com/", "instagram_user"),
        ("https://instagr.am/stories/x", "instagram_user"),
    ],
)
def test_handle_from_permalink(permalink: str, handle: str) -> None:
    assert handle_from_permalink(permalink) == handle


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "missing field 'id'"),
        ({"permalink": None}, "missing field 'permalink'"),
        ({"timestamp": None}, "missing field 'timestamp'"),
        ({"timestamp": "kemarin sore"}, "timestamp 'kemarin sore' is not an ISO 8601 time"),
        ({"timestamp": "2026-11-24T09:12:33"}, "is not an ISO 8601 time with a timezone"),
        ({"like_count": -3}, "like_count -3 is negative"),
        ({"permalink": "not a url"}, "not a valid post"),
        ({"caption": ["#a"]}, "caption is list"),
    ],
)
def test_to_post_refuses_broken_media(change: dict[str, Any], reason: str) -> None:
    raw = media(1, START - timedelta(hours=1), "pilkada2026")
    for key, value in change.items():
        if value is None:
            del raw[key]
        else:
            raw[key] = value
    with pytest.raises(NormaliseError, match=reason):
        to_post(raw, START)


# -- a simulated day, end to end -----------------------------------------------------------------


def test_thirty_hours_of_faults_and_rate_limits_lose_and_duplicate_nothing(ig_settings: Settings) -> None:
    end = START + timedelta(hours=30)
    clock = FakeClock(START, stop_at=end)
    data = timeline()
    with InstagramDouble(clock, data, hourly_calls=10) as double:
        double.faults = ["500", "rate_limit_17", "empty_page", "malformed_item", "not_json", "rate_limit_613",
                         "429", "rate_limit_32", "500", "rate_limit_4"]
        instagram = connector(double, ig_settings.connectors.state_dir, clock)
        stats = instagram.run(ig_settings, threading.Event())

        assert stats.error is None and not stats.finished
        assert not double.faults, "every scripted fault was met"
        expected = expected_ids(data, START, end)
        assert len(expected) > 250
        posts = sent_posts(ig_settings, len(expected))
        ids = [p.post_id for p in posts]
        assert len(ids) == len(set(ids)), "no post is sent twice, not even one found under both hashtags"
        (letter,) = [DeadLetter.model_validate_json(m.value)
                     for m in read_topic(ig_settings, ig_settings.kafka.topics.dead_letter, 1)]
        assert letter.reason == "instagram: missing field 'timestamp'"
        assert letter.source == "connector:instagram"
        broken = post_id_of(json.loads(letter.original()))
        assert expected - set(ids) <= {broken}, "only the item that came back malformed once may be missing"
        assert set(ids) <= expected, "nothing older than 24 hours at the first poll"
        assert stats.dead_lettered == 1 and stats.produced == len(ids)
        # Rate limits were waited out, not hammered: few refused calls for many answered ones.
        assert double.refusals["rate_limit"] < double.calls["media"] / 4
        assert double.refusals["token"] == 0 and double.refusals["hashtag_limit"] == 0
        # Each hashtag was searched once; later polls read one page, as they catch up at once.
        assert sorted(double.searches) == ["debatpaslon", "pilkada2026"]
        passes = sum(after is None for _, _, after in double.media_requests)
        assert passes >= 2 * 50, "two hashtags polled every 30 minutes for 30 hours, less the waits"
        # The backlog's two extra pages, the scripted empty page and the page after it.
        assert double.calls["media"] <= passes + 4
        assert double.max_open_windows() == 2
        state = ConnectorState(ig_settings.connectors.state_dir / "instagram.sqlite")
        try:
            saved = state.checkpoint("hashtags")
            assert saved["pilkada2026"]["id"] == hashtag_id("pilkada2026")
            assert TOKEN not in repr(state.checkpoint("hashtag:pilkada2026")) + repr(saved)
        finally:
            state.close()
        assert TOKEN not in repr(stats)


def test_a_restart_resumes_mid_pass_without_resending(ig_settings: Settings) -> None:
    clock = FakeClock(START)
    data = timeline()
    with InstagramDouble(clock, data) as double:
        first = connector(double, ig_settings.connectors.state_dir, clock, hashtags=["pilkada2026"])
        produced: list[str] = []

        def records_until_60(stop_event: threading.Event) -> Iterator[SourceRecord]:  # Ctrl-C after 60 posts
            for record in InstagramHashtagConnector.records(first, stop_event):
                yield record
                if record.produce and record.failure is None:
                    produced.append(record.key or "")
                if len(produced) >= 60:
                    stop_event.set()

        first.records = records_until_60  # type: ignore[method-assign]
        first.run(ig_settings, threading.Event())
        assert first.stats.produced >= 60 and not first.stats.finished
        pages_before = double.calls["media"]
        assert pages_before == 2, "stopped on the second of three pages"

        clock.stop_at = clock.now() + timedelta(minutes=10)
        second = connector(double, ig_settings.connectors.state_dir, clock, hashtags=["pilkada2026"])
        second.run(ig_settings, threading.Event())
        # Page two was checkpointed once its posts were acknowledged: the restart reads page three.
        resumed_from = [after for _, _, after in double.media_requests[pages_before:]]
        assert len(resumed_from) == 1 and resumed_from[0] not in (None, double.media_requests[1][2])
        assert double.calls["search"] == 1, "the hashtag id was kept"

    expected = expected_ids({"pilkada2026": data["pilkada2026"]}, START, START)
    ids = [p.post_id for p in sent_posts(ig_settings, len(expected))]
    assert len(ids) == len(set(ids)) == len(expected) and set(ids) == expected


def test_a_pass_stops_at_media_already_sent_unchanged(ig_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=50))
    data = {"pilkada2026": [m for m in timeline()["pilkada2026"] if m["timestamp"] <= stamp(START)]}
    with InstagramDouble(clock, data) as double:
        first = connector(double, ig_settings.connectors.state_dir, clock, hashtags=["pilkada2026"])
        stats = first.run(ig_settings, threading.Event())
        full_pass = double.calls["media"]
        assert full_pass == 4, "three pages for the backlog, then one page at the next poll"
        assert double.media_requests[-1][2] is None, "the second poll read only the newest page"
        assert stats.produced == len(expected_ids(data, START, START)) == 101

        # The newest post gains likes: it is sent again, and the pass stops at the next one.
        newest = max(double.visible("pilkada2026"), key=lambda m: m["timestamp"])
        newest["like_count"] += 50
        clock.stop_at = clock.now() + timedelta(minutes=20)
        second = connector(double, ig_settings.connectors.state_dir, clock, hashtags=["pilkada2026"])
        again = second.run(ig_settings, threading.Event())
        assert again.produced == 1 and double.calls["media"] == full_pass + 1

    updates = [p for p in sent_posts(ig_settings, stats.produced + 1) if p.post_id == post_id_of(newest)]
    assert [p.engagement.likes for p in updates] == [newest["like_count"] - 50, newest["like_count"]]


# -- the hashtag budget ----------------------------------------------------------------------------


def test_the_weekly_hashtag_budget_is_kept_across_restarts(ig_settings: Settings,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    tags = {name: [media(i + 10 * n, START - timedelta(hours=i + 1), name) for i in range(3)]
            for n, name in enumerate(["pilkada2026", "debatpaslon", "golput", "tpsaman"])}
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    state_dir = ig_settings.connectors.state_dir
    with InstagramDouble(clock, tags, hashtag_limit=3) as double:
        caplog.set_level(logging.WARNING, logger="connectors.instagram")
        first = connector(double, state_dir, clock, hashtags=["pilkada2026", "debatpaslon", "golput"],
                          weekly_hashtags=2)
        first.run(ig_settings, threading.Event())
        assert double.searches == ["pilkada2026", "debatpaslon"]
        assert list(first.over_budget) == ["golput"]
        assert "over budget, skipped: #golput (next slot 2026-12-01 10:10 UTC)" in first.budget_status()
        skips = [r.getMessage() for r in caplog.records if "skipping #golput" in r.getMessage()]
        assert len(skips) == 1, "one warning, not one per poll"
        assert "2 of 2 hashtags already queried in the last 7 days" in skips[0]

        # Three days later, a new configuration: the two windows opened before still count.
        clock.current = START + timedelta(days=3)
        clock.stop_at = clock.current + timedelta(hours=1)
        second = connector(double, state_dir, clock, hashtags=["tpsaman", "golput", "debatpaslon"],
                           weekly_hashtags=2)
        second.run(ig_settings, threading.Event())
        assert double.searches == ["pilkada2026", "debatpaslon"], "no new hashtag while two windows are open"
        assert set(second.over_budget) == {"tpsaman", "golput"}

        # Eight days on the windows have closed: the first two configured hashtags get them.
        clock.current = START + timedelta(days=8)
        clock.stop_at = clock.current + timedelta(hours=1)
        third = connector(double, state_dir, clock, hashtags=["tpsaman", "golput", "debatpaslon"],
                          weekly_hashtags=2)
        third.run(ig_settings, threading.Event())
        assert double.searches == ["pilkada2026", "debatpaslon", "tpsaman", "golput"]
        assert list(third.over_budget) == ["debatpaslon"]
        assert double.refusals["hashtag_limit"] == 0
        assert double.max_open_windows() <= 2


def test_the_budget_window_is_saved_before_the_request_that_opens_it(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=10))
    with InstagramDouble(clock, {"pilkada2026": []}) as double:
        conn = connector(double, tmp_path, clock, hashtags=["pilkada2026"])
        records = conn.records(threading.Event())
        reservation = next(records)
        assert not reservation.produce and double.calls["all"] == 0
        assert reservation.checkpoint == {"hashtags": {"pilkada2026": {"id": None, "since": START.isoformat()}}}
        rest = list(records)
        conn.state.close()
        assert rest[-1].checkpoint is not None
        assert rest[-1].checkpoint["hashtags"]["pilkada2026"]["id"] == hashtag_id("pilkada2026")


def test_a_refused_or_unknown_hashtag_is_skipped_and_reported(tmp_path: Path) -> None:
    data = {"pilkada2026": [media(1, START - timedelta(hours=1), "pilkada2026")], "kerusuhan": []}
    clock = FakeClock(START, stop_at=START + timedelta(minutes=10))
    with InstagramDouble(clock, data, blocked=frozenset({"kerusuhan"})) as double:
        conn = connector(double, tmp_path, clock, hashtags=["kerusuhan", "tidakada", "pilkada2026"])
        records = [r for r in collect(conn) if r.produce]
        assert [r.key for r in records] == [post_id_of(data["pilkada2026"][0])]
        assert conn.refused == {"kerusuhan": "HTTP 400, code 100: Invalid parameter",
                                "tidakada": "no such hashtag"}
        assert "refused: #kerusuhan" in conn.budget_status()
        assert conn.stats.warning_counts == {"#kerusuhan skipped: the search was refused": 1,
                                             "#tidakada skipped: Instagram has no such hashtag": 1}


def test_a_wrong_account_id_stops_the_connector(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=2))
    with InstagramDouble(clock, timeline()) as double:
        conn = connector(double, tmp_path, clock, ig_user_id="17841499999999999")
        with pytest.raises(ConnectorFatal, match="every hashtag search was refused .* check ig_user_id"):
            collect(conn)


# -- failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["rate_limit_4", "rate_limit_17", "rate_limit_32", "rate_limit_613", "429"])
def test_each_rate_limit_answer_is_waited_out(tmp_path: Path, fault: str) -> None:
    data = {"pilkada2026": [media(i, START - timedelta(hours=i + 1), "pilkada2026") for i in range(5)]}
    clock = FakeClock(START, stop_at=START + timedelta(minutes=40))
    with InstagramDouble(clock, data) as double:
        double.faults = ["500", fault, fault]
        records = [r for r in collect(connector(double, tmp_path, clock, hashtags=["pilkada2026"])) if r.produce]
        assert len(records) == 5 and double.refusals["rate_limit"] == 2
        assert clock.slept >= 300 + 600 + 30 * 60 - 1, "waited 5, then 10 minutes, then the poll interval"


@pytest.mark.parametrize("expired", [False, True])
def test_a_refused_token_stops_the_connector_for_the_operator_to_renew(tmp_path: Path, expired: bool) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(days=2))
    data = timeline()
    if expired:  # valid at first; long-lived tokens expire after 60 days, this one in 3 hours
        double = InstagramDouble(clock, data, token_expires=START + timedelta(hours=3))
        environ = ENV
    else:
        double = InstagramDouble(clock, data)
        environ = {"IG_ACCESS_TOKEN": "EAAG-mistyped-token"}
    with double:
        conn = connector(double, tmp_path, clock, environ=environ)
        got: list[SourceRecord] = []
        with pytest.raises(ConnectorFatal, match="refreshed by the operator") as caught:
            got.extend(conn.records(threading.Event()))
        conn.state.close()
        message = str(caught.value)
        assert "code 190" in message and "IG_ACCESS_TOKEN" in message
        assert TOKEN not in message and "mistyped" not in message
        assert double.refusals["token"] == 1, "no retry on a refused token"
        assert ("HTTP 401" in message and "expired" in message) if expired else "HTTP 400" in message
        assert clock.now() < START + timedelta(hours=4)


def test_a_token_echoed_in_an_error_message_is_scrubbed(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with InstagramDouble(clock, timeline()) as double:
        conn = connector(double, tmp_path, clock, environ={"IG_ACCESS_TOKEN": "EAAGbad"})
        original = double.error

        def echo(message: str, code: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return original(f"Malformed access token EAAGbad ({message})", code, *args, **kwargs)

        double.error = echo  # type: ignore[method-assign]
        with pytest.raises(ConnectorFatal) as caught:
            collect(conn)
        assert "EAAGbad" not in str(caught.value) and "Malformed access token ***" in str(caught.value)


def test_a_missing_token_stops_before_any_request(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with InstagramDouble(clock, timeline()) as double:
        conn = connector(double, tmp_path, clock, environ={})
        with pytest.raises(ConnectorFatal, match="set the environment variable IG_ACCESS_TOKEN"):
            collect(conn)
        assert double.calls["all"] == 0


def test_check_reads_the_account_without_using_the_hashtag_budget(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with InstagramDouble(clock, {"pilkada2026": []}) as double:
        conn = connector(double, tmp_path, clock, hashtags=["pilkada2026"])
        assert conn.check() == (f"access token accepted by {double.url} for @siaga.monitor ({double.ig_user_id}); "
                                "0/30 hashtags queried in the last 7 days")
        assert double.calls["search"] == 0 and not double.windows, "no hashtag was queried"
        wrong = connector(double, tmp_path, clock, ig_user_id="999", hashtags=["pilkada2026"])
        with pytest.raises(ConnectorFatal, match="business account 999 cannot be read"):
            wrong.check()
        stale = connector(double, tmp_path, clock, environ={"IG_ACCESS_TOKEN": "stale-ig-token"})
        with pytest.raises(ConnectorFatal, match="was refused") as refused:
            stale.check()
        assert "stale-ig-token" not in str(refused.value)


def test_a_day_with_a_token_expiry_and_a_renewal_loses_and_duplicates_nothing(ig_settings: Settings) -> None:
    end = START + timedelta(hours=24)
    clock = FakeClock(START, stop_at=end)
    data = timeline()
    with InstagramDouble(clock, data, token_expires=START + timedelta(hours=3), hourly_calls=10) as double:
        double.faults = ["500", "rate_limit_613", "empty_page"]
        first = connector(double, ig_settings.connectors.state_dir, clock)
        with pytest.raises(ConnectorFatal, match="Session has expired"):
            first.run(ig_settings, threading.Event())
        assert first.stats.produced > 0
        # The operator renews the token a little later; the connector resumes from its checkpoints.
        clock.current += timedelta(minutes=20)
        double.access_token, double.token_expires = "EAAGig-renewed-token", None
        renewed = connector(double, ig_settings.connectors.state_dir, clock,
                            environ={"IG_ACCESS_TOKEN": "EAAGig-renewed-token"})
        renewed.run(ig_settings, threading.Event())
        assert not double.faults, "every scripted fault was met"
        last_read = {name: max(when for when, tag, _ in double.media_requests if tag == name) for name in data}
    # Everything posted up to each hashtag's last read (the clock stops between two polls).
    expected = {post_id_of(m) for name, items in data.items() for m in items
                if START - timedelta(hours=24) < datetime.fromisoformat(m["timestamp"]) <= last_read[name]}
    assert len(expected) > 200
    ids = [p.post_id for p in sent_posts(ig_settings, len(expected))]
    assert len(ids) == len(set(ids)), "nothing sent twice across the restart"
    assert set(ids) == expected, "nothing lost across the expiry: media stay within recent_media's 24 hours"
    assert first.stats.produced + renewed.stats.produced == len(expected)
