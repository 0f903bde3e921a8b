#pragma once
// Table link_locks (schema/010): deciding what an unlinked task is on the other side (a
// namesake, the task a lost create made, or nothing yet, so one is created) is done by one job
// at a time per title. Every match such a decision can make is between tasks of one title
// (pair_sync.hpp's candidates, TaskMap::creates_that_made), so the two halves of a new pair
// (the push, and the created task's webhook) never decide side by side, nor do two namesakes;
// jobs about different titles do, and any number of workers drain new tasks together.
// A job that must wait settles back to pending at once, holding nothing, spending no attempt,
// and no worker claims it until the lock it waits for ends (JobClaims). Since a waiting job
// holds nothing, no two jobs can wait for each other.

#include <cstdint>
#include <set>
#include <string>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"

namespace vsync {

class LinkLocks {
 public:
  // `owner`: the lease owner of the jobs these locks are taken for.
  LinkLocks(SQLite::Database& db, const Clock& clock, std::string owner)
      : db_(db), clock_(clock), owner_(std::move(owner)) {}

  // Locks every one of `titles` for the running job `job_id`, all or none, until that job
  // settles; the holder may ask again. When another job holds one, or `job_id` no longer runs
  // under this owner's lease: JobStopped with JobOutcome::wait_for_lock.
  void lock(std::int64_t job_id, const std::set<std::string>& titles);

  // Before a job creates a Taskwarrior task for an unlinked Vikunja task: a create whose title
  // another job holds locked may be waiting for its answer, and may have made this very task
  // under a title edited since. Then the job waits for that lock (JobStopped as above).
  void wait_for_creates_in_flight(std::int64_t job_id);

 private:
  SQLite::Database& db_;
  const Clock& clock_;
  std::string owner_;
};

}  // namespace vsync
