#pragma once
// A Vikunja webhook body (vikunja-api.md §4), checked for what the queue relies on.
// Throws Error(data) for a body that is not an object with a string "event_name", or a synced
// task event without a positive integer data.task.id.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"

namespace vsync {

struct WebhookEvent {
  std::string event_name;
  bool synced = false;       // task.created / task.updated / task.deleted; others are ignored
  long long task_id = 0;     // data.task.id, when synced
  std::optional<UnixMillis> task_updated;  // data.task.updated, to order late deliveries
  nlohmann::json envelope;                 // the whole body, parsed
};

WebhookEvent parse_webhook_event(std::string_view body, std::string_view what);

}  // namespace vsync
