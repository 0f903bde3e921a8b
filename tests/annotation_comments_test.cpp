// Taskwarrior's annotations and Vikunja's comments: the merge on its own, then both ways with the
// real `task` and the stand-in (one comment per annotation, paired in the agreed state).

#include <catch2/catch.hpp>

#include "linked_task.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/sync/annotation_comments.hpp"
#include "worker/sync/field_mapping.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

constexpr UnixMillis now = 1'795'000'000'000;

NoteMerge merged(const std::optional<std::vector<NotePair>>& base, const std::vector<Annotation>& annotations,
                 const std::vector<Comment>& comments, ConflictRule rule = ConflictRule::newest) {
  return merge_notes(base, annotations, comments, rule, std::nullopt, now);
}

// The annotations' texts, in entry order.
std::vector<std::string> annotation_texts(const json& task) {
  std::vector<std::string> texts;
  for (const json& annotation : task.value("annotations", json::array())) texts.push_back(annotation["description"]);
  return texts;
}

// Rewrites the first annotation's text in place (its entry kept), as `task edit` does.
void edit_first_annotation(TaskwarriorFixture& f, LinkedTask& linked, const std::string& text) {
  json task = linked.taskwarrior();
  task["annotations"][0]["description"] = text;
  task.erase("id");
  task.erase("urgency");
  REQUIRE(f.task({"import"}, task.dump()).exit_code == 0);
}

std::vector<std::string> comment_html(TaskwarriorFixture& f, std::int64_t task_id) {
  std::vector<std::string> html;
  for (const json& comment : f.vikunja.comments(task_id)) html.push_back(comment["comment"]);
  return html;
}

}  // namespace

