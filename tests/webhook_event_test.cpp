#include "shared/webhook_event.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "temp_dir.hpp"

using namespace vsync;

TEST_CASE("the fixture events are synced task events", "[webhook_event]") {
  for (const char* name : {"created", "updated", "deleted"}) {
    const auto body = test::read_file(std::string(FIXTURES_DIR "/vikunja-webhook-task.") + name + ".json");
    const WebhookEvent event = parse_webhook_event(body, name);
    CHECK(event.event_name == std::string("task.") + name);
    CHECK(event.synced);
    CHECK(event.task_id == 131);
    CHECK(event.task_updated.has_value());
  }
}

TEST_CASE("events the sync does not handle are recognised without further checks",
          "[webhook_event]") {
  const auto event = parse_webhook_event(R"({"event_name":"task.attachment.created","data":{}})", "b");
  CHECK_FALSE(event.synced);
  CHECK_FALSE(parse_webhook_event(R"({"event_name":"project.updated"})", "b").synced);
}

TEST_CASE("a relation's and a comment's events are synced: they carry dependencies and notes", "[webhook_event]") {
  for (const char* name : {"task.relation.created", "task.relation.deleted", "task.comment.created",
                           "task.comment.edited", "task.comment.deleted"}) {
    const auto event = parse_webhook_event(
        fmt::format(R"({{"event_name":"{}","data":{{"task":{{"id":7}},"relation":{{"other_task_id":8}}}}}})", name), "b");
    CHECK(event.synced);
    CHECK(event.task_id == 7);
  }
}

TEST_CASE("synced events need data.task.id", "[webhook_event]") {
  REQUIRE_THROWS_WITH(parse_webhook_event(R"({"data":{}})", "b"), "b has no \"event_name\"");
  REQUIRE_THROWS_WITH(parse_webhook_event(R"({"event_name":"task.updated"})", "b"),
                      "b has no object \"data\"");
  REQUIRE_THROWS_WITH(parse_webhook_event(R"({"event_name":"task.updated","data":{"task":[]}})", "b"),
                      "b has no object \"data.task\"");
  for (const char* id : {"\"131\"", "0", "-4", "1.5", "null"}) {
    REQUIRE_THROWS_WITH(
        parse_webhook_event(std::string(R"({"event_name":"task.created","data":{"task":{"id":)") +
                                id + "}}}",
                            "b"),
        "b has no positive integer \"data.task.id\"");
  }
  REQUIRE_THROWS_WITH(
      parse_webhook_event(R"({"event_name":"task.created","data":{"task":{"id":1,"updated":"soon"}}})", "b"),
      "b has a \"data.task.updated\" that is not an RFC 3339 time");
}
