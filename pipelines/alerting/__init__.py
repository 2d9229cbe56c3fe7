"""Alerting: the rule engine over tagged posts in event time (``engine``), near-duplicate
clusters (``neardup``), silences, backtests, and the job that consumes the tagged-posts topic and
hands alerts to delivery (``job``). Imports ``schemas``, ``common`` and ``delivery``."""
