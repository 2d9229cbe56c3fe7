"""The pipeline's status files (``pipelines.common.metrics``): what ``siaga status`` reads."""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path

from pipelines.common.metrics import StatusFile, read_status_files


def test_a_workers_status_file_is_private_whatever_the_umask_and_reads_back(tmp_path: Path) -> None:
    # Its last errors can quote a post, so other users of the host must not read it.
    old = os.umask(0o002)
    try:
        status = StatusFile(tmp_path / "pipeline" / "status", "siaga-pipeline")
        status.failed("Elasticsearch refused: post 'bawa golok' ...")
        status.committed(3, Counter({"indexed": 3}))
    finally:
        os.umask(old)
    assert stat.S_IMODE(status.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(status.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "pipeline").stat().st_mode) == 0o700
    (read,) = read_status_files(status.path.parent)
    assert read["committed"] == 3 and read["indexed"] == 3 and len(read["last_errors"]) == 1
    assert [p.name for p in status.path.parent.iterdir()] == [status.path.name]
    status.remove()
    assert read_status_files(status.path.parent) == []
