#include "shared/input_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

std::string describe_input(std::string_view path_or_dash) {
  return path_or_dash == "-" ? std::string("standard input") : std::string(path_or_dash);
}

namespace {

// Reads at most max_bytes + 1 so that an oversized input is noticed without reading it whole.
std::string read_bounded(int fd, std::size_t max_bytes, const std::string& source) {
  std::string content;
  char buffer[65536];
  while (content.size() <= max_bytes) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ExitCode::no_input,
                  fmt::format("cannot read {}: {}", source, std::strerror(errno)));
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  if (content.size() > max_bytes) {
    throw Error(ExitCode::data,
                fmt::format("{} is larger than the limit of {} bytes", source, max_bytes));
  }
  return content;
}

}  // namespace

std::string read_input(std::string_view path_or_dash, std::size_t max_bytes) {
  const std::string source = describe_input(path_or_dash);
  std::string content;
  if (path_or_dash == "-") {
    content = read_bounded(STDIN_FILENO, max_bytes, source);
  } else {
    const int fd = ::open(std::string(path_or_dash).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw Error(ExitCode::no_input,
                  fmt::format("cannot open {}: {}", source, std::strerror(errno)));
    }
    try {
      content = read_bounded(fd, max_bytes, source);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
  if (content.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw Error(ExitCode::data, fmt::format("{} is empty", source));
  }
  return content;
}

}  // namespace vsync
