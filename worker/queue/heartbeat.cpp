#include "worker/queue/heartbeat.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "shared/existing_wal_vfs.hpp"

namespace vsync {

Heartbeat::Heartbeat(std::filesystem::path queue, const Clock& clock, std::string owner, HeartbeatPolicy policy,
                     std::function<void()> keep_alive)
    : queue_(std::move(queue)), clock_(clock), owner_(std::move(owner)), policy_(policy),
      keep_alive_(std::move(keep_alive)) {}

void Heartbeat::lease_taken() {
  last_renewal_ = clock_.now();
  tick();
}

void Heartbeat::tick() noexcept {
  try {
    const UnixMillis now = clock_.now();
    if (keep_alive_ && policy_.keep_alive_period &&
        (!last_keep_alive_ || now - *last_keep_alive_ >= *policy_.keep_alive_period)) {
      keep_alive_();
      last_keep_alive_ = now;
    }
    if (!last_renewal_ || now - *last_renewal_ >= policy_.period) renew();
  } catch (...) {  // out of memory, say: the lease runs out and another worker takes over
  }
}

int Heartbeat::renew() {
  const UnixMillis now = clock_.now();
  try {
    if (!db_) {
      // Busy timeout 0: never wait. A lost renewal costs nothing after a crash: no sync needed.
      db_ = std::make_unique<SQLite::Database>(queue_, SQLite::OPEN_READWRITE | SQLite::OPEN_NOFOLLOW, 0,
                                               existing_wal_vfs());
      db_->exec("PRAGMA synchronous = NORMAL");
    }
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    // Only leases still held: one that ran out may belong to another worker by now.
    const auto extend = [&](const char* sql) {
      SQLite::Statement update(*db_, sql);
      update.bind(1, now + policy_.lease);
      update.bind(2, owner_);
      update.bind(3, now);
      return update.exec();
    };
    const int renewed = extend(
        "UPDATE jobs SET lease_until = ?1 WHERE state = 'running' AND lease_owner = ?2 AND lease_until > ?3");
    extend("UPDATE breaker SET probe_until = ?1 WHERE state = 'half_open' AND probe_owner = ?2 AND probe_until > ?3");
    transaction.commit();
    last_renewal_ = now;
    return renewed;
  } catch (const SQLite::Exception&) {
    return 0;  // busy or unreadable just now: the next tick (a second away) tries again
  }
}

}  // namespace vsync
