"""Connectors: stream public posts from platforms and files into the raw-posts Kafka topic."""

from connectors.base import Connector, ConnectorStats, SourceRecord
from connectors.imports import ImportConnector
from connectors.replay import ReplayConnector
from connectors.tiktok import TikTokConnector

REGISTRY: dict[str, type[Connector]] = {
    "replay": ReplayConnector,
    "import": ImportConnector,
    "tiktok": TikTokConnector,
}
"""Every connector type by the ``type`` its configuration names."""

__all__ = [
    "REGISTRY",
    "Connector",
    "ConnectorStats",
    "ImportConnector",
    "ReplayConnector",
    "SourceRecord",
    "TikTokConnector",
]
