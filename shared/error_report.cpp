#include "shared/error_report.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

// Length of the well-formed UTF-8 sequence starting at text[pos], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  const std::size_t length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2
                           : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length == 0 || pos + length > text.size()) return 0;
  for (std::size_t i = pos + 1; i < pos + length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string single_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    const std::size_t length = utf8_sequence_length(text, pos);
    if (byte == '\n') {
      line += "\\n";
    } else if (length == 0 || byte < 0x20 || byte == 0x7f) {
      line += fmt::format("\\x{:02x}", byte);
    } else {
      line.append(text.substr(pos, length));
      pos += length;
      continue;
    }
    ++pos;
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
