// The environment file systemd's units read, read by the programs too: its syntax, its place,
// the process environment over it, and its errors.

#include "shared/environment.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "shared/config.hpp"
#include "shared/error.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using vsync::test::TempDir;

TEST_CASE("an environment file is read as systemd reads it", "[environment]") {
  TempDir dir;
  const auto file = dir.write("env",
                              "# comment\n; another\n\nVIKUNJA_URL=https://v.example\n"
                              "  VIKUNJA_DEFAULT_PROJECT = \"Home base\"  \nTASKDATA=\nQUOTED='single'\n");
  const auto variables = read_env_file(file);
  CHECK(variables.at("VIKUNJA_URL") == "https://v.example");
  CHECK(variables.at("VIKUNJA_DEFAULT_PROJECT") == "Home base");
  CHECK(variables.at("TASKDATA").empty());
  CHECK(variables.at("QUOTED") == "single");
  CHECK(variables.size() == 4);
}

TEST_CASE("the process environment wins over the file, and an empty value is unset in both", "[environment]") {
  TempDir dir;
  dir.write(".config/vikunja-sync/env", "VIKUNJA_URL=https://file.example\nTASKDATA=\nVIKUNJA_SYNC_DB=/file/q.db\n");
  const auto env = Environment::from_map({{"HOME", dir.path().string()},
                                          {"VIKUNJA_SYNC_DB", "/process/q.db"},
                                          {"VIKUNJA_DEFAULT_PROJECT", ""}})
                       .with_env_file();
  REQUIRE(env.env_file());
  CHECK(*env.env_file() == dir / ".config/vikunja-sync/env");
  CHECK(env.get("VIKUNJA_URL") == "https://file.example");
  CHECK(env.origin("VIKUNJA_URL") == "VIKUNJA_URL (from " + (dir / ".config/vikunja-sync/env").string() + ")");
  CHECK(env.get("VIKUNJA_SYNC_DB") == "/process/q.db");
  CHECK(env.origin("VIKUNJA_SYNC_DB") == "VIKUNJA_SYNC_DB");
  CHECK_FALSE(env.get("TASKDATA"));
  CHECK(queue_path(env, std::nullopt).origin == "VIKUNJA_SYNC_DB");
}

TEST_CASE("VIKUNJA_SYNC_ENV_FILE names the file, XDG_CONFIG_HOME moves the default, and none is fine", "[environment]") {
  TempDir dir;
  dir.write("custom.env", "VIKUNJA_URL=https://custom.example\n");
  dir.write("xdg/vikunja-sync/env", "VIKUNJA_URL=https://xdg.example\n");
  CHECK(Environment::from_map({{"VIKUNJA_SYNC_ENV_FILE", (dir / "custom.env").string()}})
            .with_env_file()
            .get("VIKUNJA_URL") == "https://custom.example");
  CHECK(Environment::from_map({{"XDG_CONFIG_HOME", (dir / "xdg").string()}, {"HOME", "/nonexistent"}})
            .with_env_file()
            .get("VIKUNJA_URL") == "https://xdg.example");
  const auto without = Environment::from_map({{"HOME", (dir / "nohome").string()}}).with_env_file();
  CHECK_FALSE(without.env_file());
  CHECK_FALSE(without.get("VIKUNJA_URL"));
}

TEST_CASE("a bad environment file is a configuration error naming the file and line", "[environment]") {
  TempDir dir;
  const auto load = [&](const std::string& path) {
    return Environment::from_map({{"VIKUNJA_SYNC_ENV_FILE", path}}).with_env_file();
  };
  SECTION("not NAME=VALUE") {
    const auto file = dir.write("env", "VIKUNJA_URL=https://v.example\nexport X\n");
    REQUIRE_THROWS_WITH(load(file.string()), "environment file " + file.string() +
                                                 ":2: expected NAME=VALUE, found 'export X'");
  }
  SECTION("a name that is not one") {
    const auto file = dir.write("env", "1X=2\n");
    REQUIRE_THROWS_WITH(load(file.string()), Catch::Contains(":1: expected NAME=VALUE"));
  }
  SECTION("missing, a directory, oversized") {
    REQUIRE_THROWS_WITH(load((dir / "missing").string()),
                        "cannot read environment file " + (dir / "missing").string() + ": No such file or directory");
    REQUIRE_THROWS_WITH(load(dir.path().string()), Catch::Contains("not a regular file"));
    const auto big = dir.write("big", std::string(70 * 1024, '#'));
    REQUIRE_THROWS_WITH(load(big.string()), Catch::Contains("is larger than 65536 bytes"));
  }
  SECTION("unreadable") {
    const auto file = dir.write("env", "A=1\n");
    ::chmod(file.c_str(), 0600);
    ::chmod(dir.path().c_str(), 0755);
    // Root reads anything: under root (as in CI) the attempt is made as user nobody, in a child.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(99);
      try {
        load(file.string());
        ::_exit(0);
      } catch (const Error& e) {
        const bool named = std::string(e.what()) == "cannot read environment file " + file.string() +
                                                        ": Permission denied";
        ::_exit(named ? static_cast<int>(e.exit_code()) : 98);
      }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == static_cast<int>(ExitCode::config));
  }
  SECTION("each of these is exit 78") {
    const auto file = dir.write("env", "oops\n");
    try {
      load(file.string());
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::config);
    }
  }
}
