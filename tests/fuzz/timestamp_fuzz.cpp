// Fuzz target: the two date formats that arrive from outside, Vikunja's RFC 3339
// (parse_rfc3339) and Taskwarrior's 20261126T231229Z (parse_taskwarrior_date). The input is the
// date text. Beyond crashes and UB it checks what timestamp.hpp and field_mapping.hpp promise:
//   - a parser returns a time only for text of its shape ("nullopt for anything else"): digits
//     where the grammar has digits, the separators where it has them;
//   - a time either parser returns is written back by format_rfc3339 and
//     format_taskwarrior_date as text that parses to the same second (the Vikunja and
//     Taskwarrior dates the sync writes must read back, design.md "Field mapping").

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "shared/timestamp.hpp"
#include "worker/sync/field_mapping.hpp"

namespace {

using vsync::UnixMillis;
using vsync::fuzz::fail;

// `pattern`: 'D' a digit, 'T' T or t, anything else itself.
bool matches(std::string_view text, std::string_view pattern) {
  if (text.size() < pattern.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = text[i];
    const bool ok = pattern[i] == 'D'   ? std::isdigit(static_cast<unsigned char>(c)) != 0
                    : pattern[i] == 'T' ? c == 'T' || c == 't'
                                        : c == pattern[i];
    if (!ok) return false;
  }
  return true;
}

// YYYY-MM-DDTHH:MM:SS[.F+](Z|+HH:MM|-HH:MM), T and Z in either case (RFC 3339 §5.6).
bool rfc3339_shape(std::string_view text) {
  if (!matches(text, "DDDD-DD-DDTDD:DD:DD")) return false;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t digits_start = ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == digits_start) return false;
  }
  const std::string_view zone = text.substr(pos);
  return zone == "Z" || zone == "z" ||
         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && matches(zone.substr(1), "DD:DD"));
}

bool taskwarrior_shape(std::string_view text) {
  return (text.size() == 16 && matches(text, "DDDDDDDDTDDDDDDZ") && text[8] == 'T') ||
         rfc3339_shape(text);
}

UnixMillis to_second(UnixMillis time) { return time - (((time % 1000) + 1000) % 1000); }

void check_written_back(UnixMillis time, std::string_view input) {
  const std::string rfc3339 = vsync::format_rfc3339(time);
  if (vsync::parse_rfc3339(rfc3339) != to_second(time)) {
    fail(fmt::format("'{}' read as {} ms is written as '{}', which does not read back", input, time,
                     rfc3339));
  }
  const std::string taskwarrior = vsync::format_taskwarrior_date(time);
  if (vsync::parse_taskwarrior_date(taskwarrior) != to_second(time)) {
    fail(fmt::format("'{}' read as {} ms is written as Taskwarrior's '{}', which does not read back",
                     input, time, taskwarrior));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = vsync::fuzz::as_text(data, size);

  if (const std::optional<UnixMillis> time = vsync::parse_rfc3339(text)) {
    if (!rfc3339_shape(text)) fail(fmt::format("parse_rfc3339 accepts '{}'", text));
    check_written_back(*time, text);
  }
  if (const std::optional<UnixMillis> time = vsync::parse_taskwarrior_date(text)) {
    if (!taskwarrior_shape(text)) fail(fmt::format("parse_taskwarrior_date accepts '{}'", text));
    check_written_back(*time, text);
  }
  return 0;
}
