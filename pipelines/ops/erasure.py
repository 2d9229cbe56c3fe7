"""``siaga erase``: remove a post, or every post of an author, from every store Siaga owns, for good.

A data subject's erasure request under UU 27/2022 (Pelindungan Data Pribadi). In order:

1. **The suppression list first** (``elasticsearch.erasures_index``, ``schemas.erasure``): from
   then on connectors drop the post before producing, and the pipeline and alerting drop it if
   it is still on a topic. Every component reads the list every ``erasure.refresh``.
2. **The posts index**: the documents, in every monthly index (by id; for an author also by
   ``platform`` + ``author.handle``).
3. **The alerts index**: alerts keep their figures (what was counted, when, which rule), but the
   erased posts leave their evidence (``posts``, ``post_ids``), ``erased`` says how many left, and
   a group named after an erased author or post becomes ``(dihapus)``. Removing beats redacting
   the text: a redacted entry would still carry the URL and post id that lead back to the post.
4. **Files on this machine**: the connectors' SQLite state and the outbox's records and
   ``.eml`` files that name the post (``connectors.state``, ``pipelines.delivery.outbox``). A
   component in another container forgets its own copy when it next reads the list: each
   connector its sent digest, the alerting job its engine state (windows, evidence,
   near-duplicate clusters, pending labels), which only that process may write.
5. **A second sweep** once every component has read the list (``erasure.refresh``): a post that
   a component with the old list indexed or alerted on meanwhile goes too.

What cannot be removed here, and how long it stays, is in the report: Kafka topics are
append-only (raw and tagged posts 7 days, dead letters 28 days; nothing reads them back into a
store, since the pipeline and alerting drop erased posts), emails already sent are in their
recipients' mailboxes, and snapshots expire on their own schedule (30 days).

Each erasure is logged and recorded on its list entries: who, when, what (post ids, or the
keyed hash of the author) and the reason; never the post's text or the author's handle.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from connectors.formats import facebook_post_id
from connectors.state import forget_in_state_dir
from pipelines.common.erasures import ErasureStore, erasure_key
from pipelines.common.verdicts import delete_verdicts
from pipelines.delivery.outbox import FilesRemoved, erase_files
from pipelines.ops.indices import ensure_indices, post_indices
from schemas.alert import Alert
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.erasure import Erasure, author_refs, keyed_hash
from schemas.errors import UsageError
from schemas.index import posts_pattern
from schemas.post import PLATFORMS, make_post_id, strip_controls

log = logging.getLogger(__name__)

ERASED_GROUP = "(dihapus)"
"""What an alert's group becomes when it named an erased author or post ("erased")."""
PAGE = 500
KAFKA_NOTE = ("Kafka keeps its copies until the topics' retention (raw and tagged posts 7 days, dead letters 28 "
              "days on Kubernetes, 7 in Compose): topics are append-only, and nothing reads them back into a store, "
              "since the pipeline and alerting drop erased posts; emails already sent stay with their recipients; "
              "snapshots expire after 30 days")


@dataclass(frozen=True)
class Target:
    """What to erase: one post (``post_id``), or every post of an account (``platform`` + ``handle``)."""

    kind: str
    platform: str
    post_id: str | None = None
    handle: str | None = None

    @classmethod
    def post(cls, value: str) -> Target:
        """``--post PLATFORM:NATIVE_ID`` (the post id Siaga shows everywhere).

        A Facebook Graph id (``<page>_<post>``, as a request may quote it from the platform) is
        read as Siaga keys Facebook posts: by the post part.
        """
        platform, _, native = strip_controls(value).partition(":")
        if platform not in PLATFORMS or not native:
            msg = f"--post {value!r}: give the post id as PLATFORM:ID, e.g. tiktok:7310000000000000001 " \
                  f"(platforms: {', '.join(PLATFORMS)})"
            raise UsageError(msg)
        if platform == "facebook":
            native = facebook_post_id(native)
        return cls("post", platform, post_id=make_post_id(platform, native))

    @classmethod
    def author(cls, value: str) -> Target:
        """``--author PLATFORM:HANDLE`` (case does not matter; a leading ``@`` is dropped)."""
        platform, _, handle = strip_controls(value).partition(":")
        handle = handle.strip().lstrip("@")
        if platform not in PLATFORMS or not handle:
            msg = f"--author {value!r}: give the account as PLATFORM:HANDLE, e.g. tiktok:warga_sukamaju " \
                  f"(platforms: {', '.join(PLATFORMS)})"
            raise UsageError(msg)
        return cls("author", platform, handle=handle)


