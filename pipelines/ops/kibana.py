"""Loading Siaga's dashboards into Kibana through its saved objects import API.

``schemas.kibana`` builds the saved objects; this module sends them to
``POST [/s/<space>]/api/saved_objects/_import?overwrite=true`` as a multipart NDJSON upload
(with the ``kbn-xsrf`` header Kibana demands of every write), reads Kibana's answer and reports
every object Kibana refused with its reason. Kibana answers 200 even when some objects fail, so
success is judged per object, never by the status code alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests

from schemas.config import KibanaSettings
from schemas.errors import ConfigError, ServiceUnavailable, SiagaError
from schemas.kibana import POSTS_VIEW_ID

log = logging.getLogger(__name__)


class KibanaError(SiagaError):
    """Kibana refused a request as a whole (authentication, a bad request, a missing space)."""


@dataclass
class ImportReport:
    """What Kibana said about one import."""

    imported: int
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when Kibana took every object."""
        return not self.errors


def base_url(settings: KibanaSettings, url: str | None = None, space: str | None = None) -> str:
    """Kibana's URL with the space prefix (``/s/<space>``) when a non-default space is chosen."""
    root = (url or settings.url or "").rstrip("/")
    if not root:
        msg = "no Kibana URL: pass --url or set kibana.url (SIAGA__KIBANA__URL)"
        raise ConfigError(msg)
    space = space if space is not None else settings.space
    return f"{root}/s/{space}" if space and space != "default" else root


def _session(settings: KibanaSettings) -> requests.Session:
    session = requests.Session()
    session.headers["kbn-xsrf"] = "siaga"
    if settings.api_key is not None:
        session.headers["Authorization"] = f"ApiKey {settings.api_key.get_secret_value()}"
    elif settings.username:
        password = settings.password.get_secret_value() if settings.password else ""
        session.auth = (settings.username, password)
    session.verify = str(settings.ca_certs) if settings.ca_certs and settings.verify_certs else settings.verify_certs
    return session


def _refusal(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict):
        return f"HTTP {response.status_code} {body.get('error', '')}: {body.get('message', '')}".strip()
    return f"HTTP {response.status_code}"


def _describe_error(item: dict[str, Any]) -> str:
    error = item.get("error") or {}
    title = item.get("title") or (item.get("meta") or {}).get("title") or ""
    what = f"{item.get('type')} {item.get('id')}" + (f" ({title})" if title else "")
    kind = error.get("type", "unknown")
    if kind == "missing_references":
        refs = ", ".join(f"{ref.get('type')} {ref.get('id')}" for ref in error.get("references", []))
        return f"{what}: missing references: {refs}"
    if kind in ("conflict", "ambiguous_conflict"):
        return f"{what}: {kind} with an existing object (import with overwrite)"
    detail = error.get("message") or error.get("statusCode") or ""
    return f"{what}: {kind}" + (f": {detail}" if detail else "")


def _post(session: requests.Session, url: str, settings: KibanaSettings, **kwargs: Any) -> requests.Response:
    try:
        return session.post(url, timeout=settings.request_timeout_s, **kwargs)
    except requests.exceptions.SSLError as exc:
        msg = f"TLS to Kibana at {url} failed (check kibana.ca_certs): {exc.__class__.__name__}"
        raise ServiceUnavailable(msg) from exc
    except requests.exceptions.RequestException as exc:
        msg = f"Kibana at {url} is not reachable: {exc.__class__.__name__}"
        raise ServiceUnavailable(msg) from exc


def import_ndjson(settings: KibanaSettings, ndjson: str, *, url: str | None = None,
                  space: str | None = None) -> ImportReport:
    """Import saved objects, overwriting Siaga's own objects of the same ids; report per object."""
    target = base_url(settings, url, space) + "/api/saved_objects/_import"
    with _session(settings) as session:
        response = _post(session, target, settings, params={"overwrite": "true"},
                         files={"file": ("siaga-kibana.ndjson", ndjson.encode("utf-8"), "application/ndjson")})
    if response.status_code != 200:
        raise KibanaError(f"Kibana refused the import at {target}: {_refusal(response)}")
    try:
        body = response.json()
    except ValueError as exc:
        msg = f"Kibana's import answer at {target} is not JSON: {response.text[:200]!r}"
        raise KibanaError(msg) from exc
    report = ImportReport(imported=int(body.get("successCount", 0)))
    report.errors = [_describe_error(item) for item in body.get("errors", [])]
    report.warnings = [str(w.get("message", w)) for w in body.get("warnings", [])]
    if not body.get("success", False) and not report.errors:
        report.errors.append("Kibana reported the import as failed without naming an object")
    return report


def apply_space_settings(settings: KibanaSettings, *, url: str | None = None, space: str | None = None) -> None:
    """Show times in WIB and open Discover on the posts data view, in the space the objects went to."""
    target = base_url(settings, url, space) + "/api/kibana/settings"
    changes = {"dateFormat:tz": settings.timezone, "defaultIndex": POSTS_VIEW_ID}
    with _session(settings) as session:
        response = _post(session, target, settings, json={"changes": changes})
    if response.status_code != 200:
        raise KibanaError(f"Kibana refused the advanced settings at {target}: {_refusal(response)}")
