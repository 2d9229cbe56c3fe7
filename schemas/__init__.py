"""Siaga's wire and index contracts.

Every Kafka message, Elasticsearch mapping and configuration file is defined here once, as a
pydantic model; the rest of Siaga imports these models and never restates their fields.
"""

from schemas.alert import Alert, AlertPost
from schemas.deadletter import DeadLetter
from schemas.post import Author, Engagement, Platform, Post, TaggedPost, make_post_id

__all__ = [
    "Alert",
    "AlertPost",
    "Author",
    "DeadLetter",
    "Engagement",
    "Platform",
    "Post",
    "TaggedPost",
    "make_post_id",
]
