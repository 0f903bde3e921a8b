// Registering the sync's webhooks on every project, against the stand-in's webhook endpoints:
// idempotent, updating instead of duplicating, and following projects made later.

#include <catch2/catch.hpp>

#include "worker/webhook_registration.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

const std::string receiver = "http://192.168.1.5:9000/hooks/vikunja";

std::vector<json> webhooks_for(FakeVikunja& vikunja, std::int64_t project) {
  std::vector<json> found;
  for (json& webhook : vikunja.webhooks()) {
    if (webhook["project_id"] == project) found.push_back(std::move(webhook));
  }
  return found;
}

std::vector<WebhookChange> changes_of(const std::vector<ProjectWebhook>& changes) {
  std::vector<WebhookChange> kinds;
  for (const ProjectWebhook& change : changes) kinds.push_back(change.change);
  return kinds;
}

// A worker with the webhook secret configured, after `webhooks install` on the one project, Home.
std::unique_ptr<Worker> installed_on_home(WorkerFixture& f) {
  f.env["VIKUNJA_WEBHOOK_SECRET"] = std::string("s3cret");
  f.vikunja.add_project("Home");
  auto worker = f.worker();
  worker->webhooks().install(receiver, "s3cret");
  return worker;
}

}  // namespace

TEST_CASE("webhooks install registers one webhook per project, and a second run changes nothing",
          "[webhooks]") {
  WorkerFixture f;
  const auto home = f.vikunja.add_project("Home");
  const auto work = f.vikunja.add_project("Work");
  auto worker = f.worker();
  const auto first = worker->webhooks().install(receiver, "s3cret");
  CHECK(changes_of(first) == std::vector{WebhookChange::created, WebhookChange::created});
  for (const auto project : {home, work}) {
    const auto hooks = webhooks_for(f.vikunja, project);
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0]["target_url"] == receiver);
    CHECK(hooks[0]["events"] == json{"task.created", "task.updated", "task.deleted", "task.relation.created",
                                     "task.relation.deleted", "task.comment.created", "task.comment.edited",
                                     "task.comment.deleted"});
    CHECK(hooks[0]["secret"] == "s3cret");
  }
  f.vikunja.forget_requests();
  const auto second = worker->webhooks().install(receiver, "s3cret");
  CHECK(changes_of(second) == std::vector{WebhookChange::unchanged, WebhookChange::unchanged});
  CHECK(f.vikunja.requests_matching("PUT", "/api/v1/projects") == 0);
  CHECK(f.vikunja.requests_matching("POST", "/api/v1/projects") == 0);
  CHECK(f.vikunja.requests_matching("DELETE", "/api/v1/projects") == 0);
  CHECK(f.vikunja.webhooks().size() == 2);

  SECTION("a changed secret replaces the webhook: Vikunja never shows the old one") {
    const auto rotated = worker->webhooks().install(receiver, "n3w");
    CHECK(changes_of(rotated) == std::vector{WebhookChange::replaced, WebhookChange::replaced});
    REQUIRE(webhooks_for(f.vikunja, home).size() == 1);
    CHECK(webhooks_for(f.vikunja, home)[0]["secret"] == "n3w");
  }
  SECTION("remove deletes them everywhere, and reconcile registers nothing afterwards") {
    CHECK(worker->webhooks().remove(receiver).size() == 2);
    CHECK(f.vikunja.webhooks().empty());
    f.vikunja.add_project("Later");
    worker->reconcile();
    CHECK(f.vikunja.webhooks().empty());
  }
}

