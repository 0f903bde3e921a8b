#include "worker/sync/reconcile_marks.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "worker/queue/on_queue.hpp"

namespace vsync {

namespace {

// Both sides keep whole seconds: another change within the latest second seen.
constexpr UnixMillis whole_second = 1'000;

}  // namespace

std::optional<ReconcileKind> ReconcileTimes::last_kind() const {
  if (!last) return std::nullopt;
  return last == last_full ? ReconcileKind::full : ReconcileKind::changes;
}

ReconcileTimes ReconcileMarks::read() {
  return on_queue(db_, "read the reconcile marks", [&] {
    ReconcileTimes times;
    SQLite::Statement query(db_, "SELECT mark, at FROM reconcile_marks");
    while (query.executeStep()) {
      const std::string mark = query.getColumn(0).getString();
      const UnixMillis at = query.getColumn(1).getInt64();
      if (mark == "sync_start") times.sync_start = at;
      if (mark == "taskwarrior_sync_start") times.taskwarrior_sync_start = at;
      if (mark == "vikunja_sync_start") times.vikunja_sync_start = at;
      if (mark == "last") times.last = at;
      if (mark == "last_full") times.last_full = at;
      if (mark == "vikunja_seen_until") times.vikunja_seen_until = at;
      if (mark == "taskwarrior_written_at") times.taskwarrior_written_at = at;
    }
    return times;
  });
}

ReconcileScope ReconcileMarks::scope_for(const ReconcileRequest& request, UnixMillis now) {
  const ReconcileTimes times = read();
  ReconcileScope scope;
  if (times.sync_start) {  // a queue reconciled before the sides had their own marks: ours
    scope.taskwarrior_sync_start = times.taskwarrior_sync_start.value_or(*times.sync_start);
    scope.vikunja_sync_start = times.vikunja_sync_start.value_or(*times.sync_start);
  }
  scope.include_completed = request.include_completed;
  const bool full = request.full || request.include_completed || request.allow_deletes || !times.last_full ||
                    now - *times.last_full >= full_pass_every;
  if (!full) {
    scope.kind = ReconcileKind::changes;
    if (times.vikunja_seen_until) scope.vikunja_changed_after = *times.vikunja_seen_until - whole_second;
    scope.taskwarrior_written_at = times.taskwarrior_written_at;
  }
  return scope;
}

void ReconcileMarks::record(const ReconcilePlan& plan, UnixMillis started, UnixMillis finished) {
  on_queue(db_, "record the reconcile", [&] {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement set(db_, "INSERT INTO reconcile_marks (mark, at) VALUES (?1, ?2) "
                               "ON CONFLICT (mark) DO UPDATE SET at = max(at, excluded.at)");
    const auto mark = [&](const char* name, UnixMillis at) {
      set.bind(1, name);
      set.bind(2, at);
      set.exec();
      set.reset();
    };
    if (!db_.execAndGet("SELECT count(*) FROM reconcile_marks WHERE mark = 'sync_start'").getInt()) {
      mark("sync_start", started);
      // The latest change read: whatever was completed before it is history, the last
      // completion before the sync began included. A side with no task yet has no history to
      // keep back: a day before our clock, whatever its own clock's skew.
      mark("taskwarrior_sync_start", plan.taskwarrior_seen_until.value_or(started - full_pass_every));
      mark("vikunja_sync_start", plan.vikunja_seen_until.value_or(started - full_pass_every));
    }
    mark("last", started);
    if (plan.kind == ReconcileKind::full) mark("last_full", started);
    // Less the read's duration: the latest change seen came from any page of the read.
    if (plan.vikunja_seen_until) mark("vikunja_seen_until", *plan.vikunja_seen_until - (finished - started));
    // As seen this time, or forgotten: the next pass reads Taskwarrior unless it is the same.
    SQLite::Statement written(db_, plan.taskwarrior_written_at
                                       ? "INSERT OR REPLACE INTO reconcile_marks (mark, at) VALUES ('taskwarrior_written_at', ?)"
                                       : "DELETE FROM reconcile_marks WHERE mark = 'taskwarrior_written_at'");
    if (plan.taskwarrior_written_at) written.bind(1, *plan.taskwarrior_written_at);
    written.exec();
    transaction.commit();
  });
}

}  // namespace vsync
