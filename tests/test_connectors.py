"""Connectors: one contract every registered connector meets, then the replay connector's own rules."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import REGISTRY, Connector, ImportConnector, ReplayConnector, SourceRecord
from connectors.api import Action, ApiConnector, ApiFailure, classify, request_json
from connectors.base import MAX_WARNING_KINDS, ConnectorStats
from connectors.facebook import FacebookPagesConnector
from connectors.factcheck_feed import FactChecksConnector
from connectors.factchecks import to_factchecks
from connectors.formats import facebook_post_id
from connectors.instagram import InstagramHashtagConnector
from connectors.meta_content_library import MetaContentLibraryConnector
from connectors.replay import SAMPLE, key_of
from connectors.state import ConnectorState
from connectors.tiktok import TikTokConnector
from pipelines.ops.services import ensure_ready
from schemas.config import (
    FacebookPagesSource,
    FactChecksSource,
    InstagramHashtagSource,
    MetaContentLibrarySource,
    Settings,
    TikTokSource,
)
from schemas.deadletter import DeadLetter
from schemas.errors import SiagaError
from schemas.factcheck import FactCheck
from schemas.post import Post
from tests.conftest import make_post, read_topic, write_jsonl
from tests.doubles.broken_http import MODES, BrokenHttpServer
from tests.doubles.facebook_api import FacebookGraphDouble, FacebookPage
from tests.doubles.instagram_api import InstagramDouble, stamp
from tests.doubles.meta_content_library_api import Hosted, MetaContentLibraryDouble
from tests.doubles.tiktok_api import FakeClock, TikTokDouble

POSTS = [make_post(f"77{i}", minutes=i, platform=platform)
         for i, platform in enumerate(["tiktok", "facebook", "instagram"] * 3)]

IMPORT_SAMPLE = Path(__file__).parent / "data" / "imports" / "apify-tiktok.json"


def _replay(tmp: Path) -> tuple[Connector, list[str]]:
    return (ReplayConnector("contract", write_jsonl(tmp / "posts.jsonl", POSTS)),
            [f"{p['platform']}:{p['native_id']}" for p in POSTS])


def _import(tmp: Path) -> tuple[Connector, list[str]]:
    items = json.loads(IMPORT_SAMPLE.read_text(encoding="utf-8"))
    state = ConnectorState(tmp / "state" / "contract.sqlite")
    return (ImportConnector("contract", IMPORT_SAMPLE, "apify-tiktok", state),
            [f"tiktok:{item['id']}" for item in items])


def _tiktok(tmp: Path) -> tuple[Connector, list[str]]:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    clock = FakeClock(start, stop_at=start + timedelta(minutes=30))
    videos = [{"id": 7_300_000_000_000_000_000 + i, "video_description": f"ayo ke TPS #pilkada {i}",
               "create_time": int((start - timedelta(days=3, hours=i)).timestamp()), "region_code": "ID",
               "share_count": 0, "view_count": 10, "like_count": 1, "comment_count": 0,
               "hashtag_names": ["pilkada"], "username": f"warga_{i}"} for i in range(30)]
    double = TikTokDouble(clock, videos).__enter__()
    DOUBLES.append(double)
    source = TikTokSource(name="contract", base_url=double.url, hashtags=["pilkada"], max_count=20)
    connector = TikTokConnector(source, ConnectorState(tmp / "state" / "tiktok.sqlite"), clock=clock,
                                environ={"TIKTOK_CLIENT_KEY": double.client_key,
                                         "TIKTOK_CLIENT_SECRET": double.client_secret})
    return connector, [f"tiktok:{v['id']}" for v in videos]


def _meta_content_library(tmp: Path) -> tuple[Connector, list[str]]:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    clock = FakeClock(start, stop_at=start + timedelta(minutes=30))
    # Two keywords that overlap on purpose: records() must give each post once.
    posts = [Hosted(platform, {"id": f"{100 + i}" if platform == "instagram" else f"4242_{i}",
                               "text": f"ayo ke TPS, pilkada damai {i}" + (" #hoaks" if i % 3 == 0 else ""),
                               "creation_time": (start - timedelta(days=1, hours=i)).isoformat(),
                               "url": f"https://www.{platform}.com/p/Cq{i:05d}/",
                               "owner": {"id": "9", "username": f"warga_{i}"},
                               "statistics": {"reaction_count": 1, "comment_count": 0, "share_count": 0}})
             for platform in ("facebook", "instagram") for i in range(15)]
    double = MetaContentLibraryDouble(clock, posts).__enter__()
    DOUBLES.append(double)
    source = MetaContentLibrarySource(name="contract", base_url=double.url, keywords=["pilkada", "hoaks"])
    connector = MetaContentLibraryConnector(source, ConnectorState(tmp / "state" / "mcl.sqlite"), clock=clock,
                                            environ={"META_CL_ACCESS_TOKEN": double.access_token})
    # An Instagram post is known by the shortcode in its URL.
    # A Facebook post by the post part of its "<owner>_<post>" id.
    return connector, [f"facebook:{i}" for i in range(15)] + [f"instagram:Cq{i:05d}" for i in range(15)]


def _instagram(tmp: Path) -> tuple[Connector, list[str]]:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    clock = FakeClock(start, stop_at=start + timedelta(minutes=30))
    media = [{"id": f"179000000000000{i:02d}", "caption": f"ayo ke TPS #pilkada {i}", "media_type": "IMAGE",
              "comments_count": 0, "like_count": 1, "permalink": f"https://www.instagram.com/p/DgCtest{i:02d}/",
              "timestamp": stamp(start - timedelta(minutes=20 * i + 1))} for i in range(60)]
    double = InstagramDouble(clock, {"pilkada": media}).__enter__()
    DOUBLES.append(double)
    source = InstagramHashtagSource(name="contract", base_url=double.url, ig_user_id=double.ig_user_id,
                                    hashtags=["pilkada"])
    connector = InstagramHashtagConnector(source, ConnectorState(tmp / "state" / "instagram.sqlite"), clock=clock,
                                          environ={"IG_ACCESS_TOKEN": double.access_token})
    return connector, [f"instagram:DgCtest{i:02d}" for i in range(60)]  # the shortcode in the permalink


def _facebook(tmp: Path) -> tuple[Connector, list[str]]:
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    clock = FakeClock(start, stop_at=start + timedelta(minutes=30))
    page = FacebookPage("100064000001", "Kabar Sukamaju", "kabarsukamaju")
    for i in range(30):
        page.post(i, start - timedelta(hours=3 * i + 1), f"ayo ke TPS #pilkada {i}", reactions=i)
    double = FacebookGraphDouble(clock, [page], max_limit=20).__enter__()
    DOUBLES.append(double)
    source = FacebookPagesSource(name="contract", base_url=double.url, pages=["kabarsukamaju"])
    connector = FacebookPagesConnector(source, ConnectorState(tmp / "state" / "facebook.sqlite"), clock=clock,
                                       environ={"FB_ACCESS_TOKEN": double.token})
    return connector, [f"facebook:{facebook_post_id(p['id'])}" for p in page.posts]


def _factchecks(tmp: Path) -> tuple[Connector, list[str]]:
    source = FactChecksSource(name="contract", path=FACTCHECK_SAMPLE)
    factchecks = to_factchecks(FACTCHECK_SAMPLE.read_bytes(), "claimreview", datetime(2026, 12, 1, tzinfo=UTC))
    return (FactChecksConnector(source, ConnectorState(tmp / "state" / "factchecks.sqlite")),
            [fc.factcheck_id for fc in factchecks.factchecks])


FACTCHECK_SAMPLE = Path(__file__).resolve().parents[1] / "connectors" / "samples" / "factchecks.ndjson"
RECORDS: dict[str, tuple[type[Post] | type[FactCheck], str]] = {"raw": (Post, "post_id"),
                                                                 "factchecks": (FactCheck, "factcheck_id")}
"""What a connector's records are, by the topic it feeds (``Connector.topic``), and the field that keys them."""

