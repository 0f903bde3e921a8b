#pragma once
// Vikunja's time format: RFC 3339 with any offset and an optional fraction.
// The parser returns nullopt for anything else.

#include <optional>
#include <string_view>

#include "clock.hpp"

namespace vsync {

std::optional<UnixMillis> parse_rfc3339(std::string_view text);

}  // namespace vsync
