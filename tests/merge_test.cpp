// The three-way merge, field by field, with no I/O.

#include <catch2/catch.hpp>

#include "worker/sync/merge.hpp"

using namespace vsync;

namespace {

TaskFields base_fields() {
  TaskFields fields;
  fields.title = "Pay rent";
  fields.due = 1'796'634'000'000;
  fields.priority = Priority::low;
  fields.tags = {"home", "money"};
  fields.project = "home";
  return fields;
}

MergeResult merge(const TaskFields& taskwarrior, const TaskFields& vikunja, ConflictRule rule = ConflictRule::newest,
                  Side newer = Side::taskwarrior) {
  return merge_fields(base_fields(), taskwarrior, vikunja, rule, newer);
}

}  // namespace

TEST_CASE("nothing changed: nothing to write, no conflict", "[merge]") {
  const MergeResult result = merge(base_fields(), base_fields());
  CHECK(same_fields(result.fields, base_fields()));
  CHECK(result.conflicts.empty());
}

TEST_CASE("different fields changed on the two sides: both changes survive", "[merge]") {
  TaskFields taskwarrior = base_fields();
  taskwarrior.title = "Pay the rent";
  taskwarrior.due.reset();
  TaskFields vikunja = base_fields();
  vikunja.priority = Priority::high;
  vikunja.done = true;
  vikunja.project = "flat";
  for (Side newer : {Side::taskwarrior, Side::vikunja}) {
    const MergeResult result = merge(taskwarrior, vikunja, ConflictRule::newest, newer);
    CHECK(result.fields.title == "Pay the rent");
    CHECK_FALSE(result.fields.due);
    CHECK(result.fields.priority == Priority::high);
    CHECK(result.fields.done);
    CHECK(result.fields.project == "flat");
    CHECK(result.conflicts.empty());
  }
}

TEST_CASE("tags merge as sets: added and removed on either side", "[merge]") {
  TaskFields taskwarrior = base_fields();
  taskwarrior.tags = {"home", "money", "urgent"};  // added urgent
  TaskFields vikunja = base_fields();
  vikunja.tags = {"money", "bills"};  // removed home, added bills
  const MergeResult result = merge(taskwarrior, vikunja);
  CHECK(result.fields.tags == std::set<std::string>{"bills", "money", "urgent"});
  CHECK(result.conflicts.empty());
}

TEST_CASE("the same field changed on both sides is a conflict decided by the rule", "[merge]") {
  TaskFields taskwarrior = base_fields();
  taskwarrior.title = "Pay rent (Taskwarrior)";
  TaskFields vikunja = base_fields();
  vikunja.title = "Pay rent (Vikunja)";
  struct Case {
    ConflictRule rule;
    Side newer;
    Side winner;
  };
  for (const Case& c : {Case{ConflictRule::newest, Side::taskwarrior, Side::taskwarrior},
                        Case{ConflictRule::newest, Side::vikunja, Side::vikunja},
                        Case{ConflictRule::taskwarrior, Side::vikunja, Side::taskwarrior},
                        Case{ConflictRule::vikunja, Side::taskwarrior, Side::vikunja}}) {
    CAPTURE(to_string(c.rule), to_string(c.newer));
    const MergeResult result = merge(taskwarrior, vikunja, c.rule, c.newer);
    CHECK(result.fields.title == (c.winner == Side::taskwarrior ? taskwarrior.title : vikunja.title));
    REQUIRE(result.conflicts.size() == 1);
    const FieldConflict& conflict = result.conflicts.front();
    CHECK(conflict.field == Field::title);
    CHECK(conflict.base == "Pay rent");
    CHECK(conflict.taskwarrior == "Pay rent (Taskwarrior)");
    CHECK(conflict.vikunja == "Pay rent (Vikunja)");
    CHECK(conflict.winner == c.winner);
  }
}

