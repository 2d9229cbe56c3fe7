"""Indonesian affixes, both ways: a word → its root (``stem``), a root → its affixed forms (``variants``).

Claims and posts say the same verb with different affixes: ``dicoblos``, ``mencoblos``, ``nyoblos``,
``tercoblos``, ``kecoblos``, ``pencoblosan``; Sundanese and Javanese add their own (``dibubarkeun``,
``ngabagikeun``, ``dibubarke``, ``suarane``), Jakarta slang its ``-in`` (``dipindahin``).

``stem`` runs only when the matcher builds its index, on the fact-checks' words: it strips
particles, possessives, suffixes and prefixes (with the nasal changes of meN-/peN-: ``memilih`` →
``pilih``, ``menolak`` → ``tolak``, ``nyoblos`` → ``coblos``) and accepts a candidate only if it is a
root of Sastrawi's dictionary (``kata-dasar.txt``, 29,931 roots, MIT, shipped in the ``pysastrawi``
wheel). A word whose stripping finds no root stays as it is (names, acronyms, places), except a
long word wrapped in a confix (``berkewarganegaraan`` → ``warganegara``). This costs a handful of set
lookups a word where Sastrawi's own stemmer (which ``pipelines.tagging.lexicon`` uses for search,
behind a bounded cache) takes apart every word it does not know letter by letter. Measured on the
3,713 distinct words of the written fact-checks and 3,000 synthetic ones, uncached, CPU time on
this shared machine (2026-12-05): Sastrawi 118 µs a word, ``stem`` 4.7 µs, the same root for 99 %
of them. At 50,000 fact-checks (~85,000 distinct words, mostly names) that is the difference
between an index built in ~3 s and one built in ~80 s, in every worker at start and at every
reload after an import; and ``variants``, which the matcher's one-lookup table needs, has no
Sastrawi counterpart. So the matcher keeps this stemmer; what it shares with search is the root
dictionary (``sastrawi_dictionary``, one copy a process) and the slang map (``slang.shipped``).

``variants`` goes the other way, also at index time: every form a root takes. The matcher enters
them all into its lookup table, so a post word costs one dictionary lookup whatever its affixes.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pipelines.tagging.lexicon import sastrawi_dictionary

_VOWELS = frozenset("aiueo")
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu", "na", "ne", "e")
_SUFFIXES = ("kan", "keun", "ake", "ke", "an", "in", "i")
_PLAIN_PREFIXES = ("memper", "di", "ke", "se", "ka", "ter", "ber", "per", "bel", "be", "te", "nga")
_MIN_ROOT = 3


def roots() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words: the one copy search's lexicon loads too."""
    return sastrawi_dictionary()


def _unnasal(word: str) -> Iterator[str]:
    """Roots a bare nasal form may come from: ``nyoblos`` → coblos, ``mantau`` → pantau, ``nolak`` → tolak,
    ``ngirim`` → kirim; before a vowel the unchanged reading first (``mengusir`` → usir before kusir)."""
    if word.startswith("nge") and len(word) > 5:
        yield word[3:]
    if word.startswith("ny") and len(word) > 3 and word[2] in _VOWELS:
        yield "s" + word[2:]
        yield "c" + word[2:]
    elif word.startswith("ng") and len(word) > 3:
        if word[2] in _VOWELS:
            yield word[2:]
            yield "k" + word[2:]
        elif word[2] in "ghk":
            yield word[2:]
    elif word.startswith("m") and len(word) > 2:
        if word[1] in _VOWELS:  # meN- before a vowel is meng-: m + vowel is a p- (or m-) root
            yield "p" + word[1:]
        elif word[1] in "bfpv":
            yield word[1:]
    elif word.startswith("n") and len(word) > 2:
        if word[1] in _VOWELS:
            yield "t" + word[1:]
        elif word[1] in "cdjsz":
            yield word[1:]


# Prefixes that stack in Indonesian (di-per-, ber-ke-, ke-ber-, ter-per-): no other pair is tried, so
# ``diberikan`` is di-beri-kan, never di-ber-ikan.
_STACKED = {"di": ("per",), "ter": ("per",), "ber": ("ke",), "ke": ("ber", "ter"), "se": ("ke",)}


