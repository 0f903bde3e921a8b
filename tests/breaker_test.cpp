// The breaker's state machine on its SQLite row, driven directly with a FakeClock:
// thresholds, the probe, the doubling window and its cap, pauses, and reset by hand.

#include <catch2/catch.hpp>

#include <SQLiteCpp/Transaction.h>

#include "shared/queue_store.hpp"
#include "temp_dir.hpp"
#include "worker/queue/breaker.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

constexpr UnixMillis start = 1'800'000'000'000;
constexpr UnixMillis minute = 60'000;

struct BreakerFixture {
  TempDir dir;
  FakeClock clock{start};
  QueueStore store{dir / "queue.db", clock};
  std::vector<std::string> log_lines;
  Logger log{LogLevel::debug, false, [this](std::string_view line) { log_lines.emplace_back(line); }};
  // threshold 3, first window 1 min, windows capped at 4 min, probes leased for 30 s
  Breaker breaker{store.database(), BreakerPolicy{3, minute, 4 * minute, 30'000}, log};

  void fail(int times) {
    for (int i = 0; i < times; ++i) breaker.record_failure(Target::vikunja, clock.now(), "HTTP 503");
  }
  BreakerRow row() { return breaker.load(Target::vikunja); }
  // Lets the open window pass and takes the probe.
  Admission probe_after_window() {
    clock.advance(*row().retry_at - clock.now());
    return breaker.admit(Target::vikunja, clock.now(), "worker-a");
  }
};

}  // namespace

TEST_CASE("the breaker opens at the threshold, not before", "[breaker]") {
  BreakerFixture f;
  f.fail(2);
  CHECK(f.row().state == BreakerState::closed);
  CHECK(f.row().consecutive_failures == 2);
  CHECK(f.breaker.admit(Target::vikunja, f.clock.now(), "worker-a").allowed);
  f.fail(1);
  const BreakerRow open = f.row();
  CHECK(open.state == BreakerState::open);
  CHECK(open.retry_at == start + minute);
  CHECK(open.reason == "3 consecutive failures");
  CHECK(open.last_error == "HTTP 503");
  CHECK(open.transitions == 1);
  const Admission refused = f.breaker.admit(Target::vikunja, start + minute - 1, "worker-a");
  CHECK_FALSE(refused.allowed);
  CHECK(refused.wait_until == start + minute);
}

TEST_CASE("a success resets the count of a closed breaker but does not close an open one",
          "[breaker]") {
  BreakerFixture f;
  f.fail(2);
  f.breaker.record_success(Target::vikunja, f.clock.now());
  CHECK(f.row().consecutive_failures == 0);
  f.fail(3);
  f.breaker.record_success(Target::vikunja, f.clock.now());  // a call admitted before it opened
  CHECK(f.row().state == BreakerState::open);
}

TEST_CASE("one probe per window, which closes the breaker or reopens it with a doubled window up to "
          "the cap", "[breaker]") {
  BreakerFixture f;
  f.fail(3);
  const Admission probe = f.probe_after_window();
  CHECK(probe.allowed);
  CHECK(probe.probe);
  CHECK(f.row().state == BreakerState::half_open);
  CHECK(f.row().probe_owner == "worker-a");
  CHECK_FALSE(f.breaker.admit(Target::vikunja, f.clock.now(), "worker-b").allowed);

  SECTION("a probe that succeeds closes it") {
    f.breaker.record_success(Target::vikunja, f.clock.now());
    CHECK(f.row().state == BreakerState::closed);
    CHECK(f.row().reason == "probe succeeded");
    CHECK_FALSE(f.row().retry_at);
  }
  SECTION("failed probes double the window: 2, 4, then capped at 4 minutes") {
    std::vector<UnixMillis> windows;
    for (int probe_number = 0; probe_number < 4; ++probe_number) {
      f.breaker.record_failure(Target::vikunja, f.clock.now(), "HTTP 503");
      CHECK(f.row().state == BreakerState::open);
      CHECK(f.row().reason == "probe failed");
      windows.push_back(*f.row().retry_at - f.clock.now());
      REQUIRE(f.probe_after_window().probe);
    }
    CHECK(windows == std::vector<UnixMillis>{2 * minute, 4 * minute, 4 * minute, 4 * minute});
  }
  SECTION("a probe whose worker died is given to another after its lease") {
    f.clock.advance(30'000 - 1);
    CHECK_FALSE(f.breaker.admit(Target::vikunja, f.clock.now(), "worker-b").allowed);
    f.clock.advance(1);
    const Admission taken_over = f.breaker.admit(Target::vikunja, f.clock.now(), "worker-b");
    CHECK(taken_over.probe);
    CHECK(f.row().probe_owner == "worker-b");
  }
}

TEST_CASE("a pause opens the breaker until its end, whatever the count", "[breaker]") {
  BreakerFixture f;
  f.breaker.pause(Target::vikunja, f.clock.now(), start + 45'000, "rate limited", "HTTP 429");
  CHECK(f.row().state == BreakerState::open);
  CHECK(f.row().retry_at == start + 45'000);
  CHECK(f.row().reason == "rate limited");
  CHECK(f.row().transitions == 1);

  SECTION("a pause while open never shortens the window, and is no new transition") {
    f.breaker.pause(Target::vikunja, f.clock.now(), start + 10'000, "authentication", "HTTP 401");
    CHECK(f.row().retry_at == start + 45'000);
    CHECK(f.row().reason == "authentication");
    CHECK(f.row().last_error == "HTTP 401");
    f.breaker.pause(Target::vikunja, f.clock.now(), start + 90'000, "rate limited", "HTTP 429");
    CHECK(f.row().retry_at == start + 90'000);
    CHECK(f.row().transitions == 1);
  }
  SECTION("a pause during the probe reopens the breaker") {
    REQUIRE(f.probe_after_window().probe);
    f.breaker.pause(Target::vikunja, f.clock.now(), f.clock.now() + 5'000, "rate limited", "HTTP 429");
    CHECK(f.row().state == BreakerState::open);
    CHECK(f.row().retry_at == f.clock.now() + 5'000);
    CHECK_FALSE(f.row().probe_owner);
  }
}

TEST_CASE("reset closes the breaker by hand, keeps the transition count and logs once", "[breaker]") {
  BreakerFixture f;
  f.fail(3);
  f.log_lines.clear();
  f.breaker.reset(Target::vikunja, f.clock.now());
  const BreakerRow row = f.row();
  CHECK(row.state == BreakerState::closed);
  CHECK(row.consecutive_failures == 0);
  CHECK_FALSE(row.retry_at);
  CHECK(row.reason == "reset by hand");
  CHECK(row.transitions == 2);  // closed -> open, open -> closed
  REQUIRE(f.log_lines.size() == 1);
  CHECK_THAT(f.log_lines[0], Catch::Contains("event=\"breaker transition\" target=vikunja from=open to=closed"));
  f.breaker.reset(Target::vikunja, f.clock.now());  // already closed: no transition
  CHECK(f.row().transitions == 2);
}

TEST_CASE("each target has its own breaker", "[breaker]") {
  BreakerFixture f;
  f.fail(3);
  CHECK(f.breaker.load(Target::taskwarrior).state == BreakerState::closed);
  CHECK(f.breaker.admit(Target::taskwarrior, f.clock.now(), "worker-a").allowed);
}

TEST_CASE("a breaker row with an unknown state is an error naming it", "[breaker]") {
  BreakerFixture f;
  f.store.database().exec("PRAGMA ignore_check_constraints = ON");
  f.store.database().exec("UPDATE breaker SET state = 'ajar' WHERE target = 'vikunja'");
  CHECK_THROWS_WITH(f.row(), Catch::Contains("ajar"));
}
