#include "worker/queue/breaker.hpp"

#include <algorithm>

#include <SQLiteCpp/Statement.h>

#include "shared/error.hpp"
#include "shared/timestamp.hpp"

namespace vsync {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half_open";
  }
  return "?";
}

BreakerState parse_breaker_state(std::string_view text) {
  for (BreakerState state : {BreakerState::closed, BreakerState::open, BreakerState::half_open}) {
    if (to_string(state) == text) return state;
  }
  throw Error(ExitCode::io, fmt::format("unknown breaker state '{}' in the queue", text));
}

namespace {

template <typename T>
std::optional<T> optional_column(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    return column.getString();
  } else {
    return column.getInt64();
  }
}

}  // namespace

Breaker::Breaker(SQLite::Database& db, BreakerPolicy policy, Logger& log)
    : db_(db), policy_(policy), log_(log) {}

BreakerRow Breaker::load(Target target) {
  auto query = statements_("SELECT state, consecutive_failures, recovery_ms, retry_at, probe_owner, "
                          "probe_until, reason, last_error, transitions FROM breaker WHERE target = ?");
  query->bind(1, std::string(to_string(target)));
  if (!query->executeStep()) {
    throw Error(ExitCode::io, fmt::format("the queue has no breaker row for {}", target));
  }
  BreakerRow row;
  row.target = target;
  row.state = parse_breaker_state(query->getColumn(0).getString());
  row.consecutive_failures = query->getColumn(1).getInt();
  row.recovery_ms = query->getColumn(2).getInt64();
  row.retry_at = optional_column<UnixMillis>(query->getColumn(3));
  row.probe_owner = optional_column<std::string>(query->getColumn(4));
  row.probe_until = optional_column<UnixMillis>(query->getColumn(5));
  row.reason = query->getColumn(6).getString();
  row.last_error = query->getColumn(7).getString();
  row.transitions = query->getColumn(8).getInt64();
  return row;
}

void Breaker::store(const BreakerRow& before, const BreakerRow& after, UnixMillis now) {
  const bool transition = before.state != after.state;
  auto update = statements_("UPDATE breaker SET state = ?, consecutive_failures = ?, recovery_ms = ?, "
                           "retry_at = ?, probe_owner = ?, probe_until = ?, reason = ?, "
                           "last_error = ?, transitions = transitions + ?, updated_at = ? "
                           "WHERE target = ?");
  update->bind(1, std::string(to_string(after.state)));
  update->bind(2, after.consecutive_failures);
  update->bind(3, after.recovery_ms);
  if (after.retry_at) update->bind(4, *after.retry_at);
  if (after.probe_owner) update->bind(5, *after.probe_owner);
  if (after.probe_until) update->bind(6, *after.probe_until);
  update->bind(7, after.reason);
  update->bind(8, after.last_error);
  update->bind(9, transition ? 1 : 0);
  update->bind(10, now);
  update->bind(11, std::string(to_string(after.target)));
  update->exec();
  if (transition) {
    log_.log(after.state == BreakerState::closed ? LogLevel::notice : LogLevel::warning,
             "breaker transition", "target={} from={} to={} reason={} retry_at={}", after.target,
             before.state, after.state, log_quote(after.reason),
             after.retry_at ? format_rfc3339(*after.retry_at) : "-");
  }
}

namespace {

// The end of an open window not yet over, or of another process's probe.
std::optional<UnixMillis> block_end(const BreakerRow& row, UnixMillis now) {
  if (row.state == BreakerState::open && row.retry_at && now < *row.retry_at) return row.retry_at;
  if (row.state == BreakerState::half_open && row.probe_until && now < *row.probe_until) return row.probe_until;
  return std::nullopt;
}

}  // namespace

bool paused_for(const BreakerRow& row, std::string_view reason) {
  return row.state != BreakerState::closed &&
         (row.reason == reason || row.reason == fmt::format("probing after: {}", reason));
}

std::optional<UnixMillis> Breaker::blocked_until(Target target, UnixMillis now) {
  return block_end(load(target), now);
}

Admission Breaker::admit(Target target, UnixMillis now, const std::string& owner) {
  const BreakerRow row = load(target);
  if (row.state == BreakerState::closed) return {true, false, std::nullopt};
  if (const auto until = block_end(row, now)) return {false, false, until};
  BreakerRow probing = row;
  probing.state = BreakerState::half_open;
  probing.probe_owner = owner;
  probing.probe_until = now + policy_.probe_lease;
  probing.reason = fmt::format("probing after: {}", row.reason);
  store(row, probing, now);
  return {true, true, std::nullopt};
}

void Breaker::record_success(Target target, UnixMillis now) {
  const BreakerRow row = load(target);
  // An open breaker stays open until its probe succeeds: a call admitted before it opened
  // says little about a rate limit or a refused token.
  if (row.state == BreakerState::open) return;
  if (row.state == BreakerState::closed && row.consecutive_failures == 0) return;
  BreakerRow closed = row;
  closed.state = BreakerState::closed;
  closed.consecutive_failures = 0;
  closed.recovery_ms = 0;
  closed.retry_at.reset();
  closed.probe_owner.reset();
  closed.probe_until.reset();
  closed.reason = row.state == BreakerState::closed ? row.reason : "probe succeeded";
  store(row, closed, now);
}

void Breaker::record_failure(Target target, UnixMillis now, const std::string& error) {
  const BreakerRow row = load(target);
  BreakerRow next = row;
  next.consecutive_failures = row.consecutive_failures + 1;
  next.last_error = error;
  if (row.state == BreakerState::half_open) {
    next.state = BreakerState::open;
    next.recovery_ms = std::min(std::max(row.recovery_ms, policy_.recovery) * 2, policy_.max_recovery);
    next.reason = "probe failed";
  } else if (row.state == BreakerState::closed && next.consecutive_failures >= policy_.threshold) {
    next.state = BreakerState::open;
    next.recovery_ms = policy_.recovery;
    next.reason = fmt::format("{} consecutive failures", next.consecutive_failures);
  }
  if (next.state == BreakerState::open && row.state != BreakerState::open) {
    next.retry_at = now + next.recovery_ms;
    next.probe_owner.reset();
    next.probe_until.reset();
  }
  store(row, next, now);
}

void Breaker::pause(Target target, UnixMillis now, UnixMillis until, const std::string& reason,
                    const std::string& error) {
  const BreakerRow row = load(target);
  BreakerRow paused = row;
  paused.state = BreakerState::open;
  paused.retry_at = row.state == BreakerState::open && row.retry_at ? std::max(*row.retry_at, until)
                                                                    : until;
  paused.recovery_ms = std::max(row.recovery_ms, policy_.recovery);
  paused.probe_owner.reset();
  paused.probe_until.reset();
  paused.reason = reason;
  paused.last_error = error;
  store(row, paused, now);
}

void Breaker::release_probe(Target target, UnixMillis now, const std::string& owner) {
  const BreakerRow row = load(target);
  if (row.state != BreakerState::half_open || row.probe_owner != owner) return;
  BreakerRow open = row;
  open.state = BreakerState::open;
  open.retry_at = now;
  open.probe_owner.reset();
  open.probe_until.reset();
  store(row, open, now);
}

void Breaker::reset(Target target, UnixMillis now) {
  const BreakerRow row = load(target);
  BreakerRow closed;
  closed.target = target;
  closed.reason = "reset by hand";
  closed.transitions = row.transitions;
  store(row, closed, now);
}

}  // namespace vsync
