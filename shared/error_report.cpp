#include "error_report.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "error.hpp"

namespace vsync {

std::string single_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      line += fmt::format("\\x{:02x}", byte);
    } else {
      line += c;
    }
  }
  return line;
}

ExitCode report_error(std::string_view program, const std::exception& error) {
  const auto* known = dynamic_cast<const Error*>(&error);
  const ExitCode code = known ? known->exit_code() : ExitCode::software;
  fmt::print(stderr, "{}: {}{}\n", program, known ? "" : "internal error: ",
             single_line(error.what()));
  return code;
}

}  // namespace vsync
