// Backoff between attempts of one job.

#include <catch2/catch.hpp>

#include "worker/queue/backoff.hpp"

using namespace vsync;

TEST_CASE("backoff doubles per attempt up to the cap, with jitter into the upper half", "[backoff]") {
  Backoff backoff(1'000, 60'000, 42);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const UnixMillis full = std::min<UnixMillis>(60'000, 1'000LL << (attempt - 1));
    const UnixMillis delay = backoff.delay(attempt);
    CHECK(delay >= full / 2);
    CHECK(delay <= full);
  }
}
