#include "shared/webhook_event.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"

namespace vsync {

namespace {

bool is_synced(std::string_view event_name) {
  return std::find(synced_webhook_events.begin(), synced_webhook_events.end(), event_name) !=
         synced_webhook_events.end();
}

const nlohmann::json& required_object(const nlohmann::json& parent, std::string_view field,
                                      std::string_view path, std::string_view what) {
  const auto member = parent.find(field);
  if (member == parent.end() || !member->is_object()) {
    throw Error(ExitCode::data, fmt::format("{} has no object \"{}\"", what, path));
  }
  return *member;
}

}  // namespace

WebhookEvent parse_webhook_event(std::string_view body, std::string_view what) {
  WebhookEvent event;
  event.envelope = parse_json_object(body, what);
  const nlohmann::json& envelope = event.envelope;
  event.event_name = required_string(envelope, "event_name", what);
  event.synced = is_synced(event.event_name);
  if (!event.synced) return event;

  const auto& data = required_object(envelope, "data", "data", what);
  const auto& task = required_object(data, "task", "data.task", what);
  const auto id = task.find("id");
  if (id == task.end() || !id->is_number_integer() || id->get<long long>() <= 0) {
    throw Error(ExitCode::data,
                fmt::format("{} has no positive integer \"data.task.id\"", what));
  }
  event.task_id = id->get<long long>();

  const auto updated = task.find("updated");
  if (updated != task.end()) {
    const auto parsed = updated->is_string() ? parse_rfc3339(updated->get<std::string>())
                                             : std::nullopt;
    if (!parsed) {
      throw Error(ExitCode::data,
                  fmt::format("{} has a \"data.task.updated\" that is not an RFC 3339 time", what));
    }
    event.task_updated = parsed;
  }
  return event;
}

}  // namespace vsync
