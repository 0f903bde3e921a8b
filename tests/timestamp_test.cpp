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

TEST_CASE("parse_rfc3339 takes digits only where the format has digits", "[timestamp]") {
  // Found by tests/fuzz/timestamp_fuzz: from_chars read "-025" as a year and "-1" as an hour.
  for (const char* text : {"-025-11-26T10:15:02.918273645Z", "2026-11-26T-1:15:02Z", "2026-11-26T10:-1:02Z",
                           "2026-11-26T10:15:-2Z", "2026-11-26T10:15:02+-1:00", "2026-11-26T10:15:02+01:-1"}) {
    INFO(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST_CASE("parse_rfc3339 refuses a time that falls outside years 0000 to 9999 in UTC", "[timestamp]") {
  // Found by tests/fuzz/timestamp_fuzz: such a time was read, but format_rfc3339 wrote it as
  // "10000-01-01T00:00:00Z", which no parser reads back.
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:60Z"));
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:00:00-01:00"));
  CHECK_FALSE(parse_rfc3339("0000-01-01T00:59:59+01:00"));
  CHECK(parse_rfc3339("9999-12-31T23:59:59.999Z") == 253'402'300'799'999);
  CHECK(parse_rfc3339("0000-01-01T01:00:00+01:00") == -62'167'219'200'000);
  CHECK(format_rfc3339(253'402'300'799'999) == "9999-12-31T23:59:59Z");
  CHECK(format_rfc3339(-62'167'219'200'000) == "0000-01-01T00:00:00Z");
}
