"""Connectors: stream public posts from platforms and files into the raw-posts Kafka topic."""

from connectors.base import Connector, ConnectorStats, SourceRecord
from connectors.replay import ReplayConnector

REGISTRY: dict[str, type[Connector]] = {"replay": ReplayConnector}
"""Every connector type by the ``type`` its configuration names."""

__all__ = ["REGISTRY", "Connector", "ConnectorStats", "ReplayConnector", "SourceRecord"]
