#!/usr/bin/env bash
# Runs once, as root, in the Elasticsearch image (which ships elasticsearch-certutil): a CA for
# this host, a certificate for every service that serves TLS, and Kafka's PKCS#12 keystore.
# Where each piece is written decides who can read it (compose.yaml mounts the volumes):
#   ca-key volume, /ca-key          the CA's private key: mounted in this one-shot service only;
#   certs volume, /certs            the CA certificate, nothing secret: mounted in every service;
#   tls-<service> volume, /tls/<service>   that service's key and certificate: mounted in it alone.
# Idempotent: existing certificates are kept, so restarts do not invalidate what clients trust.
# Stacks set up before this layout kept everything, the CA key included, in the certs volume;
# the first run moves each file where it belongs and leaves only ca.crt in the shared volume.
set -euo pipefail
PUBLIC=${CERTS_PUBLIC_DIR:-/certs}
CA_DIR=${CERTS_CA_KEY_DIR:-/ca-key}
TLS=${CERTS_TLS_DIR:-/tls}
SERVICES=(es01 kibana mailpit)
umask 077
mkdir -p "$PUBLIC" "$CA_DIR"
for service in "${SERVICES[@]}" kafka; do
  mkdir -p "$TLS/$service"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -f "$PUBLIC/ca/ca.key" ] && [ ! -f "$CA_DIR/ca.key" ]; then
  echo "moving the CA key and the service keys out of the shared certs volume"
  cp -p "$PUBLIC/ca/ca.key" "$PUBLIC/ca/ca.crt" "$CA_DIR/"
  for service in "${SERVICES[@]}" kafka; do
    if [ -d "$PUBLIC/$service" ] && [ -z "$(ls -A "$TLS/$service")" ]; then
      cp -pR "$PUBLIC/$service/." "$TLS/$service/"
    fi
  done
fi
# Only the CA certificate stays in the volume every container mounts.
find "$PUBLIC" -mindepth 1 -maxdepth 1 ! -name ca.crt -exec rm -rf {} +

if [ ! -f "$CA_DIR/ca.key" ]; then
  echo "creating the CA"
  elasticsearch-certutil ca --silent --pem --days 1095 --out "$work/ca.zip"
  unzip -oq "$work/ca.zip" -d "$work"
  mv "$work/ca/ca.crt" "$work/ca/ca.key" "$CA_DIR/"
fi
cp "$CA_DIR/ca.crt" "$PUBLIC/ca.crt"
ca=(--ca-cert "$CA_DIR/ca.crt" --ca-key "$CA_DIR/ca.key")

missing=()
for service in "${SERVICES[@]}"; do
  [ -f "$TLS/$service/$service.crt" ] || missing+=("$service")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "creating certificates for: ${missing[*]}"
  {
    echo "instances:"
    for service in "${missing[@]}"; do
      echo "  - name: $service"
      echo "    dns: [$service, localhost]"
      [ "$service" = mailpit ] || echo "    ip: [127.0.0.1]"
    done
  } > "$work/instances.yml"
  elasticsearch-certutil cert --silent --pem --days 825 --in "$work/instances.yml" --out "$work/certs.zip" "${ca[@]}"
  unzip -oq "$work/certs.zip" -d "$work/certs"
  for service in "${missing[@]}"; do
    cp "$work/certs/$service/$service.crt" "$work/certs/$service/$service.key" "$TLS/$service/"
  done
fi
if [ ! -f "$TLS/kafka/kafka.p12" ]; then
  echo "creating Kafka's keystore"
  elasticsearch-certutil cert --silent --days 825 --name kafka --dns kafka,localhost "${ca[@]}" \
    --pass "$KAFKA_KEYSTORE_PASSWORD" --out "$TLS/kafka/kafka.p12"
fi
# The apache/kafka image reads the keystore password from a file next to the keystore.
printf '%s' "$KAFKA_KEYSTORE_PASSWORD" > "$TLS/kafka/keystore_creds"

# The CA key: root only. The CA certificate: everyone (Siaga runs as uid 10001).
chown -R 0:0 "$CA_DIR"
chmod 700 "$CA_DIR"
chmod 600 "$CA_DIR"/*
chown 0:0 "$PUBLIC" "$PUBLIC/ca.crt"
chmod 755 "$PUBLIC"
chmod 644 "$PUBLIC/ca.crt"
# Elasticsearch, Kibana and Mailpit read their keys as uid 1000 with group 0, Kafka as its
# image's appuser (uid and gid 1000); nobody else can.
for service in "${SERVICES[@]}"; do
  chown -R 1000:0 "$TLS/$service"
done
chown -R 1000:1000 "$TLS/kafka"
for service in "${SERVICES[@]}" kafka; do
  chmod 750 "$TLS/$service"
  find "$TLS/$service" -type f -exec chmod 640 {} +
done
echo "certificates ready"
