"""`siaga run` as an operator launches it: a separate process, stopped by a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from tests.conftest import Stack, free_port, make_post, make_settings, write_jsonl

REPO = Path(__file__).resolve().parents[1]


def siaga_process(config: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIAGA_")}
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--config", str(config), *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_siaga_run_keeps_going_until_sigterm_then_stops_cleanly(stack: Stack, tmp_path: Path) -> None:
    posts = [make_post(f"60{i}", minutes=i) for i in range(20)]
    settings = make_settings(stack, tmp_path,
                             sources=[{"name": "s", "type": "replay", "path": str(write_jsonl(tmp_path / "p.jsonl", posts))}])
    config = next(tmp_path.glob("siaga-*.yaml"))
    process = siaga_process(config, "run")
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        deadline = time.monotonic() + 60
        indexed = 0
        while indexed < 20:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "posts did not reach Elasticsearch"
            time.sleep(0.5)
            if es.indices.exists(index=settings.elasticsearch.posts_index):
                es.indices.refresh(index=settings.elasticsearch.posts_index)
                indexed = es.count(index=settings.elasticsearch.posts_index)["count"]
        time.sleep(1)
        assert process.poll() is None, "without --until-idle the run keeps waiting for more posts"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        es.close()
    assert process.returncode == 0, err
    assert "Siaga run finished" in out
    assert "records in             : 20" in out


@pytest.mark.services
def test_siaga_run_without_services_says_how_to_start_them(tmp_path: Path) -> None:
    config = tmp_path / "siaga.yaml"
    config.write_text(json.dumps({"stack": {"kafka_port": free_port(), "elasticsearch_port": free_port()}}))
    process = siaga_process(config, "run", "--until-idle")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 3  # a service is not reachable
    assert "kafka at 127.0.0.1:" in err and "is not reachable (start it with `siaga stack up`)" in err
    assert out == ""
