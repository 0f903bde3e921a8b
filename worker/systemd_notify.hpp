#pragma once
// systemd's notify protocol through libsystemd's sd_notify(3), which knows the socket forms
// systemd hands over (path and abstract) and the WATCHDOG_PID rule. Without NOTIFY_SOCKET every call is a
// no-op, so the worker runs the same outside systemd.

#include <chrono>
#include <optional>
#include <string_view>

namespace vsync {

class SystemdNotifier {
 public:
  SystemdNotifier();

  // e.g. "READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1". Failures are ignored: a lost
  // status line must never stop the worker.
  void notify(std::string_view state) const;

  // Half of WatchdogSec= when the watchdog is on for this process: how often to send WATCHDOG=1.
  std::optional<std::chrono::milliseconds> watchdog_period() const { return watchdog_period_; }

 private:
  std::optional<std::chrono::milliseconds> watchdog_period_;
};

}  // namespace vsync
