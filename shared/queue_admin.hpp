#pragma once
// What `vikunja-worker status|retry|purge|breaker reset` read and change. Each change is one
// IMMEDIATE transaction; `status` is one read transaction, so its numbers agree.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "breaker.hpp"
#include "clock.hpp"
#include "logger.hpp"
#include "queue_store.hpp"
#include "worker_config.hpp"

namespace vsync {

struct DeadJob {
  std::int64_t id;
  std::string kind;
  std::string key;
  int attempts;
  std::string last_error;
};

struct QueueStatus {
  std::vector<BreakerRow> breakers;
  std::map<std::string, std::map<std::string, int>> jobs;  // target -> state -> count
  std::optional<UnixMillis> oldest_pending_created;
  std::optional<UnixMillis> next_due;
  std::vector<DeadJob> dead;  // newest first, at most 100
  int dead_total = 0;

  bool healthy() const;  // no breaker open or half-open, no dead jobs
  int count(std::string_view target, std::string_view state) const;  // 0 when none
};

QueueStatus read_status(QueueStore& store);

// `status --json`, schema version 1 (README "Status JSON").
nlohmann::json status_json(const QueueStatus& status, const WorkerConfig& config,
                           const std::string& queue_path, UnixMillis now);
std::string status_text(const QueueStatus& status, const WorkerConfig& config,
                        const std::string& queue_path, UnixMillis now);

// Dead (or pending) jobs back to pending, due now, attempts reset. Returns how many; a key
// that already has a pending job keeps that one (newer) and the old job stays as it was.
// --dead retries, per key, the newest dead job.
int retry_jobs(QueueStore& store, const std::vector<std::int64_t>& ids, UnixMillis now);
int retry_dead_jobs(QueueStore& store, UnixMillis now);

// Deletes done jobs last updated before `before`. Returns how many.
int purge_done_jobs(QueueStore& store, UnixMillis before);

// Closes the breaker of `target`, or of every target, by hand.
void reset_breakers(QueueStore& store, std::optional<Target> target, UnixMillis now, Logger& log);

inline constexpr UnixMillis done_retention = 7LL * 86'400'000;

}  // namespace vsync
