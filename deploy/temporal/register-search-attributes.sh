#!/bin/sh
# Usage: register-search-attributes.sh NAMESPACE NAME...
# Makes sure NAMESPACE exists, then registers each NAME as a Keyword search attribute.
# Re-registering an attribute with the same type succeeds, so this is safe on every `up`.
set -eu

namespace=$1
shift

# The server answers its health check a little before namespaces can be created.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 30 ]; then
      echo "giving up after $attempt attempts: $*" >&2
      exit 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry temporal operator cluster health
if ! temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  # Approvals can take days; keep closed runs (and their audit trail) for a month.
  retry temporal operator namespace create --namespace "$namespace" --retention 30d
fi
for name in "$@"; do
  retry temporal operator search-attribute create --namespace "$namespace" --name "$name" --type Keyword
done
temporal operator search-attribute list --namespace "$namespace"