@dataclass
class ErasureReport:
    """What an erasure removed (or, dry, would remove), with no content and no handle in it."""

    what: str
    dry_run: bool
    erased_at: datetime
    erased_by: str
    reason: str
    refresh_s: float
    post_ids: list[str] = field(default_factory=list)
    posts_deleted: int = 0
    alerts_changed: int = 0
    evidence_removed: int = 0
    groups_redacted: int = 0
    entries: list[str] = field(default_factory=list)
    connector_records: int | None = None
    outbox: FilesRemoved | None = None
    verdicts_deleted: int = 0
    second_sweep: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        """The report as ``siaga erase`` prints it."""
        removed = "would remove" if self.dry_run else "removed"
        lines = [f"{'DRY RUN: ' if self.dry_run else ''}erasure of {self.what} by {self.erased_by} at "
                 f"{self.erased_at.isoformat()}; reason: {self.reason}",
                 f"  posts index      : {'would delete' if self.dry_run else 'deleted'} {self.posts_deleted} post(s)"
                 + (f" ({', '.join(self.post_ids[:20])}{' ...' if len(self.post_ids) > 20 else ''})"
                    if self.post_ids else ""),
                 f"  alerts index     : {removed} {self.evidence_removed} post(s) from the evidence of "
                 f"{self.alerts_changed} alert(s); {self.groups_redacted} group name(s) replaced by {ERASED_GROUP}",
                 f"  verdicts index   : {'would delete' if self.dry_run else 'deleted'} {self.verdicts_deleted} "
                 "officers' verdict(s) on these posts",
                 f"  suppression list : {'would add' if self.dry_run else 'added'} {len(self.entries)} entry(ies); "
                 f"connectors, pipeline and alerting drop these posts within {self.refresh_s:.0f} s"]
        state, outbox = self.connector_records, self.outbox
        lines.append("  connector state  : " + (f"{removed} {state} sent-post record(s)" if state is not None else
                                                "not on this machine; each connector forgets it when it reads the list"))
        lines.append("  outbox           : " + (f"{removed} {outbox.records} record(s), {outbox.failed} failed/ "
                                                f"file(s), {outbox.eml} .eml file(s)" if outbox is not None else
                                                "not on this machine"))
        lines.append(f"  alerting state   : the alerting job forgets the posts itself within {self.refresh_s:.0f} s "
                     "(windows, evidence, near-duplicate clusters)")
        if self.second_sweep:
            lines.append("  second sweep     : " + ", ".join(f"{name} {n}" for name, n in self.second_sweep.items()))
        lines.append(f"  not removable    : {KAFKA_NOTE}")
        if self.dry_run:
            lines.append("nothing was changed; run without --dry-run to erase")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The report as ``siaga erase --json`` prints it."""
        outbox = self.outbox
        return {
            "what": self.what, "dry_run": self.dry_run, "erased_at": self.erased_at.isoformat(),
            "erased_by": self.erased_by, "reason": self.reason, "post_ids": self.post_ids,
            "posts_deleted": self.posts_deleted, "alerts_changed": self.alerts_changed,
            "evidence_removed": self.evidence_removed, "groups_redacted": self.groups_redacted,
            "suppression_entries": len(self.entries), "refresh_seconds": self.refresh_s,
            "connector_records": self.connector_records, "verdicts_deleted": self.verdicts_deleted,
            "outbox": None if outbox is None else {"records": outbox.records, "failed": outbox.failed,
                                                   "eml": outbox.eml},
            "second_sweep": self.second_sweep, "not_removable": KAFKA_NOTE,
        }


def operator_name() -> str:
    """Who runs the command, for the record: the login name, else the user id."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        return f"uid {os.getuid()}"


def _search(es: Elasticsearch, index: str, query: dict[str, Any], sort_field: str,
            source: list[str] | bool = True) -> Iterator[dict[str, Any]]:
    after: list[Any] | None = None
    while True:
        page = es.search(index=index, query=query, size=PAGE, sort=[{sort_field: "asc"}],
                         source=source,  # type: ignore[arg-type]  # the stub lacks the list form
                         search_after=after)["hits"]["hits"]
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1]["sort"]


def _ci_term(field_name: str, value: str) -> dict[str, Any]:
    return {"term": {field_name: {"value": value, "case_insensitive": True}}}


