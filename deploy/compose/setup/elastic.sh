#!/usr/bin/env bash
# Runs once Elasticsearch is healthy: kibana_system's password, the role and user Siaga writes
# with, a snapshot repository and a nightly snapshot policy. Every call is idempotent.
#
# No password is ever a command-line argument (they would show in /proc/PID/cmdline and `ps`
# on the host): curl gets the credentials and the request body as a config file on stdin, from
# bash builtins.
set -euo pipefail
CA=config/certs/ca/ca.crt

quoted() {  # a curl config-file string: backslashes, quotes and newlines escaped
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

es() {  # es METHOD PATH [JSON]: fail loudly on any HTTP error
  local method=$1 path=$2 body=${3:-}
  {
    printf 'user = %s\n' "$(quoted "elastic:${ELASTIC_PASSWORD}")"
    if [ -n "$body" ]; then
      printf 'header = "Content-Type: application/json"\n'
      printf 'data-binary = %s\n' "$(quoted "$body")"
    fi
  } | curl --config - -fsS --cacert "$CA" -X "$method" "${ES_URL}${path}"
  echo
}

es POST /_security/user/kibana_system/_password "{\"password\":\"${KIBANA_SYSTEM_PASSWORD}\"}"

# Siaga writes posts and alerts, installs its own index templates, reads them back, applies
# the retention (deletes old monthly post indices and old alerts) and erasures (`siaga erase`:
# deletes posts, edits alerts, writes the suppression list every component reads), stores
# fact-checks (`siaga factchecks import`) and officers' verdicts (`siaga verdict`, the links).
es PUT /_security/role/siaga_writer "{
  \"cluster\": [\"monitor\", \"manage_index_templates\"],
  \"indices\": [{
    \"names\": [\"${POSTS_INDEX}*\", \"${ALERTS_INDEX}*\", \"${ERASURES_INDEX:-siaga-erasures}*\",
                \"${FACTCHECKS_INDEX:-siaga-factchecks}\", \"${VERDICTS_INDEX:-siaga-verdicts}\"],
    \"privileges\": [\"create_index\", \"write\", \"read\", \"view_index_metadata\", \"manage\", \"delete_index\"]
  }]
}"
es PUT "/_security/user/${SIAGA_ES_USER}" "{
  \"password\": \"${SIAGA_ES_PASSWORD}\",
  \"roles\": [\"siaga_writer\"],
  \"full_name\": \"Siaga services\"
}"

# Snapshots to the host volume mounted at path.repo; copy it off the host (see deploy/README.md).
es PUT /_snapshot/siaga-backups '{"type": "fs", "settings": {"location": "siaga-backups", "compress": true}}'
es PUT /_slm/policy/siaga-nightly "{
  \"schedule\": \"0 30 19 * * ?\",
  \"name\": \"<siaga-{now/d}>\",
  \"repository\": \"siaga-backups\",
  \"config\": {\"indices\": [\"${POSTS_INDEX}*\", \"${ALERTS_INDEX}*\", \"${FACTCHECKS_INDEX:-siaga-factchecks}\", \"${VERDICTS_INDEX:-siaga-verdicts}\"],
              \"include_global_state\": false},
  \"retention\": {\"expire_after\": \"30d\", \"min_count\": 7, \"max_count\": 60}
}"
echo "Elasticsearch users, roles and snapshot policy are in place"
