#pragma once
// The contract between the queue and the code that carries a job to its target: a handler gets
// a claimed job and returns (or throws, as JobStopped) what came of it. The sync rules in
// worker/sync implement it; the drain calls it.

#include <cstdint>
#include <string>

#include "shared/job.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

struct ClaimedJob {
  std::int64_t id = 0;
  JobKind kind = JobKind::push;
  Target target = Target::vikunja;
  std::string key;
  std::string payload;
  int attempts = 0;  // including this one
  bool probe = false;
};

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // Returns the outcome or throws JobStopped with it.
  virtual JobOutcome run(const ClaimedJob& job) = 0;
};

}  // namespace vsync
