#pragma once
// Keeps a worker's leases alive while it makes progress. A lease is short (30 s), so a job whose
// worker hangs is taken over soon; a job that legitimately runs long keeps its lease because
// every progress point (each job, libcurl's progress callback during a request, the I/O loop of
// a child process) calls tick(), and tick() renews this worker's leases, and any half-open probe
// it holds, once `period` has passed. The same ticks tell systemd the worker is alive (the
// keep-alive callback), so a long healthy drain is never killed by the watchdog and a hung one
// still is.
//
// Renewals go through a connection of their own that never waits for a lock: tick() may run
// while the worker's own connection is in the middle of something, and a renewal that cannot
// run now is simply tried again on the next tick.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"

namespace vsync {

struct HeartbeatPolicy {
  UnixMillis lease;   // how far ahead a renewal moves a lease
  UnixMillis period;  // renew at most this often
  std::optional<UnixMillis> keep_alive_period;  // call keep_alive at most this often; none: never
};

class Heartbeat {
 public:
  Heartbeat(std::filesystem::path queue, const Clock& clock, std::string owner, HeartbeatPolicy policy,
            std::function<void()> keep_alive = {});

  void keep_alive_with(std::function<void()> keep_alive, UnixMillis period) {
    keep_alive_ = std::move(keep_alive);
    policy_.keep_alive_period = period;
  }

  // A job was just claimed: its lease is fresh, the next renewal is a period away. (Renewing at
  // once would write for nothing, and wake `run` as another connection's commit.)
  void lease_taken();

  // A progress point: cheap when nothing is due. Called from C callbacks (libcurl's), so it
  // never throws.
  void tick() noexcept;
  // Renews now; returns how many leases were renewed (0 also when the queue was busy).
  int renew();

 private:
  std::filesystem::path queue_;
  const Clock& clock_;
  std::string owner_;
  HeartbeatPolicy policy_;
  std::function<void()> keep_alive_;
  std::unique_ptr<SQLite::Database> db_;  // opened on first use
  std::optional<UnixMillis> last_renewal_, last_keep_alive_;
};

}  // namespace vsync
