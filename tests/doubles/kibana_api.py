"""A loopback HTTP server that plays Kibana 8.15's saved objects import API and advanced settings.

What it enforces is what a real Kibana enforces on ``POST [/s/<space>]/api/saved_objects/_import``:
authentication (basic or ``ApiKey``), the ``kbn-xsrf`` header, a multipart body whose ``file`` part
is an ``.ndjson`` file, spaces that exist, and per object: a known type, a migration version not
newer than 8.15 knows, parseable JSON in the JSON-string attributes, references that resolve
(in the same file or already in the space), dashboard panels that name a reference, and no
silent overwrite. It answers in Kibana's shape: 200 with ``success``, ``successCount``,
``successResults`` and per-object ``errors``; 400/401/404 with ``statusCode``, ``error``,
``message``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.loopback import LoopbackServer, write_json

# The newest model version of each type a Kibana 8.15 knows; a newer object is refused.
KNOWN_VERSIONS = {
    "index-pattern": "8.0.0",
    "visualization": "8.5.0",
    "search": "10.4.0",
    "dashboard": "10.2.0",
    "map": "8.4.0",
    "lens": "8.9.0",
    "config": "8.9.0",
}
ICONS = {"index-pattern": "indexPatternApp", "visualization": "visualizeApp", "search": "discoverApp",
         "dashboard": "dashboardApp", "map": "gisApp", "lens": "lensApp", "config": "advancedSettingsApp"}
JSON_ATTRIBUTES = ("visState", "uiStateJSON", "panelsJSON", "optionsJSON", "fieldAttrs", "fieldFormatMap",
                   "runtimeFieldMap", "sourceFilters", "layerListJSON", "mapStateJSON", "fields")
_IMPORT = re.compile(r"^(?:/s/(?P<space>[a-z0-9_-]+))?/api/saved_objects/_import$")
_SETTINGS = re.compile(r"^(?:/s/(?P<space>[a-z0-9_-]+))?/api/kibana/settings$")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


class KibanaDouble(LoopbackServer):
    """Saved objects per space, the requests seen, and the credentials Kibana accepts."""

    def __init__(self, *, username: str = "siaga_dashboards", password: str = "k1bana-pass",
                 api_key: str = "c2lhZ2E6YXBpa2V5", spaces: tuple[str, ...] = ("default", "patroli")) -> None:
        self.username = username
        self.password = password
        self.api_key = api_key
        self.objects: dict[str, dict[tuple[str, str], dict[str, Any]]] = {space: {} for space in spaces}
        self.settings: dict[str, dict[str, Any]] = {space: {} for space in spaces}
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._serve(self._handler())

    def _authenticated(self, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, value = header.partition(" ")
        if scheme == "ApiKey":
            return value == self.api_key
        if scheme == "Basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                return False
            return (user, password) == (self.username, self.password)
        return False

    def import_objects(self, space: str, lines: list[dict[str, Any]], overwrite: bool) -> dict[str, Any]:
        """Kibana's import semantics for one parsed NDJSON file."""
        store = self.objects[space]
        incoming = {(obj.get("type"), obj.get("id")) for obj in lines}
        errors: list[dict[str, Any]] = []
        accepted: list[dict[str, Any]] = []
        for obj in lines:
            kind, oid = obj.get("type"), obj.get("id")
            attributes = obj.get("attributes") or {}
            title = attributes.get("title", "")
            meta = {"title": title, "icon": ICONS.get(kind, "")}
            error = self._object_error(obj, incoming, store, overwrite)
            if error is not None:
                errors.append({"id": oid, "type": kind, "title": title, "meta": meta, "error": error})
                continue
            accepted.append({"type": kind, "id": oid, "meta": meta, **({"overwrite": True} if
                                                                       (kind, oid) in store else {})})
        # Like Kibana, the objects without an error are written and the others are reported.
        written = {(item["type"], item["id"]) for item in accepted}
        for obj in lines:
            if (obj.get("type"), obj.get("id")) in written:
                store[(obj["type"], obj["id"])] = obj
        body: dict[str, Any] = {"successCount": len(accepted), "success": not errors, "warnings": []}
        if accepted:
            body["successResults"] = accepted
        if errors:
            body["errors"] = errors
        return body

    def _object_error(self, obj: dict[str, Any], incoming: set, store: dict, overwrite: bool) -> dict | None:
        kind = obj.get("type")
        missing = [key for key in ("type", "id", "attributes", "references") if key not in obj]
        if missing:
            return {"type": "unknown", "message": f"missing {', '.join(missing)}", "statusCode": 400}
        if kind not in KNOWN_VERSIONS:
            return {"type": "unsupported_type"}
        if "coreMigrationVersion" not in obj and "typeMigrationVersion" not in obj and "migrationVersion" not in obj:
            return {"type": "unknown", "message": "no migration version", "statusCode": 400}
        version = obj.get("typeMigrationVersion")
        if version and _version(version) > _version(KNOWN_VERSIONS[kind]):
            return {"type": "unknown", "statusCode": 400,
                    "message": f'Document "{obj["id"]}" belongs to a more recent version of Kibana [{version}] '
                               f"when the last known version is [{KNOWN_VERSIONS[kind]}]."}
        attributes = obj["attributes"]
        texts = [attributes.get(key) for key in JSON_ATTRIBUTES]
        texts.append((attributes.get("kibanaSavedObjectMeta") or {}).get("searchSourceJSON"))
        for text in texts:
            if text is None:
                continue
            try:
                json.loads(text)
            except (TypeError, ValueError):
                return {"type": "unknown", "statusCode": 400, "message": f"invalid JSON in an attribute: {text[:40]!r}"}
        unresolved = [ref for ref in obj["references"]
                      if (ref.get("type"), ref.get("id")) not in incoming and (ref.get("type"), ref.get("id")) not in store]
        if unresolved:
            return {"type": "missing_references",
                    "references": [{"type": ref.get("type"), "id": ref.get("id")} for ref in unresolved]}
        if kind == "dashboard":
            names = {ref["name"] for ref in obj["references"]}
            for panel in json.loads(attributes.get("panelsJSON", "[]")):
                if f"{panel.get('panelIndex')}:{panel.get('panelRefName')}" not in names:
                    return {"type": "unknown", "statusCode": 400,
                            "message": f"panel {panel.get('panelIndex')} has no reference"}
        if not overwrite and (kind, obj["id"]) in store:
            return {"type": "conflict"}
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _fail(self, status: int, error: str, message: str) -> None:
                write_json(self, status, json.dumps({"statusCode": status, "error": error, "message": message}).encode())

            def do_POST(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with double.lock:
                    double.requests.append({"path": parsed.path, "query": parsed.query,
                                            "headers": dict(self.headers.items()), "body": body})
                if not double._authenticated(self.headers.get("Authorization")):
                    self._fail(401, "Unauthorized", "[security_exception]: unable to authenticate user")
                    return
                if "kbn-xsrf" not in {key.lower() for key in self.headers}:
                    self._fail(400, "Bad Request", "Request must contain a kbn-xsrf header.")
                    return
                route = _IMPORT.match(parsed.path) or _SETTINGS.match(parsed.path)
                if route is None:
                    self._fail(404, "Not Found", "Not Found")
                    return
                space = route.group("space") or "default"
                if space not in double.objects:
                    self._fail(404, "Not Found", f"Saved object [space/{space}] not found")
                    return
                if route.re is _SETTINGS:
                    self._settings(space, body)
                else:
                    self._import(space, parsed.query, body)

            def _settings(self, space: str, body: bytes) -> None:
                try:
                    changes = json.loads(body)["changes"]
                except (ValueError, KeyError, TypeError):
                    self._fail(400, "Bad Request", "[request body.changes]: expected value of type [object]")
                    return
                with double.lock:
                    double.settings[space].update(changes)
                    current = {key: {"userValue": value} for key, value in double.settings[space].items()}
                write_json(self, 200, json.dumps({"settings": current}).encode())

            def _import(self, space: str, query: str, body: bytes) -> None:
                content_type = self.headers.get("Content-Type", "")
                if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
                    self._fail(415, "Unsupported Media Type", "Unsupported Media Type")
                    return
                message = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {content_type}\r\n\r\n".encode() + body)
                parts = {part.get_param("name", header="content-disposition"): part
                         for part in message.iter_parts()} if message.is_multipart() else {}
                part = parts.get("file")
                if part is None:
                    self._fail(400, "Bad Request", "[request body.file]: expected value of type [Stream] but got [undefined]")
                    return
                filename = part.get_filename() or ""
                if not filename.endswith(".ndjson"):
                    extension = filename[filename.rfind("."):] if "." in filename else filename
                    self._fail(400, "Bad Request", f"Invalid file extension {extension}")
                    return
                raw = part.get_payload(decode=True) or b""
                lines = []
                for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        self._fail(400, "Bad Request", f"Unexpected token in JSON at line {number}")
                        return
                    if "exportedCount" not in obj:
                        lines.append(obj)
                overwrite = urllib.parse.parse_qs(query).get("overwrite", ["false"])[0] == "true"
                with double.lock:
                    answer = double.import_objects(space, lines, overwrite)
                write_json(self, 200, json.dumps(answer).encode())

        return Handler
