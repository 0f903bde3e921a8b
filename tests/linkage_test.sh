#!/usr/bin/env bash
# "vikunja-enqueue never touches the network", checked on the built binary: its dynamic section
# must not need libcurl (nor libuuid or libxml2, which only the worker uses). The worker's
# NEEDED list is read too, so a readelf that prints nothing cannot make this pass.
# Usage: linkage_test.sh ENQUEUE_BINARY WORKER_BINARY
set -euo pipefail
enqueue=$1 worker=$2

needed() {
  readelf --dynamic --wide "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

worker_needs=$(needed "$worker")
if ! grep -q '^libcurl' <<<"$worker_needs"; then
  echo "linkage_test: cannot read NEEDED entries: $worker does not list libcurl" >&2
  echo "$worker_needs" >&2
  exit 1
fi

enqueue_needs=$(needed "$enqueue")
forbidden=$(grep -E '^lib(curl|uuid|xml2)' <<<"$enqueue_needs" || true)
if [ -n "$forbidden" ]; then
  echo "linkage_test: $enqueue needs $(tr '\n' ' ' <<<"$forbidden")- vikunja-enqueue must not link the worker's libraries" >&2
  exit 1
fi
echo "vikunja-enqueue needs: $(tr '\n' ' ' <<<"$enqueue_needs")"