TEST_CASE("both sides making the same change is no conflict", "[merge]") {
  TaskFields taskwarrior = base_fields();
  taskwarrior.done = true;
  const MergeResult result = merge(taskwarrior, taskwarrior);
  CHECK(result.fields.done);
  CHECK(result.conflicts.empty());
}

TEST_CASE("without a base every difference is decided by the rule, tags are united", "[merge]") {
  TaskFields taskwarrior = base_fields();
  TaskFields vikunja = base_fields();
  vikunja.priority = Priority::high;
  vikunja.tags = {"bills"};
  const MergeResult result = merge_fields(std::nullopt, taskwarrior, vikunja, ConflictRule::vikunja, Side::taskwarrior);
  CHECK(result.fields.priority == Priority::high);
  CHECK(result.fields.tags == std::set<std::string>{"bills", "home", "money"});
  REQUIRE(result.conflicts.size() == 1);
  CHECK(result.conflicts.front().base == "(none)");
}

TEST_CASE("conflict rules are spelled as VIKUNJA_SYNC_CONFLICT takes them", "[merge]") {
  for (ConflictRule rule : {ConflictRule::newest, ConflictRule::taskwarrior, ConflictRule::vikunja}) {
    CHECK(parse_conflict_rule(to_string(rule)) == rule);
  }
  CHECK_FALSE(parse_conflict_rule("Newest"));
  CHECK_FALSE(parse_conflict_rule(""));
}

TEST_CASE("descriptions merge as one text, and without a base one side's is kept over none", "[merge]") {
  TaskFields taskwarrior = base_fields();
  TaskFields vikunja = base_fields();
  vikunja.description = "his number: 555";
  CHECK(merge(taskwarrior, vikunja).fields.description == "his number: 555");
  taskwarrior.description = "call after 5";
  const MergeResult both = merge(taskwarrior, vikunja, ConflictRule::vikunja);
  CHECK(both.fields.description == "his number: 555");
  REQUIRE(both.conflicts.size() == 1);
  CHECK(both.conflicts[0].field == Field::description);

  const TaskFields empty = base_fields();
  for (const Side newer : {Side::taskwarrior, Side::vikunja}) {
    const MergeResult first_link = merge_fields(std::nullopt, empty, vikunja, ConflictRule::newest, newer);
    CHECK(first_link.fields.description == "his number: 555");
    CHECK(first_link.conflicts.empty());
    CHECK(merge_fields(std::nullopt, taskwarrior, empty, ConflictRule::newest, newer).fields.description ==
          "call after 5");
  }
  CHECK(merge_fields(std::nullopt, taskwarrior, vikunja, ConflictRule::newest, Side::taskwarrior).conflicts.size() == 1);

  TaskFields too_large = base_fields();
  too_large.description.reset();
  // Left to each side, with the carried side's text agreed, so that its next change is seen.
  CHECK(merge(too_large, vikunja).fields.description == "his number: 555");
  CHECK(merge(too_large, vikunja).conflicts.empty());
  CHECK(merge(vikunja, too_large).fields.description == "his number: 555");
  CHECK(merge(too_large, too_large).fields.description == "");
}

TEST_CASE("dependencies merge as sets, and a side not read agrees with any", "[merge]") {
  TaskFields base = base_fields();
  base.depends = std::set<std::string>{"a", "b"};
  TaskFields taskwarrior = base;
  taskwarrior.depends = std::set<std::string>{"a", "b", "c"};  // c added
  TaskFields vikunja = base;
  vikunja.depends = std::set<std::string>{"b"};  // a removed
  const MergeResult result = merge_fields(base, taskwarrior, vikunja, ConflictRule::newest, Side::taskwarrior);
  CHECK(result.fields.depends == std::set<std::string>{"b", "c"});
  CHECK(result.conflicts.empty());

  TaskFields not_read = base;
  not_read.depends.reset();
  CHECK(same_field(Field::depends, not_read, vikunja));
  CHECK(merge_fields(base, not_read, vikunja, ConflictRule::newest, Side::taskwarrior).fields.depends == vikunja.depends);
}
