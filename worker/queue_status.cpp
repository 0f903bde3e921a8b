#include "worker/queue_status.hpp"

#include <algorithm>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "shared/timestamp.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/on_queue.hpp"

namespace vsync {

namespace {

std::optional<UnixMillis> single_time(SQLite::Database& db, const char* sql) {
  SQLite::Statement query(db, sql);
  if (!query.executeStep() || query.getColumn(0).isNull()) return std::nullopt;
  return query.getColumn(0).getInt64();
}

// The earliest due time of each kind is the first entry of its range in jobs_by_state_kind_due.
constexpr const char* first_due_sql = R"sql(
  SELECT min((SELECT due_at FROM jobs WHERE state = 'pending' AND kind = kinds.kind
              ORDER BY state, kind, due_at LIMIT 1))
  FROM (SELECT 'push' AS kind UNION ALL SELECT 'delete' UNION ALL SELECT 'webhook') AS kinds)sql";

std::string seconds_from(UnixMillis from, UnixMillis to) {
  return fmt::format("{}s", (to - from) / 1000);
}

// A job due now waits while a breaker holds the calls it makes: say so.
std::string next_due_text(const QueueStatus& status, UnixMillis now) {
  if (!status.next_due) return "-";
  if (*status.next_due > now) return "in " + seconds_from(now, *status.next_due);
  std::string text = "now";
  for (const BreakerRow& row : status.breakers) {
    if (row.state == BreakerState::open && row.retry_at && *row.retry_at > now) {
      text += fmt::format(", held by the {} breaker for {}", to_string(row.target), seconds_from(now, *row.retry_at));
    }
  }
  return text;
}

// A read-only Breaker use: load() needs no policy and logs nothing.
std::vector<BreakerRow> load_breakers(SQLite::Database& db) {
  Logger quiet(LogLevel::error, false, [](std::string_view) {});
  Breaker breaker(db, BreakerPolicy{1, 0, 0, 0}, quiet);
  std::vector<BreakerRow> rows;
  for (Target target : all_targets) rows.push_back(breaker.load(target));
  return rows;
}

QueueStatus read_status_of(SQLite::Database& db) {
  SQLite::Transaction transaction(db);  // one snapshot for every number below
  QueueStatus status;
  status.breakers = load_breakers(db);
  SQLite::Statement counts(db, "SELECT target, state, jobs FROM job_counts WHERE jobs > 0");
  while (counts.executeStep()) {
    status.jobs[parse_target(counts.getColumn(0).getString())][parse_job_state(counts.getColumn(1).getString())] =
        counts.getColumn(2).getInt();
  }
  status.oldest_pending_created = single_time(
      db, "SELECT created_at FROM jobs WHERE state = 'pending' ORDER BY state, created_at LIMIT 1");
  status.next_due = single_time(db, first_due_sql);
  status.reconciles = ReconcileMarks(db).read();
  SQLite::Statement dead(db,
                         "SELECT id, kind, key, attempts, coalesce(last_error, ''), "
                         // the title: a snapshot's description, a webhook's task title
                         "CASE WHEN json_valid(payload) THEN coalesce(json_extract(payload, '$.description'), "
                         "json_extract(payload, '$.data.task.title')) END FROM jobs "
                         "WHERE state = 'dead' ORDER BY state DESC, updated_at DESC, id DESC LIMIT 100");
  while (dead.executeStep()) {
    const SQLite::Column title = dead.getColumn(5);
    status.dead.push_back({dead.getColumn(0).getInt64(), parse_job_kind(dead.getColumn(1).getString()),
                           dead.getColumn(2).getString(), dead.getColumn(3).getInt(),
                           dead.getColumn(4).getString(), title.isText() ? title.getString() : std::string()});
  }
  status.dead_total = status.count(Target::vikunja, JobState::dead) + status.count(Target::taskwarrior, JobState::dead);
  SQLite::Statement conflicts(db,
                              "SELECT id, decided_at, tw_uuid, vikunja_id, field, winner FROM conflicts "
                              "ORDER BY id DESC LIMIT 10");
  while (conflicts.executeStep()) {
    status.conflicts.push_back({conflicts.getColumn(0).getInt64(), conflicts.getColumn(1).getInt64(),
                                conflicts.getColumn(2).getString(), conflicts.getColumn(3).getInt64(),
                                conflicts.getColumn(4).getString(), conflicts.getColumn(5).getString()});
  }
  status.conflicts_total = db.execAndGet("SELECT count(*) FROM conflicts").getInt();
  transaction.commit();
  return status;
}

}  // namespace

bool QueueStatus::healthy() const {
  for (const BreakerRow& row : breakers) {
    if (row.state != BreakerState::closed) return false;
  }
  return dead_total == 0;
}

int QueueStatus::count(Target target, JobState state) const {
  const auto by_target = jobs.find(target);
  if (by_target == jobs.end()) return 0;
  const auto found = by_target->second.find(state);
  return found == by_target->second.end() ? 0 : found->second;
}

QueueStatus read_status(QueueStore& store) {
  SQLite::Database& db = store.database();
  return on_queue(db, "read the status", [&] { return read_status_of(db); });
}


