#include "shared/config.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using vsync::test::TempDir;

TEST_CASE("the queue path comes from --db, VIKUNJA_SYNC_DB, XDG_STATE_HOME or HOME", "[config]") {
  const auto env = Environment::from_map({{"VIKUNJA_SYNC_DB", "/env/q.db"},
                                          {"XDG_STATE_HOME", "/xdg"},
                                          {"HOME", "/home/u"}});
  CHECK(queue_path(env, "/cli/q.db").value == "/cli/q.db");
  CHECK(queue_path(env, "/cli/q.db").origin == "--db");
  CHECK(queue_path(env, std::nullopt).value == "/env/q.db");
  CHECK(queue_path(Environment::from_map({{"XDG_STATE_HOME", "/xdg"}, {"HOME", "/home/u"}}),
                   std::nullopt)
            .value == "/xdg/vikunja-sync/queue.db");
  CHECK(queue_path(Environment::from_map({{"HOME", "/home/u"}}), std::nullopt).value ==
        "/home/u/.local/state/vikunja-sync/queue.db");
  SECTION("an empty variable counts as unset; a relative XDG_STATE_HOME is ignored") {
    CHECK(queue_path(Environment::from_map({{"VIKUNJA_SYNC_DB", ""},
                                            {"XDG_STATE_HOME", "rel"},
                                            {"HOME", "/home/u"}}),
                     std::nullopt)
              .value == "/home/u/.local/state/vikunja-sync/queue.db");
  }
}

TEST_CASE("bad queue path configuration is a configuration error naming the variable",
          "[config]") {
  REQUIRE_THROWS_WITH(queue_path(Environment::from_map({{"VIKUNJA_SYNC_DB", "q.db"}}), std::nullopt),
                      "VIKUNJA_SYNC_DB must be an absolute path, got 'q.db'");
  REQUIRE_THROWS_WITH(queue_path(Environment::from_map({}), std::nullopt),
                      "cannot find the queue: set VIKUNJA_SYNC_DB, XDG_STATE_HOME or HOME, or pass --db");
  REQUIRE_THROWS_AS(queue_path(Environment::from_map({{"HOME", "relative"}}), std::nullopt), Error);
}

TEST_CASE("the webhook secret comes from the variable or its _FILE twin", "[config]") {
  TempDir dir;
  CHECK_FALSE(webhook_secret(Environment::from_map({})).has_value());
  const auto inline_secret = webhook_secret(Environment::from_map({{"VIKUNJA_WEBHOOK_SECRET", "s3"}}));
  CHECK(inline_secret->value == "s3");
  CHECK(inline_secret->origin == "VIKUNJA_WEBHOOK_SECRET");
  const auto file = dir.write("secret", "from-file\n").string();
  const auto file_secret =
      webhook_secret(Environment::from_map({{"VIKUNJA_WEBHOOK_SECRET_FILE", file}}));
  CHECK(file_secret->value == "from-file");
  CHECK(file_secret->origin == "VIKUNJA_WEBHOOK_SECRET_FILE");

  REQUIRE_THROWS_WITH(webhook_secret(Environment::from_map(
                          {{"VIKUNJA_WEBHOOK_SECRET", "a"}, {"VIKUNJA_WEBHOOK_SECRET_FILE", file}})),
                      "set only one of VIKUNJA_WEBHOOK_SECRET and VIKUNJA_WEBHOOK_SECRET_FILE");
  const auto missing = (dir / "nope").string();
  REQUIRE_THROWS_WITH(
      webhook_secret(Environment::from_map({{"VIKUNJA_WEBHOOK_SECRET_FILE", missing}})),
      "VIKUNJA_WEBHOOK_SECRET_FILE: cannot open " + missing + ": No such file or directory");
  const auto empty = dir.write("empty", "\n").string();
  REQUIRE_THROWS_WITH(
      webhook_secret(Environment::from_map({{"VIKUNJA_WEBHOOK_SECRET_FILE", empty}})),
      "VIKUNJA_WEBHOOK_SECRET_FILE: " + empty + " is empty");
}
