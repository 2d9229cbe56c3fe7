"""The Facebook pages connector against a loopback double of the Graph API, on a fake clock."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.api import ConnectorFatal
from connectors.facebook import (
    OVERLAP,
    FacebookPagesConnector,
    NormaliseError,
    to_post,
)
from connectors.formats import facebook_post_id
from connectors.state import ConnectorState
from pipelines.ops.services import ensure_ready
from schemas.config import FacebookPagesSource, Settings
from schemas.deadletter import DeadLetter
from schemas.post import Post
from tests.conftest import make_settings, read_topic
from tests.doubles.facebook_api import FacebookGraphDouble, FacebookPage
from tests.doubles.tiktok_api import FakeClock

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TOKEN = "EAAG-page-token-123"
ENV = {"FB_ACCESS_TOKEN": TOKEN}
PAGES = ["kompascom", "detikcom", "150000000001", "halaman.hilang"]


def build_pages() -> list[FacebookPage]:
    """Two news pages (by username) and a candidate's page (by id); the fourth configured page does not exist."""
    kompas = FacebookPage("100064000001", "Kompas.com", "kompascom")
    for i in range(45):  # one post every 4 hours, 7.5 days back: 42 inside the first 7-day reach
        kompas.post(i, START - timedelta(hours=1 + 4 * i), f"Berita pilkada #{i} #Pilkada2026", reactions=10 + i,
                    comments=i % 5, shares=i % 3)
    for k in range(12):  # and one every 2 hours during the simulated day
        kompas.post(1000 + k, START + timedelta(hours=2 * k, minutes=5), f"Live: debat paslon sesi {k}",
                    reactions=10)
    detik = FacebookPage("100064000002", "detikcom", "detikcom")
    for i in range(30):
        detik.post(i, START - timedelta(hours=2 + 5 * i), None if i % 7 == 0 else f"Kabar TPS {i}", reactions=i)
    for k in range(4):
        detik.post(1000 + k, START + timedelta(hours=5 * k + 1), f"Kabar terbaru {k}")
    paslon = FacebookPage("150000000001", "Paslon Nomor 1 Kota Sukamaju")
    for i in range(5):  # only posts older than the first reach, then three during the day
        paslon.post(i, START - timedelta(days=8, hours=i), "Kampanye lama")
    for k in range(3):
        paslon.post(1000 + k, START + timedelta(hours=7 * k + 3), "Ayo ke TPS tanggal 27!")
    return [kompas, detik, paslon]


def expected_ids(pages: list[FacebookPage], reach_from: datetime, visible_at: datetime) -> set[str]:
    return {f"facebook:{facebook_post_id(p['id'])}" for page in pages for p in page.posts
            if reach_from <= datetime.strptime(p["created_time"], "%Y-%m-%dT%H:%M:%S%z") <= visible_at}


def source(double: FacebookGraphDouble, **overrides: object) -> FacebookPagesSource:
    return FacebookPagesSource.model_validate({"name": "fb", "base_url": double.url, "pages": PAGES, **overrides})


def connector(double: FacebookGraphDouble, settings: Settings, clock: FakeClock, *, environ: dict | None = None,
              hourly_requests: int | None = None, **overrides: object) -> FacebookPagesConnector:
    state = ConnectorState(settings.connectors.state_dir / "fb.sqlite")
    return FacebookPagesConnector(source(double, **overrides), state, clock=clock,
                                  environ=ENV if environ is None else environ, hourly_requests=hourly_requests)


@pytest.fixture
def fb_settings(stack, tmp_path: Path) -> Settings:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    return settings


def sent_posts(settings: Settings, expected: int) -> list[Post]:
    return [Post.model_validate_json(m.value)
            for m in read_topic(settings, settings.kafka.topics.raw, expected + 5, timeout_ms=1500)]


# -- the normaliser ---------------------------------------------------------------------------

SAMPLE = {
    "id": "100064000001_1234567890123456",
    "message": "Debat #Pilkada2026 malam ini bersama @kpu.sukamaju, tonton live! #pilkada2026",
    "created_time": "2026-11-21T12:00:00+0000",
    "permalink_url": "https://www.facebook.com/kompascom/posts/pfbid02abcDEF",
    "from": {"id": "100064000001", "name": "Kompas.com"},
    "shares": {"count": 7},
    "reactions": {"data": [], "summary": {"total_count": 120, "viewer_reaction": "NONE"}},
    "comments": {"data": [], "summary": {"order": "ranked", "total_count": 15, "can_comment": False}},
}


