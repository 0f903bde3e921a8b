// SystemdNotifier: the notify protocol spoken directly, against real AF_UNIX datagram sockets
// in both forms systemd hands over, and the watchdog variables.

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <optional>
#include <string>

#include "temp_dir.hpp"
#include "worker/systemd_notify.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1); else ::unsetenv(name);
  }
  ~ScopedVariable() {
    if (old_) ::setenv(name_, old_->c_str(), 1); else ::unsetenv(name_);
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A datagram socket bound to `name` (a path, or "@..." for an abstract name) that systemd
// would listen on.
struct Listener {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  explicit Listener(const std::string& name) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0);
  }
  ~Listener() { ::close(fd); }

  std::string received() const {
    char buffer[512];
    const ssize_t size = ::recv(fd, buffer, sizeof buffer, 0);
    return size < 0 ? std::string("(nothing)") : std::string(buffer, static_cast<std::size_t>(size));
  }
};

}  // namespace

TEST_CASE("notifications reach the socket in NOTIFY_SOCKET, path or abstract", "[systemd]") {
  TempDir dir;
  SECTION("a path") {
    const std::string path = (dir / "notify").string();
    Listener systemd(path);
    ScopedVariable socket("NOTIFY_SOCKET", path);
    SystemdNotifier().notify("READY=1");
    CHECK(systemd.received() == "READY=1");
  }
  SECTION("an abstract name") {
    const std::string name = "@vsync-notify-test-" + std::to_string(::getpid());
    Listener systemd(name);
    ScopedVariable socket("NOTIFY_SOCKET", name);
    SystemdNotifier().notify("STATUS=3 pending");
    CHECK(systemd.received() == "STATUS=3 pending");
  }
  SECTION("none, a relative path or a socket nobody listens on: nothing happens, nothing fails") {
    for (const std::optional<std::string>& value : {std::optional<std::string>(), std::optional<std::string>("notify"),
                                                   std::optional<std::string>((dir / "nobody").string())}) {
      ScopedVariable socket("NOTIFY_SOCKET", value);
      SystemdNotifier().notify("WATCHDOG=1");
    }
  }
}

TEST_CASE("the watchdog is on only when WATCHDOG_USEC is set for this very process", "[systemd]") {
  ScopedVariable usec("WATCHDOG_USEC", "10000000");
  SECTION("for us: half the period") {
    ScopedVariable pid("WATCHDOG_PID", std::to_string(::getpid()));
    CHECK(SystemdNotifier().watchdog_period() == std::chrono::milliseconds(5000));
  }
  SECTION("no WATCHDOG_PID: ours too") {
    ScopedVariable pid("WATCHDOG_PID", std::nullopt);
    CHECK(SystemdNotifier().watchdog_period() == std::chrono::milliseconds(5000));
  }
  SECTION("another process's, or unreadable: off") {
    for (const char* other : {"1", "x", ""}) {
      ScopedVariable pid("WATCHDOG_PID", other);
      CHECK_FALSE(SystemdNotifier().watchdog_period());
    }
  }
  SECTION("a period that is not a number: off") {
    ScopedVariable bad("WATCHDOG_USEC", "ten");
    CHECK_FALSE(SystemdNotifier().watchdog_period());
  }
}
