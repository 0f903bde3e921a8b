// Fuzz target: parse_webhook_event, which reads every Vikunja webhook body (vikunja-enqueue
// webhook, and the worker's webhook jobs). The input is the body. Error (data) is its documented
// refusal; anything else thrown is a finding. A synced event it returns must carry what
// webhook_event.hpp promises: a positive task id, and the envelope it was read from.

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "shared/error.hpp"
#include "shared/webhook_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using vsync::fuzz::fail;
  vsync::WebhookEvent event;
  try {
    event = vsync::parse_webhook_event(vsync::fuzz::as_text(data, size), "the fuzz input");
  } catch (const vsync::Error&) {
    return 0;
  }
  if (!event.envelope.is_object() || event.envelope.value("event_name", "") != event.event_name) {
    fail("the event's name is not the envelope's event_name");
  }
  if (event.synced && event.task_id <= 0) {
    fail(fmt::format("synced event {} has task id {}", event.event_name, event.task_id));
  }
  if (!event.synced && (event.task_id != 0 || event.task_updated)) {
    fail(fmt::format("event {} is not synced but carries a task", event.event_name));
  }
  return 0;
}
