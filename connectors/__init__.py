"""Connectors: stream public posts from platforms and files into the raw-posts Kafka topic."""

from connectors.base import Connector, ConnectorStats, SourceRecord
from connectors.facebook import FacebookPagesConnector
from connectors.imports import ImportConnector
from connectors.instagram import InstagramHashtagConnector
from connectors.meta_content_library import MetaContentLibraryConnector
from connectors.replay import ReplayConnector
from connectors.tiktok import TikTokConnector

REGISTRY: dict[str, type[Connector]] = {
    "replay": ReplayConnector,
    "import": ImportConnector,
    "tiktok": TikTokConnector,
    "meta_content_library": MetaContentLibraryConnector,
    "instagram_hashtag": InstagramHashtagConnector,
    "facebook_pages": FacebookPagesConnector,
}
"""Every connector type by the ``type`` its configuration names."""

__all__ = [
    "REGISTRY",
    "Connector",
    "ConnectorStats",
    "FacebookPagesConnector",
    "ImportConnector",
    "InstagramHashtagConnector",
    "MetaContentLibraryConnector",
    "ReplayConnector",
    "SourceRecord",
    "TikTokConnector",
]
