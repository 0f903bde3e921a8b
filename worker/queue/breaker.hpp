#pragma once
// The circuit breaker of design.md, one row per target in table `breaker`, so every process
// that opens the queue sees one state. Every method runs inside the caller's IMMEDIATE
// transaction and logs each state change once.
//   closed --threshold consecutive failures--> open --retry_at passed--> half_open (one probe)
//   half_open --probe succeeds--> closed;  --probe fails--> open again, window doubled (capped)

#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/prepared_statements.hpp"

namespace vsync {

enum class BreakerState { closed, open, half_open };
std::string_view to_string(BreakerState state);
BreakerState parse_breaker_state(std::string_view text);

struct BreakerPolicy {
  int threshold;             // consecutive failures that open the breaker
  UnixMillis recovery;       // first open window
  UnixMillis max_recovery;   // cap for the window as failed probes double it
  UnixMillis probe_lease;    // a probe not finished by then may be taken by another process
};

struct BreakerRow {
  Target target = Target::vikunja;
  BreakerState state = BreakerState::closed;
  int consecutive_failures = 0;
  UnixMillis recovery_ms = 0;
  std::optional<UnixMillis> retry_at;
  std::optional<std::string> probe_owner;
  std::optional<UnixMillis> probe_until;
  std::string reason;
  std::string last_error;
  long long transitions = 0;
};

// Whether the breaker holds calls because of `reason`: open with it, or half open probing after it.
bool paused_for(const BreakerRow& row, std::string_view reason);

struct Admission {
  bool allowed;                       // a call may be made now
  bool probe;                         // ... and it is the half-open probe
  std::optional<UnixMillis> wait_until;  // when not allowed: when to ask again
};

class Breaker {
 public:
  Breaker(SQLite::Database& db, BreakerPolicy policy, Logger& log);

  BreakerRow load(Target target);
  // When no call may be made now: the end of the open window or of another process's probe.
  // nullopt when admit() would let a call through (as the probe, after the window).
  std::optional<UnixMillis> blocked_until(Target target, UnixMillis now);
  // May move open → half_open and reserve the probe for `owner`.
  Admission admit(Target target, UnixMillis now, const std::string& owner);
  void record_success(Target target, UnixMillis now);
  void record_failure(Target target, UnixMillis now, const std::string& error);
  // Opens until `until` whatever the count: a 429's reset time, or a token Vikunja refused.
  void pause(Target target, UnixMillis now, UnixMillis until, const std::string& reason,
             const std::string& error);
  void reset(Target target, UnixMillis now);
  // `owner` held the probe but made no call through this breaker: another may probe at once.
  void release_probe(Target target, UnixMillis now, const std::string& owner);

 private:
  void store(const BreakerRow& before, const BreakerRow& after, UnixMillis now);

  SQLite::Database& db_;
  PreparedStatements statements_{db_};
  BreakerPolicy policy_;
  Logger& log_;
};

}  // namespace vsync
