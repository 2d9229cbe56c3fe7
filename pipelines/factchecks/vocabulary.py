"""Words → integer ids, the same way for fact-checks and posts, at one dictionary lookup per post word.

A fact-check's words are *resolved* when the index is built: slang (``udh`` → sudah), Sundanese,
Javanese and English glosses (``teu`` → tidak, ``ballot`` → surat suara), numbers (``200rb`` → 200
ribu, ``dua`` → 2, ``01`` → 1), the root (``dicoblos`` → coblos) and the synonym group (``diciduk``
→ tangkap). Each resulting word gets an id.

A post's words are not resolved: the vocabulary enters, ahead of time, every surface form that
resolves to one of its ids (the affixed forms of each root and of its synonyms, the slang and gloss
keys, the number spellings, and every word the fact-checks actually use) into one table, so that
``table.get(token)`` is all a post word costs. A form that maps to several words (``kuwu`` →
kepala desa) points into ``expansions``. Words no fact-check uses are simply not in the table,
which is why a post word costs the same with 50 or 50,000 fact-checks loaded.

Both sides start from ``pipelines.tagging.text`` classifier text (lower case, no URLs or mentions,
stretched letters cut to two), split at inner ``-`` and ``'``; table keys and post words also have
doubled letters folded (``bangett`` → banget, ``tinggal`` → tingal), fact-check words are resolved
unfolded so the root dictionary recognises them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pipelines.factchecks import lexicon, morphology
from pipelines.tagging import slang

# ASCII letters only: three times cheaper than any letter, and Indonesian writes in ASCII.
_DOUBLED = re.compile(r"([a-z])\1+")
_NUMBER = re.compile(r"^(?:rp)?(\d+)([a-z]*)$")
# A predicate word: a verb with its affixes (dicoblos, menginstruksikan, kecoblos, nyoblos).
_VERBAL = re.compile(r"^(?:di|me|ter|ber|ng|ny|ke|ka)[a-z]{3,}$|^[a-z]{3,}(?:kan|keun|in)$")
EXPANDED = 1 << 30
"""Table values at or above this point into ``Vocabulary.expansions`` (a form that means several words)."""


def fold(text: str) -> str:
    """Doubled (ASCII, lower-case) letters folded to one (``bangett`` → banget); digits stay (``100``).

    Not ``pipelines.tagging.lexicon.fold``, on purpose: search keeps real double letters (``saat``,
    ``maaf``) because officers type them; the matcher folds fact-checks and posts alike, so
    ``saat`` → ``sat`` on both sides costs nothing, and one regular-expression pass over a whole
    batch (~1 µs a post) is what its budget allows, where search's fold tries the combinations
    of a word's stretched runs against its dictionary."""
    return _DOUBLED.sub(r"\1", text)


def split_joined(classifier_text: str) -> list[str]:
    """Classifier text (``pipelines.tagging.text.prepare``) → tokens, inner ``-`` and ``'`` as spaces."""
    return classifier_text.replace("-", " ").replace("'", " ").split()


class Lexicon:
    """How any one word resolves to canonical words: stop words, glosses, slang, numbers, roots, synonyms."""

    def __init__(self, slang_map: dict[str, str] | None = None, *, glosses: dict[str, str] | None = None,
                 synonyms: Sequence[Sequence[str]] | None = None, stopwords: Iterable[str] | None = None) -> None:
        self.stopwords = frozenset(lexicon.STOPWORDS if stopwords is None else stopwords)
        self.glosses = dict(lexicon.GLOSSES if glosses is None else glosses)
        self.slang = {key: value for key, value in (slang.shipped() if slang_map is None else slang_map).items()
                      if key not in self.glosses}
        self.synonym: dict[str, str] = {}
        """A word's root → its group's first word."""
        self.members: dict[str, list[str]] = {}
        """A group's first word → the roots that mean it."""
        for group in (lexicon.SYNONYMS if synonyms is None else synonyms):
            head = morphology.stem(group[0])
            for member in group:
                root = morphology.stem(member)
                if root not in self.synonym:
                    self.synonym[root] = head
                    self.members.setdefault(head, []).append(root)
        self._resolved: dict[str, tuple[tuple[str, bool], ...]] = {}
        self.affixed: set[str] = set()
        """Roots found by taking affixes off a word: they take affixes (names and acronyms do not)."""

    def forget(self) -> None:
        """Drop the cache of resolved tokens (the index keeps what it needs)."""
        self._resolved = {}

    def standard(self, word: str) -> tuple[str, bool] | None:
        """A standard word → (its canonical form, whether it is a predicate); ``None`` for a function word."""
        if word in self.stopwords or not word:
            return None
        number = lexicon.NUMBER_WORDS.get(word)
        if number is not None:
            return number, False
        root = morphology.stem(word)
        if root != word:
            self.affixed.add(root)
        canonical = self.synonym.get(root, root)
        if canonical in lexicon.NEGATIONS:
            return canonical, True
        return canonical, root != word and bool(_VERBAL.match(word))

    def resolve(self, token: str) -> tuple[tuple[str, bool], ...]:
        """One lower-cased token → its canonical words, each with whether it is a predicate."""
        found = self._resolved.get(token)
        if found is not None:
            return found
        out: list[tuple[str, bool]] = []
        if token in self.stopwords or (len(token) < 2 and not token.isdigit()) or not token[:1].isalnum():
            pass
        elif token in self.glosses:
            out = [r for word in self.glosses[token].split() if (r := self.standard(word))]
        elif token in self.slang:
            value = self.slang[token]
            value = self.slang.get(value, value) if self.slang.get(value) != token else value
            out = [r for word in value.split() if (r := self.standard(word))]
        elif (number := _NUMBER.match(token)) is not None:
            digits, unit = number.groups()
            out = [(digits.lstrip("0") or "0", False)]
            if unit and unit not in lexicon.UNITS:
                out = [(token, False)]
            elif unit and lexicon.UNITS[unit]:
                out.append((lexicon.UNITS[unit], False))
        elif (r := self.standard(token)) is not None:
            out = [r]
        result = tuple(out)
        self._resolved[token] = result
        return result


