#pragma once
// What running a job came to: a value, decided in one place per target (http_outcome for
// Vikunja) and applied to the queue and the breaker by JobClaims::finish.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "shared/clock.hpp"
#include "shared/enum_format.hpp"
#include "shared/job.hpp"

namespace vsync {

struct JobOutcome {
  enum class Kind {
    done,    // finished; the target answered
    retry,   // a transient failure: try again after a backoff
    dead,    // the job's own fault (e.g. HTTP 400/422): retrying cannot help
    paused,  // the target refuses everyone for now (429, 401): no attempt is spent
  };
  Kind kind = Kind::done;
  bool trips_breaker = false;            // retry only: a failure of the target, not of the job
  std::optional<UnixMillis> not_before;  // retry / paused: no earlier than this
  std::string reason;                    // paused: "rate limited", "authentication"
  std::string error;                     // kept in jobs.last_error and the breaker row
  // The target whose call failed, when it is not the job's own: a webhook job reads Vikunja
  // too, and a Vikunja outage must open Vikunja's breaker, not Taskwarrior's.
  std::optional<Target> failed_target;
  // The targets the job actually called; nullopt when unknown (then: every target its kind
  // calls). Only a call says anything about a target's health: a job that called nothing must
  // not close a breaker it was admitted through.
  std::optional<std::vector<Target>> reached;
  // retry only: false when the job waits its turn behind another job and nothing failed; it
  // runs again at not_before, its attempts untouched.
  bool spends_attempt = true;
  std::string waits_for = {};  // retry only: the title whose link lock must end before it runs again

  static JobOutcome done() { return {}; }
  static JobOutcome dead(std::string error) { return {Kind::dead, false, {}, {}, std::move(error), {}, {}}; }
  static JobOutcome retry(std::string error, bool trips_breaker) {
    return {Kind::retry, trips_breaker, {}, {}, std::move(error), {}, {}};
  }
  static JobOutcome paused(std::string reason, std::optional<UnixMillis> until, std::string error) {
    return {Kind::paused, true, until, std::move(reason), std::move(error), {}, {}};
  }
  // The job waits for the link lock on `title` (worker/sync/link_locks.hpp): pending again at
  // once, and no worker claims it until that lock ends.
  static JobOutcome wait_for_lock(std::string title) {
    JobOutcome outcome = retry(fmt::format("waits for the job deciding how \"{}\" is linked", title), false);
    outcome.spends_attempt = false;
    outcome.waits_for = std::move(title);
    return outcome;
  }
  JobOutcome& on(Target target) {
    failed_target = target;
    return *this;
  }
};

std::string_view to_string(JobOutcome::Kind kind);

// Thrown by a handler's calls to stop the job with this outcome; caught once by the drain.
struct JobStopped {
  JobOutcome outcome;
};

}  // namespace vsync