nlohmann::json status_json(const QueueStatus& status, const WorkerConfig& config,
                           const std::string& queue_path, UnixMillis now) {
  using json = nlohmann::json;
  json out{{"version", 1}, {"queue", queue_path}, {"healthy", status.healthy()}};
  const auto optional_time = [](const std::optional<UnixMillis>& time) {
    return time ? json(format_rfc3339(*time)) : json(nullptr);
  };
  json breakers = json::array();
  for (const BreakerRow& row : status.breakers) {
    breakers.push_back({{"target", to_string(row.target)},
                        {"state", to_string(row.state)},
                        {"consecutive_failures", row.consecutive_failures},
                        {"reason", row.reason},
                        {"last_error", row.last_error},
                        {"retry_at", optional_time(row.retry_at)},
                        {"seconds_to_probe", row.retry_at && row.state != BreakerState::closed
                                                 ? json(std::max<UnixMillis>(0, *row.retry_at - now) / 1000)
                                                 : json(nullptr)},
                        {"transitions", row.transitions}});
  }
  out["breakers"] = breakers;
  json jobs = json::object();
  for (Target target : all_targets) {
    json states = json::object();
    for (JobState state : all_job_states) states[std::string(to_string(state))] = status.count(target, state);
    jobs[std::string(to_string(target))] = states;
  }
  out["jobs"] = jobs;
  out["oldest_pending_age_seconds"] =
      status.oldest_pending_created ? json((now - *status.oldest_pending_created) / 1000) : json(nullptr);
  out["next_due"] = optional_time(status.next_due);
  const auto last_kind = status.reconciles.last_kind();
  out["reconcile"] = {{"last", optional_time(status.reconciles.last)},
                      {"last_kind", last_kind ? json(to_string(*last_kind)) : json(nullptr)},
                      {"last_full", optional_time(status.reconciles.last_full)},
                      {"sync_start", optional_time(status.reconciles.sync_start)}};
  json dead = json::array();
  for (const DeadJob& job : status.dead) {
    dead.push_back({{"id", job.id}, {"kind", to_string(job.kind)}, {"key", job.key}, {"title", job.title},
                    {"attempts", job.attempts}, {"last_error", job.last_error}});
  }
  out["dead_jobs"] = dead;
  out["dead_total"] = status.dead_total;
  json conflicts = json::array();
  for (const ConflictRow& row : status.conflicts) {
    conflicts.push_back({{"id", row.id}, {"decided_at", format_rfc3339(row.decided_at)}, {"tw_uuid", row.tw_uuid},
                         {"vikunja_id", row.vikunja_id}, {"field", row.field}, {"winner", row.winner}});
  }
  out["conflicts"] = conflicts;
  out["conflicts_total"] = status.conflicts_total;
  json settings = json::array();
  for (const SettingRow& row : describe_settings(config)) {
    settings.push_back({{"name", row.name}, {"value", row.value}, {"origin", row.origin}});
  }
  out["settings"] = settings;
  return out;
}

std::string status_text(const QueueStatus& status, const WorkerConfig& config,
                        const std::string& queue_path, UnixMillis now) {
  std::string text = fmt::format("queue: {}\nhealth: {}\n\nbreakers:\n", queue_path,
                                 status.healthy() ? "ok" : "attention needed");
  for (const BreakerRow& row : status.breakers) {
    text += fmt::format("  {:<12} {:<9} failures {}", to_string(row.target), to_string(row.state),
                        row.consecutive_failures);
    if (row.state != BreakerState::closed && row.retry_at) {
      text += fmt::format(", next probe in {}", *row.retry_at > now ? seconds_from(now, *row.retry_at) : "0s");
    }
    if (row.state == BreakerState::closed) {
      text += "\n";  // the last outage's reason and error are history, kept in the JSON
      continue;
    }
    if (!row.reason.empty()) text += fmt::format(", reason: {}", row.reason);
    if (!row.last_error.empty()) text += fmt::format("\n               last error: {}", row.last_error);
    text += "\n";
  }
  text += "\njobs:\n";
  for (const auto& [target, states] : status.jobs) {
    text += fmt::format("  {:<12}", to_string(target));
    for (const auto& [state, count] : states) text += fmt::format(" {} {}", state, count);
    text += "\n";
  }
  if (status.jobs.empty()) text += "  (none)\n";
  text += fmt::format("  oldest pending: {}\n  next due: {}\n",
                      status.oldest_pending_created ? seconds_from(*status.oldest_pending_created, now) + " old" : "-",
                      next_due_text(status, now));
  const ReconcileTimes& reconciles = status.reconciles;
  text += reconciles.last ? fmt::format("  last reconcile: {} ago ({}), last full pass: {}, sync began {}\n",
                                        seconds_from(*reconciles.last, now), to_string(*reconciles.last_kind()),
                                        reconciles.last_full ? seconds_from(*reconciles.last_full, now) + " ago" : "never",
                                        reconciles.sync_start ? format_rfc3339(*reconciles.sync_start) : "-")
                          : std::string("  last reconcile: never\n");
  if (status.dead_total > 0) {
    text += fmt::format("\ndead jobs ({}; retry with `vikunja-worker retry --dead`):\n", status.dead_total);
    for (const DeadJob& job : status.dead) {
      text += fmt::format("  #{} {} \"{}\" ({}) after {} attempts: {}\n", job.id, job.kind, job.title, job.key,
                          job.attempts, job.last_error);
    }
  }
  if (status.conflicts_total > 0) {
    text += fmt::format("\nconflicts ({}; both values: sqlite3 QUEUE 'SELECT * FROM conflict_log'):\n",
                        status.conflicts_total);
    for (const ConflictRow& row : status.conflicts) {
      text += fmt::format("  #{} {} {} <-> vikunja #{}: {} kept from {}\n", row.id, format_rfc3339(row.decided_at),
                          row.tw_uuid, row.vikunja_id, row.field, row.winner);
    }
  }
  text += "\nsettings:\n";
  for (const SettingRow& row : describe_settings(config)) {
    text += fmt::format("  {}\n", setting_line(row.name, row.value, row.origin));
  }
  return text;
}

}  // namespace vsync
