"""Fact-check formats: stored publications become the expected fact-checks, and every bad item
comes back refused with a reason that names the format, the item and the field.

The files in tests/data/factchecks/ are shaped like ClaimReview pages and feeds, the Fact Check
Tools API, WordPress and RSS exports of a fact-check site and an agency's CSV; every claim in
them is fictional, set in the invented Kabupaten Sukamaju of connectors/samples. ``*.bad.*``
files hold one fault per item, in the order of the expectations below.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.factchecks import READERS, html_to_text, narratives_in, split_title, to_factchecks
from schemas.factcheck import FactCheck, factcheck_key, make_factcheck_id, normalise_url
from schemas.index import index_template

DATA = Path(__file__).parent / "data" / "factchecks"
COLLECTED = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def read(name: str, fmt: str, **kwargs: str) -> tuple[list[FactCheck], list[tuple[str, str]]]:
    parsed = to_factchecks((DATA / name).read_bytes(), fmt, COLLECTED, **kwargs)
    return parsed.factchecks, [(r.where, r.reason) for r in parsed.refused]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- ClaimReview ------------------------------------------------------------------------------------


def test_a_fact_check_page_gives_its_claimreview_with_the_narrative_quoted_under_narasi() -> None:
    (fc,), refused = read("claimreview-page.html", "claimreview")
    assert refused == []
    assert fc.claim == "Surat suara di gudang logistik KPU Sukamaju sudah dicoblos untuk paslon 01"
    assert fc.rating == "Salah" and fc.verdict == "false"
    assert str(fc.url) == "https://cekfakta.sukamaju.example/2026/11/surat-suara-gudang-kpu-dicoblos/"
    assert fc.published_at == utc("2026-11-22T12:30:00+07:00")
    # The author is an @id reference to the Organization node of the same graph.
    assert fc.publisher == "Cek Fakta Sukamaju" and fc.author is None
    assert fc.claimant == "akun info.orangdalam.smj"
    assert fc.claim_date == utc("2026-11-22T00:00:00+07:00")  # a date alone is midnight WIB
    assert [str(u) for u in fc.appearances] == [
        "https://www.tiktok.com/@info.orangdalam.smj/video/7440000000000000001",
        "https://www.facebook.com/sukamaju.terupdate.info/posts/10001",
        "https://www.instagram.com/p/Cxsukamaju01/",
    ]
    assert fc.language == "id" and fc.source_format == "claimreview"
    # The quoted narrative only: not the explanation, not the script that mentions "NARASI".
    assert fc.narratives == ["INFO A1 dari orang dalam KPU: ribuan surat suara di gudang logistik KPU Sukamaju di "
                             "Pasirlaja\nsudah dicoblos nomor 01, diikat per 100 lembar. Sebarkan sebelum dihapus!"]


def test_two_claims_reviewed_on_one_page_get_two_ids_and_the_page_url_when_one_has_none() -> None:
    parsed = to_factchecks((DATA / "claimreview-two-claims.html").read_bytes(), "claimreview", COLLECTED)
    first, second = parsed.factchecks
    assert first.factcheck_id != second.factcheck_id
    assert str(second.url) == "https://radar.sukamaju.example/cek-fakta/dua-hoaks-kartu-pemilih"
    assert parsed.warnings == ["claimreview: ld+json block 0 node 1: no url: the page's canonical URL is used"]
    # A numeric rating on its scale: 2 of 1..5 is "mostly false".
    assert (second.rating, second.verdict) == ("2/5", "partly_false")
    assert (second.author, second.publisher) == ("Nurul Aini", "Radar Sukamaju Cek Fakta")
    # A narrative on a page reviewing two claims belongs to neither.
    assert first.narratives == [] and second.narratives == []


def test_a_json_array_of_claimreviews_gives_each_with_its_rating_normalised() -> None:
    factchecks, refused = read("claimreview.json", "claimreview")
    assert refused == []
    assert [(fc.rating, fc.verdict) for fc in factchecks] == [
        ("SALAH", "false"), ("Disinformasi", "false"), ("Benar", "true")]
    assert factchecks[0].language == "id"  # a schema.org Language object: its code
    assert factchecks[0].claimant == "Suara Rakyat Sukamaju Bersatu"
    assert factchecks[1].narratives == [
        "BOCOR: Surat Edaran KPU Nomor 1187/PL.02-SE/3204/2026 — pemungutan suara ditunda sampai 2027."]
    assert not factchecks[2].debunked


def test_ndjson_claimreviews_are_read_line_by_line_even_without_a_type() -> None:
    factchecks, refused = read("claimreview.ndjson", "claimreview")
    assert refused == []
    assert [(fc.verdict, fc.publisher) for fc in factchecks] == [("false", "Cek Fakta Sukamaju"), ("misleading", None)]


def test_bad_claimreview_lines_are_refused_one_reason_each() -> None:
    factchecks, refused = read("claimreview.bad.ndjson", "claimreview")
    assert factchecks == []
    assert [where for where, _ in refused] == [f"line {n}" for n in range(1, 9)]
    reasons = [reason for _, reason in refused]
    assert reasons[0].startswith("claimreview: line 1: not valid JSON")
    assert reasons[1:] == [
        "claimreview: line 2: missing claimReviewed",
        "claimreview: line 3: missing url (the debunk's address)",
        "claimreview: line 4: url 'ftp://cekfakta.sukamaju.example/debat' is not an http(s) URL",
        "claimreview: line 5: datePublished 'kemarin sore' is not a date or time",
        "claimreview: line 6: NewsArticle: not a ClaimReview",
        "claimreview: line 7: reviewRating is text, not an object",
        "claimreview: line 8: is a number, not a ClaimReview object",
    ]


def test_a_refused_line_keeps_its_original_bytes() -> None:
    parsed = to_factchecks((DATA / "claimreview.bad.ndjson").read_bytes(), "claimreview", COLLECTED)
    lines = (DATA / "claimreview.bad.ndjson").read_bytes().splitlines()
    assert [r.original for r in parsed.refused] == lines


def test_a_page_without_claimreview_is_refused_whole() -> None:
    page = b"<html><head><script type='application/ld+json'>{\"@type\": \"WebPage\"}</script></head></html>"
    parsed = to_factchecks(page, "claimreview", COLLECTED)
    assert parsed.factchecks == []
    assert [(r.where, r.reason, r.original) for r in parsed.refused] == [
        ("page", 'claimreview: page: no ClaimReview in any <script type="application/ld+json">', page)]


def test_a_broken_json_ld_block_is_refused_and_the_others_still_read() -> None:
    good = (DATA / "claimreview.ndjson").read_text(encoding="utf-8").splitlines()[0]
    page = f"<script type='application/ld+json'>{{\"@type\": </script><script type='application/ld+json'>{good}</script>"
    parsed = to_factchecks(page, "claimreview", COLLECTED)
    assert len(parsed.factchecks) == 1
    assert [r.where for r in parsed.refused] == ["ld+json block 0"]


# --- Fact Check Tools API ------------------------------------------------------------------------------


def test_the_fact_check_tools_response_gives_one_fact_check_per_claim_and_review() -> None:
    factchecks, refused = read("factcheck-tools.json", "factcheck-tools")
    assert refused == []
    assert [(fc.claim[:22], fc.publisher, fc.rating, fc.verdict, fc.language) for fc in factchecks] == [
        ("Cawabup 01 Euis Komala", "Cek Fakta Sukamaju", "Salah", "false", "id"),
        ("Cawabup 01 Euis Komala", "radar.sukamaju.example", "False", "false", "en"),  # site when no name
        ("BMKG memperingatkan ge", "Sukamaju Anti Hoaks", "Hoaks Prediksi Gempa", "false", "id"),
    ]
    assert factchecks[0].claimant == "akun Facebook Sukamaju Terupdate"
    assert factchecks[0].claim_date == utc("2026-11-19T01:00:00+00:00")
    assert factchecks[0].title == "[SALAH] Euis Komalasari Ditangkap KPK"


def test_bad_fact_check_tools_claims_and_reviews_are_refused() -> None:
    factchecks, refused = read("factcheck-tools.bad.json", "factcheck-tools")
    assert factchecks == []
    assert refused == [
        ("claims[0]", "factcheck-tools: claims[0]: no claimReview: a claim nobody reviewed is no fact-check"),
        ("claims[1]", "factcheck-tools: claims[1]: missing text"),
        ("claims[2].claimReview[0]", "factcheck-tools: claims[2].claimReview[0]: missing url"),
        ("claims[3]", "factcheck-tools: claims[3]: is text, not an object"),
        ("claims[4].claimReview[0]",
         "factcheck-tools: claims[4].claimReview[0]: reviewDate 'besok pagi' is not a date or time"),
    ]


# --- WordPress and RSS --------------------------------------------------------------------------------


def test_a_wordpress_export_gives_the_claim_from_the_title_and_the_narasi_sections() -> None:
    factchecks, refused = read("wordpress.json", "wordpress", publisher="Cek Fakta Sukamaju")
    assert refused == []
    first, second, third = factchecks
    assert (first.rating, first.verdict) == ("SALAH", "false")
    assert first.claim == "Surat Edaran KPU Sukamaju tentang Pilkada Ditunda ke 2027"
    assert first.published_at == utc("2026-11-22T05:05:00+00:00")  # date_gmt is UTC by name
    assert first.publisher == "Cek Fakta Sukamaju" and first.native_id == "4101"
    # Entities decoded, markup gone, the curly quotes around the narrative removed.
    assert first.narratives == ["PENGUMUMAN (BOCORAN): Berdasarkan Surat Edaran KPU Kabupaten Sukamaju Nomor "
                                "1187/PL.02-SE/3204/2026, pemungutan suara Pilkada Sukamaju DITUNDA sampai 2027."]
    # Two NARASI sections, the heading inline with its text.
    assert second.narratives == ["Yang tidak memilih 01, KSS-nya dicabut dan bantuan beras dihentikan.",
                                 "Data pilihan warga akan dicocokkan setelah pilkada."]
    # No rating anywhere: kept, but unrated (the matcher does not load it).
    assert (third.rating, third.verdict, third.narratives) == (None, "unrated", [])


def test_bad_wordpress_posts_are_refused() -> None:
    factchecks, refused = read("wordpress.bad.json", "wordpress")
    assert factchecks == []
    assert refused == [
        ("item 0", "wordpress: item 0: missing link"),
        ("item 1", "wordpress: item 1: title '[SALAH]' has a rating but no claim"),
        ("item 2", "wordpress: item 2: date_gmt 'kemarin' is not a date or time"),
        ("item 3", "wordpress: item 3: is a list, not an object"),
        ("item 4", "wordpress: item 4: title.rendered is a number, not text"),
    ]


def test_an_rss_feed_gives_its_items_with_the_channel_as_publisher_and_no_script_text() -> None:
    factchecks, refused = read("rss.xml", "rss")
    assert refused == []
    first, second = factchecks
    assert (first.rating, first.verdict, first.publisher, first.author) == (
        "DISINFORMASI", "false", "Sukamaju Anti Hoaks", "Tim Cek Fakta")
    assert first.published_at == utc("2026-11-23T03:15:00+07:00")
    assert first.narratives == ["SIAGA SATU! Beredar video massa dari Kampung Rancaseuweu membawa golok dan parang "
                                "setelah kampanye 03."]
    assert first.native_id == "https://sukamajuantihoaks.example/?p=777"
    # No tag in the title: the rating comes from a category that is one; the narrative from the description.
    assert (second.rating, second.verdict) == ("Hoaks", "false")
    assert second.narratives == ["Pak Dadan Suryaatmaja dikabarkan mundur dari pencalonan karena sakit keras."]


def test_bad_rss_items_are_refused() -> None:
    factchecks, refused = read("rss.bad.xml", "rss")
    assert factchecks == []
    assert refused == [
        ("item 0", "rss: item 0: missing link"),
        ("item 1", "rss: item 1: pubDate 'Jumat pagi' is not an RFC 822 date"),
        ("item 2", "rss: item 2: missing title"),
    ]


def test_an_rss_document_declaring_entities_is_refused_before_parsing() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<rss><channel><item><title>&b;</title></item></channel></rss>")
    parsed = to_factchecks(bomb, "rss", COLLECTED)
    assert [r.reason for r in parsed.refused] == ["rss: document: declares XML entities, refused"]


@pytest.mark.parametrize(("text", "reason"), [
    ("<rss><channel><item>", "rss: document: not well-formed XML"),
    ("<feed><entry/></feed>", "rss: document: <feed> is not an RSS 2.0 <rss><channel>"),
])
def test_a_document_that_is_no_rss_feed_is_refused_whole(text: str, reason: str) -> None:
    parsed = to_factchecks(text, "rss", COLLECTED)
    assert len(parsed.refused) == 1 and parsed.refused[0].reason.startswith(reason)


# --- CSV -------------------------------------------------------------------------------------------------


def test_an_agency_csv_keys_rows_by_its_own_ids_even_when_they_share_a_url() -> None:
    factchecks, refused = read("agency.csv", "csv", source="diskominfo", publisher="Diskominfo Sukamaju")
    assert refused == []
    assert [fc.native_id for fc in factchecks] == ["DK-2026-031", "DK-2026-032", "DK-2026-033"]
    assert len({fc.factcheck_id for fc in factchecks}) == 3
    assert factchecks[0].factcheck_id == make_factcheck_id(factcheck_key(source="diskominfo", native_id="DK-2026-031"))
    assert factchecks[1].published_at == utc("2026-11-17T00:00:00+07:00")  # day first, as Indonesians write it
    assert factchecks[1].narratives == ["Heboh, 40 ribu orang mati masuk DPT Sukamaju, dimasukkan KPU sebagai "
                                        "pemilih siluman!"]
    assert factchecks[2].url is None and factchecks[2].published_at == utc("2026-11-25T08:00:00+07:00")


def test_bad_csv_rows_are_refused_and_a_missing_column_refuses_the_file() -> None:
    factchecks, refused = read("agency.bad.csv", "csv")
    assert factchecks == []
    assert refused == [
        ("row 2", "csv: row 2: missing claim"),
        ("row 3", "csv: row 3: url 'javascript:alert(1)' is not an http(s) URL"),
        ("row 4", "csv: row 4: date '31/02/2026' is not a date or time"),
        ("row 5", "csv: row 5: 4 cells for 6 columns"),
    ]
    parsed = to_factchecks("claim,url\nsesuatu,https://a.example/", "csv", COLLECTED)
    assert [r.reason for r in parsed.refused] == [
        "csv: header: missing column(s) id (expected id,claim,url,rating,date,narrative)"]


# --- Every format -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_bytes_that_are_not_utf8_are_refused_whole(fmt: str) -> None:
    raw = "id,claim\n1,Surat suara sudah dicoblos \u2014 kata orang".encode("cp1252")
    parsed = to_factchecks(raw, fmt, COLLECTED)
    assert parsed.factchecks == [] and len(parsed.refused) == 1
    assert parsed.refused[0].reason.startswith(f"{fmt}: document: not UTF-8")
    assert parsed.refused[0].original == raw


@pytest.mark.parametrize("fmt", ["factcheck-tools", "wordpress"])
def test_truncated_json_is_refused_whole(fmt: str) -> None:
    parsed = to_factchecks('{"claims": [{"text": "Surat', fmt, COLLECTED)
    assert len(parsed.refused) == 1 and "not valid JSON" in parsed.refused[0].reason


def test_an_unknown_format_or_a_naive_collection_time_is_refused_not_raised() -> None:
    assert to_factchecks(b"{}", "atom", COLLECTED).refused[0].reason.startswith("atom: unknown fact-check format")
    naive = to_factchecks(b"{}", "claimreview", datetime(2026, 12, 1))  # noqa: DTZ001 - the point of the test
    assert naive.refused[0].reason == "claimreview: collected_at must be a timezone-aware datetime"


def test_the_same_debunk_read_from_its_rss_item_and_its_claimreview_markup_is_one_document() -> None:
    rss = "".join([
        '<rss version="2.0"><channel><title>Cek Fakta Sukamaju</title><item>',
        "<title>[SALAH] Surat suara di gudang KPU sudah dicoblos</title>",
        "<link>http://www.cekfakta.sukamaju.example/2026/11/surat-suara-gudang-kpu-dicoblos?utm_source=rss</link>",
        "</item></channel></rss>"])
    (from_rss,) = to_factchecks(rss, "rss", COLLECTED).factchecks
    (from_page,), _ = read("claimreview-page.html", "claimreview")
    assert from_rss.factcheck_id == from_page.factcheck_id


def test_a_reimport_gives_the_same_ids_and_documents() -> None:
    first, _ = read("wordpress.json", "wordpress")
    again, _ = read("wordpress.json", "wordpress")
    assert [fc.model_dump() for fc in first] == [fc.model_dump() for fc in again]


# --- Helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "key"), [
    ("http://www.Cekfakta.example/a/b/?utm_source=x&fbclid=1#top", "https://cekfakta.example/a/b"),
    ("https://cekfakta.example/a/b?p=2&a=1", "https://cekfakta.example/a/b?a=1&p=2"),
    ("https://cekfakta.example:8443/a//b/amp/", "https://cekfakta.example:8443/a/b"),
])
def test_debunk_urls_are_normalised_into_one_key(url: str, key: str) -> None:
    assert normalise_url(url) == key


@pytest.mark.parametrize(("title", "tag", "claim"), [
    ("[SALAH] Surat suara sudah dicoblos", "SALAH", "Surat suara sudah dicoblos"),
    ("(HOAKS) Pilkada ditunda", "HOAKS", "Pilkada ditunda"),
    ("HOAKS: Pilkada ditunda", "HOAKS", "Pilkada ditunda"),
    ("Pilkada tetap 27 November", None, "Pilkada tetap 27 November"),
])
def test_a_rating_tag_is_split_from_the_title(title: str, tag: str | None, claim: str) -> None:
    assert split_title(title) == (tag, claim)


def test_html_becomes_text_without_scripts_and_with_entities_decoded() -> None:
    html = "<p>A &amp; B</p><script>alert('x')</script><style>p{}</style><p>C&nbsp;<b>D</b></p>"
    assert html_to_text(html) == "A & B\nC D"


def test_a_narrative_ends_at_the_next_heading() -> None:
    text = "Intro\nNARASI:\n\u201cSatu.\nDua.\u201d\nKESIMPULAN:\nSalah.\nREFERENSI\nx"
    assert narratives_in(text) == ["Satu.\nDua."]


def test_the_fact_check_mapping_is_generated_from_the_model() -> None:
    mappings = index_template(FactCheck, "siaga-factchecks")["template"]["mappings"]
    properties = mappings["properties"]
    assert properties["claim"]["type"] == "text" and properties["narratives"]["type"] == "text"
    assert properties["verdict"] == {"type": "keyword"}
    assert properties["published_at"] == {"type": "date"}
    assert properties["appearances"] == {"type": "keyword", "ignore_above": 2048}
    assert mappings["dynamic"] == "strict"


def test_the_format_of_every_sample_document_is_guessed_from_its_name_and_start() -> None:
    from connectors.factchecks import guess_format

    folder = Path(__file__).parent / "data" / "factchecks"
    for path in sorted(folder.iterdir()):
        expected = {"agency": "csv", "factcheck-tools": "factcheck-tools", "rss": "rss",
                    "wordpress": "wordpress"}.get(path.name.split(".")[0], "claimreview")
        assert guess_format(path.name, path.read_bytes()) == expected, path.name
    assert guess_format("feed", b"<?xml version='1.0'?><rss/>") == "rss"
