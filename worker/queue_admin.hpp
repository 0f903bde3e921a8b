#pragma once
// What `vikunja-worker retry|purge|breaker reset` change. Each change is one IMMEDIATE
// transaction; a SQLite failure becomes Error naming the queue, with the exit code of its cause
// (a busy or locked queue: 75, try again).

#include <cstdint>
#include <optional>
#include <string_view>
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

// Deletes done jobs last updated before `before`, oldest first, at most `at_most` of them
// (-1: all). Returns how many.
int purge_done_jobs(QueueStore& store, UnixMillis before, int at_most = -1);

// Closes the breaker of `target`, or of every target, by hand, and makes the pending jobs that
// call it due now: the ones it paused would otherwise wait out the window. The transition count
// is kept.
void reset_breakers(QueueStore& store, std::optional<Target> target, UnixMillis now, Logger& log);
// Likewise for the breakers open with `reason` (the user confirmed what paused them).
void reset_breakers_paused_for(QueueStore& store, std::string_view reason, UnixMillis now, Logger& log);

inline constexpr UnixMillis done_retention = 7LL * 86'400'000;
// What each drain purges at most: a long pause's backlog goes over the next drains.
inline constexpr int purge_batch_per_drain = 1000;

}  // namespace vsync