DOUBLES: list = []

# How the contract test builds each registered connector, and the post ids it must deliver. A
# connector added to the registry without an entry here fails the first test below.
FACTORIES: dict[str, Callable[[Path], tuple[Connector, list[str]]]] = {
    "replay": _replay, "import": _import, "tiktok": _tiktok, "meta_content_library": _meta_content_library,
    "instagram_hashtag": _instagram,
    "facebook_pages": _facebook,
    "factchecks": _factchecks,
}


def test_every_connector_has_a_contract_fixture() -> None:
    assert set(FACTORIES) == set(REGISTRY)


@pytest.fixture(params=sorted(REGISTRY))
def contract(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Connector, list[str]]:
    built, expected = FACTORIES[request.param](tmp_path)
    request.addfinalizer(lambda: [DOUBLES.pop().__exit__() for _ in list(DOUBLES)])
    assert isinstance(built, REGISTRY[request.param])
    return built, expected


def test_contract_records_are_posts_keyed_by_their_post_id(contract: tuple[Connector, list[str]]) -> None:
    connector, expected = contract
    model, key = RECORDS[connector.topic]
    records = [record for record in connector.records(threading.Event()) if record.produce]
    assert all(isinstance(record, SourceRecord) and record.failure is None for record in records)
    items = [model.model_validate_json(record.value) for record in records]
    assert [record.key for record in records] == [getattr(item, key) for item in items]
    assert sorted(getattr(item, key) for item in items) == sorted(expected)


