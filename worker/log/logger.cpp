#include "worker/log/logger.hpp"

#include <cstdio>

#include "shared/error.hpp"
#include "shared/error_report.hpp"

namespace vsync {

namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warning: return "warning";
    case LogLevel::notice: return "notice";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "info";
}

}  // namespace

Logger::Logger(LogLevel level, bool journald_prefix, Sink sink)
    : level_(level), journald_prefix_(journald_prefix), sink_(std::move(sink)) {}

Logger Logger::from_environment(const Environment& env) {
  LogLevel level = LogLevel::info;
  if (const auto name = env.get("VIKUNJA_SYNC_LOG_LEVEL")) {
    bool known = false;
    for (LogLevel candidate : {LogLevel::error, LogLevel::warning, LogLevel::notice,
                               LogLevel::info, LogLevel::debug}) {
      if (level_name(candidate) == *name) level = candidate, known = true;
    }
    if (!known) {
      throw Error(ExitCode::config, fmt::format("{} is '{}'; expected error, warning, notice, info or debug",
                                                env.origin("VIKUNJA_SYNC_LOG_LEVEL"), *name));
    }
  }
  return Logger(level, env.get("JOURNAL_STREAM").has_value(), [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  });
}

void Logger::write(LogLevel level, std::string_view event, const std::string& fields) {
  std::string line = journald_prefix_ ? fmt::format("<{}>", static_cast<int>(level)) : "";
  line += fmt::format("level={} event={}", level_name(level), log_quote(event));
  if (!fields.empty()) line += " " + single_line(fields);
  line += '\n';
  sink_(line);
}

std::string log_quote(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \"=\\") == std::string_view::npos) {
    return single_line(value);
  }
  std::string quoted = "\"";
  for (const char c : single_line(value)) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace vsync
