"""Unit tests for language tagging: text normalisation, candidate selection, the fastText tagger."""

from __future__ import annotations

import pytest

from pipelines.tagging import LanguageTagger, normalise_for_lid, pick_language

CANDIDATES = ["id", "ms", "jv", "su", "en"]

ENGLISH = "The weather is very nice today and I would like to walk to the park with my friends."
INDONESIAN = [
    "Pemerintah mengumumkan bahwa pemungutan suara akan dilaksanakan pada tanggal yang telah ditentukan.",
    "Masyarakat diminta untuk tidak mudah percaya pada berita bohong yang beredar di media sosial.",
    "Komisi Pemilihan Umum menetapkan daftar pemilih tetap untuk seluruh wilayah Indonesia.",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lihat https://t.co/abc?x=1 dan www.kpu.go.id/info sekarang", "lihat dan sekarang"),
        ("halo @budi.santoso dan @KPU_RI apa kabar", "halo dan apa kabar"),
        ("ayo #Pemilu2024 #tolak_hoaks nyoblos", "ayo nyoblos"),
        ("senang sekali 😂🔥👍🏽 hari ini", "senang sekali hari ini"),
        ("tanggal 27 jam 07.00 di TPS 12", "tanggal jam di tps"),
        ("wkwkwk lucu banget", "lucu banget"),
        ("WKWK lucu", "lucu"),
        ("hahaha lucu hehehe", "lucu"),
        ("keren bangettt", "keren bangett"),
        ("Mantappppp SEKALIII", "mantapp sekalii"),
        ("Ayo, ke TPS!!! Jangan golput...", "ayo ke tps jangan golput"),
        ("  banyak\n\tspasi   di sini ", "banyak spasi di sini"),
    ],
)
def test_normalise_for_lid(text: str, expected: str) -> None:
    assert normalise_for_lid(text) == expected


@pytest.mark.parametrize("text", ["😂😂🔥", "#pemilu #jokowi", "@kpu_ri 2024", "https://x.co/a", "wkwkwk 😂", ""])
def test_normalise_leaves_nothing_without_words(text: str) -> None:
    assert normalise_for_lid(text) == ""


@pytest.mark.parametrize("text", ["😂 - 😂", "27-11-2026 🔥"])
def test_normalise_drops_punctuation_left_without_words(text: str) -> None:
    """Dashes and apostrophes are kept inside words, but alone they are not words."""
    assert normalise_for_lid(text) == ""


@pytest.mark.parametrize(("text", "expected"), [("wkwkwkkk lucu", "lucu"), ("hahahaa lucu", "lucu")])
def test_normalise_strips_laughter_with_a_lengthened_last_letter(text: str, expected: str) -> None:
    assert normalise_for_lid(text) == expected


def test_normalise_keeps_hyphenated_words() -> None:
    assert normalise_for_lid("anak-anak jum'at") == "anak-anak jum'at"


def test_normalise_does_not_eat_words_containing_laughter_letters() -> None:
    assert normalise_for_lid("hahaha hantu wkwk hewan") == "hantu hewan"


def test_pick_language_renormalises_over_candidates() -> None:
    language, score = pick_language(
        ["__label__la", "__label__id", "__label__ms", "__label__en"], [0.5, 0.3, 0.15, 0.05], CANDIDATES, 0.25
    )
    assert language == "id"
    assert score == pytest.approx(0.3 / 0.5)


def test_pick_language_accepts_labels_without_prefix() -> None:
    assert pick_language(["ms", "id"], [0.2, 0.6], CANDIDATES, 0.25) == ("id", pytest.approx(0.75))


def test_pick_language_only_candidate_scores_one() -> None:
    assert pick_language(["__label__sv", "__label__jv"], [0.9, 0.01], CANDIDATES, 0.25) == ("jv", pytest.approx(1.0))


def test_pick_language_below_min_confidence_is_und() -> None:
    language, score = pick_language(
        ["__label__id", "__label__ms", "__label__jv", "__label__su"], [0.3, 0.25, 0.25, 0.2], CANDIDATES, 0.5
    )
    assert language == "und"
    assert score == pytest.approx(0.3)


def test_pick_language_without_candidates_is_und() -> None:
    assert pick_language(["__label__la", "__label__sv"], [0.7, 0.2], CANDIDATES, 0.25) == ("und", 0.0)
    assert pick_language([], [], CANDIDATES, 0.25) == ("und", 0.0)


def test_pick_language_respects_candidate_set() -> None:
    labels, probs = ["__label__en", "__label__id"], [0.6, 0.4]
    assert pick_language(labels, probs, ["id", "ms"], 0.25) == ("id", pytest.approx(1.0))
    assert pick_language(labels, probs, ["id", "en"], 0.25) == ("en", pytest.approx(0.6))


@pytest.fixture(scope="module")
def tagger() -> LanguageTagger:
    return LanguageTagger(None, CANDIDATES, 0.25)


def test_tagger_english(tagger: LanguageTagger) -> None:
    [(language, score)] = tagger.predict([ENGLISH])
    assert language == "en"
    assert score > 0.5


@pytest.mark.parametrize("text", INDONESIAN)
def test_tagger_formal_indonesian(tagger: LanguageTagger, text: str) -> None:
    [(language, score)] = tagger.predict([text])
    assert language == "id"
    assert score > 0.5


@pytest.mark.parametrize("text", ["😂😂😂🔥", "#pemilu2024 #kpu", "", "12345 !!!"])
def test_tagger_und_without_words(tagger: LanguageTagger, text: str) -> None:
    assert tagger.predict([text]) == [("und", 0.0)]


def test_tagger_und_for_a_date_and_emoji(tagger: LanguageTagger) -> None:
    """A date and an emoji carry no language; they must not be tagged English."""
    assert tagger.predict(["27-11-2026 🔥🔥"]) == [("und", 0.0)]


def test_tagger_batch_equals_one_by_one(tagger: LanguageTagger) -> None:
    texts = [ENGLISH, "😂😂", *INDONESIAN, "Ayo ke TPS tanggal 27, jangan golput ya! wkwkwk", ""]
    batch = tagger.predict(texts)
    single = [tagger.predict([text])[0] for text in texts]
    assert len(batch) == len(texts)
    assert [language for language, _ in batch] == [language for language, _ in single]
    assert [score for _, score in batch] == pytest.approx([score for _, score in single])
    assert [language for language, _ in batch][:3] == ["en", "und", "id"]


def test_tagger_empty_batch(tagger: LanguageTagger) -> None:
    assert tagger.predict([]) == []


def test_tagger_scores_in_unit_interval(tagger: LanguageTagger) -> None:
    texts = [ENGLISH, *INDONESIAN, "wkwk gokil parah sih ini", "selamat pagi", "ok", "Ayo ke TPS!"]
    for language, score in tagger.predict(texts):
        assert 0.0 <= score <= 1.0
        assert language in {*CANDIDATES, "und"}


def test_tagger_only_answers_candidates() -> None:
    only_malay_javanese = LanguageTagger(None, ["ms", "jv"], 0.0)
    [(language, score)] = only_malay_javanese.predict([ENGLISH])
    assert language in {"ms", "jv", "und"}
    assert 0.0 <= score <= 1.0


def test_tagger_version(tagger: LanguageTagger) -> None:
    version = tagger.version
    assert version.startswith("lid.176.ftz@")
    assert version.endswith("/id,ms,jv,su,en")
    assert version == LanguageTagger(None, CANDIDATES, 0.25).version
    assert LanguageTagger(None, ["id", "en"], 0.25).version.endswith("/id,en")
