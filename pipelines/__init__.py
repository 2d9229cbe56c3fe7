"""Siaga's processing, one room per stage of the data flow (read ``docs/architecture.md`` first).

- ``common/``   Kafka records and dead letters, shared clients, status and metrics: what every stage uses.
- ``tagging/``  language, topic and risk tags with fastText, plain functions on plain data.
- ``factchecks/`` the claim matcher: which debunked fact-checks a post repeats (index, re-score, debunk cues).
- ``post/``     the post pipeline as Beam transforms and sinks, its local driver and streaming graph.
- ``alerting/`` the rule engine, rule types, near-duplicate clusters, silences, backtests, the job.
- ``delivery/`` the outbox and its channels (email, webhook).
- ``ops/``      running it: the embedded stack, index set-up and retention, Kibana, services, workers.
- ``cli/``      the ``siaga`` command, one module per verb.

A room imports only ``schemas``, ``common`` and the rooms listed before it here; ``ops`` and
``cli`` may import every room (``tests/test_layout.py`` holds the tree to this).
"""