def test_contract_run_produces_every_record_to_the_raw_topic(
    contract: tuple[Connector, list[str]], settings: Settings
) -> None:
    connector, expected = contract
    ensure_ready(settings)
    stats = connector.run(settings, threading.Event())
    assert stats.produced == len(expected) and stats.error is None
    assert stats.finished == connector.bounded, "a bounded source finishes; a polled one runs until stopped"
    model, field = RECORDS[connector.topic]
    messages = read_topic(settings, getattr(settings.kafka.topics, connector.topic), len(expected))
    assert sorted(m.key.decode() for m in messages) == sorted(expected)
    by_key = {m.key.decode(): model.model_validate_json(m.value) for m in messages}
    assert all(getattr(item, field) == key for key, item in by_key.items())


def test_contract_a_stopped_connector_produces_nothing_and_is_not_finished(
    contract: tuple[Connector, list[str]], settings: Settings
) -> None:
    connector, _ = contract
    ensure_ready(settings)
    stop = threading.Event()
    stop.set()
    stats = connector.run(settings, stop)
    assert stats.produced == 0 and not stats.finished


@pytest.mark.parametrize("name", sorted(name for name, kind in REGISTRY.items() if issubclass(kind, ApiConnector)))
def test_an_api_connector_reads_every_page_of_a_poll_on_one_kept_alive_connection(
    name: str, tmp_path: Path
) -> None:
    built, expected = FACTORIES[name](tmp_path)
    try:
        records = [record for record in built.records(threading.Event()) if record.produce]
        double = DOUBLES[-1]
    finally:
        for opened in DOUBLES:
            opened.__exit__()
        DOUBLES.clear()
    assert sorted(record.key for record in records) == sorted(expected)
    assert double.responses_sent >= 2, f"{name} read its posts in one request: nothing to tell"
    assert double.connections == 1, f"{double.connections} connections for {double.responses_sent} requests"


