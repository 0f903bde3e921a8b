#include "worker/sync/delete_guard.hpp"

#include <algorithm>
#include <string>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include "worker/queue/on_queue.hpp"

namespace vsync {

namespace {

// The Vikunja ids of pending or running task.deleted jobs (from a webhook or a reconcile)
// queued after :confirmed.
constexpr const char* queued_vikunja_delete_ids_sql = R"sql(
  SELECT CASE WHEN json_valid(payload) THEN json_extract(payload, '$.data.task.id') END FROM jobs
  WHERE state IN ('pending', 'running') AND kind = 'webhook' AND created_at > :confirmed
    AND CASE WHEN json_valid(payload) THEN json_extract(payload, '$.event_name') END = 'task.deleted')sql";

// Linked tasks whose delete is queued because they vanished in Vikunja, or in Taskwarrior (a
// delete job).
const std::string queued_vikunja_deletes_sql =
    std::string("SELECT count(*) FROM task_map WHERE vikunja_id IN (") + queued_vikunja_delete_ids_sql + ")";

const std::string queued_taskwarrior_deletes_sql = R"sql(
  SELECT count(*) FROM jobs
  WHERE state IN ('pending', 'running') AND created_at > :confirmed
    AND (kind = 'delete' OR (kind = 'push' AND CASE WHEN json_valid(payload)
                                                THEN json_extract(payload, '$.status') END = 'deleted'))
    AND key IN (SELECT 'tw:' || tw_uuid FROM task_map))sql";

std::string side_text(Side side) { return std::string(to_string(side)); }

const char* side_name(Side side) { return side == Side::vikunja ? "Vikunja" : "Taskwarrior"; }

}  // namespace

Target receiving_target(Side vanished_in) {
  return vanished_in == Side::vikunja ? Target::taskwarrior : Target::vikunja;
}

DeleteGuard::Counts DeleteGuard::counts(Side vanished_in) {
  return on_queue(db_, "count the deletes", [&] {
    SQLite::Statement confirmation(db_, "SELECT confirmed_at, counted_from FROM delete_confirmations "
                                        "WHERE vanished_in = ?");
    confirmation.bind(1, side_text(vanished_in));
    UnixMillis confirmed_at = 0;
    UnixMillis counted_from = 0;
    if (confirmation.executeStep()) {
      confirmed_at = confirmation.getColumn(0).getInt64();
      counted_from = confirmation.getColumn(1).getInt64();
    }
    Counts counts;
    SQLite::Statement recent(db_, "SELECT count(*) FROM tombstones WHERE deleted_in = ? AND deleted_at > ?");
    recent.bind(1, side_text(vanished_in));
    recent.bind(2, std::max(clock_.now() - policy_.window, counted_from));
    recent.executeStep();
    counts.recent = recent.getColumn(0).getInt64();
    SQLite::Statement queued(db_, vanished_in == Side::vikunja ? queued_vikunja_deletes_sql
                                                               : queued_taskwarrior_deletes_sql);
    queued.bind(":confirmed", confirmed_at);
    queued.executeStep();
    counts.queued = queued.getColumn(0).getInt64();
    counts.links = db_.execAndGet("SELECT count(*) FROM task_map").getInt64();
    return counts;
  });
}

bool DeleteGuard::off() const { return policy_.count == 0; }

