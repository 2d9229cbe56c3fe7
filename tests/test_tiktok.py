"""The TikTok Research API connector against a loopback double of the API, on a fake clock."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.api import ConnectorFatal, parse_since
from connectors.state import ConnectorState
from connectors.tiktok import NormaliseError, TikTokConnector, to_post, windows
from pipelines.cli import main
from pipelines.ops.services import ensure_ready
from schemas.clock import utc_now
from schemas.config import Settings, TikTokSource
from schemas.deadletter import DeadLetter
from schemas.erasure import SuppressionList
from schemas.post import Post
from tests.conftest import free_port, make_settings, read_topic
from tests.doubles.tiktok_api import FakeClock, TikTokDouble

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ENV = {"TIKTOK_CLIENT_KEY": "key-123", "TIKTOK_CLIENT_SECRET": "s3cret-xyz"}


def video(number: int, hours_ago: float, hashtags: tuple[str, ...] = ("pilkada",)) -> dict:
    return {
        "id": 7_300_000_000_000_000_000 + number,
        "video_description": f"Nonton debat paslon malam ini, siapa yang paling meyakinkan? #{hashtags[0]} ({number})",
        "create_time": int((START - timedelta(hours=hours_ago)).timestamp()),
        "region_code": "ID",
        "share_count": 2, "view_count": 1500, "like_count": 40 + number, "comment_count": 3,
        "hashtag_names": list(hashtags),
        "username": f"warga_{number % 17}",
    }


# 240 matching videos over the last 9 days, 10 more that become visible during the simulated day
# (the API shows a video about two days after it was posted), and noise that does not match.
VIDEOS = [video(i, hours_ago=48 + i * 0.75) for i in range(240)] + [
    video(500 + i, hours_ago=40 - i) for i in range(10)
] + [video(1000 + i, hours_ago=60 + i, hashtags=("resepmasakan",)) for i in range(20)]


def source(double: TikTokDouble, **overrides: object) -> TikTokSource:
    spec = {"name": "tiktok", "base_url": double.url, "hashtags": ["pilkada"], "since": "8d", "max_count": 25,
            "poll_interval": "1h", **overrides}
    return TikTokSource.model_validate(spec)


def connector(double: TikTokDouble, settings: Settings, clock: FakeClock, **overrides: object) -> TikTokConnector:
    state = ConnectorState(settings.connectors.state_dir / "tiktok.sqlite")
    return TikTokConnector(source(double, **overrides), state, clock=clock, environ=ENV)


def expected_ids(visible_at: datetime = START, since_days: int = 8) -> set[str]:
    first_day = (START - timedelta(days=since_days)).date()
    return {f"tiktok:{v['id']}" for v in VIDEOS if "pilkada" in v["hashtag_names"]
            and datetime.fromtimestamp(v["create_time"], UTC).date() >= first_day
            and datetime.fromtimestamp(v["create_time"], UTC) <= visible_at - timedelta(days=2)}


@pytest.fixture
def tiktok_settings(stack, tmp_path: Path) -> Settings:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    return settings


def sent_posts(settings: Settings, expected: int) -> list[Post]:
    return [Post.model_validate_json(m.value)
            for m in read_topic(settings, settings.kafka.topics.raw, expected + 5, timeout_ms=2500)]


def test_to_post() -> None:
    post = to_post(video(7, hours_ago=50), collected_at=START)
    assert post.post_id == "tiktok:7300000000000000007"
    assert str(post.url) == "https://www.tiktok.com/@warga_7/video/7300000000000000007"
    assert post.author.handle == "warga_7" and post.hashtags == ["pilkada"]
    assert post.created_at == START - timedelta(hours=50) and post.engagement.likes == 47
    broken = video(8, hours_ago=50)
    del broken["id"]
    with pytest.raises(NormaliseError, match="missing field 'id'"):
        to_post(broken, START)
    with pytest.raises(NormaliseError, match="not a Unix time"):
        to_post({**video(9, 50), "create_time": "kemarin"}, START)


def test_a_hidden_count_is_unknown_and_a_nul_in_the_username_is_dropped() -> None:
    raw = {**video(11, hours_ago=50, hashtags=("pilkada", "DebatPaslon,")), "username": "warga\x00_11"}
    del raw["like_count"]  # what the API answers for a video whose author hid the likes
    raw["video_description"] += " #TolakPolitikUang bareng @bawaslu.ri."
    warnings: list[str] = []
    post = to_post(raw, START, warnings)
    assert (post.engagement.likes, post.engagement.comments, post.engagement.shares) == (None, 3, 2)
    assert post.author.handle == "warga_11"
    assert str(post.url) == "https://www.tiktok.com/@warga_11/video/7300000000000000011"
    assert post.raw["username"] == "warga\x00_11", "the original stays in raw"
    # hashtag_names, cleaned, then the description's own.
    assert post.hashtags == ["pilkada", "debatpaslon", "tolakpolitikuang"] and post.mentions == ["bawaslu.ri"]
    assert warnings == [
        "tiktok: like_count is missing (hidden by the platform, or not given by the source), read as unknown",
        "tiktok: control characters removed from author.handle, url (the original is in raw)",
    ]
    with pytest.raises(NormaliseError, match=r"^tiktok: like_count '1,2rb' is not a whole number$"):
        to_post({**video(12, 50), "like_count": "1,2rb"}, START)


def test_hidden_counts_are_counted_as_warnings_of_the_connector(tiktok_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    videos = [video(i, hours_ago=60 + i) for i in range(6)]
    for hidden in videos[:4]:
        del hidden["like_count"]
    with TikTokDouble(clock, videos) as double:
        stats = connector(double, tiktok_settings, clock).run(tiktok_settings, threading.Event())
    likes = {p.native_id: p.engagement.likes for p in sent_posts(tiktok_settings, 6)}
    assert sorted(likes.values(), key=str) == [44, 45, None, None, None, None]
    assert stats.warning_counts == {
        "tiktok: like_count is missing (hidden by the platform, or not given by the source), read as unknown": 4}


def test_an_api_connector_drops_a_post_on_the_suppression_list(tiktok_settings: Settings) -> None:
    # Every command passes the list of erased posts to Connector.run; API connectors once refused
    # the argument, so `siaga run` and `siaga connectors run` failed on them.
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    videos = [video(i, hours_ago=60 + i) for i in range(3)]
    erased = f"tiktok:{videos[0]['id']}"
    with TikTokDouble(clock, videos) as double:
        stats = connector(double, tiktok_settings, clock).run(
            tiktok_settings, threading.Event(), SuppressionList.fixed([erased]))
    sent = {post.post_id for post in sent_posts(tiktok_settings, 2)}
    assert sent == {f"tiktok:{v['id']}" for v in videos[1:]}
    assert stats.suppressed == 1


def test_windows_split_at_seven_days() -> None:
    assert windows(date(2026, 11, 1), date(2026, 11, 16), 7) == [
        (date(2026, 11, 1), date(2026, 11, 7)), (date(2026, 11, 8), date(2026, 11, 14)),
        (date(2026, 11, 15), date(2026, 11, 16)),
    ]


def test_a_day_of_faults_token_expiry_and_quota_loses_and_duplicates_nothing(tiktok_settings: Settings) -> None:
    end = START + timedelta(days=1, hours=6)
    clock = FakeClock(START, stop_at=end)
    with TikTokDouble(clock, VIDEOS, daily_requests=15) as double:
        double.faults = ["500", "rate_limit", "expire_search", "500", "malformed_item"]
        tiktok = connector(double, tiktok_settings, clock)
        stats = tiktok.run(tiktok_settings, threading.Event())

        assert stats.error is None
        expected = expected_ids(visible_at=end)
        assert expected > expected_ids(START), "some videos only appear during the day"
        posts = sent_posts(tiktok_settings, len(expected))
        ids = [p.post_id for p in posts]
        assert len(ids) == len(set(ids)), "no post is sent twice"
        # The item that came back malformed once was dead-lettered, and delivered by a later poll.
        assert set(ids) == expected
        assert stats.dead_lettered == 1
        (letter,) = [DeadLetter.model_validate_json(m.value)
                     for m in read_topic(tiktok_settings, tiktok_settings.kafka.topics.dead_letter, 1)]
        assert letter.reason == "tiktok: missing field 'id'" and letter.source == "connector:tiktok"
        # 15 requests a day: the connector waited for 00:00 UTC instead of hammering on 429s.
        assert double.requests_per_day[START.date().isoformat()] == 15
        assert sum(double.requests_per_day.values()) > 15
        assert double.calls["token"] >= 2, "a token lives two hours; the day needs more than one"
        assert "key-123" not in repr(stats) and "s3cret" not in repr(stats)
        assert len(expected) > 150, "the scenario covers several windows and many pages"


def test_a_restart_resumes_mid_window_without_resending(tiktok_settings: Settings) -> None:
    clock = FakeClock(START)
    with TikTokDouble(clock, VIDEOS) as double:
        stop = threading.Event()
        first = connector(double, tiktok_settings, clock)
        produced = []

        def records_until_50(stop_event: threading.Event):  # an operator's Ctrl-C after 50 posts
            for record in TikTokConnector.records(first, stop_event):
                yield record
                if record.produce and record.failure is None:
                    produced.append(record.key)
                if len(produced) >= 50:
                    stop_event.set()

        first.records = records_until_50  # type: ignore[method-assign]
        first.run(tiktok_settings, stop)
        assert first.stats.produced >= 50 and not first.stats.finished
        queries_before = double.calls["query"]

        clock.stop_at = clock.now() + timedelta(minutes=30)
        second = connector(double, tiktok_settings, clock)
        second.run(tiktok_settings, threading.Event())
        assert double.calls["query"] - queries_before < 240 // 25 + 4, "resumed from the checkpoint"

    ids = [p.post_id for p in sent_posts(tiktok_settings, len(expected_ids()))]
    assert len(ids) == len(set(ids)) == len(expected_ids())


def test_missing_or_refused_credentials_stop_only_this_connector(tiktok_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with TikTokDouble(clock, VIDEOS, client_secret="another-secret") as double:
        refused = connector(double, tiktok_settings, clock)
        with pytest.raises(ConnectorFatal, match="client credentials were refused") as caught:
            refused.run(tiktok_settings, threading.Event())
        assert "s3cret" not in str(caught.value)
        state = ConnectorState(tiktok_settings.connectors.state_dir / "missing.sqlite")
        unset = TikTokConnector(source(double), state, clock=clock, environ={})
        with pytest.raises(ConnectorFatal, match="set the environment variables TIKTOK_CLIENT_KEY"):
            unset.run(tiktok_settings, threading.Event())


def _records_in_thread(tiktok: TikTokConnector, limit_s: float = 10.0) -> tuple[list, bool]:
    """The connector's records until its fake clock stops it; and whether it stopped within ``limit_s``.

    A connector that never sleeps never moves the fake clock: the thread is then stopped here.
    """
    stop, found = threading.Event(), []
    worker = threading.Thread(target=lambda: found.extend(tiktok.records(stop)), daemon=True)
    worker.start()
    worker.join(timeout=limit_s)
    stopped_by_clock = not worker.is_alive()
    stop.set()
    worker.join(timeout=10)
    return found, stopped_by_clock


@pytest.mark.parametrize("failure", ["503", "connection refused"])
def test_a_failing_token_endpoint_is_retried_with_backoff_not_in_a_tight_loop(tmp_path: Path, failure: str) -> None:
    hour = timedelta(hours=1)
    clock = FakeClock(START, stop_at=START + hour)
    with TikTokDouble(clock, VIDEOS) as double:
        double.token_status = 503
        base_url = double.url if failure == "503" else f"http://127.0.0.1:{free_port()}"
        state = ConnectorState(tmp_path / "tiktok.sqlite")
        tiktok = TikTokConnector(source(double, base_url=base_url), state, clock=clock, environ=ENV)
        records, stopped_by_clock = _records_in_thread(tiktok)
        state.close()

    assert stopped_by_clock, f"the connector asked for tokens without waiting ({double.calls['token']} requests)"
    assert records == [] and double.calls["query"] == 0
    # Every attempt is followed by a backoff wait: full jitter up to 2**attempt seconds, capped at 300.
    waits = clock.sleeps
    assert all(wait <= min(300.0, 2.0 ** attempt) for attempt, wait in enumerate(waits, 1)), waits
    assert sum(waits) >= hour.total_seconds()
    attempts = len(waits)
    assert 8 <= attempts <= 80, f"{attempts} token requests in a simulated hour"
    if failure == "503":
        assert double.calls["token"] == attempts
        gaps = [(later - earlier).total_seconds()
                for earlier, later in zip(double.token_requests, double.token_requests[1:], strict=False)]
        assert gaps == pytest.approx(waits[: len(gaps)], abs=1e-5)


def test_a_search_whose_id_keeps_expiring_is_restarted_with_backoff(tmp_path: Path) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    with TikTokDouble(clock, VIDEOS) as double:
        double.faults = ["expire_search"] * 6  # the second page of every new search, six times over
        state = ConnectorState(tmp_path / "tiktok.sqlite")
        tiktok = TikTokConnector(source(double), state, clock=clock, environ=ENV)
        records, stopped_by_clock = _records_in_thread(tiktok)
        state.close()

    assert stopped_by_clock and not double.faults
    assert [r for r in records if r.produce], "the window was read once its search held"
    # The first restart goes at once; the five after it wait as backoff says, then the poll interval.
    restart_waits = [wait for wait in clock.sleeps if wait < 3600]
    assert len(restart_waits) == 5
    assert all(wait <= 2.0 ** attempt for attempt, wait in enumerate(restart_waits, 1)), restart_waits


def _interrupt_when_idle(double: TikTokDouble, returned: threading.Event, quiet_s: float = 1.5,
                         limit_s: float = 60.0) -> threading.Thread:
    """Send this process SIGINT (an operator's Ctrl-C) once the double has had no query for ``quiet_s``.

    Never once the command has ``returned`` (a failed run must not interrupt the test session).
    """

    def watch() -> None:
        deadline = time.monotonic() + limit_s
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline and not returned.is_set():
            calls = double.calls["query"]
            if calls != seen:
                seen, since = calls, time.monotonic()
            elif calls and time.monotonic() - since >= quiet_s:
                break
            time.sleep(0.1)
        if not returned.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("since", "reaches_old"), [(None, False), ("12d", True), ("2026-11-01", True)])
def test_connectors_run_since_overrides_how_far_the_first_run_reaches(
    stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, since: str | None,
    reaches_old: bool,
) -> None:
    now = utc_now()  # the CLI's connector reads the process clock (moved by SIAGA_CLOCK_START)
    old = [video(i, hours_ago=0) | {"create_time": int((now - timedelta(days=10, hours=i)).timestamp())}
           for i in range(6)]
    recent = [video(100 + i, hours_ago=0) | {"create_time": int((now - timedelta(days=3, hours=i)).timestamp())}
              for i in range(4)]
    with TikTokDouble(FakeClock(now), old + recent) as double:
        settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")},
                                 sources=[{"type": "tiktok", "name": "tt", "base_url": double.url,
                                           "hashtags": ["pilkada"], "since": "7d", "poll_interval": "1h"}])
        ensure_ready(settings)  # `siaga setup`: `connectors run` checks the set-up, it does not make it
        config = next(tmp_path.glob("siaga-*.yaml"))
        monkeypatch.setenv("TIKTOK_CLIENT_KEY", double.client_key)
        monkeypatch.setenv("TIKTOK_CLIENT_SECRET", double.client_secret)
        returned = threading.Event()
        watcher = _interrupt_when_idle(double, returned)
        try:
            code = main(["--config", str(config), "connectors", "run", "tt", *(["--since", since] if since else [])])
        finally:
            returned.set()
        watcher.join(timeout=5)
        assert code == 0
    expected = {f"tiktok:{v['id']}" for v in (old + recent if reaches_old else recent)}
    assert f"tt: {len(expected)} posts sent" in capsys.readouterr().out
    got = {m.key.decode() for m in read_topic(settings, settings.kafka.topics.raw, len(expected) + 1, timeout_ms=2000)}
    assert got == expected


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["run", "tt", "--since", "kemarin"], "--since 'kemarin' is neither a duration"),
        (["run", "tt", "--since", "2999-01-01"], "--since '2999-01-01' is not in the past"),
        (["check", "tt", "--since", "3d"], "unrecognized arguments: --since 3d"),
        (["run", "ig", "--since", "3d"], "ig is instagram_hashtag, which has no since setting"),
    ],
)
def test_connectors_run_since_refuses_what_it_cannot_do(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       args: list[str], error: str) -> None:
    settings = make_settings(None, tmp_path, sources=[
        {"type": "tiktok", "name": "tt", "hashtags": ["pilkada"]},
        {"type": "instagram_hashtag", "name": "ig", "ig_user_id": "1784", "hashtags": ["pilkada"]},
    ])
    del settings
    config = next(tmp_path.glob("siaga-*.yaml"))
    assert main(["--config", str(config), "connectors", *args]) == 2
    assert error in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "reach"),
    [
        ("3d", timedelta(days=3)),
        ("90m", timedelta(minutes=90)),
        ("2026-11-20", timedelta(days=4, hours=17)),  # midnight WIB is 17:00 UTC the day before
        ("2026-11-20T08:00", timedelta(days=4, hours=9)),  # no offset: WIB
        ("2026-11-20T08:00:00+00:00", timedelta(days=4, hours=2)),
    ],
)
def test_parse_since(value: str, reach: timedelta) -> None:
    assert parse_since(value, START) == reach

