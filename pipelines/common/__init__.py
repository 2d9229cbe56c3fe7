"""Plumbing every stage shares: Kafka records and their validation into posts, dead-letter
messages, consumers and lag, the process's shared Elasticsearch and Kafka clients, status files
and Prometheus metrics. Imports only ``schemas``."""
