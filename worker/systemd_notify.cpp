#include "worker/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace vsync {

namespace {

std::optional<std::uint64_t> unsigned_variable(const char* name) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text, text + std::strlen(text), value);
  if (error != std::errc() || *end != '\0') return std::nullopt;
  return value;
}

// The watchdog is ours when systemd set WATCHDOG_USEC for this very process.
std::optional<std::uint64_t> watchdog_microseconds() {
  const auto microseconds = unsigned_variable("WATCHDOG_USEC");
  if (!microseconds || *microseconds == 0) return std::nullopt;
  const auto pid = unsigned_variable("WATCHDOG_PID");
  if (std::getenv("WATCHDOG_PID") && (!pid || *pid != static_cast<std::uint64_t>(::getpid()))) return std::nullopt;
  return microseconds;
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  if (const char* socket = std::getenv("NOTIFY_SOCKET")) socket_ = socket;
  if (const auto microseconds = watchdog_microseconds()) {
    watchdog_period_ = std::chrono::milliseconds(*microseconds / 2000);
  }
}

void SystemdNotifier::notify(std::string_view state) const {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_.size() < 2 || socket_.size() >= sizeof address.sun_path) return;
  if (socket_[0] != '/' && socket_[0] != '@') return;  // no other form is systemd's
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  if (socket_[0] == '@') address.sun_path[0] = '\0';  // abstract: the length says where it ends
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  // A busy systemd may let its socket fill: wait for room, as libsystemd does, but not forever.
  const timeval patience{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  // A path socket's length may include the terminating NUL or not; the kernel accepts both.
  (void)::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
}

}  // namespace vsync
