#include "worker/queue/job_claims.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "worker/queue/link_lock_sql.hpp"

namespace vsync {

namespace {

std::string target_text(Target target) { return std::string(to_string(target)); }

// A job may run when it is due (or its lease expired) and no other job of its key is running,
// except an expired older one, which goes first. Asked per kind and per state, each query walks
// the index jobs_by_state_kind_due in (due_at, id) order and stops at the first job whose key is
// free: its cost does not grow with the done jobs, nor with the due jobs ahead of it.
constexpr const char* key_is_free_sql = R"sql(
    AND NOT EXISTS (SELECT 1 FROM jobs AS r
                    WHERE r.key = j.key AND r.state = 'running' AND r.id <> j.id
                      AND (r.lease_until > :now OR r.id < j.id))
    AND NOT EXISTS (SELECT 1 FROM jobs AS o
                    WHERE o.key = j.key AND o.state = 'pending' AND o.id < j.id))sql";

// A pending job waiting for a link lock (JobOutcome::wait_for_lock) is left alone while the
// lock is live; when it ends, the holder's commit wakes every worker and the job is claimable.
const std::string not_waiting_sql = std::string(R"sql(
    AND NOT EXISTS (SELECT 1 FROM link_locks AS held WHERE held.title = j.waits_for AND )sql") +
                                    link_lock_is_live_sql + ")";

const std::string due_pending_sql = std::string(R"sql(
  SELECT id, due_at FROM jobs AS j
  WHERE state = 'pending' AND kind = :kind AND due_at <= :now)sql") + key_is_free_sql +
                                    not_waiting_sql + " ORDER BY due_at, id LIMIT 1";

const std::string expired_lease_sql = std::string(R"sql(
  SELECT id, due_at FROM jobs AS j
  WHERE state = 'running' AND kind = :kind AND lease_until <= :now)sql") + key_is_free_sql +
                                      " ORDER BY due_at, id LIMIT 1";

// The next job of a kind once its key is free. One waiting for a live link lock is due when the
// lock ends, which wakes the worker; a lock whose worker dies ends with its lease, a wake time
// of its own.
const std::string next_due_sql = std::string(R"sql(
  SELECT due_at FROM jobs AS j WHERE state = 'pending' AND kind = :kind
    AND NOT EXISTS (SELECT 1 FROM jobs AS r WHERE r.key = j.key
                    AND (r.state = 'running' OR (r.state = 'pending' AND r.id < j.id))))sql") +
                                 not_waiting_sql + " ORDER BY due_at, id LIMIT 1";

}  // namespace

JobClaims::JobClaims(QueueStore& store, const Clock& clock, BreakerPolicy breaker_policy,
                     ClaimPolicy claim_policy, Backoff backoff, Logger& log, std::string owner,
                     std::vector<Target> targets)
    : store_(store),
      db_(store.database()),
      clock_(clock),
      policy_(claim_policy),
      backoff_(std::move(backoff)),
      breaker_(store.database(), breaker_policy, log),
      log_(log),
      owner_(std::move(owner)),
      targets_(std::move(targets)),
      default_pause_(breaker_policy.recovery) {}

std::optional<JobClaims::Candidate> JobClaims::candidate(Target target, UnixMillis now) {
  std::optional<Candidate> earliest;
  for (JobKind kind : all_job_kinds) {
    if (target_of(kind) != target || !admissible(kind, now)) continue;
    for (const std::string* sql : {&due_pending_sql, &expired_lease_sql}) {
      auto query = statements_(*sql);
      query->bind(":kind", std::string(to_string(kind)));
      query->bind(":now", now);
      if (!query->executeStep()) continue;
      const Candidate found{query->getColumn(0).getInt64(), query->getColumn(1).getInt64(), target, kind};
      if (!earliest || std::pair(found.due_at, found.id) < std::pair(earliest->due_at, earliest->id)) {
        earliest = found;
      }
    }
  }
  return earliest;
}

// A worker killed in the middle of a job (kill -9, the OOM killer) never settles it: its jobs and
// its probe go back now instead of when their lease runs out. Running jobs are few.
void JobClaims::release_leases_of_gone_workers(UnixMillis now) {
  auto running = statements_("SELECT id, lease_owner FROM jobs WHERE state = 'running' AND lease_until > ?");
  running->bind(1, now);
  std::map<std::string, bool> gone;  // judged once per owner
  std::vector<std::int64_t> orphans;
  while (running->executeStep()) {
    const std::string owner = running->getColumn(1).getString();
    auto [judged, first] = gone.try_emplace(owner, false);
    if (first) {
      const auto identity = WorkerIdentity::parse(owner);
      judged->second = identity && identity->is_gone(me_);
    }
    if (judged->second) orphans.push_back(running->getColumn(0).getInt64());
  }
  for (const std::int64_t id : orphans) {
    auto release = statements_("UPDATE jobs SET lease_until = ? WHERE id = ?");
    release->bind(1, now);
    release->bind(2, id);
    release->exec();
    log_.log(LogLevel::warning, "lease released", "id={} note={}", id,
             log_quote("the worker holding it is no longer running"));
  }
  for (const auto& [owner, is_gone] : gone) {
    if (!is_gone) continue;
    auto probe = statements_("UPDATE breaker SET probe_until = ? WHERE state = 'half_open' AND probe_owner = ?");
    probe->bind(1, now);
    probe->bind(2, owner);
    probe->exec();
  }
}

// A job whose workers keep dying (a crash it causes, say) must not be claimed forever.
void JobClaims::bury_exhausted_leases(UnixMillis now) {
  auto bury = statements_("UPDATE jobs SET state = 'dead', lease_until = NULL, lease_owner = NULL, "
                         "updated_at = :now, last_error = 'its worker stopped before finishing it "
                         "' || attempts || ' times' || coalesce(' (last error: ' || last_error || ')', '') "
                         "WHERE state = 'running' AND lease_until <= :now AND attempts >= :max");
  bury->bind(":now", now);
  bury->bind(":max", policy_.max_attempts);
  if (const int buried = bury->exec(); buried > 0) {
    log_.log(LogLevel::warning, "jobs dead after lost leases", "count={}", buried);
  }
}

std::optional<ClaimedJob> JobClaims::claim_next() {
  try {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto job = claim(clock_.now());
    transaction.commit();  // also when nothing was claimed: keeps buried leases
    return job;
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot claim a job from queue {}", store_.path().string()), e);
  }
}

std::optional<ClaimedJob> JobClaims::finish_and_claim_next(const ClaimedJob& job, const JobOutcome& outcome) {
  try {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    settle(job, outcome, clock_.now());
    auto next = claim(clock_.now());
    transaction.commit();
    return next;
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot record job {} and claim the next from queue {}", job.id,
                                  store_.path().string()), e);
  }
}

