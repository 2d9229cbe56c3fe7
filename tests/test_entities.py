"""The election's entities found in posts: names, phrases, hashtags, handles, ballot numbers, as written."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipelines.tagging.entities import MAX_ENTITIES, EntityMatcher, read_words
from schemas.config import ElectionSettings
from schemas.post import Entity
from tests.test_text import LARGE, MAX_GROWTH, PATHOLOGICAL, SMALL, best_times, cycled, run_of

ELECTION = ElectionSettings.model_validate({
    "name": "Pilkada Kabupaten Sukamaju 2026",
    "region": {"code": "32.99", "name": "Kabupaten Sukamaju", "aliases": ["Sukamaju"]},
    "candidates": [
        {"id": "paslon-01", "ballot_number": 1, "name": "Dadan Hermawan", "running_mate": "Euis Kurniasih",
         "parties": ["pnr"], "nicknames": ["Pak Dadan"], "hashtags": ["dadaneuis01"]},
        {"id": "paslon-02", "ballot_number": 2, "name": "Asep Wiranegara", "running_mate": "Rudi Santika",
         "parties": ["pkt"], "aliases": ["Asep"], "nicknames": ["Kang Asep", "Ibu Guru Asep"],
         "hashtags": ["#asri02"], "handles": ["@asri.official02"], "misspellings": ["Asep Wiranegoro"]},
        {"id": "paslon-03", "ballot_number": 3, "name": "Nining Suryani", "running_mate": "Bayu Setiaji",
         "nicknames": ["Bu Nining"]},
    ],
    "parties": [{"id": "pnr", "name": "Partai Nusa Raya", "abbreviation": "PNR"},
                {"id": "pkt", "name": "Partai Karya Tani", "abbreviation": "PKT"}],
    "election_bodies": [{"id": "kpu-sukamaju", "name": "KPU Kabupaten Sukamaju", "kind": "kpu",
                         "aliases": ["KPU Sukamaju"], "handles": ["kpu_sukamaju"]}],
})
SLANG = {"bu": "ibu", "jgn": "jangan", "pkt": "paket", "gr": "guru"}


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return EntityMatcher(ELECTION, slang_map=SLANG)


def found(matcher: EntityMatcher, text: str) -> list[tuple[str, str]]:
    return [(entity.id, entity.surface) for entity in matcher.find(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Asep Wiranegara mau jadi bupati?", [("candidate:paslon-02", "Asep Wiranegara")]),
    ("ASEP WIRANEGARA!!", [("candidate:paslon-02", "ASEP WIRANEGARA")]),
    ("Aseeep Wiranegaraaa korupsi", [("candidate:paslon-02", "Aseeep Wiranegaraaa")]),
    ("asep wiranegoro itu siapa", [("candidate:paslon-02", "asep wiranegoro")]),
    ("Kang Asep datang", [("candidate:paslon-02", "Kang Asep")]),
    ("kata Rudi Santika", [("candidate:paslon-02", "Rudi Santika")]),
    ("#asepwiranegara #kangasep", [("candidate:paslon-02", "#asepwiranegara"), ("candidate:paslon-02", "#kangasep")]),
    ("dukung #ASRI02 ya", [("candidate:paslon-02", "#ASRI02")]),
    ("@asri.official02 jawab dong", [("candidate:paslon-02", "@asri.official02")]),
    ("tanya @kpu_sukamaju", [("election_body:kpu-sukamaju", "@kpu_sukamaju")]),
    ("Bu Nining dan Pak Dadan", [("candidate:paslon-03", "Bu Nining"), ("candidate:paslon-01", "Pak Dadan")]),
    ("Dadan-Euis menang", []),  # first names alone are not configured here
    ("Dadan Hermawan-Euis Kurniasih", [("candidate:paslon-01", "Dadan Hermawan"),
                                       ("candidate:paslon-01", "Euis Kurniasih")]),
])
def test_names_match_as_whole_words_and_phrases_case_and_stretch_insensitive(
        matcher: EntityMatcher, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(matcher, text) == expected


def test_a_name_inside_another_word_does_not_match(matcher: EntityMatcher) -> None:
    assert found(matcher, "Asepkasep official, Kasep, dan asepu") == []
    assert found(matcher, "Asep_Wiranegara") == []


def test_the_longest_phrase_wins_local_office_over_national_body(matcher: EntityMatcher) -> None:
    assert found(matcher, "gudang KPU Sukamaju digembok, kata KPU") == [
        ("election_body:kpu-sukamaju", "KPU Sukamaju"), ("election_body:kpu", "KPU")]


def test_a_standard_word_of_a_name_matches_its_slang_but_a_slang_word_only_itself(matcher: EntityMatcher) -> None:
    # "ibu guru asep": "bu" and "gr" are slang for the standard words of the nickname
    assert found(matcher, "bu gr asep lagi ngajar") == [("candidate:paslon-02", "bu gr asep")]
    # PKT is slang for "paket": the party is the three letters, never every parcel
    assert found(matcher, "paket sudah sampai") == []
    assert found(matcher, "PKT dukung paslon") == [("party:pkt", "PKT")]


@pytest.mark.parametrize(("text", "expected"), [
    ("paslon 02 korupsi", "02"),
    ("Paslon 2 korupsi", "2"),
    ("paslon nomor 2", "2"),
    ("calon no. urut 2", "2"),
    ("no urut 2 maju", "2"),
    ("nomor urut 02", "02"),
    ("nmr 02 curang", "02"),
    ("jangan pilih 02!!", "02"),
    ("pendukung 02 norak", "02"),
    ("cabup dua", "dua"),
    ("#paslon02", "#paslon02"),
    ("#coblos02", "#coblos02"),
])
def test_ballot_numbers_match_in_an_election_phrase(matcher: EntityMatcher, text: str, expected: str) -> None:
    assert found(matcher, text) == [("candidate:paslon-02", expected)]


@pytest.mark.parametrize("text", [
    "jam 02 pagi udah bangun", "RT 02 RW 05", "beli 2 bungkus", "02", "nomor 2 di antrean", "pilih 2 saja",
    "#02", "#coblos2", "rp 2.000", "paslon 04", "tgl 2 nanti",
])
def test_a_bare_number_or_one_that_is_not_a_ballot_number_does_not_match(matcher: EntityMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_every_match_once_per_words_as_written_in_order(matcher: EntityMatcher) -> None:
    text = "Asep lagi. asep terus. Kang Asep! paslon 02 #asri02 Partai Karya Tani, Kabupaten Sukamaju"
    assert found(matcher, text) == [
        ("candidate:paslon-02", "Asep"),
        ("candidate:paslon-02", "Kang Asep"),
        ("candidate:paslon-02", "02"),
        ("candidate:paslon-02", "#asri02"),
        ("party:pkt", "Partai Karya Tani"),
        ("region:32.99", "Kabupaten Sukamaju"),
    ]


def test_entities_are_valid_schema_objects(matcher: EntityMatcher) -> None:
    for entity in matcher.find("Kang Asep & KPU Sukamaju di Sukamaju, paslon 01"):
        assert Entity.model_validate(entity.model_dump()) == entity


def test_decomposed_accents_and_words_given_by_the_caller(matcher: EntityMatcher) -> None:
    text = "Cafe\u0301 Kang Asep"
    assert found(matcher, text) == [("candidate:paslon-02", "Kang Asep")]
    assert matcher.find(text, read_words(text)) == matcher.find(text)


def test_a_post_stuffed_with_names_keeps_the_first_entities_only(matcher: EntityMatcher) -> None:
    text = " ".join(f"Ase{'e' * i}p" for i in range(60))  # 60 different ways to write one name
    entities = matcher.find(text)
    assert len(entities) == MAX_ENTITIES
    assert entities[0].surface == "Asep" and entities[-1].surface == "Ase" + "e" * 31 + "p"


HOSTILE: dict[str, Callable[[int], str]] = {
    **PATHOLOGICAL,
    "kkkk… kang asep": run_of("", "k", " kang asep"),
    "kang asep kang asep …": cycled("kang asep "),
    "asep asep …": cycled("asep "),
    "paslon paslon … 02": run_of("", "paslon ", "02"),
    "nomor nomor … 02": cycled("nomor ", " 02"),
    "#asri02#asri02…": cycled("#asri02"),
    "@asri.official02@…": cycled("@asri.official02"),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_four_times_the_text_costs_less_than_eight_times_the_time(matcher: EntityMatcher, shape: str) -> None:
    """A post is chosen by whoever wrote it: reading it and finding names grows like the text."""
    make = HOSTILE[shape]
    small, large = make(SMALL), make(LARGE)

    def find(text: str) -> object:
        return matcher.find(text, read_words(text))

    growths = []
    for _ in range(3):  # a busy machine can slow a round; a quadratic cost is slow in every round
        seconds_small, seconds_large = best_times(find, small, large)
        growths.append(seconds_large / max(seconds_small, 1e-6))
        if growths[-1] < MAX_GROWTH:
            return
    pytest.fail(f"{shape}: 4x the text cost {min(growths):.1f}x the time")


def test_no_election_finds_nothing_but_the_national_bodies() -> None:
    matcher = EntityMatcher(ElectionSettings())
    assert found(matcher, "Asep paslon 02 Bawaslu RI dan KPU") == [
        ("election_body:bawaslu", "Bawaslu RI"), ("election_body:kpu", "KPU")]
    assert EntityMatcher(ElectionSettings(national_bodies=False)).find("KPU Bawaslu DKPP") == []


def test_a_link_to_a_site_does_not_name_its_owner(matcher: EntityMatcher) -> None:
    assert found(matcher, "cek di https://cekdptonline.kpu.go.id/ atau www.kpu-sukamaju.go.id ya") == []
    assert found(matcher, "cek di HTTPS://kpu.go.id kata KPU Sukamaju") == [
        ("election_body:kpu-sukamaju", "KPU Sukamaju")]