TEST_CASE("notes merge as sets against the agreed pairs", "[annotations]") {
  const std::vector<NotePair> base{{"20261201T090000Z", 7, "call Bob"}, {"20261201T100000Z", 8, "bring keys"}};

  SECTION("nothing changed: nothing to write") {
    const NoteMerge merge = merged(base, {{"20261201T090000Z", "call Bob"}, {"20261201T100000Z", "bring keys"}},
                                   {{7, std::nullopt, std::nullopt, "call Bob"}, {8, std::nullopt, std::nullopt, "bring keys"}});
    CHECK(merge.pairs == base);
    CHECK_FALSE(merge.changes_taskwarrior());
    CHECK(merge.comments_to_add.empty());
    CHECK(merge.comments_to_write.empty());
    CHECK(merge.comments_to_remove.empty());
  }
  SECTION("an annotation added and a comment added both survive, each copied to the other side") {
    const NoteMerge merge = merged(base,
                                   {{"20261201T090000Z", "call Bob"}, {"20261201T100000Z", "bring keys"},
                                    {"20261202T080000Z", "from Taskwarrior"}},
                                   {{7, std::nullopt, std::nullopt, "call Bob"}, {8, std::nullopt, std::nullopt, "bring keys"},
                                    {9, now - 1500, std::nullopt, "from Vikunja"}});
    REQUIRE(merge.comments_to_add.size() == 1);
    CHECK(merge.comments_to_add[0].entry == "20261202T080000Z");
    CHECK(merge.comments_to_add[0].text == "from Taskwarrior");
    CHECK(merge.annotations_to_write ==
          std::map<std::string, std::string>{{format_taskwarrior_date(now - 2000), "from Vikunja"}});
    CHECK(merge.pairs.size() == 3);  // the one to add pairs once Vikunja gives its id
  }
  SECTION("a note deleted on one side is deleted on the other") {
    const NoteMerge merge = merged(base, {{"20261201T100000Z", "bring keys"}},
                                   {{7, std::nullopt, std::nullopt, "call Bob"}});
    CHECK(merge.comments_to_remove == std::map<std::int64_t, std::string>{{7, "20261201T090000Z"}});
    CHECK(merge.annotations_to_remove == std::set<std::string>{"20261201T100000Z"});
    CHECK(merge.pairs.empty());
    CHECK(merge.conflicts.empty());
  }
  SECTION("an edited comment replaces its annotation's text, keeping its entry; an edited annotation its comment's") {
    const NoteMerge merge = merged(base, {{"20261201T090000Z", "call Bob"}, {"20261201T100000Z", "bring the keys"}},
                                   {{7, std::nullopt, std::nullopt, "call Bob at 5"}, {8, std::nullopt, std::nullopt, "bring keys"}});
    CHECK(merge.annotations_to_write == std::map<std::string, std::string>{{"20261201T090000Z", "call Bob at 5"}});
    CHECK(merge.comments_to_write == std::map<std::int64_t, std::string>{{8, "bring the keys"}});
    CHECK(merge.pairs == std::vector<NotePair>{{"20261201T090000Z", 7, "call Bob at 5"},
                                               {"20261201T100000Z", 8, "bring the keys"}});
  }
  SECTION("edited on both sides: a conflict decided by the rule") {
    const NoteMerge merge = merged(base, {{"20261201T090000Z", "ours"}, {"20261201T100000Z", "bring keys"}},
                                   {{7, std::nullopt, std::nullopt, "theirs"}, {8, std::nullopt, std::nullopt, "bring keys"}},
                                   ConflictRule::taskwarrior);
    REQUIRE(merge.conflicts.size() == 1);
    CHECK(merge.conflicts[0].base == "call Bob");
    CHECK(merge.conflicts[0].winner == Side::taskwarrior);
    CHECK(merge.comments_to_write == std::map<std::int64_t, std::string>{{7, "ours"}});
  }
  SECTION("edited on both sides, rule newest: the comment's own edit time against the task's") {
    const std::vector<Annotation> annotations{{"20261201T090000Z", "ours"}, {"20261201T100000Z", "bring keys"}};
    const std::vector<Comment> comments{{7, now - 9000, now - 1000, "theirs"}, {8, std::nullopt, std::nullopt, "bring keys"}};
    CHECK(merge_notes(base, annotations, comments, ConflictRule::newest, now - 2000, now).conflicts.at(0).winner ==
          Side::vikunja);
    CHECK(merge_notes(base, annotations, comments, ConflictRule::newest, now, now).conflicts.at(0).winner ==
          Side::taskwarrior);
  }
  SECTION("deleted on one side and edited on the other: the delete wins and the edit is kept as a conflict") {
    const NoteMerge merge = merged(base, {{"20261201T100000Z", "bring keys"}},
                                   {{7, std::nullopt, std::nullopt, "call Bob at 5"}, {8, std::nullopt, std::nullopt, "bring keys"}});
    CHECK(merge.comments_to_remove.contains(7));
    REQUIRE(merge.conflicts.size() == 1);
    CHECK(merge.conflicts[0].delete_won);
    CHECK(merge.conflicts[0].vikunja == "call Bob at 5");
    CHECK(merge.conflicts[0].taskwarrior == "(deleted)");
  }
  SECTION("first link: notes of equal text pair up instead of doubling") {
    const NoteMerge merge = merged(std::nullopt, {{"20261201T090000Z", "same"}, {"20261201T090001Z", "only here"}},
                                   {{3, now, std::nullopt, "same"}});
    CHECK(merge.pairs.size() == 1);
    CHECK(merge.pairs[0] == NotePair{"20261201T090000Z", 3, "same"});
    REQUIRE(merge.comments_to_add.size() == 1);
    CHECK(merge.comments_to_add[0].text == "only here");
    CHECK_FALSE(merge.changes_taskwarrior());
  }
  SECTION("comments made in the same second become annotations a second apart") {
    const NoteMerge merge = merged(std::nullopt, {}, {{3, now, std::nullopt, "one"}, {4, now + 200, std::nullopt, "two"}});
    CHECK(merge.annotations_to_write == std::map<std::string, std::string>{{format_taskwarrior_date(now), "one"},
                                                                          {format_taskwarrior_date(now + 1000), "two"}});
  }
  SECTION("a note not carried stays on its side, neither copied nor deleted") {
    const NoteMerge merge = merged(base, {{"20261201T090000Z", std::nullopt}, {"20261201T100000Z", "bring keys"},
                                          {"20261202T000000Z", std::nullopt}},
                                   {{7, std::nullopt, std::nullopt, "call Bob"}, {8, std::nullopt, std::nullopt, "bring keys"},
                                    {9, now, std::nullopt, std::nullopt}});
    CHECK(merge.pairs == base);
    CHECK(merge.comments_to_add.empty());
    CHECK(merge.comments_to_remove.empty());
    CHECK_FALSE(merge.changes_taskwarrior());
    CHECK(merge.uncarried.size() == 3);
  }
  SECTION("a paired note not carried whose partner is deleted is left alone, unpaired") {
    const NoteMerge merge = merged(base, {{"20261201T100000Z", "bring keys"}},
                                   {{7, std::nullopt, std::nullopt, std::nullopt}, {8, std::nullopt, std::nullopt, "bring keys"}});
    CHECK(merge.comments_to_remove.empty());
    CHECK(merge.pairs == std::vector<NotePair>{base[1]});
    CHECK(comments_agree(merge.pairs, {{7, std::nullopt, std::nullopt, std::nullopt}, {8, std::nullopt, std::nullopt, "bring keys"}}));
  }
  SECTION("a note of nothing but blanks (an image-only comment) is not carried, so it never reads as deleted") {
    const auto comments = comments_of({json{{"id", 5}, {"comment", "<p><img src=\"cat.png\"></p>"}}});
    REQUIRE(comments.size() == 1);
    CHECK_FALSE(comments[0].text);
    CHECK_FALSE(comments[0].not_carried_because.empty());
    const NoteMerge merge = merged(std::nullopt, {}, comments);
    CHECK_FALSE(merge.changes_taskwarrior());
    CHECK(merge.pairs.empty());
  }
}