std::optional<ClaimedJob> JobClaims::claim(UnixMillis now) {
  release_leases_of_gone_workers(now);
  bury_exhausted_leases(now);
  std::vector<Candidate> candidates;
  for (Target target : targets_) {
    if (auto found = candidate(target, now)) candidates.push_back(*found);
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::pair(a.due_at, a.id) < std::pair(b.due_at, b.id);
  });
  for (const Candidate& found : candidates) {
    const auto admission = admit_all(found.kind, now);
    if (!admission) continue;
    auto claim = statements_("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                             "lease_until = ?, lease_owner = ?, updated_at = ?, waits_for = NULL WHERE id = ? "
                             "RETURNING kind, key, payload, attempts");
    claim->bind(1, now + policy_.lease);
    claim->bind(2, owner_);
    claim->bind(3, now);
    claim->bind(4, found.id);
    claim->executeStep();
    return ClaimedJob{found.id,
                      parse_job_kind(claim->getColumn(0).getString()),
                      found.target,
                      claim->getColumn(1).getString(),
                      claim->getColumn(2).getString(),
                      claim->getColumn(3).getInt(),
                      *admission};
  }
  return std::nullopt;
}

// Every breaker the job's calls go through must let it through; the job is the probe of any
// that was half open. Nothing is reserved unless all of them do.
bool JobClaims::admissible(JobKind kind, UnixMillis now) {
  for (Target target : targets_called(kind)) {
    if (breaker_.blocked_until(target, now)) return false;
  }
  return true;
}

