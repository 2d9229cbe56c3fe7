#!/usr/bin/env bash
# Runs once in the Elasticsearch image (which ships elasticsearch-certutil): a CA for this host,
# a certificate for every service that serves TLS, and Kafka's PKCS#12 keystore. Idempotent:
# existing certificates are kept, so restarts do not invalidate what clients trust.
set -euo pipefail
cd /certs
if [ ! -f ca/ca.crt ]; then
  echo "creating the CA"
  elasticsearch-certutil ca --silent --pem --days 1095 --out /tmp/ca.zip
  unzip -oq /tmp/ca.zip -d /certs
fi
if [ ! -f es01/es01.crt ]; then
  echo "creating service certificates"
  cat > /tmp/instances.yml <<'YAML'
instances:
  - name: es01
    dns: [es01, localhost]
    ip: [127.0.0.1]
  - name: kibana
    dns: [kibana, localhost]
    ip: [127.0.0.1]
  - name: mailpit
    dns: [mailpit, localhost]
YAML
  elasticsearch-certutil cert --silent --pem --days 825 --in /tmp/instances.yml --out /tmp/certs.zip \
    --ca-cert ca/ca.crt --ca-key ca/ca.key
  unzip -oq /tmp/certs.zip -d /certs
fi
if [ ! -f kafka/kafka.p12 ]; then
  echo "creating Kafka's keystore"
  mkdir -p kafka
  elasticsearch-certutil cert --silent --days 825 --name kafka --dns kafka,localhost \
    --ca-cert ca/ca.crt --ca-key ca/ca.key --pass "$KAFKA_KEYSTORE_PASSWORD" --out kafka/kafka.p12
fi
# The apache/kafka image reads the keystore password from a file next to the keystore.
printf '%s' "$KAFKA_KEYSTORE_PASSWORD" > kafka/keystore_creds
# Elasticsearch and Kibana run as uid 1000 with group 0, Kafka as its image's appuser
# (uid and gid 1000); keys and the keystore password stay unreadable to anyone else.
chown -R 1000:0 /certs
chown -R 1000:1000 /certs/kafka
find /certs -type d -exec chmod 750 {} \;
find /certs -type f -exec chmod 640 {} \;
# Siaga (uid 10001) and every client need the CA certificate, never a key.
chmod 755 /certs /certs/ca
chmod 644 /certs/ca/ca.crt
echo "certificates ready"
