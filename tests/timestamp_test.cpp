#include "shared/timestamp.hpp"

#include <catch2/catch.hpp>

using namespace vsync;

TEST_CASE("parse_rfc3339 reads Vikunja's times in any offset", "[timestamp]") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2025-11-26T10:15:02Z") == 1764152102000);
  CHECK(parse_rfc3339("2025-11-26T10:15:02.918273645Z") == 1764152102918);
  CHECK(parse_rfc3339("2025-11-26T11:15:02.9+01:00") == 1764152102900);
  CHECK(parse_rfc3339("2025-11-26T05:15:02-05:00") == 1764152102000);
  CHECK(parse_rfc3339("0001-01-01T00:00:00Z") == -62135596800000);
}

TEST_CASE("parse_rfc3339 refuses what is not RFC 3339", "[timestamp]") {
  for (const char* text : {"", "soon", "2025-11-26", "2025-11-26T10:15:02", "2025-13-01T00:00:00Z",
                           "2025-02-30T00:00:00Z", "2025-11-26T10:15:02.Z", "2025-11-26T10:15:02Zx",
                           "2025-11-26T24:00:00Z", "20251126T101502Z", "2025-11-26T10:15:02+0100"}) {
    INFO(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}
