#pragma once
// Claiming jobs as leases and settling them, for any number of workers on one queue.
// A claim is one BEGIN IMMEDIATE transaction that also consults the target's breaker: jobs of an
// open target are skipped, and in half-open exactly one job (the probe) is let through across
// all processes. A key's jobs run one at a time in the order they were queued: one waits while
// another of its key runs or an older one is pending (a linked task's jobs in both directions
// share a key: QueueStore::key_of_vikunja_task). A running job whose lease
// expired (its worker died) may be claimed again; each claim counts one attempt.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/backoff.hpp"
#include "worker/queue/breaker.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/queue/prepared_statements.hpp"
#include "worker/queue/worker_identity.hpp"

namespace vsync {

struct ClaimPolicy {
  UnixMillis lease;  // how long a claim holds before another worker may take the job
  int max_attempts;  // a job that failed this many times is dead
};

class JobClaims {
 public:
  // Claims only jobs of `targets`: the ones this worker has handlers for.
  JobClaims(QueueStore& store, const Clock& clock, BreakerPolicy breaker_policy,
            ClaimPolicy claim_policy, Backoff backoff, Logger& log, std::string owner,
            std::vector<Target> targets);

  std::optional<ClaimedJob> claim_next();

  // Applies the outcome to the job and the breaker in one transaction. A paused target and a
  // failure that leaves the breaker open cost the job no attempt. A job whose lease was taken
  // over meanwhile is left to its new owner.
  void finish(const ClaimedJob& job, const JobOutcome& outcome);

  // finish() and claim_next() in one transaction: one commit, one WAL sync, per job drained.
  std::optional<ClaimedJob> finish_and_claim_next(const ClaimedJob& job, const JobOutcome& outcome);

  // For calls made outside a job (a reconcile): the first of `called` whose breaker blocks
  // calls now, with when it ends; and the breaker side of such a call's outcome.
  // A breaker paused for `except_reason` does not count.
  std::optional<std::pair<Target, UnixMillis>> blocked(const std::vector<Target>& called,
                                                       std::string_view except_reason = {});
  void record_outside_job(const std::vector<Target>& called, const JobOutcome& outcome);

  // The earliest time a claim could find work: the next due job of a target that is not
  // paused, a breaker's retry time, a lease's expiry. nullopt when the queue holds no work.
  std::optional<UnixMillis> next_wake();

  const std::string& owner() const { return owner_; }

 private:
  struct Candidate {
    std::int64_t id;
    UnixMillis due_at;
    Target target;
    JobKind kind;
  };
  bool admissible(JobKind kind, UnixMillis now);  // no breaker it needs is blocked
  std::optional<bool> admit_all(JobKind kind, UnixMillis now);  // nullopt: not now; else probe
  std::optional<Candidate> candidate(Target target, UnixMillis now);
  void release_leases_of_gone_workers(UnixMillis now);
  void bury_exhausted_leases(UnixMillis now);
  std::optional<ClaimedJob> claim(UnixMillis now);  // in the caller's transaction
  void settle(const ClaimedJob& job, const JobOutcome& outcome, UnixMillis now);  // likewise
  void update_breakers(const std::vector<Target>& called, Target failed, const JobOutcome& outcome, UnixMillis now);
  void settle_retry(const ClaimedJob& job, const JobOutcome& outcome, UnixMillis now, bool refund);
  UnixMillis pause_end(const JobOutcome& outcome, UnixMillis now) const;
  static constexpr UnixMillis minimum_pause = 5'000;

  QueueStore& store_;
  SQLite::Database& db_;
  PreparedStatements statements_{db_};
  const Clock& clock_;
  ClaimPolicy policy_;
  Backoff backoff_;
  Breaker breaker_;
  Logger& log_;
  std::string owner_;
  WorkerIdentity me_ = WorkerIdentity::of_this_process();
  std::vector<Target> targets_;
  UnixMillis default_pause_;
};

}  // namespace vsync
