"""Text normalisation for the fastText models: what is language, what is noise.

Social-media text carries much that is no language at all (URLs, mentions, hashtags, emoji,
laughter, stretched letters). Language ID wants only the words. Topic and risk models want
the words too, plus hashtags (``#tolakpendatang`` says a lot) and emoji (😡🔥 do as well), so
there are two normalisers. Both are a handful of compiled regular expressions: they run on
every post and must stay far cheaper than the predictions they feed.
"""

from __future__ import annotations

import re
import unicodedata

# Applied to lower-cased text, so no pattern needs IGNORECASE (which costs on every position).
#
# Every pattern runs in time linear in the text, whatever the text: a post is attacker-chosen,
# and one backtracking pattern made a 10,000-character "wkkk…a" cost 0.58 s (500 normal posts).
# What keeps them linear: no quantifier ever hands back what it took (possessive ``*+``/``++``,
# Python 3.11+), and each pattern is written so that handing back could never have found
# another match (the next item is a class the quantifier cannot match, the pattern ends there,
# or a word boundary follows a run of letters, inside which there is none); so they match
# exactly what the same patterns with greedy quantifiers match, without the retries.
# tests/test_text.py checks both: the growth of the time, and the matches against greedy ones.
_URL = re.compile(r"(?:https?://|www\.)\S++")
_MENTION = re.compile(r"@[\w.]++")
_HASHTAG = re.compile(r"#\w++")
# Laughter tokens, stretched or not: wkwk, wkwkwkkk, hahahaa, hehe, hihihi, xixixi.
# Every branch opens with a literal letter, so the engine jumps to candidate letters instead of
# testing a word boundary at every position; (?<!\w\w) after the first letter = word start.
# A laugh is a whole word: once a branch has taken its run of letters and \b fails, giving
# letters back cannot find a boundary (the greedy k+[wk]* retried every split of "w" + "k" * n
# + "a", n² steps).
_LAUGH = re.compile(
    r"w(?<!\w\w)w*+k++[wk]*+\b|k(?<!\w\w)k*+w++[wk]*+\b"
    r"|h(?<!\w\w)h*+(?:a++(?:h++a++)++|e++(?:h++e++)++|i++(?:h++i++)++)h*+\b"
    r"|x(?<!\w\w)x*+i++(?:x++i++)++x*+\b"
)
_REPEATS = re.compile(r"(\w)\1\1++")
# Language-ID words: letters only, with ' or - inside a word (anak-anak, jum'at) but not alone.
_LID_WORD = re.compile(r"[^\W\d_]++(?:['-][^\W\d_]++)*+")
# Classifier tokens: words (with inner ' or -), numbers (paslon 02, 100rb), or one emoji each.
_TOKEN = re.compile(
    r"[^\W_]++(?:['-][^\W_]++)*+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]"
)


def _nfc(text: str) -> str:
    # Decomposed accents (e + U+0301) would otherwise split words at the combining mark.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _base(text: str) -> str:
    text = _URL.sub(" ", _nfc(text).lower())
    text = _MENTION.sub(" ", text)
    text = _LAUGH.sub(" ", text)
    return _REPEATS.sub(r"\1\1", text)


def _lid(base: str) -> str:
    return " ".join(_LID_WORD.findall(_HASHTAG.sub(" ", base)))


def _classifier(base: str) -> str:
    return " ".join(_TOKEN.findall(base))


def normalise_for_lid(text: str) -> str:
    """Text reduced to its words: no URLs, mentions, hashtags, emoji, digits or laughter."""
    return _lid(_base(text))


def normalise_for_classifier(text: str) -> str:
    """Lower-cased tokens for the topic and risk models: words, numbers, hashtag words, emoji."""
    return _classifier(_base(text))


def prepare(text: str) -> tuple[str, str]:
    """Both normalisations of one text, sharing the work they have in common."""
    base = _base(text)
    return _lid(base), _classifier(base)
