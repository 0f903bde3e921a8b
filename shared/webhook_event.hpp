#pragma once
// A Vikunja webhook body (vikunja-api.md §4), checked for what the queue relies on.
// Throws Error(data) for a body that is not an object with a string "event_name", or a synced
// task event without a positive integer data.task.id.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"

namespace vsync {

// The events the sync acts on (each a hint: the worker reads the task back); others are
// ignored. A relation's events carry dependencies and a comment's the task's notes, neither of
// which changes `updated`.
inline constexpr std::array<std::string_view, 8> synced_webhook_events = {
    "task.created",          "task.updated",          "task.deleted",
    "task.relation.created", "task.relation.deleted", "task.comment.created",
    "task.comment.edited",   "task.comment.deleted"};

struct WebhookEvent {
  std::string event_name;
  bool synced = false;       // one of synced_webhook_events
  long long task_id = 0;     // data.task.id, when synced
  std::optional<UnixMillis> task_updated;  // data.task.updated, to order late deliveries
  nlohmann::json envelope;                 // the whole body, parsed
};

WebhookEvent parse_webhook_event(std::string_view body, std::string_view what);

}  // namespace vsync
