#include "worker/drain.hpp"

#include <chrono>

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shared/error.hpp"

namespace vsync {

namespace {

void count(DrainStats& stats, JobOutcome::Kind kind) {
  switch (kind) {
    case JobOutcome::Kind::done: ++stats.done; break;
    case JobOutcome::Kind::retry: ++stats.retried; break;
    case JobOutcome::Kind::dead: ++stats.dead; break;
    case JobOutcome::Kind::paused: ++stats.paused; break;
  }
}

}  // namespace

JobOutcome run_job(JobHandler& handler, const ClaimedJob& job) {
  try {
    return handler.run(job);
  } catch (const JobStopped& stopped) {
    return stopped.outcome;
  } catch (const nlohmann::json::exception& e) {
    // A response of a shape we did not expect (a field of another type): the call failed.
    return JobOutcome::retry(fmt::format("unexpected response from the target: {}", e.what()), true);
  } catch (const Error& e) {
    // Data a job carries or reads back that cannot be read (an unknown status, say) is that
    // job's fault; anything else (the queue itself failed) is fatal for the drain.
    if (e.exit_code() == ExitCode::data) return JobOutcome::dead(e.what());
    throw;
  } catch (const SQLite::Exception&) {
    throw;
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
    count(stats, outcome.kind);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started).count();
    log.log(outcome.kind == JobOutcome::Kind::done ? LogLevel::info : LogLevel::warning, "job",
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
