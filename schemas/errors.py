"""Siaga's one root exception and the errors every component may raise.

Everything Siaga raises on purpose derives from ``SiagaError``, so the ``siaga`` command can
turn any of them into one line and an exit code (``pipelines/cli/common.py`` maps them:
``ServiceUnavailable`` is 3, any other ``SiagaError`` 2). An exception outside this tree shows
up there as a traceback, which is a bug.
"""

from __future__ import annotations


class SiagaError(Exception):
    """Base of every error Siaga raises on purpose."""


class ConfigError(SiagaError):
    """The configuration is invalid; the message names the key and what is wrong with it."""


class UsageError(SiagaError):
    """The command was asked for something it cannot do (a missing input file, an option that does not apply)."""


class ServiceUnavailable(SiagaError):
    """Kafka, Elasticsearch, Kibana or a platform API cannot be reached; the caller may retry later."""


class NormaliseError(SiagaError, ValueError):
    """A platform item (API answer or export line) that cannot become a ``Post``; the message says why.

    A ``ValueError`` too, because normalising fails on bad values and callers that guard a
    whole normalisation with ``except ValueError`` must keep catching it.
    """
