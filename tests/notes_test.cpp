// Notes cross both ways with the real `task` and the stand-in: Vikunja's description (HTML) and
// Taskwarrior's vikunja_description attribute, three-way merged as one text, written only where
// the text changed.

#include <catch2/catch.hpp>

#include "linked_task.hpp"
#include "taskwarrior_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

// The attribute is a UDA: `task modify` needs it declared (the user's taskrc does, per
// install-hooks' instructions).
const std::string declare_description = "rc.uda.vikunja_description.type=string";

std::string taskwarrior_description(const json& task) { return task.value("vikunja_description", ""); }

}  // namespace

TEST_CASE("a description written in Vikunja's editor reaches Taskwarrior as text, and edits follow both ways",
          "[notes]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("Home", {{"title", "Call the plumber"},
                                          {"description", "<p>Ask about <strong>the boiler</strong></p><ul><li><p>"
                                                          "price</p></li><li><p>date</p></li></ul>"}});
  f.notify("task.created", id);
  CHECK(worker->drain().done == 1);
  auto task = f.by_vikunja_id(id);
  REQUIRE(task);
  CHECK(taskwarrior_description(*task) == "Ask about the boiler\n- price\n- date");

  const std::string uuid = (*task)["uuid"];
  REQUIRE(f.task({declare_description, uuid, "modify", "vikunja_description:Ask about <the boiler> & the tap"})
              .exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK((*f.vikunja.task(id))["description"] == "<p>Ask about &lt;the boiler&gt; &amp; the tap</p>");

  f.vikunja.edit_task(id, {{"description", ""}});
  f.notify("task.updated", id);
  CHECK(worker->drain().done == 1);
  CHECK_FALSE(f.by_vikunja_id(id)->contains("vikunja_description"));
}

TEST_CASE("a Taskwarrior note keeps its lines in Vikunja, and other edits leave Vikunja's HTML as it is",
          "[notes]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  json task = linked.taskwarrior();
  task["vikunja_description"] = "first line\n\n\tindented <tag> & \"quoted\"\nlast";
  task.erase("id");
  task.erase("urgency");
  REQUIRE(f.task({declare_description, "import"}, task.dump()).exit_code == 0);
  auto worker = f.worker();
  worker->drain();
  CHECK(linked.vikunja()["description"] ==
        "<p>first line</p><p></p><p>\tindented &lt;tag&gt; &amp; &quot;quoted&quot;</p><p>last</p>");

  // The user reformats it in Vikunja's editor without changing the text: nothing to carry.
  const std::string reformatted =
      "<p>first line</p><p></p><p>\tindented &lt;tag&gt; &amp; \"quoted\"</p>\n<p>last</p>";
  f.vikunja.edit_task(linked.id, {{"description", reformatted}});
  f.notify("task.updated", linked.id);
  worker->drain();
  REQUIRE(f.task({linked.uuid, "modify", "Pay the rent"}).exit_code == 0);
  worker->drain();
  CHECK(linked.vikunja()["title"] == "Pay the rent");
  CHECK(linked.vikunja()["description"] == reformatted);
  CHECK(taskwarrior_description(linked.taskwarrior()) == "first line\n\n\tindented <tag> & \"quoted\"\nlast");
}

TEST_CASE("a description changed on both sides is a conflict decided by the rule and recorded", "[notes]") {
  TaskwarriorFixture f;
  f.env["VIKUNJA_SYNC_CONFLICT"] = "vikunja";
  LinkedTask linked(f);
  REQUIRE(f.task({declare_description, linked.uuid, "modify", "vikunja_description:from Taskwarrior"}).exit_code == 0);
  f.vikunja.edit_task(linked.id, {{"description", "<p>from Vikunja</p>"}});
  f.notify("task.updated", linked.id);
  auto worker = f.worker();
  worker->drain();
  worker->drain();
  CHECK(taskwarrior_description(linked.taskwarrior()) == "from Vikunja");
  CHECK(linked.vikunja()["description"] == "<p>from Vikunja</p>");
  SQLite::Statement row(f.store.database(), "SELECT field, taskwarrior_value, vikunja_value, winner FROM conflict_log");
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getString() == "description");
  CHECK(row.getColumn(1).getString() == "from Taskwarrior");
  CHECK(row.getColumn(2).getString() == "from Vikunja");
  CHECK(row.getColumn(3).getString() == "vikunja");
}

TEST_CASE("a description too large to carry stays on its side, is logged, and the rest still syncs", "[notes]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  const std::string huge = "<p>" + std::string(300 * 1024, 'x') + "</p>";
  f.vikunja.edit_task(linked.id, {{"description", huge}, {"priority", 5}});
  f.notify("task.updated", linked.id);
  auto worker = f.worker();
  CHECK(worker->drain().done == 1);
  CHECK(linked.taskwarrior()["priority"] == "H");
  CHECK_FALSE(linked.taskwarrior().contains("vikunja_description"));
  CHECK(f.logged("event=\"description not carried\" tw_uuid=" + linked.uuid));

  REQUIRE(f.task({declare_description, linked.uuid, "modify", "vikunja_description:short", "Pay the rent"}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK(linked.vikunja()["title"] == "Pay the rent");
  CHECK(linked.vikunja()["description"] == huge);
}

TEST_CASE("a task made in Taskwarrior with a note is made in Vikunja with it", "[notes]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({declare_description, "add", "Fix the tap", "vikunja_description:washer size: 1/2\""}).exit_code == 0);
  CHECK(f.worker()->drain().done == 1);
  REQUIRE(f.vikunja.tasks().size() == 1);
  CHECK(f.vikunja.tasks().at(0)["description"] == "<p>washer size: 1/2&quot;</p>");
}