@pytest.mark.parametrize(
    ("status", "code", "message", "action"),
    [
        # TikTok Research API: HTTP status and word codes.
        (500, "internal_error", "", Action.RETRY),
        (0, "connection_error", "refused", Action.RETRY),
        (429, "daily_quota_limit_exceeded", "", Action.WAIT_QUOTA),
        (429, "rate_limit_exceeded", "", Action.WAIT_QUOTA),
        (401, "access_token_invalid", "", Action.REFRESH_TOKEN),
        (401, "invalid_client", "Client key or secret is incorrect.", Action.REFRESH_TOKEN),
        (403, "scope_not_authorized", "", Action.FATAL),
        (400, "invalid_params", "Search Id 5 is invalid or expired", Action.RESTART_SEARCH),
        (400, "invalid_params", "max_count must be at most 100", Action.FATAL),
        # Graph API (Facebook pages, Instagram, Meta Content Library): the code decides, not the status.
        (401, "190", "Error validating access token: Session has expired on Tuesday", Action.REFRESH_TOKEN),
        (400, "190", "Invalid OAuth access token - Cannot parse access token", Action.REFRESH_TOKEN),
        (400, "102", "Session key invalid or no longer valid", Action.REFRESH_TOKEN),
        (429, "4", "(#4) Application request limit reached", Action.WAIT_QUOTA),
        (400, "4", "(#4) Application request limit reached", Action.WAIT_QUOTA),
        (403, "17", "(#17) User request limit reached", Action.WAIT_QUOTA),
        (400, "32", "(#32) Page request limit reached", Action.WAIT_QUOTA),
        (400, "613", "Calls to this api have exceeded the rate limit.", Action.WAIT_QUOTA),
        (400, "80001", "There have been too many calls to this Page account.", Action.WAIT_QUOTA),
        (403, "80002", "There have been too many calls to this Instagram account.", Action.WAIT_QUOTA),
        (400, "100", "Unsupported get request. Object with ID 'x' does not exist", Action.SKIP),
        (404, "803", "(#803) Some of the aliases you requested do not exist: x", Action.SKIP),
        (400, "10", "(#10) This endpoint requires the 'pages_read_engagement' permission", Action.SKIP),
        (500, "2", "An unexpected error has occurred. Please retry your request later.", Action.RETRY),
        (500, "http_error", "", Action.RETRY),
        (400, "1", "An unknown error occurred", Action.RETRY),
        (400, "100", "(#100) Invalid cursor", Action.RESTART_SEARCH),
        (400, "100", "(#100) Tried accessing nonexisting field (form)", Action.FATAL),
        (400, "100", "(#100) Invalid parameter", Action.FATAL),
    ],
)
def test_the_one_failure_table(status: int, code: str, message: str, action: Action) -> None:
    assert classify(status, code, message) is action


@pytest.mark.parametrize("mode", MODES)
def test_a_broken_http_answer_is_a_retryable_failure_not_an_uncaught_error(mode: str) -> None:
    with BrokenHttpServer(mode) as server:
        with pytest.raises(ApiFailure) as caught:
            request_json("GET", f"{server.url}/v2/research/video/query/", timeout=5)
    assert caught.value.action is Action.RETRY
    assert caught.value.path == "/v2/research/video/query/"
    assert isinstance(caught.value, SiagaError), "the CLI's handler reports it in one line"


@pytest.mark.parametrize("where", ["refused", "silent"])
def test_a_request_without_an_answer_names_its_cause_but_never_the_token_in_its_query(where: str) -> None:
    # A Graph URL carries the access token in its query; urllib3 repeats the URL in its errors.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if where == "refused":
        listener.close()
    try:
        with pytest.raises(ApiFailure) as caught:
            request_json("GET", f"http://127.0.0.1:{port}/v21.0/kompascom/posts?access_token=EAAG-secret-1&limit=5",
                         timeout=0.5)
    finally:
        listener.close()
    failure = caught.value
    assert (failure.action, failure.status, failure.path) == (Action.RETRY, 0, "/v21.0/kompascom/posts")
    assert ("refused" if where == "refused" else "timed out") in failure.message
    assert "EAAG-secret-1" not in str(failure) and "access_token" not in str(failure)


def test_warnings_are_counted_per_message_and_the_most_frequent_listed_first() -> None:
    stats = ConnectorStats()
    for message in ["b: hidden likes", "a: clock behind", "b: hidden likes"]:
        stats.warn(message)
    assert stats.warnings == 3 and stats.warning_counts == {"b: hidden likes": 2, "a: clock behind": 1}
    assert stats.warning_lines() == ["2 × b: hidden likes", "1 × a: clock behind"]
    assert stats.warning_lines(limit=1) == ["2 × b: hidden likes", "... and 1 more kinds of warning"]
    for number in range(100):  # distinct messages are bounded; the count stays exact
        stats.warn(f"item {number}: odd")
    assert stats.warnings == 103 and len(stats.warning_counts) == MAX_WARNING_KINDS + 1
    assert stats.warning_counts["other warnings"] == 100 - (MAX_WARNING_KINDS - 2)