def test_to_post_reads_a_page_post() -> None:
    post = to_post(SAMPLE, collected_at=START, page="kompascom")
    assert post.post_id == "facebook:1234567890123456", "the post part of the Graph id, as from every source"
    assert str(post.url) == "https://www.facebook.com/kompascom/posts/pfbid02abcDEF"
    assert (post.author.id, post.author.handle, post.author.display_name) == ("100064000001", "kompascom",
                                                                              "Kompas.com")
    assert post.text.startswith("Debat #Pilkada2026") and post.hashtags == ["pilkada2026"]
    assert post.mentions == ["kpu.sukamaju"]
    assert post.created_at == datetime(2026, 11, 21, 12, 0, tzinfo=UTC) and post.collected_at == START
    assert (post.engagement.likes, post.engagement.comments, post.engagement.shares) == (120, 15, 7)
    assert post.engagement.views is None
    # raw keeps what was read and the ids; the reactions' and comments' `data` (who reacted, other
    # users' comments) and the viewer's own state are dropped.
    assert post.raw == {key: SAMPLE[key] for key in ("id", "message", "created_time", "permalink_url", "from",
                                                     "shares")} | {"reactions": {"summary": {"total_count": 120}},
                                                                   "comments": {"summary": {"total_count": 15}}}


def test_to_post_photo_post_without_message_or_username() -> None:
    photo = {"id": "150000000001_987", "created_time": "2026-11-21T19:30:00+0700",
             "permalink_url": "https://www.facebook.com/photo.php?fbid=987&set=a.1",
             "from": {"id": "150000000001", "name": "Paslon Nomor 1"},
             "reactions": {"data": [], "summary": {"total_count": 3}}}
    warnings: list[str] = []
    post = to_post(photo, START, page="150000000001", warnings=warnings)
    # No `shares`: the Graph API leaves it out of a post no one shared. No comments summary: unknown.
    assert post.text == "" and post.hashtags == [] and post.engagement.shares == 0
    assert post.engagement.comments is None and post.engagement.likes == 3
    assert warnings == ["facebook: comments.summary.total_count is missing (hidden by the platform, or not given "
                        "by the source), read as unknown"]
    assert post.author.handle == "150000000001" and post.author.display_name == "Paslon Nomor 1"
    assert post.created_at == datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
    # Configured by id, but the permalink names the page: that name is the handle.
    named = {**photo, "permalink_url": "https://www.facebook.com/paslon1.sukamaju/posts/987"}
    assert to_post(named, START, page="150000000001").author.handle == "paslon1.sukamaju"
    # No `from` at all (a token without that permission): the page part of the post id.
    bare = {"id": "150000000001_988", "created_time": "2026-11-21T12:00:00+0000"}
    post = to_post(bare, START)
    assert post.author.id == post.author.handle == "150000000001"
    assert str(post.url) == "https://www.facebook.com/150000000001_988"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "missing field 'id'"),
        ({"created_time": None}, "missing field 'created_time'"),
        ({"created_time": "2026-11-21 12:00"}, "created_time '2026-11-21 12:00' is not a Graph API time"),
        ({"id": "100064000001_12/../34"}, "not a valid post (native_id: String should match pattern"),
        ({"id": 1234}, "id 1234 is not a Graph post id"),
        ({"reactions": {"summary": {"total_count": "banyak"}}},
         "reactions.summary.total_count 'banyak' is not a whole number"),
    ],
)
def test_to_post_rejects_broken_posts(change: dict, reason: str) -> None:
    broken = {k: v for k, v in {**SAMPLE, **change}.items() if v is not None}
    with pytest.raises(NormaliseError, match=f"^facebook: {reason}".replace("(", r"\(").replace(".", r"\.")):
        to_post(broken, START)


# -- simulated runs ---------------------------------------------------------------------------

