"""Printing attacker-written text (``pipelines.common.terminal.printable``): nothing reaches the terminal as a control."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from pipelines.common.terminal import printable

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_an_escape_sequence_is_shown_not_obeyed() -> None:
    # Recolour, clear the screen, set the window title: what a dead letter could carry.
    text = "\x1b[31mmerah\x1b[0m \x1b[2J\x1b]0;judul\x07"
    assert printable(text) == "\\x1b[31mmerah\\x1b[0m \\x1b[2J\\x1b]0;judul\\x07"


@pytest.mark.parametrize(("character", "shown"), [
    ("\x00", "\\x00"), ("\x08", "\\x08"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"), ("\x1b", "\\x1b"),
    ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\x9b", "\\x9b"), ("\x9d", "\\x9d"),
    ("\u202e", "\\u202e"), ("\u2066", "\\u2066"), ("\u2069", "\\u2069"), ("\u2028", "\\u2028"),
    ("\ud800", "\\ud800"),
], ids=repr)
def test_each_control_character_is_shown_as_its_escape(character: str, shown: str) -> None:
    assert printable(f"a{character}b") == f"a{shown}b"


def test_no_code_point_at_all_comes_out_as_a_control_or_a_bidi_override() -> None:
    everything = "".join(chr(code) for code in range(sys.maxunicode + 1))
    shown = printable(everything)
    assert not [c for c in shown if unicodedata.category(c) in {"Cc", "Cs"} or c in BIDI_CONTROLS + "\u2028\u2029"]
    shown.encode("utf-8")  # no lone surrogate is left to make print() raise


def test_a_bidi_override_cannot_reverse_how_a_handle_reads() -> None:
    assert printable("admin\u202egnp.exe") == "admin\\u202egnp.exe"


def test_ordinary_text_of_any_script_and_emoji_with_joiners_is_unchanged() -> None:
    for text in ["Ayo ke TPS tanggal 27, jangan golput ya! #pilkada @kpu_ri",
                 "café, naïve, Jum'at, anak-anak", "ꦲꦏ꧀ꦱꦫꦗꦮ", "مرحبا بالعالم", "保持冷静",
                 "👨‍👩‍👧 keluarga 🇮🇩 😭🔥", "C:\\folder\\x1b tetap teks biasa"]:
        assert printable(text) == text


def test_characters_named_in_keep_are_left_as_they_are() -> None:
    assert printable("baris satu\nbaris\x1b dua\t", keep="\n") == "baris satu\nbaris\\x1b dua\\t"
    assert printable("a\nb") == "a\\nb"
