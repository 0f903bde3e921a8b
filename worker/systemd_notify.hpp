#pragma once
// systemd's notify protocol (sd_notify(3)): one datagram of NAME=VALUE lines to the AF_UNIX
// socket named in $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name; the watchdog
// is on when $WATCHDOG_USEC is set and $WATCHDOG_PID, if set, is our pid. Spoken directly
// rather than through libsystemd, which would load five more libraries (libgcrypt, liblz4,
// libcap, ...) into a long-running process whose memory is part of its cost (README
// "Performance"); systemd documents the protocol as stable for exactly this. Without
// NOTIFY_SOCKET every call is a no-op, so the worker runs the same outside systemd.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vsync {

class SystemdNotifier {
 public:
  SystemdNotifier();

  // e.g. "READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1". Waits at most a second for room
  // on the socket, and failures are ignored: a lost status line must never stop the worker.
  void notify(std::string_view state) const;

  // Half of WatchdogSec= when the watchdog is on for this process: how often to send WATCHDOG=1.
  std::optional<std::chrono::milliseconds> watchdog_period() const { return watchdog_period_; }

 private:
  std::string socket_;  // $NOTIFY_SOCKET, empty when not under systemd
  std::optional<std::chrono::milliseconds> watchdog_period_;
};

}  // namespace vsync