def test_a_day_of_polling_with_faults_loses_and_duplicates_nothing(
    fb_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    end = START + timedelta(days=1)
    clock = FakeClock(START, stop_at=end)
    pages = build_pages()
    updated = pages[0].graph_id(1001)  # posted at 12:05; its reactions jump at 13:00, inside the next poll's overlap
    with FacebookGraphDouble(clock, pages, hourly_requests=10, max_limit=10) as double:
        double.faults = ["malformed_item", "500", "rate_limit", "empty_page", "500", "page_rate_limit",
                         "user_rate_limit"]
        double.updates = [(START + timedelta(hours=3), updated, 500)]
        fb = connector(double, fb_settings, clock, hourly_requests=10)
        with caplog.at_level(logging.INFO, logger="connectors.facebook"):
            stats = fb.run(fb_settings, threading.Event())

        assert stats.error is None and not stats.finished
        expected = expected_ids(pages, START - timedelta(days=7), end)
        assert expected > expected_ids(pages, START - timedelta(days=7), START), "posts also appear during the day"
        posts = sent_posts(fb_settings, len(expected) + 1)
        sends = Counter(p.post_id for p in posts)
        assert set(sends) == expected, "every post in reach was delivered, the malformed one by a later poll"
        assert sends.pop(f"facebook:{facebook_post_id(updated)}") == 2, "new counts are sent again under the same key"
        assert set(sends.values()) == {1}, "nothing else is sent twice"
        last = [p for p in posts if p.post_id == f"facebook:{facebook_post_id(updated)}"]
        assert (last[0].engagement.likes, last[1].engagement.likes) == (10, 500)
        assert stats.unchanged > 0, "posts re-read in the overlap unchanged were not sent again"
        assert stats.produced == len(expected) + 1

        (letter,) = [DeadLetter.model_validate_json(m.value)
                     for m in read_topic(fb_settings, fb_settings.kafka.topics.dead_letter, 1)]
        assert letter.reason == "facebook: missing field 'created_time'" and letter.source == "connector:fb"
        assert stats.dead_lettered == 1

        # The page that does not exist was skipped, with one clear error, every poll; the others went on.
        assert "halaman.hilang" in fb.unavailable_pages and "Unsupported get request" in fb.unavailable_pages[
            "halaman.hilang"]
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "'halaman.hilang' cannot be read and is skipped" in errors[0].getMessage()
        assert sum(page == "halaman.hilang" for _, page, _ in double.requests) > 40
        assert stats.warning_counts == {"page 'halaman.hilang' cannot be read and was skipped": stats.warnings}
        assert stats.warnings > 40, "counted at every poll"

        # Rate limits: waited (5 minutes, then 5 and 10 minutes for two in a row) rather than retried at once.
        times = [when for when, _, _ in double.requests]
        assert times[3] - times[2] >= timedelta(minutes=5)
        assert times[7] - times[5] >= timedelta(minutes=15)
        # The hourly budget held: never more than 10 requests in a rolling hour, and the Graph API
        # never had to refuse one for the app's limit.
        assert double.calls["over_limit"] == 0
        busiest = max(sum(0 <= (other - when).total_seconds() < 3600 for other in times) for when in times)
        assert busiest == 10, "the budget was the limit in the first hour"

        # Each poll asks from the newest post seen, minus the overlap.
        newest = START + timedelta(hours=22, minutes=5)
        last_kompas = [query for _, page, query in double.requests if page == "kompascom"][-1]
        assert int(last_kompas["since"]) == int((newest - OVERLAP).timestamp())
        assert TOKEN not in caplog.text and TOKEN not in repr(stats)
        assert "fields" in last_kompas and "reactions.summary(total_count)" in last_kompas["fields"]


def test_a_restart_resumes_mid_walk_without_resending(fb_settings: Settings) -> None:
    clock = FakeClock(START)
    pages = build_pages()[:1]
    with FacebookGraphDouble(clock, pages, max_limit=10) as double:
        first = connector(double, fb_settings, clock, pages=["kompascom"])
        produced: list[str] = []

        def records_until_25(stop_event: threading.Event):  # an operator's Ctrl-C after 25 posts
            for record in FacebookPagesConnector.records(first, stop_event):
                yield record
                if record.produce and record.failure is None:
                    produced.append(record.key)
                if len(produced) >= 25:
                    stop_event.set()

        first.records = records_until_25  # type: ignore[method-assign]
        first.run(fb_settings, threading.Event())
        assert first.stats.produced == 30 and not first.stats.finished, "the page in hand was finished"
        before = len(double.requests)

        clock.stop_at = clock.now() + timedelta(minutes=20)
        second = connector(double, fb_settings, clock, pages=["kompascom"])
        second.run(fb_settings, threading.Event())
        resumed = [query for _, _, query in double.requests[before:]]
        assert "until" in resumed[0] and resumed[0]["since"] == str(int((START - timedelta(days=7)).timestamp()))
        assert len(resumed) == 2, "the 12 posts it had not reached, not the whole walk again"
        assert second.stats.produced == 12 and second.stats.unchanged == 1, "the boundary post is re-read, not re-sent"

    expected = expected_ids(pages, START - timedelta(days=7), START)
    ids = [p.post_id for p in sent_posts(fb_settings, len(expected))]
    assert len(ids) == len(set(ids)) and set(ids) == expected


def test_an_expired_page_token_stops_the_connector_until_the_operator_renews_it(fb_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=8))
    pages = build_pages()
    with FacebookGraphDouble(clock, pages, max_limit=10) as double:
        double.token_expires = START + timedelta(hours=2)
        fb = connector(double, fb_settings, clock, pages=PAGES[:3])
        with pytest.raises(ConnectorFatal) as caught:
            fb.run(fb_settings, threading.Event())
        message = str(caught.value)
        assert "Session has expired" in message and "FB_ACCESS_TOKEN" in message
        assert "renewed by the operator" in message and TOKEN not in message
        assert fb.stats.error is not None and TOKEN not in fb.stats.error
        refused = [when for when, _, _ in double.requests if when >= double.token_expires]
        assert len(refused) == 1, "an expired page token is not retried: only the operator can renew it"

        # The operator puts a new token in the environment and restarts the connector.
        double.token, double.token_expires = "EAAG-renewed-token-456", None
        clock.stop_at = clock.now() + timedelta(hours=1)
        renewed = connector(double, fb_settings, clock, pages=PAGES[:3],
                            environ={"FB_ACCESS_TOKEN": "EAAG-renewed-token-456"})
        renewed.run(fb_settings, threading.Event())
        expected = expected_ids(pages, START - timedelta(days=7), double.requests[-1][0])
        assert expected > expected_ids(pages, START - timedelta(days=7), START + timedelta(hours=2))
        ids = [p.post_id for p in sent_posts(fb_settings, len(expected))]
        assert len(ids) == len(set(ids)) and set(ids) == expected


