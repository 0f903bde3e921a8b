#include "shared/json_document.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"

using namespace vsync;

TEST_CASE("parse_json_object accepts an object", "[json_document]") {
  CHECK(parse_json_object(R"({"a":1})", "input")["a"] == 1);
}

TEST_CASE("parse_json_object names what is wrong with the input", "[json_document]") {
  SECTION("not JSON") {
    REQUIRE_THROWS_WITH(parse_json_object("hello", "standard input"),
                        Catch::StartsWith("standard input is not valid JSON: parse error at line 1"));
  }
  SECTION("JSON that is not an object") {
    REQUIRE_THROWS_WITH(parse_json_object("[1,2]", "x"), "x is JSON but not an object (found array)");
    REQUIRE_THROWS_WITH(parse_json_object("\"s\"", "x"), "x is JSON but not an object (found string)");
  }
  SECTION("nesting deeper than the limit, without exhausting the stack") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    REQUIRE_THROWS_WITH(parse_json_object(deep, "x"), "x is nested deeper than 64 levels");
    const std::string deep_objects = "{\"a\":" + std::string(70, '[') + std::string(70, ']') + "}";
    REQUIRE_THROWS_WITH(parse_json_object(deep_objects, "x"), "x is nested deeper than 64 levels");
  }
  SECTION("bytes that are not UTF-8") {
    REQUIRE_THROWS_WITH(parse_json_object("{\"a\":\"\xff\xfe\"}", "x"),
                        Catch::Contains("ill-formed UTF-8 byte"));
  }
  SECTION("trailing garbage") {
    REQUIRE_THROWS_WITH(parse_json_object("{} {}", "x"), Catch::StartsWith("x is not valid JSON"));
  }
  SECTION("every failure is a data error") {
    try {
      parse_json_object("nope", "x");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::data);
    }
  }
}

TEST_CASE("parse_json_object refuses a number beyond a double's range as a data error",
          "[json_document]") {
  // Found by tests/fuzz (task_snapshot, webhook_event, hook_lines): nlohmann throws out_of_range,
  // not parse_error, for it, and that escaped as an internal error.
  REQUIRE_THROWS_WITH(parse_json_object("888e8888{\"event_name\":na", "x"),
                      "x has a number out of range: number overflow parsing '888e8888'");
  REQUIRE_THROWS_WITH(parse_json_object(R"({"uuid":"be483695-23ab-463e-8f94-6cf9c8b7f7d8","urgency":-1e500})", "x"),
                      "x has a number out of range: number overflow parsing '-1e500'");
  try {
    parse_json_object(R"({"a":1e500})", "x");
    FAIL("no Error");
  } catch (const Error& e) {
    CHECK(e.exit_code() == ExitCode::data);
  }
}

TEST_CASE("required_string insists on a non-empty string", "[json_document]") {
  const auto object = nlohmann::json::parse(R"({"s":"v","n":3,"e":""})");
  CHECK(required_string(object, "s", "t") == "v");
  REQUIRE_THROWS_WITH(required_string(object, "missing", "t"), "t has no \"missing\"");
  REQUIRE_THROWS_WITH(required_string(object, "n", "t"),
                      "t has \"n\" of type number, expected a string");
  REQUIRE_THROWS_WITH(required_string(object, "e", "t"), "t has an empty \"e\"");
}

TEST_CASE("Taskwarrior's raw control characters are escaped, valid JSON is left as it is", "[json_document]") {
  CHECK(with_controls_escaped("{\"a\":\"bin\x01\x1f\"}") == "{\"a\":\"bin\\u0001\\u001f\"}");
  const std::string valid = "[\n\t{\"a\":\"x\\ny\"}\r\n]";
  CHECK(with_controls_escaped(valid) == valid);
  CHECK(parse_json_object(with_controls_escaped("{\"a\":\"\x02\"}"), "t")["a"] == "\x02");
  CHECK(with_controls_escaped(std::string("\"\0\"", 3)) == std::string("\"\0\"", 3));
}