// Called in the claim's transaction for a kind candidate() found admissible in it, so every
// admission succeeds; the check stays for safety.
std::optional<bool> JobClaims::admit_all(JobKind kind, UnixMillis now) {
  bool probe = false;
  for (Target target : targets_called(kind)) {
    const Admission admission = breaker_.admit(target, now, owner_);
    if (!admission.allowed) return std::nullopt;
    probe |= admission.probe;
  }
  return probe;
}

// A 429 says when it ends; a refused token gets one recovery window.
UnixMillis JobClaims::pause_end(const JobOutcome& outcome, UnixMillis now) const {
  // A reset already past (its one-second resolution, a clock behind the server's) would make
  // every probe a new 429 at once: the pause lasts at least minimum_pause.
  return std::max(outcome.not_before.value_or(now + default_pause_), now + minimum_pause);
}

void JobClaims::settle_retry(const ClaimedJob& job, const JobOutcome& outcome, UnixMillis now,
                             bool refund) {
  const int attempts = refund ? job.attempts - 1 : job.attempts;
  auto newer = statements_("SELECT id FROM jobs WHERE key = ? AND target = ? AND state = 'pending'");
  newer->bind(1, job.key);
  newer->bind(2, target_text(job.target));
  if (newer->executeStep()) {
    // Newest snapshot wins: the pending job carries a later version of this change.
    auto superseded = statements_("UPDATE jobs SET state = 'done', lease_until = NULL, "
                                 "lease_owner = NULL, updated_at = ?, last_error = ? WHERE id = ?");
    superseded->bind(1, now);
    superseded->bind(2, fmt::format("superseded by job {} after: {}", newer->getColumn(0).getInt64(),
                                   outcome.error));
    superseded->bind(3, job.id);
    superseded->exec();
    return;
  }
  const bool exhausted = outcome.kind == JobOutcome::Kind::retry && attempts >= policy_.max_attempts;
  UnixMillis due = outcome.kind == JobOutcome::Kind::paused ? pause_end(outcome, now)
                   : outcome.spends_attempt                 ? now + backoff_.delay(std::max(attempts, 1))
                                                            : now;
  if (outcome.not_before) due = std::max(due, *outcome.not_before);
  auto update = statements_("UPDATE jobs SET state = ?, attempts = ?, due_at = ?, lease_until = NULL, "
                           "lease_owner = NULL, updated_at = ?, last_error = ?, waits_for = ? WHERE id = ?");
  update->bind(1, std::string(to_string(exhausted ? JobState::dead : JobState::pending)));
  update->bind(2, attempts);
  update->bind(3, due);
  update->bind(4, now);
  update->bind(5, exhausted ? fmt::format("gave up after {} attempts: {}", attempts, outcome.error)
                           : outcome.error);
  if (!outcome.waits_for.empty()) update->bind(6, outcome.waits_for);
  update->bind(7, job.id);
  update->exec();
}

void JobClaims::update_breakers(const std::vector<Target>& called, Target failed, const JobOutcome& outcome,
                                UnixMillis now) {
  const std::vector<Target>& reached = outcome.reached ? *outcome.reached : called;
  const auto was_reached = [&](Target target) {
    return std::find(reached.begin(), reached.end(), target) != reached.end();
  };
  const bool failed_called = outcome.failed_target.has_value() || was_reached(failed);
  switch (outcome.kind) {
    case JobOutcome::Kind::done:
      for (Target target : reached) breaker_.record_success(target, now);
      break;
    case JobOutcome::Kind::dead:  // the server answered, if it was asked at all
      if (failed_called) breaker_.record_success(failed, now);
      break;
    case JobOutcome::Kind::retry:
      if (outcome.trips_breaker) breaker_.record_failure(failed, now, outcome.error);
      // A job waiting its turn failed at nothing: what it called answered.
      if (!outcome.spends_attempt) for (Target target : reached) breaker_.record_success(target, now);
      break;
    case JobOutcome::Kind::paused:
      breaker_.pause(failed, now, pause_end(outcome, now), outcome.reason, outcome.error);
      break;
  }
  // A probe this job was admitted as, through a breaker it did not call, goes back at once.
  for (Target target : called) {
    if (!was_reached(target) && !(target == failed && failed_called)) breaker_.release_probe(target, now, owner_);
  }
}

