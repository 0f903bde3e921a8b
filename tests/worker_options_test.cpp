// The command line of vikunja-worker, parsed without running anything.

#include "worker/options.hpp"

#include <catch2/catch.hpp>

#include "option_words.hpp"
#include "shared/error.hpp"

using namespace vsync;
using namespace vsync::worker;

namespace {

Options parse(std::vector<std::string> words) { return test::parse_words(parse_options, std::move(words)); }

}  // namespace

TEST_CASE("worker commands and their arguments", "[worker_options]") {
  CHECK(parse({"vikunja-worker", "drain"}).command == Command::drain);
  CHECK(parse({"vikunja-worker", "--db", "/q.db", "run"}).db == "/q.db");
  CHECK(parse({"vikunja-worker", "status", "--json"}).json);
  const Options retry = parse({"vikunja-worker", "retry", "4", "17"});
  CHECK(retry.command == Command::retry);
  CHECK(retry.job_ids == std::vector<std::int64_t>{4, 17});
  CHECK(parse({"vikunja-worker", "retry", "--dead"}).all_dead);
  CHECK(parse({"vikunja-worker", "purge"}).older_than_days == 7);
  CHECK(parse({"vikunja-worker", "purge", "--older-than", "0.5"}).older_than_days == 0.5);
  CHECK_FALSE(parse({"vikunja-worker", "breaker", "reset"}).target);
  CHECK(parse({"vikunja-worker", "breaker", "reset", "taskwarrior"}).target == Target::taskwarrior);
  CHECK(parse({"vikunja-worker", "breaker", "reset", "vikunja"}).target == Target::vikunja);
  CHECK(parse({"vikunja-worker", "--version"}).command == Command::version);
}

TEST_CASE("worker usage errors say what is wrong, exit 64", "[worker_options]") {
  const auto fails_with = [](std::vector<std::string> words, const std::string& message) {
    try {
      parse(std::move(words));
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::usage);
      CHECK(std::string(e.what()) == message + " (try: vikunja-worker --help)");
    }
  };
  fails_with({"vikunja-worker"}, "no command given");
  fails_with({"vikunja-worker", "drian"}, "unknown command 'drian'");
  fails_with({"vikunja-worker", "breaker"}, "the breaker command is `breaker reset [TARGET]`");
  fails_with({"vikunja-worker", "breaker", "reset", "jira"}, "unknown target 'jira'; expected vikunja or taskwarrior");
  fails_with({"vikunja-worker", "breaker", "reset", "Vikunja"}, "unknown target 'Vikunja'; expected vikunja or taskwarrior");
  fails_with({"vikunja-worker", "retry"}, "retry takes job ids or --dead");
  fails_with({"vikunja-worker", "retry", "3x"}, "job id '3x' is not a non-negative number");
  fails_with({"vikunja-worker", "retry", "-3"}, "unknown option '-3'");
  fails_with({"vikunja-worker", "drain", "--json"}, "--json is only for status and doctor");
  fails_with({"vikunja-worker", "webhooks"}, "the webhooks command is `webhooks install|list|remove`");
  fails_with({"vikunja-worker", "webhooks", "install"},
             "webhooks install and remove need --url URL, the receiver's URL as Vikunja reaches it");
  fails_with({"vikunja-worker", "status", "--url", "http://x"}, "--url is only for webhooks install, webhooks remove and doctor");
  fails_with({"vikunja-worker", "webhooks", "list", "extra"}, "unexpected argument 'extra'");
}

TEST_CASE("doctor and webhooks parse their options", "[worker_options]") {
  const auto install = parse({"vikunja-worker", "webhooks", "install", "--url", "http://h:9000/hooks/vikunja"});
  CHECK(install.command == Command::webhooks_install);
  CHECK(install.url == "http://h:9000/hooks/vikunja");
  CHECK(parse({"vikunja-worker", "webhooks", "list"}).command == Command::webhooks_list);
  CHECK(parse({"vikunja-worker", "webhooks", "remove", "--url", "http://h"}).command == Command::webhooks_remove);
  const auto doctor = parse({"vikunja-worker", "doctor", "--json"});
  CHECK(doctor.command == Command::doctor);
  CHECK(doctor.json);
}
