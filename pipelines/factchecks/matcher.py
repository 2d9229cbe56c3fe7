"""Which debunked claims a post repeats: an inverted index over fact-checks and a precise re-score.

The same false claim circulates for weeks in new words: slang (``udh dicoblos``), another order,
a few words changed, hashtags and emoji added, a sentence quoted out of a long chain message, a
Sundanese or Javanese frame around it. What survives all of these is the claim's *informative
words*: the rare ones (``gudang``, ``dicoblos``, ``1187``, ``rancaseuweu``), not ``sukamaju`` or
``kpu``, which half the fact-checks share. So the matcher compares sets of normalised words,
weighted by their rarity among the loaded fact-checks (IDF), and asks how much of a fact-check's
weight the post contains.

Texts. Each fact-check gives one text for its claim and one per sentence of each quoted
narrative (a post quoting one sentence of a long chain message contains most of that sentence,
not of the message). Normalisation reuses ``pipelines.tagging.text`` (lower case, URLs, mentions
and laughter out, stretched letters folded), then folds doubled letters, maps slang to standard
words (``slang.tsv``) and drops function words (Indonesian, Javanese, Sundanese, English).

Candidates. Every text is indexed only under its *prefix*: its rarest words, just enough of them
that the words left out weigh less than ``1 - min_containment`` of the text. A post that contains
at least ``min_containment`` of a text's weight must therefore contain one of its prefix words
(prefix filtering, as in set-similarity joins), so nothing that could match is missed, while the
common words, which would bring thousands of postings, are never looked up. For each post the
postings of its words accumulate the matched prefix weight per text; only texts whose matched
prefix weight plus their whole suffix could still reach the threshold are re-scored.

Re-score. ``containment = weight of the text's words found in the post / weight of the text``,
required to reach a threshold that rises for short texts (three rare words matched by chance
is easier than eight), plus a minimum absolute weight, so a post sharing two common words with a
short claim is not raised. The best text per fact-check gives its score.

Debunks. A post that quotes a hoax in order to debunk it (``HOAKS! beredar pesan ...``,
``faktanya ...``, ``[SALAH]``, ``cek fakta``, ``klarifikasi``, ``tidak benar``) repeats the
claim's words as much as the hoax does. ``debunk_cue`` finds such cues, unless the post argues
against them (``ini bukan hoaks``, ``KPU pasti bilang hoaks``, ``jangan percaya klarifikasi``);
a post with a cue keeps its matches in the result but ``raised`` is empty.

Only fact-checks whose verdict is in ``verdicts`` (by default false, misleading, partly false)
are indexed: a post repeating a claim rated true is no hoax.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.tagging import slang
from pipelines.tagging.text import normalise_for_classifier
from schemas.factcheck import DEBUNKED, FactCheck, FactCheckMatch

# --- Normalisation --------------------------------------------------------------------------------

STOPWORDS: frozenset[str] = frozenset("""
yang dan di ke dari ini itu ada adalah dengan untuk pada dalam juga atau sudah telah akan sedang masih
bisa dapat harus boleh mau ingin jangan saja hanya cuma pun lah kah tah nya sih dong deh
kok kan ya yah nah tuh gitu begitu begini sangat banget sekali lebih paling agar supaya karena sebab
jika kalau kalo bila maka lalu kemudian setelah sebelum sesudah sampai hingga oleh bagi tentang seperti
serta namun tetapi tapi tetap para sang si kita kami kamu anda saya aku dia mereka beliau gue gua lo lu
kalian semua segala setiap tiap ia nya mu ku apa siapa mana kapan bagaimana mengapa kenapa berapa yg
jadi menjadi merupakan terus lagi baru nanti kini sini situ sana begitulah pula oh eh wah aduh ayo yuk
mari tolong mohon katanya kata bilang ujar ungkap sebut disebut menurut via per hal
teh mah atuh wae oge ge ieu eta nu anu jeung sareng kana ka ti dina kudu tos geus
ceunah cenah mun lamun bari keur nuju urang abdi anjeun maneh aing sok mangga punten
ing sing karo kanggo kuwi iki iku opo ono wis wes arep nek yen lan uga jare lho kok mbok
ae wae nang neng
the a an of to in on at for and or is are was were be been it this that with as by from not no but
so if then than there their they he she we you i his her its our your my me us them will would
gaes guys gan sis bro min kak
""".split())

# Common Sundanese and Javanese words in election talk, glossed to the Indonesian word a
# fact-check would use (the slang dictionary covers Jakarta slang, not the regional languages).
REGIONAL: dict[str, str] = {
    # negation and existence
    "teu": "tidak", "henteu": "tidak", "ulah": "jangan", "ora": "tidak", "mboten": "tidak", "sanes": "bukan",
    "dudu": "bukan", "durung": "belum", "acan": "belum", "aya": "ada", "ana": "ada", "wonten": "ada",
    # people, places, things
    "urang": "orang", "wong": "orang", "jalma": "orang", "imah": "rumah", "bumi": "rumah", "omah": "rumah",
    "omahe": "rumah", "cai": "air", "banyu": "air", "beas": "beras", "duit": "uang", "artos": "uang",
    "dinten": "hari", "poe": "hari", "dino": "hari", "peuting": "malam", "wengi": "malam", "bengi": "malam",
    "isuk": "pagi", "enjing": "pagi", "esuk": "pagi", "sakuliah": "seluruh", "kabeh": "semua", "sadaya": "semua",
    "lembur": "kampung", "desa": "desa", "jambatan": "jembatan", "panto": "pintu", "lawang": "pintu",
    # doing and being
    "mawa": "membawa", "nggowo": "membawa", "gawa": "membawa", "dijieun": "dibuat", "damel": "membuat",
    "gawe": "membuat", "dianggo": "dipakai", "dienggo": "dipakai", "dicekel": "ditangkap", "ditewak": "ditangkap",
    "gering": "sakit", "lara": "sakit", "meunang": "menang", "menang": "menang", "eleh": "kalah",
    "dihaja": "disengaja", "ngahaja": "sengaja", "mareuman": "memadamkan", "mateni": "mematikan",
    "ngaleueut": "minum", "nginum": "minum", "didahar": "dimakan", "dipangan": "dimakan", "kacemar": "tercemar",
    "ngahina": "menghina", "ngina": "menghina", "dibagikeun": "dibagikan", "diresmikeun": "diresmikan",
    "dimekarkeun": "dimekarkan", "ngerahkeun": "mengerahkan", "nglebokke": "memasukkan", "dibubarke": "dibubarkan",
    "dipindah": "dipindahkan", "ngilangi": "menghapus", "diilangi": "dihapus", "kenging": "boleh", "oleh": "boleh",
    "tiasa": "bisa", "iso": "bisa", "bisa": "bisa", "kedah": "harus", "kudu": "harus", "kusabab": "karena",
    "amarga": "karena", "mergo": "karena", "basa": "saat", "pas": "saat", "samemeh": "sebelum", "sadurunge": "sebelum",
    "saatos": "setelah", "sawise": "setelah", "upami": "jika", "lamun": "jika", "ceuk": "kata", "mati": "meninggal",
    "pindo": "dua", "loro": "dua", "rong": "dua", "kalih": "dua", "ewu": "ribu", "rebu": "ribu",
    "enggal": "baru", "anyar": "baru", "gede": "besar", "ageung": "besar", "gedhe": "besar", "lindu": "gempa",
    "tibo": "jatuh", "ambrol": "ambruk", "rubuh": "ambruk", "sapoe": "sehari", "sedina": "sehari",
}
NEGATIONS: frozenset[str] = frozenset({"tidak", "bukan", "belum"})
PREDICATE_BOOST = 3.0
"""A claim's predicate (its affixed verbs and negations) weighs this much more than its other words:
``surat suara sudah tiba di gudang KPU`` shares the nouns of ``surat suara di gudang KPU sudah
dicoblos`` and misses only the verb that makes it a claim."""

_DOUBLED = re.compile(r"([^\W\d_])\1+")
_JOINERS = re.compile(r"[-'/]")
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_AFFIXED = re.compile(r"^(?:di|me|ter|ber|ng|ny)[a-z]{3,}$|^[a-z]{3,}kan$")
_VOWELS = frozenset("aiueo")


@lru_cache(maxsize=1)
def _shipped_slang() -> dict[str, str]:
    return slang.load()


def _fold(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


def _nasal(stem: str) -> list[str]:
    """The meN- forms of ``stem`` without the ``me`` (``coblos`` → ``ncoblos``... → ``nyoblos``)."""
    first = stem[0]
    if first in "bfv":
        return ["m" + stem]
    if first == "p":
        return ["m" + stem[1:], "m" + stem]
    if first in "cdjz":
        return ["n" + stem, "ny" + stem[1:]] if first == "c" else ["n" + stem]
    if first == "t":
        return ["n" + stem[1:]]
    if first == "s":
        return ["ny" + stem[1:]]
    if first == "k":
        return ["ng" + stem[1:], "ngk" + stem[1:]]
    if first in _VOWELS or first in "gh":
        return ["ng" + stem]
    return [stem]


def variants(stem: str) -> set[str]:
    """Surface forms Indonesian (and its slang) derives from ``stem``: di-, meN-, ter-, ber-, peN-,
    ke-...-an, -kan, -i, -nya, -in, nge-, and the bare nasal forms (``nyoblos``, ``mantau``)."""
    if len(stem) < 3 or not stem.isalpha():
        return set()
    nasal = _nasal(stem)
    verbs = {"di" + stem, *nasal, *("me" + form for form in nasal), "nge" + stem}
    forms = {stem + "an", stem + "nya", "ter" + stem, "ber" + stem, "ke" + stem + "an",
             *("pe" + form + "an" for form in nasal), *verbs}
    for head in verbs:
        forms.update((head + "kan", head + "i", head + "in"))
    return {_fold(form) for form in forms}


class Normaliser:
    """Text → its informative words, in order: lower case, slang and regional words mapped, doubled
    letters and function words gone, and, once ``learn`` has seen the fact-checks' words, every
    affixed form of their stems mapped to the stem. The same on fact-checks and on posts.

    Stemming happens only at index time: ``learn`` stems each fact-check word (Sastrawi, ~0.4 ms a
    word) and enters the word and every form ``variants`` derives from its stem into the lookup
    table, so a post word costs one dictionary lookup whatever its affixes."""

    def __init__(self, slang_map: dict[str, str] | None = None, stemmer: Callable[[str], str] | None = None,
                 stopwords: Iterable[str] = STOPWORDS, regional: dict[str, str] | None = None) -> None:
        source = dict(_shipped_slang() if slang_map is None else slang_map)
        source.update(REGIONAL if regional is None else regional)
        self.stemmer = stemmer
        self.stops = frozenset(_fold(word) for word in stopwords)
        # One lookup per token: its canonical form, or "" for a word that carries no content.
        self._canon: dict[str, str] = {}
        self._slang: dict[str, str] = {}
        # Keys that only fold to a key (``ggak`` → ``gak``) yield to it; a value that is itself slang
        # (``ggak`` → ``enggak`` → ``tidak``) is followed one step.
        folded = sorted(source.items(), key=lambda pair: (_fold(pair[0]) == pair[0], pair[0]))
        table = {_fold(key): _fold(value) for key, value in folded}
        for key, value in table.items():
            value = table.get(value, value) if table.get(value, value) != key else value
            self._slang[key] = value
            self._canon[key] = "" if value in self.stops else value
        for word in self.stops:
            self._canon[word] = ""
        self._stemmed: dict[str, str] = {}
        self.learned = 0

    def _tokens(self, text: str) -> list[str]:
        return _fold(_JOINERS.sub(" ", normalise_for_classifier(text))).split()

    def canonical(self, token: str) -> str:
        """One lower-cased, folded token's canonical form; ``""`` for a function word, emoji or lone letter."""
        canon = self._canon.get(token)
        if canon is None:
            return token if token[:1].isalnum() and (len(token) > 1 or token.isdigit()) else ""
        return canon

    def words(self, text: str) -> list[str]:
        """The informative words of ``text``, in order (repeats kept)."""
        canon = self._canon
        out: list[str] = []
        for token in self._tokens(text):
            mapped = canon.get(token)
            if mapped is None:
                if not token[0].isalnum() or (len(token) == 1 and not token.isdigit()):
                    continue  # emoji, a lone letter
                out.append(token)
            elif mapped:
                out.append(mapped)
        return out

    def tagged(self, text: str) -> list[tuple[str, bool]]:
        """Each informative word with whether it is part of the predicate (an affixed verb or a negation)."""
        out: list[tuple[str, bool]] = []
        for token in self._tokens(text):
            canon = self.canonical(token)
            if canon:
                surface = self._slang.get(token) or token
                out.append((canon, canon in NEGATIONS or bool(_AFFIXED.match(surface))))
        return out

    def learn(self, words: Iterable[str]) -> None:
        """Stem these (fact-check) words and map every affixed form of each stem to it."""
        if self.stemmer is None:
            return
        generated: dict[str, str] = {}
        for word in sorted(set(words)):
            if word in self._stemmed or not word.isalpha() or word in self.stops:
                continue
            stem = _fold(self.stemmer(word) or word)
            if not stem or stem in self.stops:
                continue
            self._stemmed[word] = stem
            self._canon[word] = stem
            if stem != word:  # an affixed word: its stem takes other affixes too (names do not)
                for form in variants(stem):
                    generated.setdefault(form, stem)
        for form, stem in generated.items():
            # Never override what a dictionary or a real fact-check word already says.
            if form not in self._canon:
                self._canon[form] = stem
        # Slang entries that pointed at a now-stemmed word point at its stem (udh -> sudah stays).
        for key, value in self._canon.items():
            target = self._canon.get(value) if value else None
            if target and target != value and key != value:  # nyoblos -> mencoblos -> coblos
                self._canon[key] = target
        self.learned = len(self._stemmed)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, canonical word)`` for each word of the original text (for showing a match)."""
        found: list[tuple[int, int, str]] = []
        for match in _WORD.finditer(text):
            for part in _JOINERS.split(match.group().lower()):
                canon = self.canonical(_fold(part)) if part else ""
                if canon:
                    found.append((match.start(), match.end(), canon))
        return found


def sastrawi_stemmer() -> Callable[[str], str]:
    """Sastrawi's Indonesian stemmer (dictionary-based, MIT), for ``Normaliser(stemmer=...)``."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem


# --- Debunk cues -------------------------------------------------------------------------------------

_DEBUNK = re.compile(
    r"\bhoa(?:ks|x|xs)\b|#?\b(?:lawan|stop|anti|tolak)hoa(?:ks|x)\b|\bturnbackhoax\b"
    r"|\bcek\s?fakta\b|\bfact[\s-]?check|\bfaktanya\b|\bfakta(?:\s+yang)?\s+sebenarnya\b|\bklarifikasi\b"
    r"|\b(?:tidak|tdk|gak|ga|nggak|enggak|ora|teu|sanes)\s+(?:benar|bener|leres)\b|\bbukan\s+fakta\b"
    r"|\b(?:dis|mis|mal)informasi\b|\b(?:berita|kabar|info)\s+(?:bohong|palsu)\b|\[\s*(?:salah|keliru|hoaks|hoax"
    r"|disinformasi|misleading|false|menyesatkan)\s*\]|\bkeliru\b|\b(?:membantah|dibantah|bantah|bantahan)\b"
    r"|\bmeluruskan\b|\bwaspada\s+penipuan\b|\bmodus\s+penipuan\b"
    r"|\bjangan\s+(?:ikut\s+)?(?:di|me|ny)?(?:sebar|nyebar|share)\w*|\bjgn\s+(?:asal\s+)?share\b"
    r"|\bjangan\s+(?:mudah\s+)?(?:percaya|terprovokasi|termakan)\b"
    r"|\b(?:is|are|was)\s+(?:false|fake|misleading|not\s+true)\b|\bfalse\s+claim|\bfake\s+news\b|\bdebunk",
    re.IGNORECASE,
)
# Spreaders pre-empt the debunk ("KPU pasti bilang ini hoaks", "ini bukan hoaks") or attack it
# ("jangan percaya klarifikasi"): those words are cues of the hoax, not of its debunk.
_COUNTER = re.compile(
    r"\bbukan\s+(?:berita\s+)?hoa(?:ks|x)\b|\b(?:pasti|nanti|bakal|akan)\s+(?:di)?(?:bilang|sebut|anggap)\w*\s+"
    r"(?:ini\s+|itu\s+)?hoa(?:ks|x)\b|\b(?:dibilang|disebut|dianggap|katanya)\s+hoa(?:ks|x)\b"
    r"|\bjangan\s+percaya\s+(?:sama\s+|dengan\s+|pada\s+)?klarifikasi\b|\bklarifikasi\s+(?:palsu|bohong|abal)\w*"
    r"|\bhoa(?:ks|x)\s+(?:atau|apa|ga|gak|nggak|bukan)\b[^.!\n]*\?|\bjangan\s+percaya\s+(?:kata\s+)?(?:kpu|bawaslu)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DebunkCue:
    """A phrase that marks a post as debunking, with where it stands in the post."""

    cue: str
    start: int
    end: int


def debunk_cue(text: str) -> DebunkCue | None:
    """The first debunk cue in ``text`` that the post does not argue against; ``None`` if none."""
    countered = [(m.start(), m.end()) for m in _COUNTER.finditer(text)]
    for match in _DEBUNK.finditer(text):
        if not any(start <= match.start() < end or match.start() <= start < match.end() for start, end in countered):
            return DebunkCue(match.group(), match.start(), match.end())
    return None


# --- The index -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatcherConfig:
    """How close a post must come to a fact-check's text to be raised (tuned on the dev split)."""

    min_containment: float = 0.45
    """Share of a text's informative weight the post must contain (texts of ``long_text`` words or more)."""
    short_containment: float = 0.8
    """What a text of ``short_text`` words or fewer needs; linear in between."""
    short_text: int = 3
    long_text: int = 7
    min_weight: float = 0.0
    """Least absolute matched weight (sum of IDF); IDF depends on how many fact-checks are loaded,
    so ``min_words`` is what holds a match to enough evidence."""
    min_words: int = 3
    """Least number of the text's informative words the post must hold (all of them if it has fewer)."""
    min_sentence_words: int = 4
    """Narrative sentences with fewer informative words are joined to the next."""
    predicate_boost: float = PREDICATE_BOOST
    predicate_share: float = 0.25
    """Share of the predicate's weight (affixed verbs, negations) the post must keep."""
    anchors: int = 3
    """At most this many of a text's rarest words index it (its prefix, cut short: see the module doc)."""
    rescore: int = 12
    """Most texts re-scored per post, those whose matched prefix is the largest share of them."""
    postings_share: float = 0.0005
    min_postings_cap: int = 64
    """A word indexed for more than this share of the texts (at least ``min_postings_cap``) is not looked up."""
    verdicts: frozenset[str] = DEBUNKED
    """Fact-checks with other verdicts (true, satire, unrated...) are not loaded."""

    def threshold(self, words: int) -> float:
        """The containment a text of ``words`` informative words needs."""
        if words <= self.short_text:
            return self.short_containment
        if words >= self.long_text:
            return self.min_containment
        step = (words - self.short_text) / (self.long_text - self.short_text)
        return self.short_containment + step * (self.min_containment - self.short_containment)


@dataclass(frozen=True)
class _Text:
    factcheck: int
    kind: str  # "claim" or "narrative"
    words: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    total: float
    need: float  # matched prefix weight a post needs before this text is worth a re-score
    threshold: float
    predicate: tuple[tuple[str, float], ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Match:
    """One fact-check a post repeats: its id, the score, and which words of which text matched."""

    factcheck_id: str
    score: float
    kind: str
    matched_words: tuple[str, ...]
    missing_words: tuple[str, ...]
    span: tuple[int, int]
    """Characters of the post from the first to the last matched word."""

    @property
    def reason(self) -> str:
        """One line for an officer: which text matched and how much of it."""
        total = len(self.matched_words) + len(self.missing_words)
        return (f"repeats the fact-check's {self.kind}: {len(self.matched_words)} of its {total} informative words "
                f"({self.score:.0%} of their weight): {', '.join(self.matched_words[:12])}")


@dataclass(frozen=True)
class MatchResult:
    """What the matcher found in one post: its matches (best first) and a debunk cue if any."""

    matches: tuple[Match, ...] = ()
    debunk: DebunkCue | None = None

    @property
    def raised(self) -> tuple[Match, ...]:
        """The matches that make the post a hoax: none when the post debunks the claim."""
        return () if self.debunk is not None else self.matches


@dataclass
class _Stats:
    factchecks: int = 0
    skipped_verdict: int = 0
    texts: int = 0
    postings: int = 0
    pruned_words: int = 0
    vocabulary: int = 0
    notes: list[str] = field(default_factory=list)


class FactCheckMatcher:
    """Finds the fact-checks a post repeats; build once from the loaded fact-checks, then ``match``."""

    def __init__(self, factchecks: Iterable[FactCheck], *, normaliser: Normaliser | None = None,
                 config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self.normaliser = normaliser or Normaliser(stemmer=sastrawi_stemmer())
        self.stats = _Stats()
        self.factchecks: list[FactCheck] = []
        for factcheck in factchecks:
            if factcheck.verdict not in self.config.verdicts:
                self.stats.skipped_verdict += 1
                continue
            self.factchecks.append(factcheck)
        # Stems are learnt from the fact-checks' own words before their texts are cut into words.
        self.normaliser.learn(word for fc in self.factchecks for text in (fc.claim, *fc.narratives)
                              for word in self.normaliser.words(text))
        drafts: list[tuple[int, str, list[tuple[str, bool]]]] = []
        for index, factcheck in enumerate(self.factchecks):
            drafts.append((index, "claim", self.normaliser.tagged(factcheck.claim)))
            for narrative in factcheck.narratives:
                for sentence in self._sentences(narrative):
                    drafts.append((index, "narrative", sentence))
        self.stats.factchecks = len(self.factchecks)
        self._by_id = {fc.factcheck_id: i for i, fc in enumerate(self.factchecks)}
        # Document frequency counts fact-checks, not texts: a word in a claim and its narrative is one.
        df: dict[str, int] = {}
        seen: dict[str, int] = {}
        for index, _, tagged in drafts:
            for word, _ in tagged:
                if seen.get(word) != index:
                    seen[word] = index
                    df[word] = df.get(word, 0) + 1
        n = max(len(self.factchecks), 1)
        self.idf = {word: math.log((n + 1) / (count + 0.5)) for word, count in df.items()}
        self.stats.vocabulary = len(self.idf)
        self._texts: list[_Text] = []
        postings: dict[str, list[int]] = {}
        for index, kind, tagged in drafts:
            predicate: dict[str, bool] = {}
            for word, is_predicate in tagged:
                predicate[word] = predicate.get(word, False) or is_predicate
            unique = list(predicate)
            if not unique:
                continue
            weights = sorted(((w, self.idf[w] * (self.config.predicate_boost if predicate[w] else 1.0))
                              for w in unique), key=lambda pair: (-pair[1], pair[0]))
            total = sum(weight for _, weight in weights)
            threshold = self.config.threshold(len(unique))
            # Prefix: the rarest words, until what is left out weighs less than (1 - threshold) of the
            # text; a post reaching the threshold then holds at least one prefix word.
            budget = (1.0 - threshold) * total
            prefix, rest = [], total
            for word, weight in weights:
                if (rest <= budget + 1e-9 and prefix) or len(prefix) >= self.config.anchors:
                    break
                prefix.append(word)
                rest -= weight
            text_id = len(self._texts)
            self._texts.append(_Text(index, kind, tuple(unique), tuple(weights), total,
                                     need=max(threshold * total - rest, 0.0) - 1e-9, threshold=threshold,
                                     predicate=tuple((w, x) for w, x in weights if predicate[w]),
                                     negated=any(w in NEGATIONS for w in unique)))
            for word in prefix:
                postings.setdefault(word, []).append(text_id)
        # A word in the prefixes of very many texts (``kpu``, ``surat``) would cost a long posting
        # walk on every post that says it, and it alone never makes a match: it is not looked up.
        cap = max(self.config.min_postings_cap, int(self.config.postings_share * len(self._texts)))
        self._postings: dict[str, tuple[tuple[int, ...], float]] = {
            word: (tuple(ids), self.idf[word]) for word, ids in postings.items() if len(ids) <= cap}
        self.stats.pruned_words = sum(1 for ids in postings.values() if len(ids) > cap)
        self.stats.texts = len(self._texts)
        self.stats.postings = sum(len(ids) for ids, _ in self._postings.values())

    def _sentences(self, narrative: str) -> list[list[tuple[str, bool]]]:
        """A narrative's sentences as tagged word lists, short ones joined to the next."""
        out: list[list[tuple[str, bool]]] = []
        pending: list[tuple[str, bool]] = []
        for piece in re.split(r"(?<=[.!?;:])\s+|\n+", narrative):
            pending += self.normaliser.tagged(piece)
            if len(pending) >= self.config.min_sentence_words:
                out.append(pending)
                pending = []
        if pending:
            if out and len(pending) < self.config.min_sentence_words:
                out[-1] = out[-1] + pending
            else:
                out.append(pending)
        return out

    def factcheck(self, factcheck_id: str) -> FactCheck:
        """A loaded fact-check by id."""
        return self.factchecks[self._by_id[factcheck_id]]

    def _scores(self, words: set[str], *, floor: float | None = None) -> dict[int, tuple[float, _Text]]:
        """Best (score, text) per fact-check among the texts the post could match."""
        postings = self._postings
        gathered: dict[int, float] = {}
        for word in words:
            entry = postings.get(word)
            if entry is None:
                continue
            ids, weight = entry
            for text_id in ids:
                gathered[text_id] = gathered.get(text_id, 0.0) + weight
        texts = self._texts
        # The matched prefix weight is a lower bound of the matched weight: re-score the texts
        # where it is the largest share of the text, and only those that could still pass.
        ranked = sorted(((prefix_weight / texts[text_id].total, text_id) for text_id, prefix_weight in gathered.items()
                         if floor is not None or prefix_weight >= texts[text_id].need), reverse=True)
        best: dict[int, tuple[float, _Text]] = {}
        for _, text_id in ranked[:self.config.rescore]:
            text = texts[text_id]
            matched = 0.0
            for word, weight in text.weights:
                if word in words:
                    matched += weight
            score = matched / text.total
            if floor is None:
                if (score < text.threshold or matched < self.config.min_weight
                        or sum(1 for word, _ in text.weights if word in words) < min(self.config.min_words, len(text.weights))
                        or not self._says_it(text, words)):
                    continue
            elif score < floor:
                continue
            current = best.get(text.factcheck)
            if current is None or score > current[0]:
                best[text.factcheck] = (score, text)
        return best

    def _says_it(self, text: _Text, words: set[str]) -> bool:
        """Whether the post keeps the claim's predicate: half its verbs' weight, and its negation.

        ``Surat suara sudah tiba di gudang KPU`` holds every noun of the claim that ballots in the
        KPU warehouse were already punched, and none of its claim; ``pemilih disabilitas boleh
        didampingi`` says the opposite of ``tidak boleh didampingi``."""
        if text.negated and not words & NEGATIONS:
            return False
        if not text.predicate:
            return True
        total = sum(weight for _, weight in text.predicate)
        kept = sum(weight for word, weight in text.predicate if word in words)
        return kept >= self.config.predicate_share * total

    def _match(self, text: str, words: set[str], score: float, found: _Text, spans: list[tuple[int, int, str]]) -> Match:
        matched = tuple(w for w, _ in found.weights if w in words)
        missing = tuple(w for w, _ in found.weights if w not in words)
        hits = [(start, end) for start, end, word in spans if word in matched]
        span = (hits[0][0], hits[-1][1]) if hits else (0, 0)
        return Match(self.factchecks[found.factcheck].factcheck_id, round(min(score, 1.0), 4), found.kind,
                     matched, missing, span)

    def match(self, text: str) -> MatchResult:
        """The fact-checks ``text`` repeats, best first, and whether the post debunks them."""
        words = set(self.normaliser.words(text))
        if not words:
            return MatchResult()
        best = self._scores(words)
        if not best:
            return MatchResult()
        spans = self.normaliser.spans(text)
        matches = tuple(sorted((self._match(text, words, score, found, spans) for score, found in best.values()),
                               key=lambda m: (-m.score, m.factcheck_id)))
        return MatchResult(matches, debunk_cue(text))

    def candidates(self, text: str, limit: int = 5, floor: float = 0.2) -> list[Match]:
        """The closest fact-checks with their scores, whether or not they pass (for an operator's look)."""
        words = set(self.normaliser.words(text))
        spans = self.normaliser.spans(text)
        best = self._scores(words, floor=floor)
        ranked = sorted(best.values(), key=lambda pair: -pair[0])[:limit]
        return [self._match(text, words, score, found, spans) for score, found in ranked]

    def explain(self, text: str, match: Match) -> FactCheckMatch:
        """The match as a post carries it: the fact-check's title, rating, link, and why it matched."""
        factcheck = self.factcheck(match.factcheck_id)
        start, end = match.span
        return FactCheckMatch(
            factcheck_id=factcheck.factcheck_id, claim=factcheck.claim, title=factcheck.title, url=factcheck.url,
            rating=factcheck.rating, verdict=factcheck.verdict, publisher=factcheck.publisher,
            published_at=factcheck.published_at, score=match.score, matched=text[start:end], reason=match.reason[:1000])


def word_jaccard_baseline(factchecks: Sequence[FactCheck], threshold: float = 0.3) -> Callable[[str], list[str]]:
    """The baseline the evaluation compares with: plain word-set Jaccard between the post and each
    claim or narrative (lower case, words only, no slang map, no weights), above ``threshold``."""
    word = re.compile(r"[^\W_]+")
    texts = [(fc.factcheck_id, set(word.findall(t.lower()))) for fc in factchecks if fc.verdict in DEBUNKED
             for t in (fc.claim, *fc.narratives)]

    def matches(text: str) -> list[str]:
        post = set(word.findall(text.lower()))
        found: dict[str, float] = {}
        for factcheck_id, words in texts:
            union = len(post | words)
            score = len(post & words) / union if union else 0.0
            if score >= threshold and score > found.get(factcheck_id, 0.0):
                found[factcheck_id] = score
        return sorted(found, key=lambda fid: -found[fid])

    return matches