class Vocabulary:
    """The ids of the words loaded fact-checks use, and the table that maps post words onto them."""

    def __init__(self, lex: Lexicon) -> None:
        self.lexicon = lex
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self.table: dict[str, int] = {}
        self.expansions: list[tuple[int, ...]] = []
        self._seen: set[str] = set()
        self.negations: frozenset[int] = frozenset()
        self.refusals: frozenset[int] = frozenset()

    def _id(self, word: str) -> int:
        index = self.ids.get(word)
        if index is None:
            index = self.ids[word] = len(self.words)
            self.words.append(word)
        return index

    def index_text(self, classifier_text: str) -> list[tuple[int, bool]]:
        """A fact-check text's words as (id, is predicate), in order; new words get ids."""
        out: list[tuple[int, bool]] = []
        for token in split_joined(classifier_text):
            resolved = self.lexicon.resolve(token)
            if resolved:
                self._seen.add(token)
            for word, predicate in resolved:
                out.append((self._id(word), predicate))
        return out

    def _value(self, ids: Sequence[int]) -> int | None:
        unique = tuple(dict.fromkeys(ids))
        if not unique:
            return None
        if len(unique) == 1:
            return unique[0]
        self.expansions.append(unique)
        return EXPANDED + len(self.expansions) - 1

    def _known(self, resolved: Iterable[tuple[str, bool]]) -> list[int]:
        return [self.ids[word] for word, _ in resolved if word in self.ids]

    def build(self) -> None:
        """Fill the lookup table once all fact-check texts are indexed (see the module doc for the order)."""
        lex, table, roots = self.lexicon, self.table, morphology.roots()
        stops = {fold(word) for word in lex.stopwords}
        # 1. Generated forms: every affixed form of each root and of its synonyms. Weakest: a form that
        #    is itself a dictionary root is its own word (pemain is not main), and anything below wins.
        #    Names, places and acronyms (neither dictionary roots nor found under affixes) get only
        #    their possessive: most words of a large collection are names, and 75 forms each would
        #    take gigabytes.
        for word, index in self.ids.items():
            if not word.isalpha():
                continue
            if word not in roots and word not in lex.affixed and word not in lex.members:
                table.setdefault(fold(word + "nya"), index)
                continue
            for member in lex.members.get(word, [word]):
                table.setdefault(fold(member), index)
                for form in morphology.variants(member):
                    if form not in roots:
                        table.setdefault(fold(form), index)
        # 2. Numbers as people write them: rp200, 200rb, 200k, 2x, 04.
        for word, index in self.ids.items():
            if word.isdigit():
                if len(word) == 1:
                    table[f"0{word}"] = index
                table[f"rp{word}"] = index
                for unit, unit_word in lexicon.UNITS.items():
                    extra = [self.ids[unit_word]] if unit_word in self.ids else []
                    value = self._value([index, *extra])
                    if value is not None:
                        table[f"{word}{unit}"] = table[f"rp{word}{unit}"] = value
        # 3. Dictionaries: slang keys, glosses (and their possessive forms), number words.
        for key in (*lex.slang, *lex.glosses, *lexicon.NUMBER_WORDS):
            value = self._value(self._known(lex.resolve(key)))
            if value is not None:
                table[fold(key)] = value
                if key in lex.glosses and key.isalpha():
                    for suffix in ("nya", "na", "ne", "e"):
                        table.setdefault(fold(key + suffix), value)
        # 4. Strongest: the words the fact-checks actually use, resolved exactly as they were indexed.
        for token in sorted(self._seen):  # sorted: two tokens may fold to one key, the same one must win
            value = self._value(self._known(lex.resolve(token)))
            if value is not None:
                table[fold(token)] = value
        for word in stops:
            table.pop(word, None)
        self.negations = frozenset(self.ids[word] for word in lexicon.NEGATIONS if word in self.ids)
        self.refusals = frozenset(self.ids[word] for word in lexicon.REFUSALS if word in self.ids)
        self._seen = set()
        # The resolutions and roots of a large collection's words (mostly names) are needed only to
        # build the table: dropping them halves what the index keeps (~90 MiB at 50,000 fact-checks).
        lex.forget()
        morphology.stem.cache_clear()

    def post_ids(self, folded_tokens: Iterable[str]) -> set[int]:
        """The ids of a post's (folded) tokens; unknown words are left out."""
        get = self.table.get
        found: set[Any] = {get(token) for token in folded_tokens}
        found.discard(None)
        if found and max(found) >= EXPANDED:
            for value in [v for v in found if v >= EXPANDED]:
                found.discard(value)
                found.update(self.expansions[value - EXPANDED])
        return found
