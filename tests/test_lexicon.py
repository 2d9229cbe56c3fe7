"""The shared lexicon: stretched letters folded, slang mapped, Indonesian stems, compound hashtags split."""

from __future__ import annotations

import pytest

from pipelines.tagging import lexicon
from pipelines.tagging.lexicon import MAX_WORD_CHARS, Lexicon, default_lexicon


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return default_lexicon()


@pytest.mark.parametrize(("word", "folded"), [
    ("bangeeet", "banget"), ("jgnnn", "jgn"), ("curaaaang", "curang"), ("lupaaa", "lupa"), ("gooool", "gol"),
    ("saaat", "saat"),  # keeps the double the word has before trying a single letter
    ("maaaaf", "maaf"), ("pendatanggg", "pendatang"),  # an affixed word is a word too
])
def test_stretched_letters_fold_back_to_the_word_they_stretch(lex: Lexicon, word: str, folded: str) -> None:
    assert lex.fold_word(word) == folded


@pytest.mark.parametrize("word", ["saat", "maaf", "tinggi", "menggunakan", "muhammad", "allah", "2000", "coblos"])
def test_words_that_really_double_a_letter_stay_as_they_are(lex: Lexicon, word: str) -> None:
    assert lex.fold_word(word) == word


def test_fold_works_on_a_whole_text_and_lower_cases_it(lex: Lexicon) -> None:
    assert lex.fold("Jgnnn lupaaa coblos, BANGEEET!") == "jgn lupa coblos, banget!"
    assert lexicon.fold("Jgnnn") == "jgn"


@pytest.mark.parametrize(("word", "standard"), [
    ("jgn", "jangan"), ("jgnnn", "jangan"), ("udh", "sudah"), ("bgttt", "banget"), ("org2", "orang"),
    ("anak2", "anak"), ("tdk", "tidak"), ("coblos", "coblos"),
])
def test_slang_maps_to_the_standard_word(lex: Lexicon, word: str, standard: str) -> None:
    assert lex.standard(word) == standard
    assert lexicon.standard(word) == standard


def test_a_dictionary_word_the_slang_map_rewrites_keeps_its_own_spelling_first(lex: Lexicon) -> None:
    # kamusalay sends kaya (rich) to kayak (like): a search for kaya must still find kaya.
    assert lex.forms("kaya") == ("kaya", "kayak")
    assert lex.forms("enggak") == ("enggak", "tidak")
    assert lex.forms("jgn") == ("jangan",)  # not a word: only its standard form


@pytest.mark.parametrize(("word", "root"), [
    ("mencoblos", "coblos"), ("dicoblos", "coblos"), ("coblosan", "coblos"), ("pencoblosan", "coblos"),
    ("curangnya", "curang"), ("kecurangan", "curang"), ("memilih", "pilih"), ("pendatang", "datang"),
    # Jakarta forms Sastrawi leaves alone
    ("nyoblos", "coblos"), ("nyoblosin", "coblos"), ("dicoblosin", "coblos"), ("milih", "pilih"),
    ("nulis", "tulis"), ("ngambil", "ambil"), ("nyebar", "sebar"), ("ngerusak", "rusak"),
])
def test_affixed_and_colloquial_forms_stem_to_their_root(lex: Lexicon, word: str, root: str) -> None:
    assert lex.stem(word) == root
    assert lexicon.stem(word) == root


@pytest.mark.parametrize("word", ["pemilu", "pilkada", "kpu", "prabowo", "jokowi", "sukamaju", "02", "ꦲꦤꦕꦫꦏ", "café"])
def test_election_words_names_numbers_and_other_scripts_are_not_taken_apart(lex: Lexicon, word: str) -> None:
    assert lex.stem(word) == word


def test_the_stem_cache_is_bounded_unlike_sastrawis_own() -> None:
    calls: list[str] = []

    def stem_word(word: str) -> str:
        calls.append(word)
        return word.removeprefix("di")

    def word(i: int) -> str:
        return "dikata" + "".join("abcdefghij"[int(digit)] for digit in f"{i:04d}")

    small = Lexicon(slang_map={}, roots={"coblos"}, stem_word=stem_word, cache_size=100)
    for i in range(1_000):
        small.stem(word(i))
    assert small.cache_info()["stem"]["currsize"] == 100
    calls.clear()
    assert small.stem(word(999)) == "kataajjj"  # recent: from the cache
    assert calls == []
    assert small.stem(word(0)) == "kataaaaa"  # evicted long ago: stemmed again
    assert calls == [word(0)]


def test_a_giant_token_is_neither_stemmed_nor_cached(lex: Lexicon) -> None:
    giant = "di" + "a" * 10_000
    before = lex.cache_info()["stem"]["currsize"]
    assert lex.stem(giant) == giant
    assert lex.fold_word(giant) == giant
    assert lex.cache_info()["stem"]["currsize"] == before
    assert len("ketidakbertanggungjawaban") < MAX_WORD_CHARS


@pytest.mark.parametrize(("tag", "parts"), [
    ("tolakpendatang", ("tolak", "pendatang")),
    ("jagatanahleluhur", ("jaga", "tanah", "leluhur")),
    ("selamatkansuarasukamaju", ("selamatkan", "suara", "suka", "maju")),
    ("kpusukamajucurang", ("kpu", "suka", "maju", "curang")),
    ("2019gantipresiden", ("2019", "ganti", "presiden")),
    ("asri02", ("asri", "02")),
    ("umatbersamasaksi", ("umat", "bersama", "saksi")),  # the most even split of the fewest words
])
def test_compound_hashtags_split_into_their_words(lex: Lexicon, tag: str, parts: tuple[str, ...]) -> None:
    assert lex.split_hashtag(tag) == parts


@pytest.mark.parametrize("tag", ["pilkada", "fyp", "weddingprep", "malmingan", "tenggarong" * 4, "ab"])
def test_a_hashtag_that_does_not_split_cleanly_stays_whole(lex: Lexicon, tag: str) -> None:
    assert lex.split_hashtag(tag) == ()
