#pragma once
// Parsing untrusted JSON: one object, bounded nesting, UTF-8 checked by the parser.
// Throws Error(data) with a message that names the input and what is wrong with it.

#include <string_view>

#include <nlohmann/json.hpp>

namespace vsync {

inline constexpr int max_json_depth = 64;

// `what` names the input in messages, e.g. "standard input" or "the hook's first line".
nlohmann::json parse_json_object(std::string_view text, std::string_view what);

// Reads a member that must be a non-empty string; throws Error(data) naming `field` otherwise.
std::string required_string(const nlohmann::json& object, std::string_view field,
                            std::string_view what);

}  // namespace vsync