TEST_CASE("whether a side holds the agreed notes", "[annotations]") {
  const std::vector<NotePair> agreed{{"20261201T090000Z", 7, "call Bob"}};
  CHECK(annotations_agree(agreed, {{"20261201T090000Z", "call Bob"}}));
  CHECK_FALSE(annotations_agree(agreed, {{"20261201T090000Z", "call Bob at 5"}}));
  CHECK_FALSE(annotations_agree(agreed, {}));
  CHECK(annotations_agree(std::nullopt, {}));
  CHECK_FALSE(annotations_agree(std::nullopt, {{"20261201T090000Z", "call Bob"}}));
  CHECK(comments_agree(agreed, {{7, std::nullopt, std::nullopt, "call Bob"}}));
  CHECK_FALSE(comments_agree(agreed, {{7, std::nullopt, std::nullopt, "call Bob"}, {8, std::nullopt, std::nullopt, "new"}}));
  CHECK(comments_agree(agreed, {{7, std::nullopt, std::nullopt, "call Bob"}, {8, std::nullopt, std::nullopt, std::nullopt}}));
  // A paired note that stopped being carried (edited to 1 MiB) agrees: no sync is due for it.
  CHECK(annotations_agree(agreed, {{"20261201T090000Z", std::nullopt}}));
  CHECK(comments_agree(agreed, {{7, std::nullopt, std::nullopt, std::nullopt}}));
}

