#!/usr/bin/env bash
# Elasticsearch is healthy when the cluster answers yellow or green to the `elastic` user.
# The password reaches curl as a config file on its standard input: a command-line argument
# (`curl -u elastic:...`) would be readable by every process on the host in /proc/PID/cmdline,
# and `ps` shows it; the environment and a pipe are not. printf is a bash builtin, so it runs
# no process whose arguments could show the password either.
set -euo pipefail
secret=${ELASTIC_PASSWORD//\\/\\\\}
secret=${secret//\"/\\\"}
printf 'user = "elastic:%s"\n' "$secret" |
  curl --config - -fsS --cacert config/certs/ca/ca.crt \
    'https://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s' > /dev/null
