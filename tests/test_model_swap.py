"""The tagger picks up a model installed under it without a restart, and a bad install changes nothing.

``siaga model retrain`` installs into ``tagging.model_dir``; the pipeline asks the tagger to
``reload_if_changed`` between batches. Models here are tiny ones trained in a fraction of a second.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipelines.tagging.retrain import _install as install
from pipelines.tagging.retrain import rollback
from pipelines.tagging.tagger import Tagger, default_model, model_path
from schemas.config import TaggingSettings

pytestmark = pytest.mark.services  # trains its models in a process of its own

TEXTS = ["ada amplop serangan fajar untuk warga", "ayo ke TPS jangan golput", "dasar bodoh kampret"]


def tiny_risk_model(folder: Path, label: str) -> Path:
    """A risk model that calls money talk ``label``: different bytes, different version.

    Trained in a process of its own: in a process where other tests ran first (tests/test_lexicon.py,
    for one), fastText stops on this tiny data with "Encountered NaN"; in a fresh one it does not.
    """
    data = folder / f"{label}.jsonl"
    rng = random.Random(label)
    filler = "aku kamu dia kita sih dong deh nih ya kok warga desa hari ini besok".split()
    lines = [{"text": " ".join(rng.sample("amplop serangan fajar uang bagi".split(), 3) + rng.sample(filler, 4)),
              "labels": [label]} for _ in range(150)]
    lines += [{"text": " ".join(rng.sample("ayo ke tps jangan golput coblos".split(), 3) + rng.sample(filler, 4)),
               "labels": []} for _ in range(150)]
    data.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = folder / "candidate" / label / "risk.ftz"
    code = ("import sys; from pathlib import Path; from pipelines.tagging.models import train; "
            "train('risk', Path(sys.argv[1]), Path(sys.argv[2]), params={'epoch': 10, 'bucket': 2000})")
    subprocess.run([sys.executable, "-c", code, str(data), str(out)], check=True, capture_output=True)
    return out


@pytest.fixture
def tagging(tmp_path: Path) -> TaggingSettings:
    return TaggingSettings(model_dir=tmp_path / "models")


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("tiny")
    return [tiny_risk_model(folder, label) for label in ("money_politics", "hoax")]


def test_an_installed_model_is_used_from_the_next_batch_and_rollback_brings_the_old_one_back(
        tagging: TaggingSettings, tmp_path: Path, tiny_models: list[Path]) -> None:
    tagger = Tagger(tagging)
    before = tagger.tag(TEXTS)[0].info
    assert tagger.reload_if_changed() == []
    staged = tmp_path / "staged" / "risk.ftz"
    staged.parent.mkdir()
    shutil.copyfile(tiny_models[0], staged)
    shutil.copyfile(tiny_models[0].with_suffix(".json"), staged.with_suffix(".json"))
    install(staged, tagging.model_dir / "risk.ftz", default_model("risk"))
    assert model_path(tagging, "risk") == tagging.model_dir / "risk.ftz"
    assert tagger.reload_if_changed() == ["risk"]
    after = tagger.tag(TEXTS)
    assert after[0].info is not None and before is not None
    assert after[0].info.model.version != before.model.version
    assert [s.label for s in after[0].risk.labels] == ["money_politics"]
    assert tagger.reload_if_changed() == []  # nothing new: no reload
    rollback(tagging.model_dir / "risk.ftz")
    assert tagger.reload_if_changed() == ["risk"]
    assert tagger.tag(TEXTS)[0].info == before


def test_a_broken_install_leaves_the_model_in_use_and_is_logged_once(
        tagging: TaggingSettings, caplog: pytest.LogCaptureFixture) -> None:
    tagger = Tagger(tagging)
    before = tagger.tag(TEXTS)
    tagging.model_dir.mkdir(parents=True)
    shutil.copyfile(default_model("risk").with_suffix(".json"), tagging.model_dir / "risk.json")
    (tagging.model_dir / "risk.ftz").write_bytes(b"half a model")
    with caplog.at_level(logging.ERROR):
        assert tagger.reload_if_changed() == []
        assert tagger.reload_if_changed() == []
    assert caplog.text.count("cannot be loaded; the one in use stays") == 1
    assert tagger.tag(TEXTS) == before


def test_tagging_goes_on_while_models_are_swapped_under_it(tagging: TaggingSettings, tmp_path: Path,
                                                           tiny_models: list[Path]) -> None:
    tagger = Tagger(tagging)
    models = tiny_models
    errors: list[BaseException] = []
    versions: set[str] = set()
    stop = threading.Event()

    def keep_tagging() -> None:
        while not stop.is_set():
            try:
                batch = tagger.tag(TEXTS)
                # one batch, one model: every post of it names the same version
                assert len({tags.info.model.version for tags in batch if tags.info}) == 1
                versions.add(batch[0].info.model.version if batch[0].info else "")
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
                errors.append(exc)
                return

    worker = threading.Thread(target=keep_tagging)
    worker.start()
    try:
        for round_ in range(6):
            source = models[round_ % 2]
            staged = tmp_path / f"stage-{round_}" / "risk.ftz"
            staged.parent.mkdir()
            shutil.copyfile(source, staged)
            shutil.copyfile(source.with_suffix(".json"), staged.with_suffix(".json"))
            install(staged, tagging.model_dir / "risk.ftz", model_path(tagging, "risk"))
            assert tagger.reload_if_changed() == ["risk"]
    finally:
        stop.set()
        worker.join(timeout=10)
    assert errors == []
    assert len(versions) >= 2
