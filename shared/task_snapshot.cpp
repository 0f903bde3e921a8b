#include "shared/task_snapshot.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/json_document.hpp"

namespace vsync {

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

TaskSnapshot parse_task_snapshot(std::string_view text, std::string_view what) {
  TaskSnapshot snapshot;
  snapshot.task = parse_json_object(with_controls_escaped(text), what);
  snapshot.uuid = required_string(snapshot.task, "uuid", what);
  if (!is_uuid(snapshot.uuid)) {
    throw Error(ExitCode::data, fmt::format("{} has an invalid \"uuid\": expected "
                                            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex",
                                            what));
  }
  std::transform(snapshot.uuid.begin(), snapshot.uuid.end(), snapshot.uuid.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  required_string(snapshot.task, "description", what);
  snapshot.status = status_of(snapshot.task, what);
  return snapshot;
}

}  // namespace vsync
