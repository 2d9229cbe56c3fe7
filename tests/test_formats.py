"""Import formats: exported items from Apify and Zeeschuimer become the expected posts, and bad
items are refused with a ``NormaliseError`` that says why.

The payloads in tests/data/imports/ are synthetic, set in the invented Pilkada Kabupaten
Sukamaju of connectors/samples: shaped like each tool's exports, with every account and text
made up. ``*.bad.*`` files hold one fault per item, in the order of the expectations below.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.formats import (
    FORMATS,
    RAW_FIELDS,
    NormaliseError,
    apify_facebook,
    apify_instagram,
    apify_tiktok,
    instagram_shortcode,
    zeeschuimer,
)
from schemas.post import Post

IMPORTS = Path(__file__).parent / "data" / "imports"
COLLECTED = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
"""When the tests say the export was read; one TikTok item is dated after it (clock skew)."""

GOOD_FILES = {
    "apify-tiktok": "apify-tiktok.json",
    "apify-instagram": "apify-instagram.json",
    "apify-facebook": "apify-facebook.json",
    "zeeschuimer": "zeeschuimer.ndjson",
}


def load(name: str) -> list[Any]:
    """The items of an export: a JSON array (Apify) or one JSON value per line (NDJSON)."""
    path = IMPORTS / name
    if path.suffix == ".ndjson":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return json.loads(path.read_text(encoding="utf-8"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def summary(post: Post) -> dict[str, Any]:
    """The fields an import decides, in a shape that gives readable diffs."""
    return {
        "post_id": post.post_id,
        "handle": post.author.handle,
        "author_id": post.author.id,
        "display_name": post.author.display_name,
        "url": str(post.url),
        "created_at": post.created_at,
        "collected_at": post.collected_at,
        "hashtags": post.hashtags,
        "mentions": post.mentions,
        "engagement": (post.engagement.likes, post.engagement.comments, post.engagement.shares, post.engagement.views),
        "region": post.region,
    }


# --- Apify TikTok ------------------------------------------------------------------------------


def test_apify_tiktok_items_normalise() -> None:
    items = load("apify-tiktok.json")
    posts = [apify_tiktok(item, COLLECTED) for item in items]
    assert [summary(post) for post in posts] == [
        {
            # Structured hashtags, differently cased duplicates folded; mention without '@'.
            "post_id": "tiktok:7710248268953368295",
            "handle": "kang.dedi_cbh",
            "author_id": "7089562231415833601",
            "display_name": "Kang Dedi Cibeureum",
            "url": "https://www.tiktok.com/@kang.dedi_cbh/video/7710248268953368295",
            "created_at": utc("2026-11-20T13:41:07Z"),
            "collected_at": COLLECTED,
            "hashtags": ["debatpilkadasukamaju", "pilkadasukamaju2026", "cibeureumhilir"],
            "mentions": ["kpu.sukamaju"],
            "engagement": (4821, 412, 133, 61200),
            "region": None,
        },
        {
            # Only createTimeISO, counts as numeric strings, no webVideoUrl: the URL is built.
            "post_id": "tiktok:7710442733681227494",
            "handle": "teh.rina.sukamaju",
            "author_id": "6951230087745290241",
            "display_name": "Teh Rina 🌸",
            "url": "https://www.tiktok.com/@teh.rina.sukamaju/video/7710442733681227494",
            "created_at": utc("2026-11-21T02:15:44Z"),
            "collected_at": COLLECTED,
            "hashtags": ["cekdpt", "pilkadasukamaju2026", "emakemakmelekpolitik"],
            "mentions": [],
            "engagement": (1200, 64, 87, 23050),
            "region": None,
        },
        {
            # Empty structured hashtags: taken from the text, "#Pilkada2026 #pilkada2026" once.
            "post_id": "tiktok:7710951064109141401",
            "handle": "mahasiswa.awasi.pilkada",
            "author_id": "7201455320981742593",
            "display_name": "Mahasiswa Awasi Pilkada",
            "url": "https://www.tiktok.com/@mahasiswa.awasi.pilkada/video/7710951064109141401",
            "created_at": utc("2026-11-22T11:08:19Z"),
            "collected_at": COLLECTED,
            "hashtags": ["tolakpolitikuang", "pilkada2026", "awasipilkada"],
            "mentions": [],
            "engagement": (15320, 1033, 2270, 198400),
            "region": None,
        },
        {
            # Posted 2.5 minutes after the export was read: collected_at is raised to created_at.
            "post_id": "tiktok:7711568041057158327",
            "handle": "infosukamaju.id",
            "author_id": "7123397710026745857",
            "display_name": "Info Sukamaju",
            "url": "https://www.tiktok.com/@infosukamaju.id/video/7711568041057158327",
            "created_at": utc("2026-11-24T03:02:30Z"),
            "collected_at": utc("2026-11-24T03:02:30Z"),
            "hashtags": ["infosukamaju", "pilkada2026"],
            "mentions": [],
            "engagement": (2210, 97, 415, 40110),
            "region": None,
        },
        {
            # A photo post with no caption: empty text is a post all the same.
            "post_id": "tiktok:7710746638731277917",
            "handle": "ojol_pasirlaja",
            "author_id": "6829904711235600385",
            "display_name": "Bang Ujang Ojol",
            "url": "https://www.tiktok.com/@ojol_pasirlaja/photo/7710746638731277917",
            "created_at": utc("2026-11-21T21:55:02Z"),
            "collected_at": COLLECTED,
            "hashtags": [],
            "mentions": [],
            "engagement": (18, 2, 0, 0),
            "region": None,
        },
        {
            # A NUL in the username (in the handle and the URL) is dropped; the likes the author
            # hid are unknown, not 0; the list's "MasakBareng\"" and "PilkadaSukamaju2026," lose
            # their punctuation, and #SaksiTPS, only in the text, is added to them.
            "post_id": "tiktok:7711302945831755026",
            "handle": "bu.rt05_sukamaju",
            "author_id": "7150033921873456129",
            "display_name": "Bu RT 05 Pasirlaja",
            "url": "https://www.tiktok.com/@bu.rt05_sukamaju/video/7711302945831755026",
            "created_at": utc("2026-11-23T07:46:40Z"),
            "collected_at": COLLECTED,
            "hashtags": ["masakbareng", "pilkadasukamaju2026", "saksitps"],
            "mentions": [],
            "engagement": (None, 41, 12, 3400),
            "region": None,
        },
    ]
    assert posts[0].text == items[0]["text"] and posts[4].text == ""
    assert posts[5].raw["authorMeta"]["name"] == "bu.rt05_sukamaju\x00", "the original stays in raw"


# --- Apify Instagram ---------------------------------------------------------------------------


def test_apify_instagram_items_normalise() -> None:
    posts = [apify_instagram(item, COLLECTED) for item in load("apify-instagram.json")]
    assert [summary(post) for post in posts] == [
        {
            "post_id": "instagram:Df_YDD2dZ1U",
            "handle": "sukamaju.foodie",
            "author_id": "48211930457",
            "display_name": "Kuliner Sukamaju",
            "url": "https://www.instagram.com/p/Df_YDD2dZ1U/",
            "created_at": utc("2026-11-21T04:30:12Z"),
            "collected_at": COLLECTED,
            "hashtags": ["kulinersukamaju", "buburayam", "pilkadasukamaju2026"],
            "mentions": [],
            "engagement": (842, 37, None, None),
            "region": "Alun-Alun Sukamaju",
        },
        {
            # A reel: videoViewCount is the views; Instagram has no share count: unknown, not 0.
            "post_id": "instagram:DgC1zUiCgr2",
            "handle": "relawan.niba.pasirlaja",
            "author_id": "62290118734",
            "display_name": "Relawan NIBA Pasirlaja",
            "url": "https://www.instagram.com/p/DgC1zUiCgr2/",
            "created_at": utc("2026-11-22T12:47:55Z"),
            "collected_at": COLLECTED,
            "hashtags": ["nibauntuksukamaju", "03pasti"],
            "mentions": ["hj.nining.rahmawati", "bayusetiaji.official"],
            "engagement": (3391, 402, None, 21950),
            "region": "Lapangan Desa Pasirlaja",
        },
        {
            # likesCount -1 (likes hidden) is unknown; empty hashtags are read from the caption.
            "post_id": "instagram:DgEKOw2OGsN",
            "handle": "cekfakta.sukamaju",
            "author_id": "51120984466",
            "display_name": "Cek Fakta Sukamaju",
            "url": "https://www.instagram.com/p/DgEKOw2OGsN/",
            "created_at": utc("2026-11-23T01:05:40Z"),
            "collected_at": COLLECTED,
            "hashtags": ["cekfakta", "hoaks", "pilkada2026"],
            "mentions": [],
            "engagement": (None, 58, None, None),
            "region": None,
        },
        {
            # The list's "masakbareng\"" and "DapurUmum," lose their punctuation; #TPS07 is only in
            # the caption and is added. Likes hidden (-1): unknown.
            "post_id": "instagram:DgH3kLmQx7a",
            "handle": "dapur.relawan.pasirlaja",
            "author_id": "63341200981",
            "display_name": "Dapur Relawan Pasirlaja",
            "url": "https://www.instagram.com/p/DgH3kLmQx7a/",
            "created_at": utc("2026-11-23T10:15:02Z"),
            "collected_at": COLLECTED,
            "hashtags": ["masakbareng", "dapurumum", "pilkadasukamaju2026", "tps07"],
            "mentions": [],
            "engagement": (None, 22, None, None),
            "region": None,
        },
    ]


def test_apify_instagram_builds_the_url_from_the_shortcode() -> None:
    item = load("apify-instagram.json")[0]
    del item["url"]
    assert str(apify_instagram(item, COLLECTED).url) == "https://www.instagram.com/p/Df_YDD2dZ1U/"


# --- Apify Facebook ----------------------------------------------------------------------------


def test_apify_facebook_items_normalise() -> None:
    posts = [apify_facebook(item, COLLECTED) for item in load("apify-facebook.json")]
    assert [summary(post) for post in posts] == [
        {
            # pageName is the page's vanity name: it is the handle. likes "1532" is a numeric string.
            "post_id": "facebook:122100396030520728",
            "handle": "forumwargasukamaju",
            "author_id": "100064712290413",
            "display_name": "Forum Warga Sukamaju",
            "url": "https://www.facebook.com/forumwargasukamaju/posts/pfbid02kXyTq7Lw9Dd3RbNc5VhZmPa1sFgE4uYt6JoQnK8rW2xCvB7eM3iHf",
            "created_at": utc("2026-11-20T23:12:09Z"),
            "collected_at": COLLECTED,
            "hashtags": ["pilkadasukamaju2026", "debatpilkadasukamaju"],
            "mentions": [],
            "engagement": (1532, 688, 94, None),
            "region": None,
        },
        {
            # pageName is a display name here; the handle is the id in the profile.php URL.
            "post_id": "facebook:122116761698897828",
            "handle": "100089455120377",
            "author_id": "100089455120377",
            "display_name": "Ibu Yayah Sukarsih",
            "url": "https://www.facebook.com/permalink.php?story_fbid=pfbid03hRtLpWq8Nc2YxV6dKmZs9BfJe4GuTa7oQi5PrXwD1nHyCk&id=100089455120377",
            "created_at": utc("2026-11-22T06:40:51Z"),
            "collected_at": COLLECTED,
            "hashtags": [],
            "mentions": [],
            "engagement": (211, 45, 12, None),
            "region": None,
        },
        {
            # A group post with neither pageName nor profileUrl: the handle is the name's slug,
            # and only the epoch `timestamp` gives the time.
            "post_id": "facebook:122104087348697959",
            "handle": "dede.kurniawan",
            "author_id": "100072200918345",
            "display_name": "Dédé Kurniawan",
            "url": "https://www.facebook.com/groups/540118806712393/posts/122104087348697959/",
            "created_at": utc("2026-11-23T13:30:00Z"),
            "collected_at": COLLECTED,
            "hashtags": ["pilkadasukamaju2026", "ayoketps"],
            "mentions": ["kpu.sukamaju"],
            "engagement": (980, 73, 301, 14022),
            "region": None,
        },
        {
            # The video shape (a /watch/ URL): videoId, publish_time in seconds, permalink_url,
            # reaction_count.count, total_comment_count, message.text, owner.
            "post_id": "facebook:1187305826417733",
            "handle": "forumwargasukamaju",
            "author_id": "100064712290413",
            "display_name": "Forum Warga Sukamaju",
            "url": "https://www.facebook.com/watch/?v=1187305826417733",
            "created_at": utc("2026-11-22T21:40:00Z"),
            "collected_at": COLLECTED,
            "hashtags": ["debatpilkadasukamaju", "pilkadasukamaju2026"],
            "mentions": [],
            "engagement": (2140, 388, 97, 48210),
            "region": None,
        },
        {
            # A reel in the video shape with only `id`, publish_time as a string, the text in
            # description, pageName a display name (slugged) and pageId the account's id.
            "post_id": "facebook:874411902213456",
            "handle": "relawan.asri.sukamaju",
            "author_id": "100091234567890",
            "display_name": "Relawan Asri Sukamaju",
            "url": "https://www.facebook.com/reel/874411902213456/",
            "created_at": utc("2026-11-23T17:35:00Z"),
            "collected_at": COLLECTED,
            "hashtags": ["ayoketps", "tegalmanik"],
            "mentions": [],
            "engagement": (356, 0, 5, 9120),
            "region": None,
        },
    ]


def test_apify_facebook_reads_the_handle_from_a_people_url() -> None:
    item = load("apify-facebook.json")[2]
    item["user"]["profileUrl"] = "https://www.facebook.com/people/D%C3%A9d%C3%A9-Kurniawan/100072200918345/"
    assert apify_facebook(item, COLLECTED).author.handle == "100072200918345"


# --- Zeeschuimer -------------------------------------------------------------------------------


def test_zeeschuimer_lines_normalise() -> None:
    lines = load("zeeschuimer.ndjson")
    assert [line["source_platform"] for line in lines] == [
        "tiktok.com", "tiktok.com", "instagram.com", "instagram.com", "twitter.com", "tiktok.com"
    ]
    posts = [zeeschuimer(line, COLLECTED) for line in lines if line["source_platform"] != "twitter.com"]
    assert [summary(post) for post in posts] == [
        {
            # timestamp_collected (ms) wins over the collected_at the caller gives.
            "post_id": "tiktok:7711000601838953964",
            "handle": "pemuda.tegalmanik",
            "author_id": "7264410938812270593",
            "display_name": "Pemuda Tegalmanik",
            "url": "https://www.tiktok.com/@pemuda.tegalmanik/video/7711000601838953964",
            "created_at": utc("2026-11-22T14:20:33Z"),
            "collected_at": utc("2026-11-22T15:20:35.512Z"),
            "hashtags": ["kampanyeakbar", "asri02", "pilkadasukamaju2026"],
            "mentions": ["satpolpp.sukamaju"],
            "engagement": (7310, 388, 402, 95400),
            "region": None,
        },
        {
            # Newer capture: createTime as a string and only statsV2 (counts as strings).
            "post_id": "tiktok:7711183724058431003",
            "handle": "neng.salsa_",
            "author_id": "6987712340981134338",
            "display_name": "salsa 🎀",
            "url": "https://www.tiktok.com/@neng.salsa_/video/7711183724058431003",
            "created_at": utc("2026-11-23T02:11:09Z"),
            "collected_at": utc("2026-11-23T14:56:16.004Z"),
            "hashtags": ["pemilupemula", "pilkada2026"],
            "mentions": [],
            "engagement": (1290, 244, 31, 15220),
            "region": None,
        },
        {
            # Instagram item list: `code` (the shortcode) is the id and makes the URL; mentions come
            # from the caption.
            "post_id": "instagram:DgCcGLeTpG1",
            "handle": "sukamaju.updates",
            "author_id": "55310982214",
            "display_name": "Sukamaju Updates",
            "url": "https://www.instagram.com/p/DgCcGLeTpG1/",
            "created_at": utc("2026-11-22T09:03:18Z"),
            "collected_at": utc("2026-11-22T16:42:08.977Z"),
            "hashtags": ["pilkadasukamaju2026", "kampanyeakbar", "pasirlaja"],
            "mentions": ["foto.rizal"],
            "engagement": (5120, 331, None, 40880),
            "region": "Lapangan Desa Pasirlaja",
        },
        {
            # No caption, counts hidden (the 9 likes Instagram sends are not real: unknown), and captured
            # 42 s "before" it was posted: collected_at is raised to created_at.
            "post_id": "instagram:DgEqFVmJZ4W",
            "handle": "abah.oding.official",
            "author_id": "47719023385",
            "display_name": "Abah Oding",
            "url": "https://www.instagram.com/p/DgEqFVmJZ4W/",
            "created_at": utc("2026-11-23T05:44:00Z"),
            "collected_at": utc("2026-11-23T05:44:00Z"),
            "hashtags": [],
            "mentions": [],
            "engagement": (None, 3, None, None),
            "region": None,
        },
        {
            # The embedded-page shape: `author` is the handle, nickname and authorId beside it.
            "post_id": "tiktok:7710585567124250539",
            "handle": "warung.kopi.karangsari",
            "author_id": "6812290011438904322",
            "display_name": "Warkop Karangsari",
            "url": "https://www.tiktok.com/@warung.kopi.karangsari/video/7710585567124250539",
            "created_at": utc("2026-11-21T11:30:00Z"),
            "collected_at": utc("2026-11-21T11:40:00.321Z"),
            "hashtags": ["warkop", "karangsariwetan"],
            "mentions": [],
            "engagement": (230, 19, 4, 3800),
            "region": None,
        },
    ]


def test_zeeschuimer_refuses_a_platform_it_does_not_read() -> None:
    twitter = load("zeeschuimer.ndjson")[4]
    with pytest.raises(NormaliseError) as refused:
        zeeschuimer(twitter, COLLECTED)
    assert str(refused.value) == "zeeschuimer: source_platform 'twitter.com' is not supported (only instagram.com, tiktok.com)"


def test_zeeschuimer_without_timestamp_collected_uses_the_callers_time() -> None:
    line = load("zeeschuimer.ndjson")[0]
    del line["timestamp_collected"]
    assert zeeschuimer(line, COLLECTED).collected_at == COLLECTED


def test_instagram_native_id_is_the_shortcode_whatever_the_source() -> None:
    from connectors.instagram import to_post as graph_to_post

    line = load("zeeschuimer.ndjson")[2]
    assert line["data"]["id"] == "4035911786016182709_55310982214"
    captured = zeeschuimer(line, COLLECTED)
    apify = apify_instagram({"id": line["data"]["pk"], "shortCode": "DgCcGLeTpG1", "caption": "sama",
                             "timestamp": "2026-11-22T09:03:18.000Z", "ownerUsername": "sukamaju.updates"}, COLLECTED)
    # The Graph API's media id for the same post is another number; its permalink has the shortcode.
    graph = graph_to_post({"id": "17954211923012345", "permalink": "https://www.instagram.com/reel/DgCcGLeTpG1/",
                           "timestamp": "2026-11-22T09:03:18+0000", "caption": "sama"}, COLLECTED)
    assert captured.post_id == apify.post_id == graph.post_id == "instagram:DgCcGLeTpG1"


@pytest.mark.parametrize(
    ("url", "shortcode"),
    [
        ("https://www.instagram.com/p/DgCcGLeTpG1/", "DgCcGLeTpG1"),
        ("https://www.instagram.com/reel/DgCcGLeTpG1/?igsh=abc", "DgCcGLeTpG1"),
        ("https://www.instagram.com/sukamaju.updates/p/DgCcGLeTpG1/", "DgCcGLeTpG1"),
        ("https://www.instagram.com/tv/Dg-c_LeT1/", "Dg-c_LeT1"),
        ("https://www.instagram.com/sukamaju.updates/", None),
        ("https://www.instagram.com/explore/tags/pilkada/", None),
        ("", None),
        (None, None),
    ],
)
def test_instagram_shortcode(url: str | None, shortcode: str | None) -> None:
    assert instagram_shortcode(url) == shortcode


def test_without_a_shortcode_the_numeric_id_is_used_with_a_warning() -> None:
    item = load("apify-instagram.json")[0]
    del item["shortCode"]
    item["url"] = "https://www.instagram.com/sukamaju.foodie/"
    warnings: list[str] = []
    assert apify_instagram(item, COLLECTED, warnings).post_id == "instagram:4035049554556853588"
    assert warnings == ["apify-instagram: no shortcode: the numeric media id is used as the post id, so the same "
                        "post from another source may not be recognised"]


def test_fallbacks_are_reported_as_warnings_and_clean_items_give_none() -> None:
    warnings: list[str] = []
    for item in load("apify-tiktok.json")[:5]:  # some without webVideoUrl: the URL they get is exact, not a fallback
        apify_tiktok(item, datetime(2026, 12, 1, tzinfo=UTC), warnings)
    assert warnings == []
    hidden = load("apify-instagram.json")[2]
    assert hidden["likesCount"] == -1
    apify_instagram(hidden, COLLECTED, warnings)
    early = load("apify-instagram.json")[0]
    apify_instagram(early, datetime(2026, 11, 1, tzinfo=UTC), warnings)
    assert warnings == [
        "apify-instagram: likesCount is -1 (hidden by the platform), read as unknown",
        "apify-instagram: collected before it was created (the collector's clock was behind): collected_at raised "
        "to created_at",
    ]


def test_hidden_counts_are_unknown_and_each_is_warned_about() -> None:
    warnings: list[str] = []
    tiktok = apify_tiktok(load("apify-tiktok.json")[5], COLLECTED, warnings)
    hidden = load("zeeschuimer.ndjson")[3]
    assert hidden["data"]["like_and_view_counts_disabled"] is True and hidden["data"]["like_count"] == 9
    instagram = zeeschuimer(hidden, COLLECTED, warnings)
    assert tiktok.engagement.likes is None and instagram.engagement.likes is None
    assert instagram.engagement.comments == 3, "what the platform shows is kept"
    assert warnings == [
        "apify-tiktok: diggCount is missing (hidden by the platform, or not given by the source), read as unknown",
        "apify-tiktok: control characters removed from author.handle, url (the original is in raw)",
        "zeeschuimer instagram.com: data.like_and_view_counts_disabled: the owner hid likes and views, read as "
        "unknown",
        "zeeschuimer instagram.com: collected before it was created (the collector's clock was behind): "
        "collected_at raised to created_at",
    ]


def test_hashtags_are_the_union_of_the_tools_list_and_the_text() -> None:
    item = load("apify-tiktok.json")[0]
    item["hashtags"] = [{"name": "KampanyeDamai"}, {"name": "pilkadasukamaju2026\u2026"}]
    post = apify_tiktok(item, COLLECTED)
    # The list first, in its order, then what only the caption has; each tag once.
    assert post.hashtags == ["kampanyedamai", "pilkadasukamaju2026", "debatpilkadasukamaju", "cibeureumhilir"]


# --- One Facebook post, one key -----------------------------------------------------------------


def test_a_facebook_post_has_one_post_id_whatever_the_source() -> None:
    from connectors.facebook import to_post as graph_to_post
    from connectors.meta_content_library import to_post as library_to_post

    apify = apify_facebook(load("apify-facebook.json")[0], COLLECTED)
    # The Graph API keys the same post "<page id>_<post id>"; so does the Content Library.
    graph = graph_to_post({"id": "100064712290413_122100396030520728", "created_time": "2026-11-20T23:12:09+0000",
                           "permalink_url": apify.raw["url"], "message": apify.text,
                           "from": {"id": "100064712290413", "name": "Forum Warga Sukamaju"}}, COLLECTED,
                          page="forumwargasukamaju")
    library = library_to_post({"id": "100064712290413_122100396030520728", "creation_time": "2026-11-20T23:12:09Z",
                               "text": apify.text, "owner": {"id": "100064712290413", "name": "Forum Warga Sukamaju"}},
                              "facebook", COLLECTED)
    assert apify.post_id == graph.post_id == library.post_id == "facebook:122100396030520728"
    assert graph.author.id == library.author.id == "100064712290413", "the page part stays the author's id"
    assert graph.raw["id"] == "100064712290413_122100396030520728", "the Graph id stays in raw"
    # A video: the Graph API's post of a video posted on its own and the scraper's video item.
    video = apify_facebook(load("apify-facebook.json")[3], COLLECTED)
    permalink = "https://www.facebook.com/forumwargasukamaju/videos/1187305826417733/"
    graph_video = graph_to_post({"id": "100064712290413_1187305826417733", "created_time": "2026-11-22T21:40:00+0000",
                                 "permalink_url": permalink}, COLLECTED, page="forumwargasukamaju")
    assert video.post_id == graph_video.post_id == "facebook:1187305826417733"


@pytest.mark.parametrize(
    ("change", "post_id", "warned"),
    [
        # No postId: the numeric id in topLevelUrl, or in feedbackId (base64 of "feedback:<id>").
        ({"postId": None}, "facebook:122100396030520728", False),
        ({"postId": None, "topLevelUrl": None}, "facebook:122100396030520728", False),
        ({"postId": "100064712290413_122100396030520728"}, "facebook:122100396030520728", False),
        ({"postId": None, "topLevelUrl": None,
          "url": "https://www.facebook.com/permalink.php?story_fbid=122100396030520728&id=100064712290413"},
         "facebook:122100396030520728", False),
        # Only a pfbid link: an opaque token, which another source will not give; warned.
        ({"postId": None, "topLevelUrl": None, "feedbackId": None},
         "facebook:pfbid02kXyTq7Lw9Dd3RbNc5VhZmPa1sFgE4uYt6JoQnK8rW2xCvB7eM3iHf", True),
    ],
)
def test_a_facebook_item_without_post_id_is_keyed_by_what_it_has(change: dict[str, Any], post_id: str,
                                                                  warned: bool) -> None:
    item = {key: value for key, value in {**load("apify-facebook.json")[0], **change}.items() if value is not None}
    warnings: list[str] = []
    assert apify_facebook(item, COLLECTED, warnings).post_id == post_id
    assert warnings == ([
        "apify-facebook: no numeric post id: the pfbid in the URL is used as the post id, so the same post from "
        "another source will not be recognised"] if warned else [])


def test_zeeschuimer_refuses_instagrams_older_graphql_shape() -> None:
    line = load("zeeschuimer.ndjson")[2]
    line["data"]["shortcode"] = line["data"].pop("code")
    with pytest.raises(NormaliseError, match="older GraphQL shape"):
        zeeschuimer(line, COLLECTED)


# --- Refusals ----------------------------------------------------------------------------------

BAD: dict[str, tuple[Callable[[dict, datetime], Post], list[str]]] = {
    "apify-tiktok.bad.json": (apify_tiktok, [
        "apify-tiktok: missing field 'id'",
        "apify-tiktok: diggCount '1,2rb' is not a whole number",
        "apify-tiktok: createTime 'kemarin' is not a number",
        "apify-tiktok: text is 12,345 characters, over the 10,000 limit",
        "apify-tiktok: missing field 'authorMeta.name'",
        "apify-tiktok: createTimeISO '2026-11-21 09:15:44' has no timezone",
    ]),
    "apify-instagram.bad.json": (apify_instagram, [
        "apify-instagram: missing field 'id'",
        "apify-instagram: likesCount '1.2K' is not a whole number",
        "apify-instagram: timestamp '2026-11-22 19:47:55' has no timezone",
        "apify-instagram: missing field 'url' (or 'shortCode')",
        "apify-instagram: missing field 'ownerUsername'",
    ]),
    "apify-facebook.bad.json": (apify_facebook, [
        "apify-facebook: missing field 'postId' (or 'videoId' or 'id'), and no post id in 'url', 'topLevelUrl', "
        "'permalink_url' or 'feedbackId'",
        "apify-facebook: shares '1,2rb' is not a whole number",
        "apify-facebook: missing field 'time' (or 'timestamp' or 'publish_time')",
        "apify-facebook: missing field 'url' (or 'topLevelUrl' or 'permalink_url')",
        "apify-facebook: missing field 'pageName' (or 'user.profileUrl' or 'user.name' or 'owner.name')",
        "apify-facebook: publish_time 'kemarin' is not a number",
        "apify-facebook: reaction_count.count '1,2rb' is not a whole number",
    ]),
    "zeeschuimer.bad.ndjson": (zeeschuimer, [
        "zeeschuimer tiktok.com: missing field 'data.id'",
        "zeeschuimer tiktok.com: data.stats.diggCount '7,3rb' is not a whole number",
        "zeeschuimer instagram.com: missing field 'data.taken_at' (grid and thumbnail views leave the post date out)",
        "zeeschuimer: missing field 'source_platform'",
        "zeeschuimer tiktok.com: data.createTime '1795,9' is not a number",
    ]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_bad_item_has_an_expected_reason(name: str) -> None:
    assert len(load(name)) == len(BAD[name][1])


@pytest.mark.parametrize(
    ("name", "index"), [(name, index) for name, (_, reasons) in sorted(BAD.items()) for index in range(len(reasons))]
)
def test_bad_items_are_refused_with_their_reason(name: str, index: int) -> None:
    normalise, reasons = BAD[name]
    with pytest.raises(NormaliseError) as refused:
        normalise(load(name)[index], COLLECTED)
    assert str(refused.value) == reasons[index]


def test_a_model_refusal_names_the_field() -> None:
    item = load("apify-tiktok.json")[0]
    item["id"] = "7710248268953368295/../1"
    item["webVideoUrl"] = "tiktok video 7710248268953368295"
    with pytest.raises(NormaliseError) as refused:
        apify_tiktok(item, COLLECTED)
    message = str(refused.value)
    assert message.startswith("apify-tiktok: not a valid post (")
    assert "native_id: String should match pattern" in message and "url: Input should be a valid URL" in message


def test_a_negative_count_other_than_hidden_is_refused() -> None:
    item = load("apify-instagram.json")[0]
    item["commentsCount"] = -5
    with pytest.raises(NormaliseError, match=r"^apify-instagram: commentsCount -5 is negative$"):
        apify_instagram(item, COLLECTED)


def test_a_count_too_large_for_elasticsearch_is_refused() -> None:
    item = load("apify-tiktok.json")[0]
    item["playCount"] = 2**63
    with pytest.raises(NormaliseError, match=r"^apify-tiktok: playCount 9223372036854775808 is too large for a count$"):
        apify_tiktok(item, COLLECTED)


def test_milliseconds_where_seconds_belong_are_refused() -> None:
    item = load("apify-tiktok.json")[0]
    item["createTime"] *= 1000
    with pytest.raises(NormaliseError, match="createTime 1795182067000 is not a plausible time in seconds since 1970"):
        apify_tiktok(item, COLLECTED)


# --- What every format promises ----------------------------------------------------------------


def good_items(fmt: str) -> list[dict]:
    items = load(GOOD_FILES[fmt])
    return [item for item in items if item.get("source_platform") != "twitter.com"]


def test_every_format_has_sample_payloads() -> None:
    assert set(GOOD_FILES) == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_contract_posts_keep_the_allowed_fields_of_the_item_and_survive_the_wire(fmt: str) -> None:
    for item in good_items(fmt):
        post = FORMATS[fmt](item, COLLECTED)
        spec = RAW_FIELDS[f"zeeschuimer {item['source_platform']}" if fmt == "zeeschuimer" else fmt]
        assert post.raw == spec.apply(item)
        assert FORMATS[fmt](post.raw, COLLECTED) == post, "normalised again from raw: the same post"
        assert post.collected_at >= post.created_at
        assert post.created_at.tzinfo is UTC
        assert Post.model_validate_json(post.model_dump_json()) == post


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("item", [[], "tiktok", 42, None])
def test_contract_an_item_that_is_not_an_object_is_refused(fmt: str, item: Any) -> None:
    with pytest.raises(NormaliseError, match=rf"^{fmt}: item is .+, not a JSON object$"):
        FORMATS[fmt](item, COLLECTED)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_contract_a_naive_collected_at_is_refused(fmt: str) -> None:
    item = good_items(fmt)[0]
    if fmt == "zeeschuimer":
        del item["timestamp_collected"]
    with pytest.raises(NormaliseError, match="collected_at must be a timezone-aware datetime"):
        FORMATS[fmt](item, datetime(2026, 11, 24, 3, 0))  # noqa: DTZ001 - naive on purpose


_DELETE = object()
_REPLACEMENTS = [("deleted", _DELETE), ("null", None), ("text", "x"), ("negative", -5), ("fraction", 1.5),
                 ("huge", 10**400), ("list", []), ("object", {}), ("boolean", True)]


def _paths(node: dict, prefix: tuple[str, ...] = (), depth: int = 3) -> Iterator[tuple[str, ...]]:
    for key, value in node.items():
        yield (*prefix, key)
        if isinstance(value, dict) and depth > 1:
            yield from _paths(value, (*prefix, key), depth - 1)


def _mutated(item: dict, path: tuple[str, ...], value: Any) -> dict:
    changed = copy.deepcopy(item)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_contract_any_broken_field_gives_a_post_or_a_normalise_error(fmt: str) -> None:
    # Whatever a tool's next version does to a field, the caller sees a Post or a reason it
    # can dead-letter, never a KeyError, TypeError or a bare pydantic ValidationError.
    escaped = []
    for number, item in enumerate(good_items(fmt)):
        for path in _paths(item):
            for label, value in _REPLACEMENTS:
                try:
                    FORMATS[fmt](_mutated(item, path, value), COLLECTED)
                except NormaliseError:
                    pass
                except Exception as exc:  # noqa: BLE001 - collecting every escape is the point
                    escaped.append(f"item {number} {'.'.join(path)}={label}: {type(exc).__name__}: {exc}")
    assert escaped == []