std::optional<std::pair<Target, UnixMillis>> JobClaims::blocked(const std::vector<Target>& called,
                                                                std::string_view except_reason) {
  try {
    const UnixMillis now = clock_.now();
    for (Target target : called) {
      if (!except_reason.empty() && paused_for(breaker_.load(target), except_reason)) continue;
      if (const auto until = breaker_.blocked_until(target, now)) return std::pair{target, *until};
    }
    return std::nullopt;
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot read the breakers of queue {}", store_.path().string()), e);
  }
}

void JobClaims::record_outside_job(const std::vector<Target>& called, const JobOutcome& outcome) {
  try {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    update_breakers(called, outcome.failed_target.value_or(called.front()), outcome, clock_.now());
    transaction.commit();
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot update the breakers of queue {}", store_.path().string()), e);
  }
}

void JobClaims::finish(const ClaimedJob& job, const JobOutcome& outcome) {
  try {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    settle(job, outcome, clock_.now());
    transaction.commit();
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot record job {} in queue {}", job.id, store_.path().string()), e);
  }
}

void JobClaims::settle(const ClaimedJob& job, const JobOutcome& outcome, UnixMillis now) {
  auto owned = statements_("SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND lease_owner = ?");
  owned->bind(1, job.id);
  owned->bind(2, owner_);
  if (!owned->executeStep()) {
    // Its new owner's outcome counts, for the job and for the breaker alike.
    log_.log(LogLevel::warning, "lease lost", "id={} key={} note={}", job.id, job.key,
             log_quote("another worker took the job over; its outcome here is dropped"));
    return;
  }
  owned->reset();

  using Kind = JobOutcome::Kind;
  const Target failed = outcome.failed_target.value_or(job.target);
  update_breakers(targets_called(job.kind), failed, outcome, now);
  if (outcome.kind == Kind::done || outcome.kind == Kind::dead) {
    auto settle = statements_("UPDATE jobs SET state = ?, lease_until = NULL, lease_owner = NULL, "
                              "updated_at = ?, last_error = ? WHERE id = ?");
    settle->bind(1, std::string(to_string(outcome.kind == Kind::done ? JobState::done : JobState::dead)));
    settle->bind(2, now);
    if (outcome.kind == Kind::dead) settle->bind(3, outcome.error);
    settle->bind(4, job.id);
    settle->exec();
  } else {
    // A paused target, or a failure that left the breaker open, is the target's outage,
    // not the job's: it costs no attempt (design.md "A paused target costs no attempts").
    const bool refund = outcome.kind == Kind::paused || !outcome.spends_attempt ||
                        (outcome.trips_breaker && breaker_.load(failed).state != BreakerState::closed);
    settle_retry(job, outcome, now, refund);
  }
}

std::optional<UnixMillis> JobClaims::next_wake() {
  try {
    const UnixMillis now = clock_.now();
    std::optional<UnixMillis> wake;
    const auto consider = [&](std::optional<UnixMillis> time) {
      if (time) wake = wake ? std::min(*wake, *time) : *time;
    };
    for (JobKind kind : all_job_kinds) {
      if (std::find(targets_.begin(), targets_.end(), target_of(kind)) == targets_.end()) continue;
      // Running jobs are few (one per worker): reading their leases is cheap.
      auto leases = statements_("SELECT min(lease_until) FROM jobs WHERE state = 'running' AND kind = ?");
      leases->bind(1, std::string(to_string(kind)));
      leases->executeStep();
      if (!leases->getColumn(0).isNull()) consider(leases->getColumn(0).getInt64());

      auto due = statements_(next_due_sql);
      due->bind(":kind", std::string(to_string(kind)));
      due->bind(":now", now);
      if (!due->executeStep()) continue;
      UnixMillis next = due->getColumn(0).getInt64();
      for (Target target : targets_called(kind)) {
        if (const auto blocked = breaker_.blocked_until(target, now)) next = std::max(next, *blocked);
      }
      consider(next);
    }
    if (wake) wake = std::max(*wake, now);
    return wake;
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot read queue {}", store_.path().string()), e);
  }
}

}  // namespace vsync
