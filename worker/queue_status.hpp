#pragma once
// What `vikunja-worker status` (and `metrics`, and systemd's STATUS= line) read: the breakers,
// job counts by target and state, the oldest pending job, the dead jobs. One read transaction,
// so its numbers agree; a SQLite failure becomes Error naming the queue.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/queue/breaker.hpp"
#include "worker/sync/reconcile_marks.hpp"
#include "worker/worker_config.hpp"

namespace vsync {

struct DeadJob {
  std::int64_t id;
  JobKind kind;
  std::string key;
  int attempts;
  std::string last_error;
  std::string title;  // the task's, as the job carries it; empty when it carries none
};

// A field changed on both sides, as table conflicts keeps it (values only through sqlite3).
struct ConflictRow {
  std::int64_t id;
  UnixMillis decided_at;
  std::string tw_uuid;
  std::int64_t vikunja_id;
  std::string field;
  std::string winner;
};

struct QueueStatus {
  std::vector<BreakerRow> breakers;
  std::map<Target, std::map<JobState, int>> jobs;  // only the counts that are not 0
  std::optional<UnixMillis> oldest_pending_created;
  std::optional<UnixMillis> next_due;
  std::vector<DeadJob> dead;  // newest first, at most 100
  int dead_total = 0;
  std::vector<ConflictRow> conflicts;  // newest first, at most 10
  int conflicts_total = 0;
  ReconcileTimes reconciles;

  bool healthy() const;  // no breaker open or half-open, no dead jobs
  int count(Target target, JobState state) const;  // 0 when none
};

QueueStatus read_status(QueueStore& store);

// `status --json`, schema version 1 (README "Status JSON").
nlohmann::json status_json(const QueueStatus& status, const WorkerConfig& config,
                           const std::string& queue_path, UnixMillis now);
std::string status_text(const QueueStatus& status, const WorkerConfig& config,
                        const std::string& queue_path, UnixMillis now);

}  // namespace vsync
