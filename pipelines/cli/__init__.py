"""The ``siaga`` command: one module per verb over a shared parent parser."""

from pipelines.cli.main import main

__all__ = ["main"]
