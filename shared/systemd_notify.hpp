#pragma once
// systemd's notify protocol (sd_notify(3)): one datagram per message to $NOTIFY_SOCKET, small
// enough to speak directly instead of linking libsystemd. Without NOTIFY_SOCKET every call is
// a no-op, so the worker runs the same outside systemd.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "environment.hpp"

namespace vsync {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(const Environment& env);

  // e.g. "READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1". Failures are ignored: a lost
  // status line must never stop the worker.
  void notify(std::string_view state) const;

  // Half of WatchdogSec= when the watchdog is on: how often to send WATCHDOG=1.
  std::optional<std::chrono::milliseconds> watchdog_period() const { return watchdog_period_; }

 private:
  std::string socket_path_;
  std::optional<std::chrono::milliseconds> watchdog_period_;
};

}  // namespace vsync
