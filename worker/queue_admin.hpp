#pragma once
// What `vikunja-worker retry|purge|breaker reset` change. Each change is one IMMEDIATE
// transaction; a SQLite failure becomes Error naming the queue, with the exit code of its cause
// (a busy or locked queue: 75, try again).

#include <cstdint>
#include <optional>
#include <vector>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/log/logger.hpp"

namespace vsync {

// Dead (or pending) jobs back to pending, due now, attempts reset. Returns how many; a key
// that already has a pending job keeps that one (newer) and the old job stays as it was.
// --dead retries, per key, the newest dead job.
int retry_jobs(QueueStore& store, const std::vector<std::int64_t>& ids, UnixMillis now);
int retry_dead_jobs(QueueStore& store, UnixMillis now);

// Deletes done jobs last updated before `before`. Returns how many.
int purge_done_jobs(QueueStore& store, UnixMillis before);

// Closes the breaker of `target`, or of every target, by hand. The transition count is kept.
void reset_breakers(QueueStore& store, std::optional<Target> target, UnixMillis now, Logger& log);

inline constexpr UnixMillis done_retention = 7LL * 86'400'000;

}  // namespace vsync