std::optional<std::string> DeleteGuard::judge(Side vanished_in, long long deletes, const Counts& counts) const {
  // The links there were before these deletes: the ones left and the ones deleted.
  const long long linked_before = counts.links + counts.recent;
  const bool many = deletes > policy_.count && deletes * 100 > policy_.percent * linked_before;
  const bool all = deletes >= 2 && deletes >= linked_before;
  if (!many && !all) return std::nullopt;
  return fmt::format("held back {} deletes of tasks gone from {}: {} of {} linked tasks within {} min (the limit: "
                     "more than {} and more than {}%); if they were deleted on purpose: vikunja-worker reconcile "
                     "--allow-deletes; if {} lost them: vikunja-worker relink",
                     deletes, side_name(vanished_in), std::min(deletes, linked_before), linked_before,
                     policy_.window / 60'000, policy_.count, policy_.percent, side_name(vanished_in));
}

std::optional<std::string> DeleteGuard::hold(Side vanished_in) {
  if (off()) return std::nullopt;
  const Counts now = counts(vanished_in);
  // The job itself is one of the queued ones: it is running.
  return judge(vanished_in, now.recent + std::max(now.queued, 1LL), now);
}

std::optional<std::string> DeleteGuard::hold_planned(Side vanished_in, int planned) {
  if (planned == 0 || off()) return std::nullopt;
  const Counts now = counts(vanished_in);
  // A reconcile plans again the deletes still queued from the last one: count each once.
  return judge(vanished_in, now.recent + std::max<long long>(now.queued, planned), now);
}

bool DeleteGuard::confirmed(Side vanished_in, std::int64_t job_id) {
  return on_queue(db_, "read the delete confirmations", [&] {
    SQLite::Statement query(db_, "SELECT 1 FROM delete_confirmations AS c JOIN jobs AS j ON j.id = ? "
                                 "WHERE c.vanished_in = ? AND j.created_at <= c.confirmed_at");
    query.bind(1, job_id);
    query.bind(2, side_text(vanished_in));
    return query.executeStep();
  });
}

void DeleteGuard::deleted(Side vanished_in, std::int64_t job_id) {
  on_queue(db_, "record a confirmed delete", [&] {
    SQLite::Statement update(db_, "UPDATE delete_confirmations SET counted_from = ?1 WHERE vanished_in = ?2 "
                                  "AND confirmed_at >= (SELECT created_at FROM jobs WHERE id = ?3)");
    update.bind(1, clock_.now());
    update.bind(2, side_text(vanished_in));
    update.bind(3, job_id);
    update.exec();
  });
}

void DeleteGuard::confirm() {
  on_queue(db_, "confirm the deletes", [&] {
    for (Side side : {Side::taskwarrior, Side::vikunja}) {
      SQLite::Statement upsert(db_, "INSERT INTO delete_confirmations (vanished_in, confirmed_at, counted_from) "
                                    "VALUES (?1, ?2, ?2) ON CONFLICT (vanished_in) DO UPDATE SET "
                                    "confirmed_at = ?2, counted_from = ?2");
      upsert.bind(1, side_text(side));
      upsert.bind(2, clock_.now());
      upsert.exec();
    }
  });
}

std::vector<std::int64_t> DeleteGuard::other_linked_vikunja_ids(std::int64_t vikunja_id, int at_most) {
  return on_queue(db_, "read the task map", [&] {
    // Not the ones whose delete is queued too: a few tasks deleted at once must not look like all.
    SQLite::Statement query(db_, std::string("SELECT vikunja_id FROM task_map WHERE vikunja_id <> :id AND vikunja_id "
                                             "NOT IN (") + queued_vikunja_delete_ids_sql + ") ORDER BY vikunja_id");
    query.bind(":id", vikunja_id);
    query.bind(":confirmed", UnixMillis{0});  // every queued one, confirmed or not
    std::vector<std::int64_t> all;
    while (query.executeStep()) all.push_back(query.getColumn(0).getInt64());
    // Spread over the ids (oldest, newest and between): the newest few are often deleted together.
    std::vector<std::int64_t> chosen;
    for (int n = 0; n < at_most && n < static_cast<int>(all.size()); ++n) {
      const std::size_t at = at_most == 1 ? 0 : n * (all.size() - 1) / (at_most - 1);
      if (chosen.empty() || chosen.back() != all[at]) chosen.push_back(all[at]);
    }
    return chosen;
  });
}

}  // namespace vsync
