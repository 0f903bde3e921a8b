#include "systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace vsync {

SystemdNotifier::SystemdNotifier(const Environment& env) {
  if (const auto socket = env.get("NOTIFY_SOCKET"); socket && socket->size() < sizeof(sockaddr_un::sun_path)) {
    socket_path_ = *socket;
  }
  const auto usec = env.get("WATCHDOG_USEC");
  const auto pid = env.get("WATCHDOG_PID");
  long long microseconds = 0;
  if (usec && std::from_chars(usec->data(), usec->data() + usec->size(), microseconds).ec == std::errc{} &&
      microseconds > 0 && (!pid || *pid == std::to_string(::getpid()))) {
    watchdog_period_ = std::chrono::milliseconds(microseconds / 2000);
  }
}

void SystemdNotifier::notify(std::string_view state) const {
  if (socket_path_.empty()) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  // Non-blocking: a notify socket nobody reads must never stall the worker.
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
}

}  // namespace vsync