class Eraser:
    """Carries out one erasure against the configured Elasticsearch and the folders on this machine."""

    def __init__(self, settings: Settings, es: Elasticsearch, clock: Clock | None = None) -> None:
        self.settings = settings
        self.es = es
        self.clock = clock or process_clock()
        self.key = erasure_key(settings)

    # --- finding ------------------------------------------------------------------------------

    def _post_query(self, target: Target, post_ids: list[str]) -> dict[str, Any]:
        should: list[dict[str, Any]] = [{"ids": {"values": post_ids}}] if post_ids else []
        if target.kind == "author":
            should.append({"bool": {"filter": [{"term": {"platform": target.platform}},
                                               _ci_term("author.handle", target.handle or "")]}})
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def find_posts(self, target: Target) -> list[dict[str, Any]]:
        """The erased posts in the posts index: id, platform, URL, author handle and id (no text)."""
        alias = self.settings.elasticsearch.posts_index
        if not post_indices(self.es, alias):
            return []
        self.es.indices.refresh(index=alias)
        ids = [target.post_id] if target.post_id else []
        return [hit["_source"] for hit in _search(self.es, alias, self._post_query(target, ids), "post_id",
                                                  ["post_id", "platform", "url", "author.handle", "author.id"])]

    def _alert_query(self, target: Target, post_ids: list[str]) -> dict[str, Any]:
        should: list[dict[str, Any]] = []
        if post_ids:
            should += [{"terms": {"post_ids": post_ids}}, {"terms": {"posts.post_id": post_ids}},
                       {"terms": {"group": post_ids}}]
        if target.kind == "author":
            should += [{"bool": {"filter": [{"term": {"posts.platform": target.platform}},
                                            _ci_term("posts.author_handle", target.handle or "")]}},
                       {"bool": {"filter": [{"term": {"group_by": "author"}},
                                            _ci_term("group", f"{target.platform}:{target.handle}")]}}]
        return {"bool": {"should": should, "minimum_should_match": 1}}

    # --- removing -----------------------------------------------------------------------------

    def delete_posts(self, target: Target, post_ids: list[str], *, dry_run: bool) -> int:
        """Delete the posts from every monthly index (by the pattern: an alias reaches one index on noida-db)."""
        alias = self.settings.elasticsearch.posts_index
        if not post_indices(self.es, alias):
            return 0
        query = self._post_query(target, post_ids)
        if not query["bool"]["should"]:
            return 0
        if dry_run:
            return int(self.es.count(index=alias, query=query)["count"])
        result = self.es.delete_by_query(index=posts_pattern(alias), query=query, refresh=True, conflicts="proceed")
        return int(result.get("deleted", 0))

    def clean_alerts(self, target: Target, post_ids: list[str], *, dry_run: bool) -> tuple[int, int, int, list[str]]:
        """Take the erased posts out of the alerts; return (alerts changed, entries removed, groups redacted, ids)."""
        index = self.settings.elasticsearch.alerts_index
        query = self._alert_query(target, post_ids)
        if not query["bool"]["should"] or not self.es.indices.exists(index=index):
            return 0, 0, 0, []
        self.es.indices.refresh(index=index)
        erased = set(post_ids)
        handle = (target.handle or "").casefold()
        changed = removed = redacted = 0
        alert_ids: list[str] = []
        for hit in list(_search(self.es, index, query, "alert_id")):
            alert = Alert.model_validate(hit["_source"])

            def is_erased(post_id: str, platform: str, author: str) -> bool:
                return post_id in erased or (target.kind == "author" and platform == target.platform
                                             and author.casefold() == handle)

            posts = [post for post in alert.posts if not is_erased(post.post_id, post.platform, post.author_handle)]
            gone = {post.post_id for post in alert.posts} - {post.post_id for post in posts}
            ids = [pid for pid in alert.post_ids if pid not in erased and pid not in gone]
            group_erased = alert.group in erased or (
                target.kind == "author" and alert.group_by == "author"
                and alert.group.casefold() == f"{target.platform}:{handle}")
            taken = len(alert.posts) - len(posts) + len(set(alert.post_ids) - set(ids) - gone)
            if not taken and not group_erased:
                continue
            changed += 1
            removed += taken
            redacted += int(group_erased)
            alert_ids.append(alert.alert_id)
            if dry_run:
                continue
            doc: dict[str, Any] = {"posts": [post.model_dump(mode="json") for post in posts], "post_ids": ids,
                                   "erased": alert.erased + taken}
            if group_erased:
                doc["group"] = ERASED_GROUP
            # A partial update: the alerting job writes other fields of the same document (delivery,
            # state), never these.
            self.es.update(index=index, id=alert.alert_id, doc=doc, retry_on_conflict=5)
        if changed and not dry_run:
            self.es.indices.refresh(index=index)
        return changed, removed, redacted, alert_ids

    # --- the whole erasure ------------------------------------------------------------------------

    def entries(self, target: Target, found: list[dict[str, Any]], post_ids: list[str], *, by: str, reason: str,
                at: datetime) -> list[Erasure]:
        """The suppression list entries for this erasure: post ids, and the author's keyed hashes."""
        entries = [Erasure(kind="post", key=pid, platform=pid.partition(":")[0], erased_at=at, erased_by=by,
                           reason=reason) for pid in post_ids]
        if target.kind == "author":
            refs = set(author_refs(target.platform, target.handle))
            for post in found:
                author = post.get("author") or {}
                if post.get("platform") == target.platform and author.get("id"):
                    refs.update(author_refs(target.platform, None, str(author["id"])))
            entries += [Erasure(kind="author", key=keyed_hash(ref, self.key), platform=target.platform, erased_at=at,
                                erased_by=by, reason=reason) for ref in sorted(refs)]
        return entries

    def erase(self, target: Target, *, reason: str, by: str | None = None, dry_run: bool = False,
              recheck: bool = True) -> ErasureReport:
        """Erase ``target`` everywhere Siaga can reach from here; see the module doc for the order."""
        settings = self.settings
        at = self.clock.now()
        by = by or operator_name()
        if not reason.strip():
            msg = "--reason must say why (the request's reference), and may not be empty"
            raise UsageError(msg)
        if not dry_run and not self.es.indices.exists(index=settings.elasticsearch.erasures_index):
            ensure_indices(self.es, settings, self.clock)
        found = self.find_posts(target)
        post_ids = sorted({post["post_id"] for post in found} | ({target.post_id} if target.post_id else set()))
        entries = self.entries(target, found, post_ids, by=by, reason=reason, at=at)
        what = (f"post {target.post_id}" if target.kind == "post" else
                f"author {target.platform}:{keyed_hash(author_refs(target.platform, target.handle)[0], self.key)}")
        report = ErasureReport(what, dry_run, at, by, reason, settings.erasure.refresh.total_seconds(),
                               post_ids=post_ids, entries=[entry.doc_id for entry in entries])
        if not dry_run:
            ErasureStore(self.es, settings.elasticsearch.erasures_index).add(entries)
        report.posts_deleted = self.delete_posts(target, post_ids, dry_run=dry_run)
        report.alerts_changed, report.evidence_removed, report.groups_redacted, alert_ids = self.clean_alerts(
            target, post_ids, dry_run=dry_run)
        # A verdict keeps its post's text (for retraining): it goes with the post.
        report.verdicts_deleted = delete_verdicts(self.es, settings.elasticsearch.verdicts_index, post_ids=post_ids,
                                                  dry_run=dry_run)
        state_dir = settings.connectors.state_dir
        if state_dir.is_dir():
            report.connector_records = forget_in_state_dir(state_dir, post_ids, dry_run=dry_run)
        queue, eml_dir = settings.alerting.state_dir / "queue", settings.email.outbox_dir
        if queue.is_dir() or eml_dir.is_dir():
            markers = [*post_ids, *(str(post.get("url") or "") for post in found)]
            if target.kind == "author":
                markers += [f"@{target.handle}", f"{target.platform}:{target.handle}"]
            report.outbox = erase_files(queue, eml_dir, markers, alert_ids, dry_run=dry_run)
        log.warning("erasure of %s by %s at %s: %s %d post(s) [%s], %d alert(s) cleaned, %d list entries; reason: %s",
                    what, by, at.isoformat(), "would delete" if dry_run else "deleted", report.posts_deleted,
                    ", ".join(post_ids[:50]) + (" ..." if len(post_ids) > 50 else ""), report.alerts_changed,
                    len(entries), reason)
        if recheck and not dry_run:
            report.second_sweep = self.sweep_again(target, post_ids)
        return report

    def sweep_again(self, target: Target, post_ids: list[str]) -> dict[str, int]:
        """Once every component has read the list, delete what one with the old list wrote meanwhile."""
        # The process clock waits for real; a test's fixed clock moves on at once.
        self.clock.sleep(self.settings.erasure.refresh.total_seconds() + 2.0)
        ids = sorted(set(post_ids) | {post["post_id"] for post in self.find_posts(target)})
        posts = self.delete_posts(target, ids, dry_run=False)
        alerts, _, _, _ = self.clean_alerts(target, ids, dry_run=False)
        delete_verdicts(self.es, self.settings.elasticsearch.verdicts_index, post_ids=ids)
        if posts or alerts:
            log.warning("erasure: the second sweep removed %d post(s) and cleaned %d alert(s) that components "
                        "wrote before they read the list", posts, alerts)
        return {"posts": posts, "alerts": alerts}


def erase(settings: Settings, target: Target, *, reason: str, by: str | None = None, dry_run: bool = False,
          recheck: bool = True, clock: Clock | None = None) -> ErasureReport:
    """Erase ``target`` (see ``Eraser``) with a client of the configured Elasticsearch."""
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        return Eraser(settings, es, clock).erase(target, reason=reason, by=by, dry_run=dry_run, recheck=recheck)
    finally:
        es.close()

