"""Backtesting: replay rules over posts already in Elasticsearch and say what they would have fired.

``siaga alerts test-rule RULE.yaml --from ... --to ...`` reads the posts of the period from the
posts alias in ``created_at`` order (``search_after`` pages, so any period size works), feeds
them to the same ``RuleEngine`` the alerting job runs, and prints every alert and resolution it
would have produced, with counts against the threshold. Nothing is indexed, published or sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from elasticsearch import Elasticsearch
from pydantic import TypeAdapter, ValidationError

from pipelines.alerting.engine import Breach, Resolution, RuleEngine
from pipelines.alerting.job import alert_from
from pipelines.delivery.emails import subject_of
from schemas.alert import Alert
from schemas.clock import parse_instant, wib
from schemas.config import Rule, RuleBase, Settings
from schemas.errors import ConfigError
from schemas.post import TaggedPost

PAGE = 1000


def load_rules(path: Path) -> list[RuleBase]:
    """Rules from a YAML file holding one rule, a list of rules, or a ``rules:`` section."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read rule file {path}: {exc}"
        raise ConfigError(msg) from exc
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    items = data if isinstance(data, list) else [data]
    rules, errors = [], []
    for number, item in enumerate(items, 1):
        name = item.get("id") if isinstance(item, dict) and item.get("id") else f"#{number}"
        try:
            rules.append(TypeAdapter(Rule).validate_python(item))
        except ValidationError as exc:
            for error in exc.errors():
                loc = [str(part) for part in error["loc"][1:]] if len(error["loc"]) > 1 else []
                errors.append(f"  rules[{name}]{'.' if loc else ''}{'.'.join(loc)}: {error['msg']}")
    if errors:
        raise ConfigError(f"invalid rule file {path}:\n" + "\n".join(errors))
    return rules


def parse_time(text: str) -> datetime:
    """An ISO date or date-time; without a zone it is read as WIB, the time officers use."""
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def posts_between(es: Elasticsearch, index: str, start: datetime, end: datetime) -> Iterator[TaggedPost]:
    """Posts with ``start <= created_at < end``, oldest first, paged with ``search_after``."""
    after: list[Any] | None = None
    while True:
        page = es.search(
            index=index,
            size=PAGE,
            query={"range": {"created_at": {"gte": start.isoformat(), "lt": end.isoformat()}}},
            sort=[{"created_at": "asc"}, {"post_id": "asc"}],
            search_after=after,
        )
        hits = page["hits"]["hits"]
        for hit in hits:
            yield TaggedPost.model_validate(hit["_source"])
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


@dataclass
class Backtest:
    """What a replay found."""

    posts: int = 0
    alerts: list[Alert] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    events: list[Alert | Resolution] = field(default_factory=list)


def backtest(settings: Settings, rules: list[RuleBase], start: datetime, end: datetime) -> Backtest:
    """Replay ``rules`` over the posts of ``[start, end)``; alerts are dated at the post that fired them."""
    engine = RuleEngine(rules, settings.alerting.max_posts_in_alert, settings.alerting,
                        settings.election.entity_ids())
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    result = Backtest()
    try:
        for post in posts_between(es, settings.elasticsearch.posts_index, start, end):
            result.posts += 1
            for event in engine.observe_all(post):
                if isinstance(event, Breach):
                    alert = alert_from(event, fired_at=event.window_end)
                    result.alerts.append(alert)
                    result.events.append(alert)
                else:
                    result.resolutions.append(event)
                    result.events.append(event)
    finally:
        es.close()
    return result


def report(result: Backtest, rules: list[RuleBase], start: datetime, end: datetime) -> str:
    """The replay as officers read it."""
    lines = [f"replayed {result.posts} posts from {wib(start)} to {wib(end)} "
             f"over {len(rules)} rule(s): {', '.join(r.id for r in rules)}"]
    for event in result.events:
        if isinstance(event, Alert):
            lines.append(f"  {wib(event.window_end)}  FIRE     {subject_of(event)}")
            lines.append(f"      {event.count} vs threshold {event.threshold}"
                         + (f"; {event.detail}" if event.detail else "")
                         + (f"; cluster {event.cluster_id}" if event.cluster_id else ""))
            for post in event.posts[:3]:
                lines.append(f"      [{post.platform}] @{post.author_handle}: {' '.join(post.text.split())[:100]}")
        else:
            lines.append(f"  {wib(event.at)}  RESOLVE  {event.rule.id} group {event.group} ({event.incident_id})")
    by_rule = {rule.id: sum(1 for a in result.alerts if a.rule_id == rule.id) for rule in rules}
    lines.append("would have fired: " + ", ".join(f"{rid} {n}" for rid, n in by_rule.items())
                 + f"; resolved {len(result.resolutions)}; nothing was sent")
    return "\n".join(lines)
