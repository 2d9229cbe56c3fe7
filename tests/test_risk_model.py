"""The risk model learns from the 2019 hate-speech tweets: the label map, the markers, the attributes, the figures.

Honest by construction: models here are trained on tweets of the train split and judged on
tweets of the test split (``corpus.split_of``), never on what they saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.tagging import corpus, features
from pipelines.tagging.models import NORMALISERS, Classifier, evaluate, train
from pipelines.tagging.tagger import Tagger
from schemas.config import TaggingSettings
from schemas.model import Example

DATA = Path(__file__).resolve().parent.parent / "data"
HATESPEECH = DATA / "third_party" / "id-hatespeech-2019" / "train.csv"
HEADER = "Tweet,HS,Abusive,HS_Individual,HS_Group,HS_Religion,HS_Race,HS_Physical,HS_Gender,HS_Other,HS_Weak,HS_Moderate,HS_Strong\n"


def test_the_2019_columns_map_onto_risk_labels_and_hate_speech_attributes(tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text(HEADER + "USER kaum itu harus diusir dari negeri ini URL,1,1,0,1,1,0,0,0,0,0,0,1\n"
                               "Selamat pagi semua,0,0,0,0,0,0,0,0,0,0,0,0\n", encoding="utf-8")
    hateful, benign = list(corpus._hatespeech(source))
    assert hateful.labels == ("hate_speech", "abusive", "target:group", "category:religion", "strength:strong")
    assert hateful.text == "@user kaum itu harus diusir dari negeri ini https://url"
    assert benign.labels == ()


def test_race_is_the_ethnicity_category_and_every_column_has_a_label() -> None:
    assert corpus.HATESPEECH_2019["HS_Race"] == "category:ethnicity"
    assert HATESPEECH.read_text(encoding="utf-8").splitlines()[0] == HEADER.strip()
    assert set(HEADER.strip().split(",")[1:]) == set(corpus.HATESPEECH_2019)


def test_a_tweet_reads_as_a_post_emoji_and_all() -> None:
    raw = "RT USER: USER dasar \\xf0\\x9f\\x98\\xa1 &amp; \\nlihat URL'"
    assert corpus._tweet(raw) == "@user dasar  😡  & \nlihat https://url"
    assert corpus.tweet_group(raw) == corpus.tweet_group("USER dasar & lihat")


def test_the_same_tweet_in_both_sets_is_kept_once_with_the_richer_labels(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "third_party" / "id-abusive-2018").mkdir(parents=True)
    (data / "third_party" / "id-hatespeech-2019").mkdir(parents=True)
    (data / "third_party" / "nusax").mkdir(parents=True)
    (data / "corpus" / "written").mkdir(parents=True)
    (data / "third_party" / "id-abusive-2018" / "re_dataset_three_labels.csv").write_text(
        "Label,Tweet\n3,USER dasar cebong goblok\n", encoding="utf-8")
    (data / "third_party" / "id-hatespeech-2019" / "train.csv").write_text(
        HEADER + "USER dasar cebong goblok,1,1,1,0,0,0,0,0,1,1,0,0\n", encoding="utf-8")
    corpus.build_splits(data, tmp_path / "splits")
    rows = [json.loads(line) for path in (tmp_path / "splits" / "risk").glob("*.jsonl") if "-" not in path.stem
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["source"] == "id-hatespeech-2019"
    assert "target:individual" in rows[0]["labels"]


@pytest.mark.parametrize(("text", "markers"), [
    ("dasar anjiiing lo", "xabusivex"),
    ("@budi kamu BODOH BANGET ya!!", "xuser xcaps xbangs xabusivex"),
    ("lihat https://t.co/x ya!", "xurl xbang"),
    ("selamat pagi semua", ""),
    ("dasar ayam kampus", "xabusivex"),
])
def test_the_risk_markers_say_where_abuse_shouting_mentions_and_links_are(text: str, markers: str) -> None:
    from pipelines.tagging.text import normalise_for_classifier

    assert features.risk_markers(text, normalise_for_classifier(text)) == markers


def test_the_shipped_abusive_list_is_what_the_derivation_gives() -> None:
    from pipelines.tagging import slang

    derived = features.derive(features.SOURCE.read_text(encoding="utf-8").splitlines(), slang.load())
    assert features.SHIPPED.read_text(encoding="utf-8") == features.render(derived)


def _slice(split: str, count: int) -> list[Example]:
    chosen = [item for item in corpus._hatespeech(HATESPEECH)
              if corpus.split_of(item.group) == split]
    return [Example(text=item.text, labels=list(item.labels)) for item in chosen[:count]]


def _write(path: Path, examples: list[Example]) -> Path:
    path.write_text("".join(e.model_dump_json() + "\n" for e in examples), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Example]]:
    folder = tmp_path_factory.mktemp("risk")
    out = folder / "risk.ftz"
    train("risk", _write(folder / "train.jsonl", _slice("train", 3000)), out,
          _write(folder / "valid.jsonl", _slice("valid", 400)))
    return out, _slice("test", 400)


def test_a_model_trained_on_a_slice_of_the_train_split_finds_hate_speech_in_test_tweets(
        small_model: tuple[Path, list[Example]]) -> None:
    model, test = small_model
    metrics = evaluate(Classifier.load(model, "risk"), test, "test")
    assert {"hate_speech", "abusive", "target:group", "strength:weak"} <= set(metrics.labels)
    assert metrics.labels["hate_speech"].f1 > 0.6 and metrics.labels["abusive"].f1 > 0.7
    assert metrics.exact_match_attributes is not None and metrics.exact_match >= metrics.exact_match_attributes


def test_attributes_come_only_with_hate_speech_and_one_of_each(small_model: tuple[Path, list[Example]]) -> None:
    model, test = small_model
    classifier = Classifier.load(model, "risk")
    assert classifier.meta.normalisation == "risk"
    clean = NORMALISERS[classifier.meta.normalisation]
    for row in classifier.scores([clean(e.text) for e in test]):
        chosen = classifier.decide(row)
        groups = [label.partition(":")[0] for label in chosen if ":" in label]
        if "hate_speech" in chosen:
            assert sorted(groups) == ["category", "strength", "target"]
        else:
            assert groups == []


def test_the_tagger_fills_target_category_and_strength_of_held_out_hateful_tweets(
        small_model: tuple[Path, list[Example]]) -> None:
    model, test = small_model
    tagger = Tagger(TaggingSettings(risk_model=model))
    hateful = [e for e in test if "hate_speech" in e.labels]
    tags = tagger.tag([e.text for e in hateful])
    found = [t for t in tags if any(label.label == "hate_speech" for label in t.risk.labels)]
    assert len(found) > len(hateful) / 2
    for t in found:
        assert t.risk.target in ("individual", "group") and t.risk.strength in ("weak", "moderate", "strong")
        assert len(t.risk.categories) == 1
        assert not any(":" in label.label for label in t.risk.labels)


@pytest.mark.slow
def test_evaluate_reports_per_label_figures_false_alarms_awas_and_the_baseline(
        small_model: tuple[Path, list[Example]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    model, test = small_model
    data = _write(tmp_path / "test.jsonl", test)
    train_file = _write(tmp_path / "train.jsonl", _slice("train", 800))
    valid_file = _write(tmp_path / "valid.jsonl", _slice("valid", 200))
    assert main(["model", "evaluate", "--task", "risk", "--model", str(model), "--data", str(data),
                 "--baseline", str(train_file), str(valid_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == len(test) and report["labels"]["hate_speech"]["support"] > 0
    assert set(report["false_alarms"]) == {"demo sample, benign posts", "written examples with no risk label"}
    assert all(row["posts"] > 100 for row in report["false_alarms"].values())
    assert "precision" in report["awas"]
    assert report["valid"]["baseline"]["labels"]["hate_speech"]["f1"] > 0.5
