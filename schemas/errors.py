"""Siaga's one root exception and the errors every component may raise."""

from __future__ import annotations


class SiagaError(Exception):
    """Base of every error Siaga raises on purpose."""


class ConfigError(SiagaError):
    """The configuration is invalid; the message names the key and what is wrong with it."""


class ServiceUnavailable(SiagaError):
    """Kafka or Elasticsearch cannot be reached; the caller may retry later."""
