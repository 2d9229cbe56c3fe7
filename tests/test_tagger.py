"""The whole tagger with the bundled default models, watchlists, risk levels and `siaga tag`."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.factchecks.matcher import FactCheckMatcher
from pipelines.tagging.entities import read_words
from pipelines.tagging.offline import tag_stream
from pipelines.tagging.tagger import Tagger, Watchlists, risk_level
from pipelines.tagging.text import normalise_for_classifier, prepare
from schemas.config import ElectionSettings, RiskLevels, TaggingSettings, Watchlist
from schemas.factcheck import FactCheck, factcheck_key, make_factcheck_id

HOAX_WATCH = Watchlist(name="penanda-hoaks", terms=["surat suara sudah dicoblos", "#pemiluditunda"], risk="hoax",
                       level="siaga")
NAMES = Watchlist(name="kandidat", terms=["Pak Darsono"])


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(TaggingSettings(watchlists=[HOAX_WATCH, NAMES]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pilih Paslon 02!!! 😡🔥 #TolakPendatang @kpu_ri https://x.co/a wkwkwk mantappp 100rb",
         "pilih paslon 02 😡 🔥 tolakpendatang mantapp 100rb"),
        ("Serangan-fajar?? jum'at", "serangan-fajar jum'at"),
    ],
)
def test_classifier_normalisation_keeps_hashtag_words_numbers_and_emoji(text: str, expected: str) -> None:
    assert normalise_for_classifier(text) == expected


def test_prepare_gives_both_normalisations() -> None:
    lid, classifier = prepare("Ayo ke TPS 12!! #pilkada 😂")
    assert lid == "ayo ke tps"
    assert classifier == "ayo ke tps 12 pilkada 😂"


@pytest.mark.parametrize(
    ("score", "level"), [(0.0, "normal"), (0.49, "normal"), (0.5, "waspada"), (0.7, "siaga"), (0.95, "awas")]
)
def test_risk_level_from_score(score: float, level: str) -> None:
    assert risk_level(score, RiskLevels()) == level


def test_risk_levels_are_configurable() -> None:
    assert risk_level(0.5, RiskLevels(waspada=0.3, siaga=0.4, awas=0.6)) == "siaga"


def test_watchlists_find_terms_phrases_and_hashtags_case_insensitively() -> None:
    lists = Watchlists([HOAX_WATCH, NAMES])
    found = lists.find("Katanya SURAT SUARA sudah dicoblos semua, kata pak darsono #PemiluDitunda")
    assert {(m.watchlist, m.term, m.risk) for m in found} == {
        ("penanda-hoaks", "surat suara sudah dicoblos", "hoax"),
        ("penanda-hoaks", "pemiluditunda", "hoax"),
        ("kandidat", "pak darsono", None),
    }
    assert lists.find("pak darsonoku") == [], "whole words only"
    assert Watchlists([]).find("apa saja") == []


def test_languages_of_clear_texts(tagger: Tagger) -> None:
    texts = {
        "id": "Besok pagi kami akan datang ke TPS untuk memilih bupati yang baru, jangan lupa bawa KTP ya",
        "jv": "Aku arep lunga menyang pasar karo ibuku, sliramu melu ora? mengko sore wis bali",
        "su": "Abdi hoyong angkat ka pasar jeung indung, anjeun rek milu teu? engke sonten geus balik",
        "en": "The election commission will announce the official results tomorrow morning",
    }
    tags = tagger.tag(list(texts.values()))
    assert [t.language for t in tags] == list(texts)


def test_the_tagger_flags_a_black_campaign_smear_and_not_a_recipe(tagger: Tagger) -> None:
    smear, recipe = tagger.tag([
        "Awas!! calon bupati nomor 2 itu ternyata antek asing dan tukang korupsi dana desa, "
        "sebarkan sebelum dihapus #jangapilih02",
        "Resep sambel matah ala mamah: bawang merah, serai, cabe rawit, minyak panas. enak pol 😋",
    ])
    assert smear.risk.level != "normal"
    assert smear.risk.labels and smear.risk.score == max(label.score for label in smear.risk.labels)
    assert {t.label for t in smear.topics} & {"candidate", "election"}
    assert recipe.risk.level == "normal" and recipe.risk.labels == []
    assert recipe.topics == []


def test_a_watchlist_match_raises_the_level_and_says_why(tagger: Tagger) -> None:
    (tags,) = tagger.tag(["info dr grup sebelah: surat suara sudah dicoblos semua di gudang"])
    assert [m.term for m in tags.matches] == ["surat suara sudah dicoblos"]
    assert tags.risk.level in ("siaga", "awas")
    if tags.risk.score < 0.7:
        assert tags.risk.raised_by_watchlist


def test_a_text_without_words_is_undetermined(tagger: Tagger) -> None:
    (tags,) = tagger.tag(["😂😂🔥 #fyp @someone https://t.co/x"])
    assert tags.language == "und" and tags.language_score == 0.0


def test_the_version_names_every_model_and_the_watchlists(tagger: Tagger) -> None:
    version = tagger.version
    assert version.startswith("language=language@")
    assert ";topic=topic@" in version and ";risk=risk@" in version and ";watchlists@" in version


def test_tag_stream_tags_texts_and_posts_and_reports_bad_lines(tagger: Tagger) -> None:
    post = json.loads(Path("connectors/samples/posts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    source = io.StringIO(
        json.dumps({"text": "gw udh nyoblos nih, kalian udah belum? jangan golput ya"}) + "\n"
        + "\n"
        + '{"txt": "typo"}\n'
        + "[1, 2]\n"
        + "{broken\n"
        + json.dumps(post, ensure_ascii=False) + "\n"
    )
    target, errors = io.StringIO(), io.StringIO()
    bad = tag_stream(TaggingSettings(), source, target, errors)
    assert bad == 4
    lines = [json.loads(line) for line in target.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[0]["tags"]["language"]["code"] == "id"
    assert set(lines[0]["tags"]) == {"language", "text_norm", "topics", "risk", "matches", "entities",
                                      "factchecks"}
    assert lines[0]["tags"]["text_norm"].startswith("gue sudah mencoblos coblos nih")
    assert lines[1]["native_id"] == post["native_id"]
    assert set(lines[1]["tags"]["risk"]) == {"level", "score", "labels", "raised_by_watchlist", "target", "categories",
                                             "strength", "reasons"}
    reported = errors.getvalue().splitlines()
    assert reported == [
        "siaga tag: line 2: empty line",
        'siaga tag: line 3: no "text" string',
        "siaga tag: line 4: expected a JSON object, got list",
        "siaga tag: line 5: not JSON (Expecting property name enclosed in double quotes at column 2)",
    ]


def test_siaga_tag_command_reads_and_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "harga cabe naik lagi, emak2 pusing"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    config = tmp_path / "siaga.yaml"
    config.write_text("tagging:\n  watchlists:\n    - name: pangan\n      terms: [harga cabe]\n", encoding="utf-8")
    assert main(["--config", str(config), "tag", "--input", str(source), "--output", str(out)]) == 0
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["tags"]["matches"] == [{"watchlist": "pangan", "term": "harga cabe", "risk": None}]
    assert capsys.readouterr().err == ""


def test_a_post_has_risk_labels_exactly_when_its_level_is_above_normal(tagger: Tagger) -> None:
    texts = [line for line in Path("connectors/samples/posts.jsonl").read_text(encoding="utf-8").splitlines()]
    for tags in tagger.tag([json.loads(line)["text"] for line in texts]):
        if not tags.risk.raised_by_watchlist:
            assert bool(tags.risk.labels) == (tags.risk.level != "normal"), tags


# --- the election: entities, topics, composed labels -----------------------------------------------

ELECTION = ElectionSettings.model_validate({
    "candidates": [{"id": "paslon-02", "ballot_number": 2, "name": "Asep Wiranegara", "running_mate": "Rudi Santika",
                    "aliases": ["Asep"], "nicknames": ["Kang Asep"]}],
    "election_bodies": [{"id": "kpu-sukamaju", "name": "KPU Kabupaten Sukamaju", "kind": "kpu",
                         "aliases": ["KPU Sukamaju"]}],
})
INSULTS = Watchlist(name="hinaan", terms=["muka maling"], risk="abusive", level="siaga")


@pytest.fixture(scope="module")
def election_tagger() -> Tagger:
    return Tagger(TaggingSettings(watchlists=[HOAX_WATCH, INSULTS]), ELECTION)


def test_a_named_candidate_is_an_entity_and_a_certain_topic(election_tagger: Tagger) -> None:
    (tags,) = election_tagger.tag(["Kang Asep kampanye di alun-alun hari ini, rame"])
    assert [(e.type, e.id, e.surface) for e in tags.entities] == [("candidate", "candidate:paslon-02", "Kang Asep")]
    assert ("candidate", 1.0) in [(t.label, t.score) for t in tags.topics]


def test_an_insult_aimed_at_a_candidate_is_a_black_campaign_that_says_why(election_tagger: Tagger) -> None:
    (tags,) = election_tagger.tag(["Asep tuh mukanya aja udah muka maling 😤"])
    labels = {label.label for label in tags.risk.labels}
    assert {"abusive", "black_campaign"} <= labels
    assert tags.risk.level in ("siaga", "awas")
    why = [(r.kind, r.ref) for r in tags.risk.reasons if r.label == "black_campaign"]
    assert ("watchlist", "muka maling") in why and ("entity", "candidate:paslon-02") in why


def test_a_hoax_about_the_kpu_is_provocation_unless_the_post_debunks_it() -> None:
    debunking = Tagger(TaggingSettings(watchlists=[HOAX_WATCH]), ELECTION,
                       debunk=lambda text: "cek fakta" if "CEK FAKTA" in text else None)
    hoax, debunk = debunking.tag([
        "KPU Sukamaju curang, surat suara sudah dicoblos di gudang!!",
        "CEK FAKTA: kabar surat suara sudah dicoblos di gudang KPU Sukamaju itu tidak benar",
    ])
    assert "provocation" in {label.label for label in hoax.risk.labels}
    assert ("entity", "election_body:kpu-sukamaju") in [(r.kind, r.ref) for r in hoax.risk.reasons]
    assert "provocation" not in {label.label for label in debunk.risk.labels}
    assert debunk.risk.level == "siaga" and debunk.risk.raised_by_watchlist, "the watchlist still asks for a look"


def test_the_version_names_the_election(election_tagger: Tagger, tagger: Tagger) -> None:
    ours = election_tagger.version.split(";")[-1]
    assert ours.startswith("election@")
    assert tagger.version.split(";")[-1].startswith("election@"), "the built-in national bodies"
    assert tagger.version.split(";")[-1] != ours


def test_the_watchlists_word_prefilter_finds_exactly_what_the_pattern_finds() -> None:
    lists = Watchlists([HOAX_WATCH, NAMES, INSULTS,
                        Watchlist(name="misc", terms=["kpu", "100rb", "#tolakpendatang", "jum'at", "sweeping ktp"])])
    texts = [json.loads(line)["text"] for line in Path("connectors/samples/posts.jsonl").read_text().splitlines()]
    texts += ["cek kpu.go.id", "cek https://kpu.go.id/hoaks", "WWW.KPU.GO.ID", "@kpu_ri jawab", "x@kpu", "#kpu!", "##tolakpendatang", "Jum'at berkah", "SWEEPING KTP",
              "swee\u0301ping ktp", "Rp100rb", "100rbu", "muka  maling", "mukamaling", "Pak\nDarsono", "KPU_RI"]
    for text in texts:
        assert lists.find(text, read_words(text)) == lists.find(text), text


# --- fact-checks: a post repeating a debunked claim ------------------------------------------------

def _factcheck(claim: str, narrative: str | None = None) -> FactCheck:
    url = "https://cekfakta.sukamaju.example/" + "-".join(claim.lower().split()[:5])
    return FactCheck(factcheck_id=make_factcheck_id(factcheck_key(url=url)), claim=claim, rating="SALAH",
                     verdict="false", url=url, title=f"[SALAH] {claim}", publisher="Cek Fakta Sukamaju",
                     published_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC), narratives=[narrative] if narrative else [],
                     source_format="claimreview", collected_at=datetime(2026, 12, 1, tzinfo=UTC))


BALLOTS = _factcheck("Surat suara di gudang logistik KPU Sukamaju sudah dicoblos untuk paslon 01")
KTP = _factcheck("KTP-el yang terbit sebelum 2015 tidak bisa dipakai untuk mencoblos dan pemilih harus membuat KTP baru")


@pytest.fixture(scope="module")
def factchecks() -> FactCheckMatcher:
    return FactCheckMatcher([BALLOTS, KTP])


def test_a_post_repeating_a_debunked_claim_is_a_hoax_that_names_the_debunk(
        election_tagger: Tagger, factchecks: FactCheckMatcher) -> None:
    repeat, other = election_tagger.tag([
        "INFO: KTP-el yg terbit sblm 2015 GA BISA dipake nyoblos, hrs bikin ktp baru!! share ke keluarga 😱",
        "Kang Asep kampanye di alun-alun hari ini, rame",
    ], factchecks)
    assert [(m.factcheck_id, m.verdict, m.title, str(m.url)) for m in repeat.factchecks] == [
        (KTP.factcheck_id, "false", KTP.title, str(KTP.url))]
    assert 0.7 <= repeat.factchecks[0].score <= 1.0
    assert "hoax" in {label.label for label in repeat.risk.labels}
    assert repeat.risk.level in ("siaga", "awas")
    (reason,) = [r for r in repeat.risk.reasons if r.kind == "factcheck"]
    assert (reason.label, reason.ref) == ("hoax", KTP.factcheck_id)
    assert reason.detail.startswith("mengulang klaim yang sudah dibantah: \u201c[SALAH] KTP-el")
    assert "Cek Fakta Sukamaju" in reason.detail and "20 Nov 2026 10:00 WIB" in reason.detail
    assert other.factchecks == [] and not [r for r in other.risk.reasons if r.kind == "factcheck"]


def test_a_post_debunking_the_claim_carries_no_fact_check_and_no_hoax_from_it(
        election_tagger: Tagger, factchecks: FactCheckMatcher) -> None:
    (tags,) = election_tagger.tag([
        "HOAKS! beredar pesan KTP-el yang terbit sebelum 2015 tidak bisa dipakai mencoblos. Faktanya KTP lama tetap "
        "berlaku"], factchecks)
    assert tags.factchecks == []
    assert not [r for r in tags.risk.reasons if r.kind == "factcheck"]


def test_a_fact_check_match_on_a_named_body_composes_provocation(
        election_tagger: Tagger, factchecks: FactCheckMatcher) -> None:
    (tags,) = election_tagger.tag(["surat suara di gudang logistik KPU Sukamaju udh dicoblos buat 01 smua 😡"],
                                  factchecks)
    assert [m.factcheck_id for m in tags.factchecks] == [BALLOTS.factcheck_id]
    why = [(r.kind, r.ref) for r in tags.risk.reasons if r.label == "provocation"]
    assert ("factcheck", BALLOTS.factcheck_id) in why and ("entity", "election_body:kpu-sukamaju") in why


def test_siaga_tag_matches_lines_against_a_fact_check_file_as_the_pipeline_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "bisa nyoblos lewat sms ke 1187 ga usah ke tps, share ke ortu kalian"}) + "\n"
                      + json.dumps({"text": "harga cabe naik lagi, emak2 pusing"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    config = tmp_path / "siaga.yaml"
    config.write_text("{}\n", encoding="utf-8")
    assert main(["--config", str(config), "tag", "--input", str(source), "--output", str(out),
                 "--factchecks", "connectors/samples/factchecks.ndjson"]) == 0
    repeat, other = (json.loads(x)["tags"] for x in out.read_text(encoding="utf-8").splitlines())
    assert [m["url"] for m in repeat["factchecks"]] == ["https://cekfakta.sukamaju.example/2026/11/coblos-lewat-sms-1187"]
    assert any(r["kind"] == "factcheck" for r in repeat["risk"]["reasons"]) and other["factchecks"] == []
    assert capsys.readouterr().err == ""
