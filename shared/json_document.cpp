#include "shared/json_document.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

struct TooDeep {};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at ..."; the
// bracketed id helps nobody running a hook.
std::string without_exception_id(const std::string& message) {
  const auto closing = message.find("] ");
  return closing == std::string::npos ? message : message.substr(closing + 2);
}

}  // namespace

nlohmann::json parse_json_object(std::string_view text, std::string_view what) {
  using nlohmann::json;
  const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_json_depth) {
      throw TooDeep{};
    }
    return true;
  };
  json document;
  try {
    document = json::parse(text, limit_depth);
  } catch (const TooDeep&) {
    throw Error(ExitCode::data,
                fmt::format("{} is nested deeper than {} levels", what, max_json_depth));
  } catch (const json::parse_error& e) {
    throw Error(ExitCode::data,
                fmt::format("{} is not valid JSON: {}", what, without_exception_id(e.what())));
  } catch (const json::out_of_range& e) {
    // A number beyond a double's range, such as 1e500: valid JSON that cannot be read.
    throw Error(ExitCode::data,
                fmt::format("{} has a number out of range: {}", what, without_exception_id(e.what())));
  }
  if (!document.is_object()) {
    throw Error(ExitCode::data,
                fmt::format("{} is JSON but not an object (found {})", what, document.type_name()));
  }
  return document;
}

std::string required_string(const nlohmann::json& object, std::string_view field,
                            std::string_view what) {
  const auto member = object.find(field);
  if (member == object.end()) {
    throw Error(ExitCode::data, fmt::format("{} has no \"{}\"", what, field));
  }
  if (!member->is_string()) {
    throw Error(ExitCode::data, fmt::format("{} has \"{}\" of type {}, expected a string", what,
                                            field, member->type_name()));
  }
  std::string value = member->get<std::string>();
  if (value.empty()) {
    throw Error(ExitCode::data, fmt::format("{} has an empty \"{}\"", what, field));
  }
  return value;
}

std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view field) {
  const auto member = object.find(field);
  if (member == object.end() || !member->is_string()) return std::nullopt;
  return member->get<std::string>();
}

std::string string_or(const nlohmann::json& object, std::string_view field, std::string fallback) {
  return optional_string(object, field).value_or(std::move(fallback));
}

std::string with_controls_escaped(std::string_view taskwarrior_json) {
  std::string escaped;
  escaped.reserve(taskwarrior_json.size());
  for (const char c : taskwarrior_json) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte > 0 && byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      escaped += fmt::format("\\u{:04x}", byte);
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace vsync
