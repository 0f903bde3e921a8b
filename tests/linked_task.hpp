#pragma once
// One task made in Taskwarrior and pushed, so the two sides are linked and agree: the start of
// every test about what happens to a linked pair.

#include <catch2/catch.hpp>

#include "taskwarrior_fixture.hpp"

namespace vsync::test {

struct LinkedTask {
  TaskwarriorFixture& f;
  std::string uuid;
  std::int64_t id = 0;

  explicit LinkedTask(TaskwarriorFixture& fixture, const std::string& add_args = "Pay rent")
      : f(fixture) {
    REQUIRE(f.task({"add", add_args, "project:Home", "priority:L", "+bills"}).exit_code == 0);
    REQUIRE(f.worker()->drain().done == 1);
    uuid = f.exported().at(0)["uuid"];
    id = f.vikunja.tasks().at(0)["id"];
  }

  nlohmann::json taskwarrior() { return f.exported().at(0); }
  nlohmann::json vikunja() { return *f.vikunja.task(id); }
};

}  // namespace vsync::test
