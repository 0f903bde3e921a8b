#pragma once
// Parsing untrusted JSON: one object, bounded nesting, UTF-8 checked by the parser.
// Throws Error(data) with a message that names the input and what is wrong with it.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vsync {

inline constexpr int max_json_depth = 64;

// `what` names the input in messages, e.g. "standard input" or "the hook's first line".
nlohmann::json parse_json_object(std::string_view text, std::string_view what);

// Taskwarrior 2.6 writes control characters other than tab and line ends raw inside strings,
// which JSON forbids: this escapes them (\u00XX), which is lossless and leaves valid JSON as it
// is (outside strings such bytes are invalid anyway). NUL stays: no Taskwarrior string holds
// one, so it is hostile input. For Taskwarrior's JSON only.
std::string with_controls_escaped(std::string_view taskwarrior_json);

// Reads a member that must be a non-empty string; throws Error(data) naming `field` otherwise.
std::string required_string(const nlohmann::json& object, std::string_view field,
                            std::string_view what);

// A member that is a string; nullopt when it is absent or of another type. For reading
// untrusted objects (responses, payloads) without throwing.
std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view field);
std::string string_or(const nlohmann::json& object, std::string_view field, std::string fallback = {});

}  // namespace vsync