def _unprefixed(word: str) -> Iterator[str]:
    """``word`` with its prefix taken off (meN-/peN- with their nasal changes), then legal stacks."""
    if len(word) <= _MIN_ROOT + 1:
        return
    if word.startswith(("me", "pe")) and len(word) > 4:
        rest = word[2:]
        yield rest
        yield from _unnasal(rest)
        if rest.startswith("r"):
            yield rest[1:]  # per-/ber- read as pe-r...: pertanian
    yield from _unnasal(word)
    for prefix in _PLAIN_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_ROOT:
            rest = word[len(prefix):]
            yield rest
            for second in _STACKED.get(prefix, ()):
                if rest.startswith(second) and len(rest) - len(second) >= _MIN_ROOT:
                    yield rest[len(second):]


def _unsuffixed(word: str) -> list[str]:
    """``word`` with a particle, a possessive and a derivational suffix taken off, least stripped first."""
    forms = [(0, word)]
    for group in (_PARTICLES, _POSSESSIVES, _SUFFIXES):
        more = []
        for cost, form in forms:
            for suffix in group:
                if form.endswith(suffix) and len(form) - len(suffix) >= _MIN_ROOT:
                    more.append((cost + 1, form[: -len(suffix)]))
        forms += more
    return [form for _, form in sorted(forms, key=lambda pair: pair[0])]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The dictionary root of an (Indonesian, slang, Sundanese or Javanese) affixed word; the word itself if none."""
    dictionary = roots()
    if word in dictionary or len(word) <= _MIN_ROOT + 1 or not word.isalpha():
        return word
    forms = _unsuffixed(word)
    for form in forms[1:]:  # suffixes come off first (sebaran is sebar-an, not se-baran)
        if form in dictionary:
            return form
    for form in forms:
        for candidate in _unprefixed(form):
            if candidate in dictionary and len(candidate) >= _MIN_ROOT:
                return candidate
    return _confix(word)


def _confix(word: str) -> str:
    """A long word with no dictionary root, wrapped in ber-ke-…-an, ke-…-an, per-…-an or peN-…-an: its inside."""
    if len(word) < 10 or not word.endswith("an"):
        return word
    for prefix in ("berke", "ke", "per", "peng", "peny", "pem", "pen"):
        if word.startswith(prefix) and len(word) - len(prefix) - 2 >= 6:
            return word[len(prefix):-2]
    return word


def _nasal(root: str) -> tuple[str, ...]:
    """The nasal forms of ``root`` without ``me``/``pe`` (``coblos`` → ``ncoblos``, ``nyoblos``)."""
    first = root[0]
    if first in "bfv":
        return ("m" + root,)
    if first == "p":
        return ("m" + root[1:], "m" + root)
    if first == "c":
        return ("n" + root, "ny" + root[1:])
    if first in "djz":
        return ("n" + root,)
    if first == "t":
        return ("n" + root[1:],)
    if first == "s":
        return ("ny" + root[1:],)
    if first == "k":
        return ("ng" + root[1:],)
    if first in _VOWELS or first in "gh":
        return ("ng" + root,)
    return (root,)


def variants(root: str) -> set[str]:
    """The affixed forms of ``root`` a post may use: verbs (di-, meN-, bare nasal, nge-, nga-, ter-, ke-,
    ka-, ber-, diper-, memper- with -kan/-i/-in, Sundanese -keun, Javanese -ke/-ake) and nouns
    (-an, peN-…-an, per-…-an, ke-…-an, peN-, pe-, se-, possessives -nya/-na/-ne/-e)."""
    if len(root) < _MIN_ROOT or not root.isalpha():
        return set()
    nasal = _nasal(root)
    me = tuple("me" + form for form in nasal) + (("menge" + root,) if len(root) <= 4 else ())
    pe = tuple("pe" + form for form in nasal)
    heads = ("di" + root, *me, *nasal, "nge" + root, "ter" + root, "ke" + root, "ber" + root,
             "diper" + root, "memper" + root, "per" + root)
    forms: set[str] = set(heads)
    for head in heads:
        forms.update((head + "kan", head + "i", head + "in", head + "nya"))
    for head in ("di" + root, "nga" + root, "ka" + root, *nasal):
        forms.update((head + "keun", head))
    for head in ("di" + root, *nasal):
        forms.update((head + "ke", head + "ake"))
    forms.update((root + "in", root + "kan", root + "i",  # bare imperatives: sebarin, biayain, bagikan
                  root + "an", root + "nya", root + "na", root + "ne", root + "e", root + "annya",
                  "se" + root, "ke" + root + "an", "per" + root + "an", "ber" + root + "an", "pe" + root,
                  *pe, *(form + "an" for form in pe), *(form + "annya" for form in pe)))
    forms.discard(root)
    return forms
