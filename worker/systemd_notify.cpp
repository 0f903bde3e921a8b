#include "worker/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace vsync {

SystemdNotifier::SystemdNotifier() {
  std::uint64_t microseconds = 0;
  if (sd_watchdog_enabled(0, &microseconds) > 0 && microseconds > 0) {
    watchdog_period_ = std::chrono::milliseconds(microseconds / 2000);
  }
}

void SystemdNotifier::notify(std::string_view state) const {
  sd_notify(0, std::string(state).c_str());
}

}  // namespace vsync
