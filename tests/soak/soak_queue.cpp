#include "soak_queue.hpp"

#include "soak_setup.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

namespace vsync::soak {

namespace {

SQLite::Database reader(const std::filesystem::path& db) {
  SQLite::Database database(db, SQLite::OPEN_READONLY);
  database.setBusyTimeout(10'000);
  return database;
}

}  // namespace

long long open_jobs(const std::filesystem::path& db) {
  return reader(db).execAndGet("SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')").getInt64();
}

std::map<std::string, long long> jobs_by_state(const std::filesystem::path& db) {
  auto database = reader(db);
  SQLite::Statement rows(database, "SELECT state, count(*) FROM jobs GROUP BY state");
  std::map<std::string, long long> counts;
  while (rows.executeStep()) counts[rows.getColumn(0).getString()] = rows.getColumn(1).getInt64();
  return counts;
}

std::vector<std::string> dead_jobs(const std::filesystem::path& db) {
  auto database = reader(db);
  SQLite::Statement rows(database,
                         "SELECT id, kind, key, attempts, coalesce(last_error, '') FROM jobs WHERE state = 'dead' ORDER BY id");
  std::vector<std::string> dead;
  while (rows.executeStep()) {
    dead.push_back(fmt::format("job {} {} {} after {} attempts: {}", rows.getColumn(0).getInt64(),
                               rows.getColumn(1).getString(), rows.getColumn(2).getString(),
                               rows.getColumn(3).getInt(), rows.getColumn(4).getString()));
  }
  return dead;
}

std::optional<std::string> job_state(const std::filesystem::path& db, std::int64_t id) {
  auto database = reader(db);
  SQLite::Statement row(database, "SELECT state FROM jobs WHERE id = ?");
  row.bind(1, static_cast<int64_t>(id));
  if (!row.executeStep()) return std::nullopt;
  return row.getColumn(0).getString();
}

std::map<std::string, std::int64_t> task_links(const std::filesystem::path& db) {
  auto database = reader(db);
  SQLite::Statement rows(database, "SELECT tw_uuid, vikunja_id FROM task_map");
  std::map<std::string, std::int64_t> links;
  while (rows.executeStep()) links[rows.getColumn(0).getString()] = rows.getColumn(1).getInt64();
  return links;
}

long long conflict_count(const std::filesystem::path& db) {
  return reader(db).execAndGet("SELECT count(*) FROM conflicts").getInt64();
}

std::optional<std::int64_t> breaker_retry_at(const std::filesystem::path& db) {
  auto database = reader(db);
  SQLite::Statement row(database, "SELECT max(retry_at) FROM breaker WHERE state != 'closed'");
  if (!row.executeStep() || row.getColumn(0).isNull()) return std::nullopt;
  return row.getColumn(0).getInt64();
}

std::vector<std::string> jobs_of_keys(const std::filesystem::path& db, const std::vector<std::string>& keys) {
  auto database = reader(db);
  SQLite::Statement rows(database,
                         "SELECT id, kind, key, state, attempts, coalesce(last_error, ''), substr(payload, 1, 160), "
                         "created_at, updated_at FROM jobs WHERE key = ? ORDER BY id");
  std::vector<std::string> lines;
  for (const std::string& key : keys) {
    rows.reset();
    rows.bind(1, key);
    while (rows.executeStep()) {
      lines.push_back(fmt::format("job {} {} {} {} (queued {}, last changed {}) attempts={} last_error=\"{}\" payload={}",
                                  rows.getColumn(0).getInt64(), rows.getColumn(1).getString(),
                                  rows.getColumn(2).getString(), rows.getColumn(3).getString(),
                                  clock_text(rows.getColumn(7).getInt64()), clock_text(rows.getColumn(8).getInt64()),
                                  rows.getColumn(4).getInt(), rows.getColumn(5).getString(),
                                  rows.getColumn(6).getString()));
    }
  }
  return lines;
}

}  // namespace vsync::soak
