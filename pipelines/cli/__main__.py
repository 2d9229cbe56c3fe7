"""``python -m pipelines.cli``: the ``siaga`` command (worker processes are started this way)."""

import sys

from pipelines.cli.main import main

sys.exit(main())
