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

say "Start a local Vikunja stand-in (fake-vikunja, from the tests) and drain the queue to it"
"$bin/fake-vikunja" > "$demo/fake-vikunja.out" 2> "$demo/fake-vikunja.log" &
fake=$!
trap 'kill "$fake" 2>/dev/null || true' EXIT
until [ -s "$demo/fake-vikunja.out" ]; do sleep 0.1; done
read -r VIKUNJA_URL VIKUNJA_API_TOKEN < "$demo/fake-vikunja.out"
# Short windows so the demo does not wait a minute: recovery 3 s, first retry after 1 s.
export VIKUNJA_URL VIKUNJA_API_TOKEN VIKUNJA_SYNC_BREAKER_RECOVERY=3 VIKUNJA_SYNC_BACKOFF_BASE=1
run "$bin/vikunja-worker" drain
run "$bin/vikunja-worker" status || true

say "Outage: Vikunja stops answering. Taskwarrior and vikunja-enqueue do not notice"
kill -USR1 "$fake"
sleep 0.2
for chore in "Fix the bike" "Book flights" "Pay the electricity bill" "Return library books"; do
  task rc.verbose=nothing add "$chore" project:home +errand
done
printf '%s' '{"uuid":"0e6c7a1e-3b52-4c1e-9a0a-6f1d2c3b4a59","description":"Timed while Vikunja is down"}' > "$demo/one.json"
printf '$ time vikunja-enqueue push one.json\n'
time "$bin/vikunja-enqueue" push "$demo/one.json"
say "The worker trips the breaker after 3 failures and returns at once (exit 0)"
run "$bin/vikunja-worker" drain
run "$bin/vikunja-worker" drain
run "$bin/vikunja-worker" status || echo "(exit $?: the breaker is open)"

say "Vikunja is back. After the recovery window one probe goes out, succeeds, and the backlog drains"
kill -USR2 "$fake"
sleep 3.2
run "$bin/vikunja-worker" drain
run "$bin/vikunja-worker" status || true
run sqlite3 -box "$VIKUNJA_SYNC_DB" "SELECT * FROM queue_summary"

say "A change made in Vikunja (through its API, as the web UI would) arrives as a signed webhook"
uuid=$(task rc.verbose=nothing _get 1.uuid)   # "Water the plants"
id=$(sqlite3 "$VIKUNJA_SYNC_DB" "SELECT vikunja_id FROM task_map WHERE tw_uuid = '$uuid'")
api() { curl -sS -H "Authorization: Bearer $VIKUNJA_API_TOKEN" -H 'Content-Type: application/json' "$@"; }
api -X POST "$VIKUNJA_URL/api/v1/tasks/$id" \
  -d "$(api "$VIKUNJA_URL/api/v1/tasks/$id" | sed 's/"priority":[0-9]*/"priority":5/')" > /dev/null
printf '{"event_name":"task.updated","time":"2026-11-27T10:00:00Z","data":{"task":%s}}' \
  "$(api "$VIKUNJA_URL/api/v1/tasks/$id")" > "$demo/webhook.json"
signature=$(openssl dgst -sha256 -hmac "$VIKUNJA_WEBHOOK_SECRET" -hex < "$demo/webhook.json" | sed 's/.*= //')
run "$bin/vikunja-enqueue" webhook "$demo/webhook.json" --signature "$signature"
run "$bin/vikunja-worker" drain
run task rc.uda.vikunja_id.type=string rc.uda.vikunja_id.label=Vikunja "vikunja_id:$id" info
say "Delivered again (Vikunja retries): one read of the task, recognised as agreed, no task process runs"
run "$bin/vikunja-enqueue" webhook "$demo/webhook.json" --signature "$signature"
VIKUNJA_SYNC_LOG_LEVEL=debug run "$bin/vikunja-worker" drain

say "Reconcile: both sides compared in full; nothing differs, so nothing is queued"
run "$bin/vikunja-worker" reconcile
run sqlite3 -box "$VIKUNJA_SYNC_DB" "SELECT tw_uuid, vikunja_id, json_extract(agreed, '$.title') AS agreed_title FROM task_map"

kill "$fake"; wait "$fake" || true
trap - EXIT
say "What the Vikunja stand-in holds now"
cat "$demo/fake-vikunja.log"
printf 'The demo queue stays in %s; remove it with: rm -r %s\n' "$demo" "$demo"
