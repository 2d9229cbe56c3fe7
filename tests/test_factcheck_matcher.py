"""The claim matcher: a post repeating a debunked claim in new words is raised with the right
fact-check and the words that matched; a post debunking it, a post saying something else with the
same nouns, and a claim rated true are not. All claims are fictional (Kabupaten Sukamaju)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.tagging import slang
from pipelines.factchecks.matcher import FactCheckMatcher, Normaliser, debunk_cue, variants
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
TRUE = factcheck("KPU Sukamaju menetapkan tiga pasangan calon untuk Pilkada Sukamaju 2026", rating="BENAR", verdict="true")


@pytest.fixture(scope="module")
def matcher() -> FactCheckMatcher:
    return FactCheckMatcher([BALLOTS, KTP, ASN, BANSOS, TRUE])


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


def test_a_match_says_which_words_matched_and_where_they_are_in_the_post(matcher: FactCheckMatcher) -> None:
    text = "Gila!! surat suara di gudang logistik KPU Sukamaju sudah dicoblos buat paslon 01. Sebarkan"
    (match,) = matcher.match(text).raised
    assert match.kind == "claim" and match.score >= 0.9
    assert {"coblos", "gudang", "logistik"} <= set(match.matched_words)
    assert text[match.span[0]:match.span[1]].startswith("surat suara di gudang")
    carried = matcher.explain(text, match)
    assert (carried.factcheck_id, carried.rating, str(carried.url)) == (BALLOTS.factcheck_id, "SALAH", str(BALLOTS.url))
    assert carried.reason.startswith("repeats the fact-check's claim:")


@pytest.mark.parametrize("text", [
    "[HOAKS] Beredar pesan: 'surat suara di gudang KPU Sukamaju sudah dicoblos 01'. Faktanya gudang disegel.",
    "udh liat klarifikasi KPU? yg katanya surat suara di gudang udh dicoblos 01 itu HOAKS gaes, jgn asal share 🙏",
    "Tidak benar KTP-el terbitan sebelum 2015 tidak bisa dipakai mencoblos. KTP-el berlaku seumur hidup.",
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
])
def test_a_post_sharing_the_nouns_but_not_the_claim_is_not_raised(matcher: FactCheckMatcher, text: str) -> None:
    assert matcher.match(text).raised == ()


def test_a_claim_rated_true_is_not_loaded(matcher: FactCheckMatcher) -> None:
    assert matcher.stats.skipped_verdict == 1
    assert matcher.match("KPU Sukamaju resmi menetapkan tiga pasangan calon untuk Pilkada Sukamaju 2026").matches == ()


def test_candidates_show_the_closest_fact_checks_even_below_the_threshold(matcher: FactCheckMatcher) -> None:
    (first, *_) = matcher.candidates("surat suara gudang", floor=0.1)
    assert first.factcheck_id == BALLOTS.factcheck_id and first.score < 0.5


@pytest.mark.parametrize(("cue", "text"), [
    ("HOAKS", "HOAKS! beredar pesan berantai soal surat suara"),
    ("faktanya", "Beredar video itu, faktanya rekaman lama"),
    ("[SALAH]", "[SALAH] Pilkada ditunda ke 2027"),
    ("cek fakta", "Hasil cek fakta: tidak ada penundaan"),
    ("Klarifikasi", "Klarifikasi: ijazah asli"),
    ("tidak benar", "Kabar itu tidak benar, kata KPU"),
    ("is false", "The claim is false."),
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
])
def test_no_debunk_cue_in_a_post_spreading_or_asking(text: str) -> None:
    assert debunk_cue(text) is None


def test_the_normaliser_maps_slang_and_regional_words_and_drops_function_words() -> None:
    normaliser = Normaliser()
    # dapet -> dapat, udh -> sudah and tiasa -> bisa are function words; teu (Sundanese) -> tidak.
    assert normaliser.words("yg gak dapet undangan, udh teu tiasa nyoblos 😭 @kpu https://x.example") == [
        "tidak", "undangan", "tidak", "mencoblos"]


def test_stems_learnt_from_the_fact_checks_reach_every_affixed_form() -> None:
    normaliser = Normaliser(stemmer={"dipindahkan": "pindah", "dicoblos": "coblos"}.get)
    normaliser.learn(["dipindahkan", "dicoblos"])
    assert normaliser.words("TPS dipindah, mindahin, pemindahan; nyoblos, mencoblos, coblosan") == [
        "tps", "pindah", "pindah", "pindah", "coblos", "coblos", "coblos"]
    assert {"dicoblos", "mencoblos", "nyoblos", "dicobloskan", "pencoblosan"} <= variants("coblos")


def test_the_shipped_slang_map_is_what_the_derivation_gives() -> None:
    source = slang.SOURCE.read_text(encoding="latin-1").splitlines()
    assert slang.SHIPPED.read_text(encoding="utf-8") == slang.render(slang.derive(source))
