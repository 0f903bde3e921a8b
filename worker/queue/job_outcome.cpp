#include "worker/queue/job_outcome.hpp"

namespace vsync {

std::string_view to_string(JobOutcome::Kind kind) {
  switch (kind) {
    case JobOutcome::Kind::done: return "done";
    case JobOutcome::Kind::retry: return "retry";
    case JobOutcome::Kind::dead: return "dead";
    case JobOutcome::Kind::paused: return "paused";
  }
  return "?";
}

}  // namespace vsync
