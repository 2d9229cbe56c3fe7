"""Near-duplicate clusters of post text: MinHash signatures with LSH banding, in event time.

A copy-paste campaign posts the same text from many accounts with small edits: another
hashtag, an emoji, a changed word. Texts are normalised (case, URLs, mentions, hashtags,
punctuation and invisible characters removed) and cut into character 5-grams; a 64-value
MinHash signature estimates the Jaccard similarity of two texts' 5-gram sets. Sixteen bands of
four values find candidate clusters without comparing against every cluster; a post joins
the most similar candidate at or above ``similarity``, otherwise it starts its own cluster.

Everything is deterministic across processes (CRC32 shingle hashes, fixed permutation seeds),
so a cluster id is the same after a restart or in a backtest: ``cl-`` and a hash of the post
that opened the cluster.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SHINGLE = 5
_PRIME = np.uint64(4_294_967_311)  # the first prime above 2**32
_rng = np.random.RandomState(2026)
_A = _rng.randint(1, 2**31 - 1, size=PERMUTATIONS).astype(np.uint64)
_B = _rng.randint(0, 2**31 - 1, size=PERMUTATIONS).astype(np.uint64)

_URL = re.compile(r"https?://\S+|www\.\S+")
_TAGS = re.compile(r"[#@][\w.]+")
_NOT_WORD = re.compile(r"[^\w]+|_")


def normalise(text: str) -> str:
    """Text reduced to what a copy-paste campaign keeps: lower-case words, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "So", "Sk", "Mn"))
    text = _TAGS.sub(" ", _URL.sub(" ", text))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a normalised text, or ``None`` when it is too short to compare."""
    if len(text) < SHINGLE:
        return None
    shingles = {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    hashes = np.fromiter((zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles))
    return ((hashes[:, None] * _A + _B) % _PRIME).min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def _bands(sig: np.ndarray) -> list[str]:
    return [f"{band}:{sig[band * ROWS:(band + 1) * ROWS].tobytes().hex()}" for band in range(BANDS)]


def cluster_id_for(first_post_id: str) -> str:
    """The id of the cluster opened by ``first_post_id``."""
    return "cl-" + hashlib.sha256(first_post_id.encode()).hexdigest()[:12]


@dataclass
class Cluster:
    """One group of near-identical texts: the opening post's signature and when it was last joined."""

    cluster_id: str
    signature: np.ndarray
    last_seen: datetime
    size: int = 1


class NearDuplicateIndex:
    """Assigns each post to a cluster of near-identical texts; forgets clusters idle for ``memory``."""

    def __init__(self, threshold: float, min_chars: int, memory: timedelta) -> None:
        self.threshold = threshold
        self.min_chars = min_chars
        self.memory = memory
        self.clusters: dict[str, Cluster] = {}
        self.buckets: dict[str, set[str]] = {}
        self.assigned: dict[str, tuple[str, datetime]] = {}
        """post id → (cluster id, post time), so a post seen again keeps its cluster and is counted once;
        forgotten with the cluster, or after ``memory`` even while the cluster goes on."""

    def assign(self, post_id: str, text: str, at: datetime) -> Cluster | None:
        """The cluster ``post_id`` belongs to (joining or opening one); ``None`` if too short."""
        known = self.assigned.get(post_id)
        if known is not None and known[0] in self.clusters:
            return self.clusters[known[0]]
        norm = normalise(text)
        if len(norm) < self.min_chars:
            return None
        sig = signature(norm)
        if sig is None:
            return None
        bands = _bands(sig)
        best: tuple[float, str] | None = None
        for key in bands:
            for candidate in self.buckets.get(key, ()):
                score = similarity(sig, self.clusters[candidate].signature)
                if score >= self.threshold and (best is None or (score, candidate) > best):
                    best = (score, candidate)
        if best is not None:
            cluster = self.clusters[best[1]]
            cluster.size += 1
            cluster.last_seen = max(cluster.last_seen, at)
        else:
            cluster = Cluster(cluster_id_for(post_id), sig, at)
            self.clusters[cluster.cluster_id] = cluster
            for key in bands:
                self.buckets.setdefault(key, set()).add(cluster.cluster_id)
        self.assigned[post_id] = (cluster.cluster_id, at)
        return cluster

    def forget_before(self, horizon: datetime, singles_horizon: datetime | None = None) -> None:
        """Drop clusters not joined since ``horizon`` (single posts since ``singles_horizon``), and posts before it.

        A post nobody copied only matters while a copy could still arrive within a rule's window;
        a real cluster is kept longer so a re-fetched member gets its label back. A campaign that
        goes on for days keeps its cluster, but not its members older than ``horizon``: a week
        of hourly copies would otherwise all stay in the state.
        """
        singles = singles_horizon or horizon
        stale = {cid for cid, cluster in self.clusters.items()
                 if cluster.last_seen < (singles if cluster.size == 1 else horizon)}
        for cid in stale:
            self._drop(cid)
        self.assigned = {pid: (cid, at) for pid, (cid, at) in self.assigned.items()
                         if cid not in stale and at >= horizon}

    def forget(self, post_ids: set[str] | frozenset[str]) -> int:
        """Forget erased posts: their assignment, and a cluster no other post joined; return how many.

        A cluster others joined stays (it is theirs too), one member smaller; its signature is
        its opener's MinHash, 64 numbers from which the text cannot be read back.
        """
        forgotten = 0
        for pid in post_ids:
            known = self.assigned.pop(pid, None)
            if known is None:
                continue
            forgotten += 1
            cluster = self.clusters.get(known[0])
            if cluster is None:
                continue
            if cluster.size <= 1:
                self._drop(cluster.cluster_id)
            else:
                cluster.size -= 1
        return forgotten

    def _drop(self, cid: str) -> None:
        """Remove a cluster and its entries in the LSH buckets (an empty bucket goes too)."""
        for key in _bands(self.clusters.pop(cid).signature):
            members = self.buckets.get(key)
            if members is not None:
                members.discard(cid)
                if not members:
                    del self.buckets[key]

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state; signatures as base64 of their bytes."""
        return {
            "clusters": [
                [c.cluster_id, base64.b64encode(c.signature.astype("<u8").tobytes()).decode(), c.last_seen.isoformat(),
                 c.size]
                for c in self.clusters.values()
            ],
            "assigned": {pid: [cid, at.isoformat()] for pid, (cid, at) in self.assigned.items()},
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Load a snapshot."""
        self.clusters, self.buckets = {}, {}
        for cid, sig, last_seen, size in data["clusters"]:
            signature_ = np.frombuffer(base64.b64decode(sig), dtype="<u8").astype(np.uint64)
            self.clusters[cid] = Cluster(cid, signature_, datetime.fromisoformat(last_seen), size)
            for key in _bands(signature_):
                self.buckets.setdefault(key, set()).add(cid)
        self.assigned = {}
        for pid, item in data["assigned"].items():
            # version 2 of the state kept only the cluster id: the cluster's last join stands in for the time
            cid, at = (item, None) if isinstance(item, str) else item
            if cid in self.clusters:
                self.assigned[pid] = (cid, datetime.fromisoformat(at) if at else self.clusters[cid].last_seen)
