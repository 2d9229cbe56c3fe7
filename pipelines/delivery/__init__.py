"""Delivery of alerts to people and systems: the durable, ordered outbox (``outbox``), its
drain (``deliverer``), the alert emails (``emails``: Indonesian first, WIB, text escaped) and the
webhook. Imports ``schemas`` and ``common``."""
