#pragma once
// Vikunja's time format: RFC 3339 with any offset and an optional fraction, read; and whole
// seconds in UTC, written. The parser returns nullopt for anything else.

#include <optional>
#include <string>
#include <string_view>

#include "shared/clock.hpp"

namespace vsync {

std::optional<UnixMillis> parse_rfc3339(std::string_view text);

// 2026-12-07T09:00:00Z (whole seconds, UTC): for log lines and Vikunja dates.
std::string format_rfc3339(UnixMillis time);

}  // namespace vsync
