#include "worker/queue_admin.hpp"

#include <algorithm>
#include <functional>
#include <string>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "worker/queue/breaker.hpp"
#include "worker/queue/on_queue.hpp"

namespace vsync {

namespace {

int retry_where(QueueStore& store, const std::string& where,
                const std::function<void(SQLite::Statement&)>& bind, UnixMillis now) {
  SQLite::Database& db = store.database();
  return on_queue(db, "retry jobs", [&] {
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement retry(db,
                            "UPDATE jobs SET state = 'pending', attempts = 0, due_at = :now, "
                            "updated_at = :now, lease_until = NULL, lease_owner = NULL "
                            "WHERE state IN ('dead', 'pending') AND " + where +
                            " AND NOT EXISTS (SELECT 1 FROM jobs AS p WHERE p.key = jobs.key "
                            "AND p.target = jobs.target AND p.state = 'pending' AND p.id <> jobs.id)");
    retry.bind(":now", now);
    bind(retry);
    const int changed = retry.exec();
    transaction.commit();
    return changed;
  });
}

}  // namespace

int retry_jobs(QueueStore& store, const std::vector<std::int64_t>& ids, UnixMillis now) {
  int changed = 0;
  for (const std::int64_t id : ids) {
    changed += retry_where(store, "id = :id", [&](SQLite::Statement& s) { s.bind(":id", id); }, now);
  }
  return changed;
}

int retry_dead_jobs(QueueStore& store, UnixMillis now) {
  // At most one pending job per key: of several dead jobs of one key, the newest snapshot.
  return retry_where(store,
                     "state = 'dead' AND id = (SELECT max(id) FROM jobs AS d "
                     "WHERE d.key = jobs.key AND d.target = jobs.target AND d.state = 'dead')",
                     [](SQLite::Statement&) {}, now);
}

int purge_done_jobs(QueueStore& store, UnixMillis before, int at_most) {
  SQLite::Database& db = store.database();
  return on_queue(db, "purge done jobs", [&] {
    // Oldest first, through jobs_by_state_updated: no done job younger than `before` is read.
    SQLite::Statement purge(db,
                            "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' "
                            "AND updated_at < ? ORDER BY state, updated_at LIMIT ?)");
    purge.bind(1, before);
    purge.bind(2, at_most);
    return purge.exec();
  });
}

namespace {

// Inside the caller's transaction.
void reset_breaker(SQLite::Database& db, Breaker& breaker, Target target, UnixMillis now) {
  breaker.reset(target, now);
  for (const JobKind kind : all_job_kinds) {
    const std::vector<Target> called = targets_called(kind);
    if (std::find(called.begin(), called.end(), target) == called.end()) continue;
    SQLite::Statement due(db, "UPDATE jobs SET due_at = ?1 WHERE state = 'pending' AND kind = ?2 AND due_at > ?1");
    due.bind(1, now);
    due.bind(2, std::string(to_string(kind)));
    due.exec();
  }
}

void reset_breakers_where(QueueStore& store, UnixMillis now, Logger& log,
                          const std::function<bool(Target, const BreakerRow&)>& chosen) {
  SQLite::Database& db = store.database();
  on_queue(db, "reset the breaker", [&] {
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    Breaker breaker(db, BreakerPolicy{1, 0, 0, 0}, log);
    for (Target each : all_targets) {
      if (chosen(each, breaker.load(each))) reset_breaker(db, breaker, each, now);
    }
    transaction.commit();
  });
}

}  // namespace

void reset_breakers(QueueStore& store, std::optional<Target> target, UnixMillis now, Logger& log) {
  reset_breakers_where(store, now, log, [&](Target each, const BreakerRow&) { return !target || *target == each; });
}

void reset_breakers_paused_for(QueueStore& store, std::string_view reason, UnixMillis now, Logger& log) {
  reset_breakers_where(store, now, log, [&](Target, const BreakerRow& row) {
    return paused_for(row, reason);
  });
}

}  // namespace vsync
