#pragma once
// One pass over the queue: claim due jobs one by one, run each with the handler of its target,
// settle the outcome. It never waits for a backoff or a breaker window; what is not due is left
// for a later pass. Queue errors are fatal and propagate; anything a job throws becomes that
// job's outcome.

#include <functional>

#include "worker/log/logger.hpp"
#include "worker/queue/job_claims.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

struct DrainStats {
  int done = 0;
  int retried = 0;
  int dead = 0;
  int paused = 0;
  int waited = 0;  // for a link lock (JobOutcome::wait_for_lock): not counted as retried
  int total() const { return done + retried + dead + paused + waited; }
};

// Runs one job through `handler` and turns whatever it throws (other than queue errors) into
// an outcome: JobStopped carries one, a JSON type error is an unexpected response.
JobOutcome run_job(JobHandler& handler, const ClaimedJob& job);

// The classification above, for the exception being handled (call it in a catch block).
JobOutcome outcome_of_current_exception();

// `should_stop` is asked between jobs (SIGTERM: the current job finishes first).
DrainStats drain(JobClaims& claims, JobHandler& handler, Logger& log,
                 const std::function<bool()>& should_stop = [] { return false; });

}  // namespace vsync