def test_replay_sends_bad_lines_byte_for_byte_for_the_pipeline_to_dead_letter(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", [POSTS[0], b'{"platform": "tiktok"', b"\xff\xfe", "", POSTS[1]])
    records = list(ReplayConnector("mixed", path).records(threading.Event()))
    assert [r.value for r in records] == [
        json.dumps(POSTS[0], ensure_ascii=False).encode(), b'{"platform": "tiktok"', b"\xff\xfe",
        json.dumps(POSTS[1], ensure_ascii=False).encode(),
    ], "blank lines are skipped, everything else is passed on unchanged"
    assert [r.key for r in records] == ["tiktok:770", None, None, "facebook:771"]


@pytest.mark.parametrize("checked_before_producing", [True, False])
def test_a_record_too_large_for_kafka_is_dead_lettered_and_the_connector_goes_on(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checked_before_producing: bool,
) -> None:
    from connectors import base

    if not checked_before_producing:  # the size check misses it: librdkafka's refusal is caught per record
        monkeypatch.setattr(base, "MAX_MESSAGE_BYTES", 10_000_000)
    ensure_ready(settings)
    big = make_post("772", raw={"subtitles": "kata " * 240_000})  # 1.2 MB: over the 1,000,000-byte message limit
    path = write_jsonl(tmp_path / "posts.jsonl", [make_post("771"), big, make_post("773")])
    connector = ReplayConnector("replay", path)
    stats = connector.run(settings, threading.Event())
    assert (stats.produced, stats.dead_lettered, stats.finished) == (2, 1, True)
    assert [m.key for m in read_topic(settings, settings.kafka.topics.raw, 3, timeout_ms=1500)] == [
        b"tiktok:771", b"tiktok:773"]
    (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 2, timeout_ms=1500)
    letter = DeadLetter.model_validate_json(message.value)
    assert letter.key == "tiktok:772" and letter.error_type == "ProduceError" and letter.source == "connector:replay"
    if checked_before_producing:
        assert re.fullmatch(r"the post is 1,2\d\d,\d{3} bytes, over the 999,936-byte limit of a Kafka message",
                            letter.reason), letter.reason
    else:
        assert letter.reason.startswith("Kafka refused the post (MSG_SIZE_TOO_LARGE"), letter.reason
    assert letter.truncated and letter.original_size == len(json.dumps(big).encode())


def test_replay_handles_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"".join(json.dumps(p).encode() + b"\r\n" for p in POSTS[:2]))
    records = list(ReplayConnector("crlf", path).records(threading.Event()))
    assert [Post.model_validate_json(r.value).post_id for r in records] == ["tiktok:770", "facebook:771"]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (b'{"post_id": "tiktok:1", "platform": "tiktok", "native_id": "1"}', "tiktok:1"),
        (b'{"platform": "instagram", "native_id": "DgC_KsL6bC6"}', "instagram:DgC_KsL6bC6"),
        (b'{"platform": "facebook", "native_id": 123}', None),
        (b"[1, 2]", None),
        (b"not json", None),
        (b"\xc3\x28", None),
    ],
)
def test_key_of(line: bytes, key: str | None) -> None:
    assert key_of(line) == key


def test_replay_paces_to_the_requested_rate(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "paced.jsonl", [make_post(f"9{i}", minutes=i) for i in range(11)])
    started = time.monotonic()
    records = list(ReplayConnector("paced", path, rate=50).records(threading.Event()))
    elapsed = time.monotonic() - started
    assert len(records) == 11
    assert 0.19 <= elapsed < 1.0, f"11 posts at 50/s should take about 0.2 s, took {elapsed:.2f} s"


def test_replay_stops_promptly_while_pacing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "slow.jsonl", [make_post(f"8{i}", minutes=i) for i in range(100)])
    stop = threading.Event()
    got: list[SourceRecord] = []

    def consume() -> None:
        got.extend(ReplayConnector("slow", path, rate=2).records(stop))

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive(), "a stop during the pacing wait must end the stream at once"
    assert 1 <= len(got) <= 2


def test_the_bundled_sample_is_valid_and_covers_all_three_platforms() -> None:
    lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    posts = [Post.model_validate_json(line) for line in lines]
    assert len(posts) >= 500
    assert len({post.post_id for post in posts}) == len(posts), "post ids are unique"
    platforms = {post.platform for post in posts}
    assert platforms == {"tiktok", "facebook", "instagram"}
    for platform in platforms:
        assert sum(post.platform == platform for post in posts) >= 100
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts), "sorted by time, as replayed"