TEST_CASE("an existing webhook for the receiver is updated or replaced, never duplicated", "[webhooks]") {
  WorkerFixture f;
  const auto project = f.vikunja.add_project("Home");
  auto worker = f.worker();
  SECTION("ours with other events: only the events change") {
    worker->webhooks().install(receiver, "s3cret");
    const auto id = webhooks_for(f.vikunja, project)[0]["id"].get<std::int64_t>();
    // Someone unticked an event in Vikunja's UI.
    worker->vikunja().update_webhook_events(project, id, json{"task.created"});
    CHECK(changes_of(worker->webhooks().install(receiver, "s3cret")) == std::vector{WebhookChange::events_updated});
    const auto hooks = webhooks_for(f.vikunja, project);
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0]["id"] == id);
    CHECK(hooks[0]["events"] == json{"task.created", "task.updated", "task.deleted", "task.relation.created",
                                     "task.relation.deleted", "task.comment.created", "task.comment.edited",
                                     "task.comment.deleted"});
  }
  SECTION("made by hand (its secret unknown), twice: replaced by one with the configured secret") {
    for (int copy = 0; copy < 2; ++copy) {
      worker->vikunja().create_webhook(project, json{{"target_url", receiver}, {"events", {"task.updated"}}, {"secret", "old"}});
    }
    CHECK(changes_of(worker->webhooks().install(receiver, "s3cret")) == std::vector{WebhookChange::replaced});
    const auto hooks = webhooks_for(f.vikunja, project);
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0]["secret"] == "s3cret");
  }
  SECTION("another receiver's webhook is left alone") {
    worker->vikunja().create_webhook(project, json{{"target_url", "https://other.example/hook"}, {"events", {"task.updated"}}});
    worker->webhooks().install(receiver, "s3cret");
    CHECK(webhooks_for(f.vikunja, project).size() == 2);
    const auto listed = worker->webhooks().list();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].registered_here != listed[1].registered_here);
  }
}

TEST_CASE("a project made after webhooks install gets its webhook at the next reconcile", "[webhooks][reconcile]") {
  WorkerFixture f;
  auto worker = installed_on_home(f);
  const auto later = f.vikunja.add_project("Made later");
  CHECK(webhooks_for(f.vikunja, later).empty());
  worker->reconcile({.dry_run = true});  // a dry run changes nothing, in Vikunja either
  CHECK(webhooks_for(f.vikunja, later).empty());
  worker->reconcile();
  const auto hooks = webhooks_for(f.vikunja, later);
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0]["secret"] == "s3cret");
  CHECK(f.logged("event=\"webhook registered\""));
  CHECK(f.vikunja.webhooks().size() == 2);
}

TEST_CASE("a project the worker makes for a pushed task gets its webhook in the same drain", "[webhooks]") {
  WorkerFixture f;
  auto worker = installed_on_home(f);
  f.enqueue(JobKind::push, json{{"uuid", "00000000-0000-4000-8000-000000000001"}, {"description", "Prune the roses"},
                                {"status", "pending"}, {"project", "Garden"}});
  worker->drain();
  REQUIRE(f.vikunja.projects().size() == 2);
  const auto garden = f.vikunja.projects().back()["id"].get<std::int64_t>();
  const auto hooks = webhooks_for(f.vikunja, garden);
  REQUIRE(hooks.size() == 1);
  CHECK(hooks[0]["target_url"] == receiver);
  CHECK(hooks[0]["secret"] == "s3cret");

  // A drain that made no project asks Vikunja nothing about webhooks.
  f.vikunja.forget_requests();
  f.enqueue(JobKind::push, json{{"uuid", "00000000-0000-4000-8000-000000000002"}, {"description", "Mow"},
                                {"status", "pending"}, {"project", "Garden"}});
  worker->drain();
  CHECK(f.vikunja.tasks().size() == 2);
  CHECK(f.vikunja.requests_matching("GET", "/api/v1/projects/") == 0);
  CHECK(f.vikunja.webhooks().size() == 2);
}

TEST_CASE("a receiver URL that is not http(s) is a usage error", "[webhooks]") {
  WorkerFixture f;
  auto worker = f.worker();
  CHECK_THROWS_WITH(worker->webhooks().install("ftp://x", "s"),
                    "--url is 'ftp://x'; expected the receiver's http:// or https:// URL");
}
