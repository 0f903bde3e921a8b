#!/usr/bin/env bash
# The quick-start demo: queue real payloads in a throw-away queue and look at them with sqlite3.
# Usage: contrib/demo.sh BIN_DIR
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
fixtures=$(cd "$(dirname "$0")/../tests/fixtures" && pwd)
demo=$(mktemp -d /tmp/vikunja-sync-demo.XXXXXX)
export VIKUNJA_SYNC_DB="$demo/queue.db" VIKUNJA_WEBHOOK_SECRET=test-webhook-secret
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Queue two Taskwarrior tasks as \`task export\` prints them"
while IFS= read -r line; do
  printf '%s' "$line" | run "$bin/vikunja-enqueue" push
done < "$fixtures/taskwarrior-export.jsonl"

say "Queue three signed Vikunja webhooks (created, updated, deleted coalesce into one job)"
for event in created updated deleted; do
  body="$fixtures/vikunja-webhook-task.$event.json"
  signature=$(openssl dgst -sha256 -hmac "$VIKUNJA_WEBHOOK_SECRET" -hex < "$body" | sed 's/.*= //')
  run "$bin/vikunja-enqueue" webhook "$body" --signature "$signature"
done

say "A forged webhook is refused (exit 77) and queues nothing"
run "$bin/vikunja-enqueue" webhook "$fixtures/vikunja-webhook-task.created.json" \
  --signature 0000000000000000000000000000000000000000000000000000000000000000 || echo "exit $?"

say "Taskwarrior with the hook installed: add, modify, delete"
export TASKDATA="$demo/task" TASKRC="$demo/taskrc"
mkdir -p "$TASKDATA/hooks"
printf 'data.location=%s\nconfirmation=off\n' "$TASKDATA" > "$TASKRC"
ln -s "$bin/vikunja-enqueue" "$TASKDATA/hooks/on-add-vikunja"
ln -s "$bin/vikunja-enqueue" "$TASKDATA/hooks/on-modify-vikunja"
run task rc.verbose=nothing add "Water the plants" project:home +garden
run task rc.verbose=nothing 1 modify priority:M
run task rc.verbose=nothing add "Cancel the gym"
run task rc.verbose=nothing 2 delete

say "The queue, as sqlite3 shows it"
run sqlite3 -box "$VIKUNJA_SYNC_DB" "SELECT id, kind, target, key, state, attempts, created, due, age FROM queue"
run sqlite3 -box "$VIKUNJA_SYNC_DB" "SELECT * FROM queue_summary"
run sqlite3 "$VIKUNJA_SYNC_DB" "SELECT json_extract(payload, '$.description') FROM jobs WHERE kind != 'webhook'"
run ls -l "$VIKUNJA_SYNC_DB"
printf '\nThe demo queue stays in %s; remove it with: rm -r %s\n' "$demo" "$demo"