def test_a_missing_or_invalid_token_stops_only_this_connector(fb_settings: Settings) -> None:
    clock = FakeClock(START, stop_at=START + timedelta(hours=1))
    with FacebookGraphDouble(clock, build_pages()) as double:
        unset = connector(double, fb_settings, clock, environ={})
        with pytest.raises(ConnectorFatal, match="set the environment variable FB_ACCESS_TOKEN"):
            unset.run(fb_settings, threading.Event())
        assert double.calls["feed"] == 0
        wrong = connector(double, fb_settings, clock, environ={"FB_ACCESS_TOKEN": "not-a-token-xyz"})
        with pytest.raises(ConnectorFatal, match="Cannot parse access token") as caught:
            wrong.run(fb_settings, threading.Event())
        assert "not-a-token-xyz" not in str(caught.value)
        assert double.calls["feed"] == 1
        double.faults = ["bad_request"]
        bad_field = r"HTTP 400, Graph error 100: \(#100\) Tried accessing nonexisting field"
        with pytest.raises(ConnectorFatal, match=bad_field):
            connector(double, fb_settings, clock).run(fb_settings, threading.Event())


def test_check_reports_unreadable_pages_and_refused_tokens(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with FacebookGraphDouble(clock, build_pages()) as double:
        state = ConnectorState(tmp_path / "fb.sqlite")
        fb = FacebookPagesConnector(source(double), state, clock=clock, environ=ENV)
        answer = fb.check()
        assert answer.startswith(f"access token accepted by {double.url}; 3 of 4 pages readable")
        assert "cannot read halaman.hilang (100: Unsupported get request" in answer and TOKEN not in answer
        double.token_expires = START
        with pytest.raises(ConnectorFatal, match="Session has expired"):
            fb.check()


@pytest.mark.parametrize(("refresh_window", "refreshed"), [(None, set()), ("6h", {"p_2"}), ("12h", {"p_2", "p_3"})])
def test_counts_of_posts_within_the_refresh_window_are_refreshed(
    fb_settings: Settings, refresh_window: str | None, refreshed: set[str]
) -> None:
    page = FacebookPage("100064000009", "Kabar Pasirlaja", "kabarpasirlaja")
    ages = {1: 0.5, 2: 5, 3: 10, 4: 30}  # hours before START
    for number, hours in ages.items():
        page.post(number, START - timedelta(hours=hours), f"Kabar {number}", reactions=10)
    clock = FakeClock(START, stop_at=START + timedelta(minutes=30))
    overrides = {"refresh_window": refresh_window} if refresh_window else {}
    with FacebookGraphDouble(clock, [page]) as double:
        first = connector(double, fb_settings, clock, pages=["kabarpasirlaja"], **overrides)
        assert first.run(fb_settings, threading.Event()).produced == 4
        # Every post gains reactions before the next poll; only those still refreshed are read again.
        double.updates = [(START + timedelta(minutes=10), p["id"], 99) for p in page.posts]
        clock.stop_at = clock.now() + timedelta(minutes=30)
        second = connector(double, fb_settings, clock, pages=["kabarpasirlaja"], **overrides)
        stats = second.run(fb_settings, threading.Event())
        asked_since = int(double.requests[-1][2]["since"])
    window = timedelta(hours=int(refresh_window[:-1])) if refresh_window else timedelta(hours=1)
    newest = START - timedelta(hours=0.5)
    second_poll = START + timedelta(minutes=30)
    assert asked_since == int(min(newest - OVERLAP, second_poll - window).timestamp())
    expected_updates = {"p_1"} | refreshed  # the newest post is in the overlap whatever the window
    assert stats.produced == len(expected_updates) and stats.unchanged == 0
    posts = sent_posts(fb_settings, 4 + len(expected_updates))
    assert len(posts) == 4 + len(expected_updates)
    updates = [p for p in posts if p.engagement.likes == 99]
    assert {f"p_{int(p.native_id.removeprefix(page.id))}" for p in updates} == expected_updates
