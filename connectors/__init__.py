"""Connectors: stream public posts from platforms and files into the raw-posts Kafka topic.

``REGISTRY`` names the connector of every source type. The types themselves are registered
once, in ``schemas.config.SOURCE_MODELS`` (schemas may not import connectors), so each line
below pairs a configuration model with its connector and the key is read from the model;
``tests/test_registries.py`` holds the two to exactly one connector per source type.
"""

from connectors.base import Connector, ConnectorStats, SourceRecord
from connectors.facebook import FacebookPagesConnector
from connectors.factcheck_feed import FactChecksConnector
from connectors.imports import ImportConnector
from connectors.instagram import InstagramHashtagConnector
from connectors.meta_content_library import MetaContentLibraryConnector
from connectors.replay import ReplayConnector
from connectors.tiktok import TikTokConnector
from schemas.config import (
    FacebookPagesSource,
    FactChecksSource,
    ImportSource,
    InstagramHashtagSource,
    MetaContentLibrarySource,
    ReplaySource,
    TikTokSource,
    type_key,
)

REGISTRY: dict[str, type[Connector]] = {
    type_key(model): connector
    for model, connector in (
        (ReplaySource, ReplayConnector),
        (ImportSource, ImportConnector),
        (TikTokSource, TikTokConnector),
        (MetaContentLibrarySource, MetaContentLibraryConnector),
        (InstagramHashtagSource, InstagramHashtagConnector),
        (FacebookPagesSource, FacebookPagesConnector),
        (FactChecksSource, FactChecksConnector),
    )
}
"""Every connector type by the ``type`` its configuration names."""

__all__ = [
    "REGISTRY",
    "Connector",
    "ConnectorStats",
    "FacebookPagesConnector",
    "FactChecksConnector",
    "ImportConnector",
    "InstagramHashtagConnector",
    "MetaContentLibraryConnector",
    "ReplayConnector",
    "SourceRecord",
    "TikTokConnector",
]
