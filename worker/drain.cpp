#include "worker/drain.hpp"

#include <chrono>

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shared/error.hpp"

namespace vsync {

namespace {

void count(DrainStats& stats, const JobOutcome& outcome) {
  if (!outcome.waits_for.empty()) {
    ++stats.waited;
    return;
  }
  switch (outcome.kind) {
    case JobOutcome::Kind::done: ++stats.done; break;
    case JobOutcome::Kind::retry: ++stats.retried; break;
    case JobOutcome::Kind::dead: ++stats.dead; break;
    case JobOutcome::Kind::paused: ++stats.paused; break;
  }
}

}  // namespace

// One classification of what a job can throw (README "What happens to a failed call"):
// - data that cannot be read, in the job's payload or in a target's answer about this one task:
//   the job is dead with the reason; the target answered, so its breaker records a success;
// - a local resource (fork, a pipe, the disk, the queue busy): a retry with backoff that leaves
//   the breakers alone, and the drain goes on with other work;
// transport and server failures arrive as JobStopped from the clients, already classified.
JobOutcome outcome_of_current_exception() {
  try {
    throw;
  } catch (const JobStopped& stopped) {
    return stopped.outcome;
  } catch (const nlohmann::json::exception& e) {
    return JobOutcome::dead(fmt::format("data of an unexpected shape: {}", e.what()));
  } catch (const Error& e) {
    if (e.exit_code() == ExitCode::data) return JobOutcome::dead(e.what());
    return JobOutcome::retry(fmt::format("local failure: {}", e.what()), false);
  } catch (const SQLite::Exception& e) {
    return JobOutcome::retry(fmt::format("local failure: queue: {}", e.what()), false);
  } catch (const std::exception& e) {
    return JobOutcome::retry(fmt::format("local failure: {}", e.what()), false);
  }
}

JobOutcome run_job(JobHandler& handler, const ClaimedJob& job) {
  try {
    return handler.run(job);
  } catch (...) {
    return outcome_of_current_exception();
  }
}

DrainStats drain(JobClaims& claims, JobHandler& handler, Logger& log,
                 const std::function<bool()>& should_stop) {
  DrainStats stats;
  if (should_stop()) return stats;
  auto job = claims.claim_next();
  while (job) {
    const auto started = std::chrono::steady_clock::now();
    const JobOutcome outcome = run_job(handler, *job);
    count(stats, outcome);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started).count();
    // A wait for a link lock is routine when workers share a queue: counted in the metrics.
    const LogLevel level = !outcome.waits_for.empty()                                       ? LogLevel::debug
                           : outcome.kind == JobOutcome::Kind::done || !outcome.spends_attempt ? LogLevel::info
                                                                                            : LogLevel::warning;
    log.log(level, "job",
            "id={} kind={} key={} outcome={} attempt={}{} duration_ms={}{}", job->id, job->kind,
            job->key, outcome.kind, job->attempts, job->probe ? " probe=true" : "", ms,
            outcome.error.empty() ? "" : " error=" + log_quote(outcome.error));
    if (should_stop()) {
      claims.finish(*job, outcome);
      break;
    }
    job = claims.finish_and_claim_next(*job, outcome);
  }
  return stats;
}

}  // namespace vsync
