"""Memory of the import connector reading one very long NDJSON line (the 120 MB line of issue 12).

Run:  .venv/bin/python bench/import_long_line.py [--mb 120] [--junk]

Writes a temporary NDJSON export of three Apify TikTok items whose middle one carries a text of
``--mb`` MB (``--junk``: the middle line is not JSON at all), then, in a fresh child process,
reads it as ``ImportConnector.records`` does and wraps each failure in its dead letter as
``Connector.run`` does (no Kafka: this measures reading, not producing). It prints the child's
resident memory after start-up, its peak (``VmHWM``: unlike ``ru_maxrss`` it does not inherit
the parent's peak across ``exec``) while importing, and the growth. Exports of 8 MB or more are
read in worker processes (``connectors.imports.PARALLEL_BYTES``); their peak is printed too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import resource, sys, threading
from pathlib import Path
from connectors.imports import ImportConnector
from connectors.state import ConnectorState
from schemas.clock import utc_now
from schemas.deadletter import DeadLetter

def status_kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

path, state = Path(sys.argv[1]), Path(sys.argv[2])
connector = ImportConnector("bench", path, "apify-tiktok", ConnectorState(state))
before = status_kib("VmRSS")
posts = failures = 0
for record in connector.records(threading.Event()):
    if not record.produce:
        continue
    if record.failure is None:
        posts += 1
        continue
    failures += 1
    DeadLetter.wrap(record.value, stage="connector", reason=record.failure, error_type="NormaliseError",
                    source="connector:bench", key=record.key, failed_at=utc_now()).model_dump_json()
peak = status_kib("VmHWM")
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{before} {peak} {posts} {failures} {workers}")
"""


def item(number: int, text: str) -> dict:
    return {"id": f"73{number:017d}", "text": text, "createTimeISO": "2026-11-20T13:00:00.000Z",
            "authorMeta": {"name": f"warga_{number}"}, "diggCount": 1, "shareCount": 1, "playCount": 3,
            "commentCount": 0, "webVideoUrl": f"https://www.tiktok.com/@warga_{number}/video/73{number:017d}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=120, help="size of the long line in MB (10**6 bytes)")
    parser.add_argument("--junk", action="store_true", help="make the long line not JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.ndjson"
        with export.open("wb") as out:
            out.write(json.dumps(item(1, "Ayo ke TPS!")).encode() + b"\n")
            if args.junk:
                out.write(b"x" * (args.mb * 10**6) + b"\n")
            else:
                head, tail = json.dumps(item(2, "@@")).encode().split(b"@@")
                out.write(head + b"y" * (args.mb * 10**6) + tail + b"\n")
            out.write(json.dumps(item(3, "Jangan golput")).encode() + b"\n")
        done = subprocess.run([sys.executable, "-c", CHILD, str(export), str(Path(tmp) / "state.sqlite")],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
            sys.exit(1)
        before, peak, posts, failures, workers = (int(value) for value in done.stdout.split())
        size = export.stat().st_size
    print(f"export {size / 1e6:.1f} MB, one line of {args.mb} MB ({'not JSON' if args.junk else 'a JSON item'})")
    print(f"  posts {posts}, dead letters {failures}")
    print(f"  RSS after start-up {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
          f"growth {(peak - before) / 1024:.1f} MiB")
    if workers:
        print(f"  peak RSS of the largest import worker process {workers / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
