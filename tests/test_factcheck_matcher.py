"""The claim matcher: a post repeating a debunked claim in new words is raised with the right
fact-check and the words that matched; a post debunking it, a post saying something else with the
same nouns, and a claim rated true are not. All claims are fictional (Kabupaten Sukamaju)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.factchecks import morphology
from pipelines.factchecks.matcher import FEATURES, FactCheckMatcher, MatcherConfig, debunk_cue
from pipelines.factchecks.vocabulary import Lexicon, Vocabulary, fold
from pipelines.tagging import slang
from pipelines.tagging.text import prepare
from schemas.errors import ConfigError
from schemas.factcheck import FactCheck, factcheck_key, make_factcheck_id

COLLECTED = datetime(2026, 12, 1, tzinfo=UTC)


def factcheck(claim: str, *, narrative: str | None = None, rating: str = "SALAH", verdict: str = "false") -> FactCheck:
    url = "https://cekfakta.sukamaju.example/" + "-".join(claim.lower().split()[:6])
    return FactCheck(factcheck_id=make_factcheck_id(factcheck_key(url=url)), claim=claim,
                     narratives=[narrative] if narrative else [], rating=rating, verdict=verdict, url=url,
                     title=f"[{rating}] {claim}", source_format="claimreview", collected_at=COLLECTED)


BALLOTS = factcheck("Surat suara di gudang logistik KPU Sukamaju sudah dicoblos untuk paslon 01",
                    narrative="INFO A1 dari orang dalam KPU: ribuan surat suara di gudang logistik KPU Sukamaju di "
                              "Pasirlaja sudah dicoblos nomor 01, diikat per 100 lembar. Sebarkan sebelum dihapus!")
KTP = factcheck("KTP-el yang terbit sebelum 2015 tidak bisa dipakai untuk mencoblos dan pemilih harus membuat KTP baru")
ASN = factcheck("Bupati petahana menginstruksikan semua ASN Sukamaju wajib memilih paslon 01 atau akan dimutasi")
BANSOS = factcheck("Cawabup 01 Euis Komalasari ditangkap KPK karena korupsi dana bansos Covid")
PASSPORT = factcheck("Cawabup 03 Bayu Setiaji berkewarganegaraan ganda dan memiliki paspor Malaysia")
REPLACEMENT = factcheck("Pemilih yang salah mencoblos boleh meminta surat suara pengganti sampai tiga kali")
STICKER = factcheck("Bantuan beras 10 kg dari Dinas Sosial hanya diberikan kepada warga yang memasang stiker paslon 01")
SCHOOLS = factcheck("Sekolah di Sukamaju diliburkan seminggu agar guru menjadi petugas KPPS untuk memenangkan paslon 01")
TRUE = factcheck("KPU Sukamaju menetapkan tiga pasangan calon untuk Pilkada Sukamaju 2026", rating="BENAR", verdict="true")
LOADED = [BALLOTS, KTP, ASN, BANSOS, PASSPORT, REPLACEMENT, STICKER, SCHOOLS, TRUE]


@pytest.fixture(scope="module")
def matcher() -> FactCheckMatcher:
    return FactCheckMatcher(LOADED)


def raised_ids(matcher: FactCheckMatcher, text: str) -> list[str]:
    return [m.factcheck_id for m in matcher.match(text).raised]


@pytest.mark.parametrize(("text", "expected"), [
    ("info dr orang dlm KPU, surat suara di gudang kpu sukamaju udh dicoblos 01 smua 😱 sebarin gaes", BALLOTS),
    ("Sudah dicoblos untuk 01! Itu surat suara yang ada di gudang logistik KPU Sukamaju #selamatkansuarasukamaju",
     BALLOTS),
    ("ribuan surat suara di gudang logistik KPU Sukamaju di Pasirlaja sudah dicoblos nomor 01 😡😡", BALLOTS),
    ("INFO: KTP-el yg terbit sblm 2015 GA BISA dipake nyoblos, hrs bikin ktp baru!! share ke keluarga 😱", KTP),
    ("breaking: bu euis wakil 01 diciduk KPK td pagi gara2 korupsi dana bansos covid, ditangkap katanya", BANSOS),
])
def test_a_post_repeating_a_claim_in_new_words_is_raised_with_that_fact_check(
        matcher: FactCheckMatcher, text: str, expected: FactCheck) -> None:
    result = matcher.match(text)
    assert result.debunk is None
    assert [m.factcheck_id for m in result.raised][:1] == [expected.factcheck_id]


@pytest.mark.parametrize(("text", "expected"), [
    # synonyms the claim does not use: punya / memiliki, dipegang / memiliki
    ("bayu setiaji tuh punya paspor malaysia lho, kewarganegaraannya ganda!! masa cawabup begitu", PASSPORT),
    # Sundanese: teu tiasa (cannot), dianggo (used), nyoblos, kedah (must), damel (make), enggal (new)
    ("punten, KTP-el nu terbit samemeh 2015 teu tiasa dianggo nyoblos, kedah damel KTP enggal", KTP),
    # English, as diaspora accounts write it
    ("03 running mate Bayu Setiaji has dual citizenship and holds a Malaysian passport!", PASSPORT),
    # the claim said inside a long chain message, among greetings and other news
    ("Assalamualaikum wr wb bapak ibu sekalian. Mohon maaf mengganggu waktunya, saya hanya meneruskan pesan dari "
     "grup pengajian tadi sore. Katanya bantuan beras 10 kg dari Dinas Sosial cuma dikasih ke warga yang pasang "
     "stiker paslon 01 di rumahnya, yang lain tidak kebagian. Semoga kita semua diberi kesehatan dan rezeki "
     "yang cukup, aamiin. Jangan lupa besok kerja bakti di RT jam tujuh pagi.", STICKER),
])
def test_a_post_in_other_words_other_languages_or_inside_a_long_message_is_raised(
        matcher: FactCheckMatcher, text: str, expected: FactCheck) -> None:
    assert raised_ids(matcher, text)[:1] == [expected.factcheck_id]


def test_a_match_says_which_words_matched_and_where_they_are_in_the_post(matcher: FactCheckMatcher) -> None:
    text = "Gila!! surat suara di gudang logistik KPU Sukamaju sudah dicoblos buat paslon 01. Sebarkan"
    (match,) = matcher.match(text).raised
    assert match.kind == "claim" and match.score >= matcher.config.threshold and match.containment >= 0.9
    assert {"coblos", "gudang", "logistik"} <= set(match.matched_words)
    start, end = matcher.span(text, match)
    assert text[start:end].startswith("surat suara di gudang") and text[start:end].endswith("01")
    carried = matcher.explain(text, match)
    assert (carried.factcheck_id, carried.rating, str(carried.url)) == (BALLOTS.factcheck_id, "SALAH", str(BALLOTS.url))
    assert carried.matched == text[start:end]
    assert carried.reason.startswith("repeats the fact-check's claim:")


@pytest.mark.parametrize("text", [
    "[HOAKS] Beredar pesan: 'surat suara di gudang KPU Sukamaju sudah dicoblos 01'. Faktanya gudang disegel.",
    "udh liat klarifikasi KPU? yg katanya surat suara di gudang udh dicoblos 01 itu HOAKS gaes, jgn asal share 🙏",
    "Tidak benar KTP-el terbitan sebelum 2015 tidak bisa dipakai mencoblos, hrs bikin baru. Berlaku seumur hidup.",
    "CEK FAKTA: Euis Komalasari ditangkap KPK karena korupsi dana bansos? Keliru, KPK tidak menangkap siapa pun.",
])
def test_a_post_that_quotes_a_claim_to_debunk_it_is_not_raised(matcher: FactCheckMatcher, text: str) -> None:
    result = matcher.match(text)
    assert result.matches, "the debunk repeats the claim's words, so it matches..."
    assert result.debunk is not None and result.raised == ()  # ...and is held back by its cue


@pytest.mark.parametrize("text", [
    "KPU pasti bilang ini hoaks, tapi surat suara di gudang KPU Sukamaju sudah dicoblos 01! sebarkan",
    "ini bukan hoaks!! surat suara di gudang logistik KPU Sukamaju udah dicoblos untuk 01",
    "Jangan percaya klarifikasi KPU nanti. Surat suara di gudang KPU Sukamaju sudah dicoblos paslon 01.",
])
def test_a_spreader_pre_empting_the_debunk_is_still_raised(matcher: FactCheckMatcher, text: str) -> None:
    result = matcher.match(text)
    assert result.debunk is None
    assert [m.factcheck_id for m in result.raised] == [BALLOTS.factcheck_id]


@pytest.mark.parametrize("text", [
    "Surat suara untuk Pilkada Sukamaju sudah tiba di gudang logistik KPU di Pasirlaja dan dijaga polisi.",
    "ASN Pemkab Sukamaju wajib netral selama pilkada, kata Sekda dalam apel pagi.",
    "KTP-el yang terbit sebelum 2015 bisa dipakai untuk mencoblos, kata Disdukcapil",
    "Pagi-pagi udah antre beras di warung Ceu Edoh, stok beras premium lagi kosong 😩",
    # a few of the claim's words in a short post, without its predicate
    "surat suara di gudang KPU aman 👍",
    "sekolah libur besok kata wali kelas",
])
def test_a_post_sharing_the_nouns_but_not_the_claim_is_not_raised(matcher: FactCheckMatcher, text: str) -> None:
    assert matcher.match(text).raised == ()


def test_a_post_repeating_one_claim_is_not_raised_for_its_neighbour_too(matcher: FactCheckMatcher) -> None:
    # STICKER and SCHOOLS share "paslon 01"; BALLOTS shares "surat suara ... 01": only the claim the post
    # repeats is raised, because the words it explains do not count for the others.
    text = "sekolah di sukamaju diliburin seminggu biar guru2 jadi petugas KPPS buat menangin paslon 01 😤"
    assert raised_ids(matcher, text) == [SCHOOLS.factcheck_id]


def test_a_claim_rated_true_is_not_loaded(matcher: FactCheckMatcher) -> None:
    assert matcher.stats.skipped_verdict == 1
    assert matcher.match("KPU Sukamaju resmi menetapkan tiga pasangan calon untuk Pilkada Sukamaju 2026").matches == ()


def test_candidates_show_the_closest_fact_checks_even_below_the_threshold(matcher: FactCheckMatcher) -> None:
    (first, *_) = matcher.candidates("surat suara gudang", floor=0.1)
    assert first.factcheck_id == BALLOTS.factcheck_id and first.score < matcher.config.threshold


def test_a_batch_matches_as_one_by_one_and_takes_the_taggers_classifier_text(matcher: FactCheckMatcher) -> None:
    texts = [
        "info dr orang dlm KPU, surat suara di gudang kpu sukamaju udh dicoblos 01 smua 😱 sebarin gaes",
        "Pagi-pagi udah antre beras di warung Ceu Edoh, stok beras premium lagi kosong 😩",
        "[HOAKS] Beredar pesan: 'surat suara di gudang KPU Sukamaju sudah dicoblos 01'. Faktanya gudang disegel.",
        "",
        "😱😱😱",
        "bayu setiaji tuh punya paspor malaysia lho, kewarganegaraannya ganda!! masa cawabup begitu",
    ] * 6  # 36 posts: gathered by the sparse products, not one by one
    one_by_one = [matcher.match(text) for text in texts]
    assert matcher.match_many(texts) == one_by_one
    assert matcher.match_many(texts, [prepare(text)[1] for text in texts]) == one_by_one
    assert matcher.match_many(texts[:3]) == one_by_one[:3]  # a small batch is gathered in Python
    with pytest.raises(ValueError, match="6 texts but 5 prepared"):
        matcher.match_many(texts[:6], [""] * 5)


def test_a_matcher_without_fact_checks_matches_nothing() -> None:
    empty = FactCheckMatcher([TRUE])
    assert empty.match_many(["surat suara sudah dicoblos"] * 20) == [empty.match("surat suara sudah dicoblos")] * 20
    assert empty.match("surat suara sudah dicoblos").matches == ()


def test_a_re_scorer_with_the_wrong_number_of_weights_is_refused() -> None:
    with pytest.raises(ConfigError, match=f"{len(FEATURES)} weights"):
        MatcherConfig(weights=(1.0, 2.0))


@pytest.mark.parametrize(("cue", "text"), [
    ("HOAKS", "HOAKS! beredar pesan berantai soal surat suara"),
    ("faktanya", "Beredar video itu, faktanya rekaman lama"),
    ("[SALAH]", "[SALAH] Pilkada ditunda ke 2027"),
    ("cek fakta", "Hasil cek fakta: tidak ada penundaan"),
    ("Klarifikasi", "Klarifikasi: ijazah asli"),
    ("tidak benar", "Kabar itu tidak benar, kata KPU"),
    ("is false", "The claim is false."),
    ("Narasi itu menyesatkan", "Narasi itu menyesatkan, video diambil tahun lalu"),
    ("foto hasil suntingan", "Yang beredar foto hasil suntingan."),
])
def test_debunk_cues_are_found(cue: str, text: str) -> None:
    found = debunk_cue(text)
    assert found is not None and found.cue == cue and text[found.start:found.end] == cue


@pytest.mark.parametrize("text", [
    "ini bukan hoaks, videonya jelas!",
    "KPU pasti bilang ini hoaks",
    "jangan percaya klarifikasi KPU",
    "hoaks atau bukan ini?",
    "Surat suara sudah dicoblos di gudang KPU, sebarkan!",
    "Hasil quick count itu hasil rekayasa, sebarkan!",
])
def test_no_debunk_cue_in_a_post_spreading_or_asking(text: str) -> None:
    assert debunk_cue(text) is None


@pytest.mark.parametrize(("word", "root"), [
    ("pencoblosan", "coblos"), ("nyoblos", "coblos"), ("kecoblos", "coblos"), ("memilih", "pilih"),
    ("mengusir", "usir"), ("diberikan", "beri"), ("sebaran", "sebar"), ("dibubarkeun", "bubar"),
    ("ngabagikeun", "bagi"), ("dipindahin", "pindah"), ("suarane", "suara"), ("berkewarganegaraan", "warganegara"),
    ("kewarganegaraan", "warganegara"), ("pasirlaja", "pasirlaja"), ("sukamaju", "sukamaju"),
])
def test_words_are_taken_back_to_their_dictionary_root(word: str, root: str) -> None:
    assert morphology.stem(word) == root


def test_a_root_reaches_its_affixed_forms() -> None:
    assert {"dicoblos", "mencoblos", "nyoblos", "dicobloskan", "pencoblosan", "kecoblos", "dicobloskeun",
            "nyoblosin"} <= morphology.variants("coblos")


def test_words_resolve_through_slang_glosses_numbers_roots_and_synonyms() -> None:
    lexicon = Lexicon()
    words = [[word for word, _ in lexicon.resolve(token)] for token in (
        "udh", "teu", "diciduk", "200rb", "rp2", "01", "ballot", "kuwu", "mk", "dgn")]
    assert words == [[], ["tidak"], ["tangkap"], ["200", "ribu"], ["2"], ["1"], ["kertas", "suara"],
                     ["kepala", "desa"], ["mahkamah", "konstitusi"], []]
    # the claim's predicate: its affixed verbs and its negations
    assert lexicon.resolve("dicoblos") == (("coblos", True),) and lexicon.resolve("tidak") == (("tidak", True),)
    assert lexicon.resolve("gudang") == (("gudang", False),)


def test_a_post_word_costs_one_lookup_whatever_its_affixes_or_spelling() -> None:
    vocabulary = Vocabulary(Lexicon())
    (coblos, _), (tangkap, _) = vocabulary.index_text("dicoblos ditangkap")
    vocabulary.build()
    table = vocabulary.table
    assert {table[fold(form)] for form in ("nyoblos", "pencoblosan", "dicoblosss", "nyobloss")} == {coblos}
    assert {table[fold(form)] for form in ("diciduk", "dibekuk", "nyiduk", "arrested")} == {tangkap}
    assert "sudah" not in table and "udh" not in table  # function words are not looked up at all
    assert vocabulary.post_ids(fold(t) for t in "gaes udh nyoblos td pagi".split()) == {coblos}


def test_the_shipped_slang_map_is_what_the_derivation_gives() -> None:
    source = slang.SOURCE.read_text(encoding="latin-1").splitlines()
    assert slang.SHIPPED.read_text(encoding="utf-8") == slang.render(slang.derive(source))
