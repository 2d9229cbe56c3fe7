"""The ``siaga`` command: one module per verb over a shared parent parser.

``main.py`` builds the parser from the verb modules (``stack``, ``run``, ``alerts`` ...) and runs
the chosen handler; ``common.py`` holds what they share: the global options, the exit codes, the
one-line error, reachability checks and output helpers. This room may import every other room;
verb modules import the heavy ones (Beam, Kafka, Elasticsearch clients) inside their handlers, so
that ``siaga --help`` and ``siaga status`` start quickly.
"""

from pipelines.cli.main import main

__all__ = ["main"]
