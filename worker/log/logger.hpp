#pragma once
// One event per line on stderr: `level=info event="job done" id=4 kind=push ...`.
// Under systemd (JOURNAL_STREAM set) each line starts with the journald priority, e.g. <6>.
// Callers put no payload contents in info lines and never the token.

#include <functional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "shared/environment.hpp"

namespace vsync {

enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  Logger(LogLevel level, bool journald_prefix, Sink sink);
  // VIKUNJA_SYNC_LOG_LEVEL (error|warning|notice|info|debug, default info) and JOURNAL_STREAM;
  // writes to stderr. Throws Error(config) for an unknown level.
  static Logger from_environment(const Environment& env);

  template <typename... T>
  void log(LogLevel level, std::string_view event, fmt::format_string<T...> fields, T&&... args) {
    if (level > level_) return;
    write(level, event, fmt::format(fields, std::forward<T>(args)...));
  }

 private:
  void write(LogLevel level, std::string_view event, const std::string& fields);

  LogLevel level_;
  bool journald_prefix_;
  Sink sink_;
};

// A value quoted for a log line when it holds spaces, quotes or control characters.
std::string log_quote(std::string_view value);

}  // namespace vsync
