#!/usr/bin/env bash
# Kafka is healthy when it answers an API-versions request over its SASL_SSL listener, as a
# client would reach it. The client properties live in the container's /tmp only.
set -euo pipefail
props=$(mktemp)
trap 'rm -f "$props"' EXIT
cat > "$props" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/secrets/ca/ca.crt
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="${HEALTH_PASSWORD}";
PROPS
/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server kafka:9092 --command-config "$props" > /dev/null
