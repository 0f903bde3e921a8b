#include "shared/input_source.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using vsync::test::TempDir;

namespace {
ExitCode exit_code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.exit_code();
  }
  return ExitCode::ok;
}
}  // namespace

TEST_CASE("read_input reads a file whole", "[input_source]") {
  TempDir dir;
  CHECK(read_input(dir.write("a.json", "{}\n").string()) == "{}\n");
}

TEST_CASE("read_input refuses missing, unreadable, empty and oversized input", "[input_source]") {
  TempDir dir;
  const auto missing = (dir / "missing.json").string();
  REQUIRE_THROWS_WITH(read_input(missing), "cannot open " + missing + ": No such file or directory");
  CHECK(exit_code_of([&] { read_input(missing); }) == ExitCode::no_input);

  REQUIRE_THROWS_WITH(read_input(dir.path().string()),
                      "cannot read " + dir.path().string() + ": Is a directory");
  CHECK(exit_code_of([&] { read_input(dir.path().string()); }) == ExitCode::no_input);

  const auto empty = dir.write("empty", " \n").string();
  REQUIRE_THROWS_WITH(read_input(empty), empty + " is empty");
  CHECK(exit_code_of([&] { read_input(empty); }) == ExitCode::data);

  const auto big = dir.write("big", std::string(max_input_bytes + 1, 'x')).string();
  REQUIRE_THROWS_WITH(read_input(big), big + " is larger than the limit of 1048576 bytes");
  CHECK(read_input(dir.write("fits", std::string(max_input_bytes, 'x')).string()).size() ==
        max_input_bytes);
}