TEST_CASE("an annotation becomes a comment, and its edit and delete follow", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  REQUIRE(f.task({linked.uuid, "annotate", "ask about <the boiler> & the tap"}).exit_code == 0);
  f.vikunja.forget_requests();
  CHECK(worker->drain().done == 1);
  CHECK(comment_html(f, linked.id) == std::vector<std::string>{"<p>ask about &lt;the boiler&gt; &amp; the tap</p>"});
  // The task, its comments, the new comment.
  CHECK(f.vikunja.requests_matching("GET", "/tasks/") + f.vikunja.requests_matching("PUT", "/tasks/") == 3);
  CHECK(f.vikunja.requests_matching("POST", "/tasks/") == 0);

  // Edited in place (as `task edit` does): the entry stays, the comment follows.
  edit_first_annotation(f, linked, "ask about the tap only");
  CHECK(worker->drain().done == 1);
  CHECK(comment_html(f, linked.id) == std::vector<std::string>{"<p>ask about the tap only</p>"});

  REQUIRE(f.task({linked.uuid, "denotate", "ask about the tap only"}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK(f.vikunja.comments(linked.id).empty());
  CHECK(f.store.database().execAndGet("SELECT count(*) FROM conflicts").getInt() == 0);
}

TEST_CASE("a comment becomes an annotation, and its edit and delete follow", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  const std::int64_t comment = f.vikunja.add_comment(linked.id, "<p>The key is <strong>under the mat</strong></p>");
  f.notify("task.comment.created", linked.id);
  CHECK(worker->drain().done == 1);
  CHECK(annotation_texts(linked.taskwarrior()) == std::vector<std::string>{"The key is under the mat"});

  f.vikunja.edit_comment(linked.id, comment, "<p>The key is with Anna</p>");
  f.notify("task.comment.edited", linked.id);
  CHECK(worker->drain().done == 1);
  const json task = linked.taskwarrior();
  CHECK(annotation_texts(task) == std::vector<std::string>{"The key is with Anna"});

  f.vikunja.remove_comment(linked.id, comment);
  f.notify("task.comment.deleted", linked.id);
  CHECK(worker->drain().done == 1);
  CHECK_FALSE(linked.taskwarrior().contains("annotations"));
}

TEST_CASE("notes added on both sides both survive, and applying every job again changes nothing", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  REQUIRE(f.task({linked.uuid, "annotate", "from Taskwarrior"}).exit_code == 0);
  f.vikunja.add_comment(linked.id, "<p>from Vikunja</p>");
  f.notify("task.comment.created", linked.id);
  worker->drain();
  worker->drain();
  std::vector<std::string> texts = annotation_texts(linked.taskwarrior());
  std::sort(texts.begin(), texts.end());
  CHECK(texts == std::vector<std::string>{"from Taskwarrior", "from Vikunja"});
  CHECK(f.vikunja.comments(linked.id).size() == 2);

  // Every kind of job again, and a full reconcile: nothing doubles, nothing is written.
  f.vikunja.forget_requests();
  f.notify("task.comment.created", linked.id);
  f.notify("task.updated", linked.id);
  f.store.enqueue({JobKind::push, "tw:" + linked.uuid, linked.taskwarrior().dump(), std::nullopt});
  CHECK(worker->reconcile({.full = true}).jobs.empty());
  worker->drain();
  CHECK(f.vikunja.comments(linked.id).size() == 2);
  CHECK(linked.taskwarrior()["annotations"].size() == 2);
  CHECK(f.vikunja.requests_matching("PUT", "/tasks") == 0);
  CHECK(f.vikunja.requests_matching("POST", "/tasks") == 0);
  CHECK(f.vikunja.requests_matching("DELETE", "/tasks") == 0);
  CHECK(f.store.database().execAndGet("SELECT count(*) FROM conflicts").getInt() == 0);
}

TEST_CASE("a comment whose event was lost crosses at the full reconcile", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  f.vikunja.add_comment(linked.id, "<p>no event for this one</p>");
  const auto plan = worker->reconcile({.full = true});
  REQUIRE(plan.jobs.size() == 1);
  worker->drain();
  CHECK(annotation_texts(linked.taskwarrior()) == std::vector<std::string>{"no event for this one"});
}

TEST_CASE("a push that changes no note reads no comments", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  REQUIRE(f.task({linked.uuid, "annotate", "a note"}).exit_code == 0);
  worker->drain();
  f.vikunja.forget_requests();
  REQUIRE(f.task({linked.uuid, "modify", "Pay the rent"}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK(f.vikunja.requests_matching("GET", "/tasks/" + std::to_string(linked.id) + "/comments") == 0);
  CHECK(f.vikunja.requests() == 2);
}

TEST_CASE("a huge or binary annotation stays in Taskwarrior, is logged, and the rest still syncs", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  json task = linked.taskwarrior();
  task["annotations"] = json::array({{{"entry", "20261201T090000Z"}, {"description", std::string(1024 * 1024, 'x')}},
                                     {{"entry", "20261201T090001Z"}, {"description", "bin\x01\x02 ok"}}});
  task["description"] = "Pay the rent";
  task.erase("id");
  task.erase("urgency");
  // Too large for the hook's input (vikunja-enqueue refuses it, and Taskwarrior the change): it
  // comes as `task sync` brings changes, without hooks, found by the reconcile.
  REQUIRE(f.task({"rc.hooks=off", "import"}, task.dump()).exit_code == 0);
  auto worker = f.worker();
  CHECK(worker->reconcile({.full = true}).jobs.size() == 1);
  CHECK(worker->drain().done == 1);
  CHECK(linked.vikunja()["title"] == "Pay the rent");
  CHECK(comment_html(f, linked.id) == std::vector<std::string>{"<p>bin ok</p>"});
  CHECK(f.logged("event=\"note not carried\" tw_uuid=" + linked.uuid));
  CHECK(linked.taskwarrior()["annotations"].size() == 2);
  CHECK(linked.taskwarrior()["annotations"][0]["description"].get<std::string>().size() == 1024 * 1024);
}

TEST_CASE("a comment that vanished before its event was read is no failure", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  const std::int64_t comment = f.vikunja.add_comment(linked.id, "<p>short-lived</p>");
  f.notify("task.comment.created", linked.id);
  f.vikunja.remove_comment(linked.id, comment);
  CHECK(worker->drain().done == 1);
  CHECK_FALSE(linked.taskwarrior().contains("annotations"));
  CHECK(f.logged("event=\"webhook changes nothing\""));
}

TEST_CASE("a token without tasks_comments leaves notes where they are and pauses nothing", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  f.vikunja.refuse_comment_routes();
  REQUIRE(f.task({linked.uuid, "annotate", "stays here", "rc.confirmation=off"}).exit_code == 0);
  REQUIRE(f.task({linked.uuid, "modify", "Pay the rent"}).exit_code == 0);
  auto worker = f.worker();
  const DrainStats drained = worker->drain();
  CHECK(drained.done == drained.total());
  CHECK(linked.vikunja()["title"] == "Pay the rent");
  CHECK(f.logged("event=\"note not carried\" tw_uuid=" + linked.uuid));
  CHECK(annotation_texts(linked.taskwarrior()) == std::vector<std::string>{"stays here"});
}

TEST_CASE("a task made in Vikunja with comments is made in Taskwarrior with them as annotations", "[annotations]") {
  TaskwarriorFixture f;
  const auto id = f.vikunja_task("Home", {{"title", "Fix the gate"}});
  f.vikunja.add_comment(id, "<p>hinge is loose</p>");
  f.notify("task.created", id);
  auto worker = f.worker();
  CHECK(worker->drain().done == 1);
  CHECK(annotation_texts(*f.by_vikunja_id(id)) == std::vector<std::string>{"hinge is loose"});
  f.notify("task.comment.created", id);
  worker->drain();
  CHECK(f.vikunja.comments(id).size() == 1);
  CHECK(f.by_vikunja_id(id)->at("annotations").size() == 1);
}

TEST_CASE("a comment another user wrote stays as Vikunja has it, and the refused edit is a conflict", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  f.vikunja.add_comment(linked.id, "<p>from a colleague</p>", 2);
  f.notify("task.comment.created", linked.id);
  worker->drain();
  REQUIRE(annotation_texts(linked.taskwarrior()) == std::vector<std::string>{"from a colleague"});

  edit_first_annotation(f, linked, "rewritten here");
  CHECK(worker->drain().done == 1);
  CHECK(comment_html(f, linked.id) == std::vector<std::string>{"<p>from a colleague</p>"});
  CHECK(annotation_texts(linked.taskwarrior()) == std::vector<std::string>{"from a colleague"});
  CHECK(f.logged("event=\"note not carried\" tw_uuid=" + linked.uuid));
  CHECK(f.store.database().execAndGet("SELECT taskwarrior_value FROM conflicts WHERE field = 'annotation'").getString() ==
        "rewritten here");

  // Settled: the next sync writes nothing.
  f.vikunja.forget_requests();
  CHECK(worker->reconcile({.full = true}).jobs.empty());
  CHECK(f.vikunja.requests_matching("POST", "/tasks") + f.vikunja.requests_matching("DELETE", "/tasks") == 0);
}

TEST_CASE("a task deleted in Taskwarrior keeps a comment made since in the conflicts table", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  f.vikunja.add_comment(linked.id, "<p>said after the last sync</p>");
  REQUIRE(f.task({linked.uuid, "delete", "rc.confirmation=off"}).exit_code == 0);
  worker->drain();
  CHECK_FALSE(f.vikunja.task(linked.id));
  CHECK(f.store.database().execAndGet("SELECT vikunja_value FROM conflicts WHERE field = 'deleted'").getString().find(
            "said after the last sync") != std::string::npos);
}

TEST_CASE("the comments of a task deleted since it was read are none to read, not a failure", "[annotations]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();
  f.vikunja.remove_task(linked.id);
  CHECK_FALSE(worker->vikunja().comments(linked.id));
  CHECK_FALSE(worker->vikunja().add_comment(linked.id, "<p>too late</p>"));
}
