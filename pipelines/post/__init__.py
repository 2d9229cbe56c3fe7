"""The post pipeline: raw Kafka records → validated, tagged posts → Elasticsearch and the
tagged-posts topic, with every failure dead-lettered. Beam transforms and sinks (``transforms``,
``sinks``), the local micro-batch driver (``job``) and the streaming graph for Flink or Dataflow
(``streaming``). Imports ``schemas``, ``common`` and ``tagging``."""
