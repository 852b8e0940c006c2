#!/bin/sh
# Creates Onward's namespace and the custom search attributes Onward sets and queries (ONWARD_SEARCH_ATTRIBUTES in
# workflows/definitions.ts). Safe to run on every `docker compose up`: each step looks first.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required, e.g. temporal:7233}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is required}"
RETENTION=${ONWARD_NAMESPACE_RETENTION:-720h}
# name:type, one per custom search attribute.
SEARCH_ATTRIBUTES="OnwardStage:Keyword OnwardTenant:Keyword OnwardCompany:Keyword OnwardCoach:Keyword OnwardSearch:KeywordList OnwardRejectedAt:Datetime OnwardNextStepAt:Datetime OnwardAwaitingApproval:Int"

# Resolve the server to an IPv4 address first, as Temporal's own compose setup does.
host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
ip=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
address=${ip:-$host}:$port

# Runs a command until it succeeds: at most $1 times, $2 seconds apart.
retry() {
  tries=$1 pause=$2 attempt=1
  shift 2
  until "$@"; do
    [ "$attempt" -ge "$tries" ] && return 1
    attempt=$((attempt + 1))
    sleep "$pause"
  done
}
cluster_healthy() { temporal operator cluster health --address "$address" >/dev/null 2>&1; }
list_search_attributes() { existing=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" --address "$address" 2>&1); }

echo "Waiting for the Temporal cluster at $TEMPORAL_ADDRESS ($address)..."
retry 60 2 cluster_healthy || { echo "Temporal did not become healthy at $address" >&2; exit 1; }

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" --address "$address" >/dev/null 2>&1; then
  echo "Namespace $TEMPORAL_NAMESPACE exists."
else
  echo "Creating namespace $TEMPORAL_NAMESPACE (retention $RETENTION)..."
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION" --address "$address"
fi

# A new namespace takes a few seconds to reach every part of the server.
existing=
retry 60 1 list_search_attributes || { echo "$existing" >&2; exit 1; }
for attribute in $SEARCH_ATTRIBUTES; do
  name=${attribute%%:*}
  type=${attribute##*:}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "Search attribute $name exists."
  else
    echo "Creating search attribute $name ($type)..."
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" --address "$address"
  fi
done
echo "Namespace $TEMPORAL_NAMESPACE is ready for Onward."
