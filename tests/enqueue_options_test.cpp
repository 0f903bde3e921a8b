#include "enqueue/options.hpp"

#include <catch2/catch.hpp>

#include "option_words.hpp"
#include "shared/error.hpp"

using namespace vsync;
using namespace vsync::enqueue;

namespace {
Options parse(std::vector<std::string> words) { return test::parse_words(parse_options, std::move(words)); }
}  // namespace

TEST_CASE("commands and their arguments", "[enqueue_options]") {
  CHECK(parse({"vikunja-enqueue", "push"}).command == Command::push);
  CHECK(parse({"vikunja-enqueue", "push"}).input == "-");
  CHECK(parse({"vikunja-enqueue", "delete", "t.json"}).input == "t.json");
  const auto webhook = parse({"vikunja-enqueue", "webhook", "-", "--signature", "ab", "--db", "/q"});
  CHECK(webhook.command == Command::webhook);
  CHECK(webhook.signature == "ab");
  CHECK(webhook.db == "/q");
  CHECK(parse({"vikunja-enqueue", "--db=/q", "hook", "api:2", "args:task add x"}).command == Command::hook);
  CHECK(parse({"vikunja-enqueue", "--help"}).command == Command::help);
  CHECK(parse({"vikunja-enqueue", "push", "-h"}).command == Command::help);
  CHECK(parse({"vikunja-enqueue", "--version"}).command == Command::version);
}

TEST_CASE("a hook symlink named on-add or on-modify runs the hook", "[enqueue_options]") {
  CHECK(parse({"/home/u/.task/hooks/on-add-vikunja", "api:2", "args:task add x"}).command == Command::hook);
  CHECK(parse({"on-modify.vikunja", "--weird"}).command == Command::hook);
}

TEST_CASE("usage errors say what is wrong and where to look", "[enqueue_options]") {
  const auto fails_with = [](std::vector<std::string> words, const std::string& message) {
    REQUIRE_THROWS_WITH(parse(std::move(words)), message + " (try: vikunja-enqueue --help)");
  };
  fails_with({"vikunja-enqueue"}, "no command given");
  fails_with({"vikunja-enqueue", "pish"}, "unknown command 'pish'");
  fails_with({"vikunja-enqueue", "push", "a", "b"}, "unexpected argument 'b'");
  fails_with({"vikunja-enqueue", "push", "--frobnicate"}, "unknown option '--frobnicate'");
  fails_with({"vikunja-enqueue", "push", "--db"}, "option '--db' needs a value");
  fails_with({"vikunja-enqueue", "push", "--signature", "x"}, "--signature is only for the webhook command");
  try {
    parse({"vikunja-enqueue"});
    FAIL("parsed an empty command line");
  } catch (const Error& e) {
    CHECK(e.exit_code() == ExitCode::usage);
  }
}
