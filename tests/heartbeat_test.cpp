// Leases that live: the heartbeat renews a running worker's leases (and its probe) while it makes
// progress and calls systemd's keep-alive; a lease held by a worker that is gone (killed, or from
// before a reboot) is released at the next claim instead of after it runs out. FakeClock only.

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include <catch2/catch.hpp>

#include "worker/queue/heartbeat.hpp"
#include "worker/queue/worker_identity.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

HeartbeatPolicy policy(std::optional<UnixMillis> keep_alive_period = std::nullopt) {
  return HeartbeatPolicy{WorkerConfig::lease(), WorkerConfig::lease_renewal(), keep_alive_period};
}

// The identity of a process that ran on this machine and has exited (reaped).
WorkerIdentity exited_process() {
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    char byte = 0;
    static_cast<void>(::read(ready[0], &byte, 1));  // wait until the parent has read our start time
    ::_exit(0);
  }
  WorkerIdentity identity = WorkerIdentity::of_this_process();
  identity.pid = child;
  const auto parsed = WorkerIdentity::parse(
      fmt::format("{}:{} boot={} pidns={} start=0", identity.host, child, identity.boot_id, identity.pid_namespace));
  REQUIRE(parsed);
  REQUIRE(parsed->is_gone(identity) == true);  // start time 0 is never a real process's
  // Its real start time, then let it exit.
  std::ifstream stat(fmt::format("/proc/{}/stat", child));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::vector<std::string> field{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  identity.start_ticks = std::stoull(field[19]);
  CHECK_FALSE(identity.is_gone(WorkerIdentity::of_this_process()));  // still running
  REQUIRE(::write(ready[1], "x", 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  ::close(ready[0]);
  ::close(ready[1]);
  return identity;
}

}  // namespace

TEST_CASE("the heartbeat renews this worker's running leases once a period, and only its own", "[heartbeat]") {
  WorkerFixture f;
  const auto mine = f.push(1);
  const auto theirs = f.push(2);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = f.claims(f.store, "worker-a");
  auto b = f.claims(other_connection, "worker-b");
  REQUIRE(a.claim_next());
  const auto b_job = b.claim_next();
  REQUIRE(b_job);
  Heartbeat heartbeat(f.dir / "queue.db", f.clock, "worker-a", policy());

  f.clock.advance(25'000);
  heartbeat.tick();
  CHECK(f.job_column(mine, "lease_until") == std::to_string(f.clock.now() + WorkerConfig::lease()));
  CHECK(f.job_column(theirs, "lease_until") == std::to_string(test_epoch + WorkerConfig::lease()));
  b.finish(*b_job, JobOutcome::done());

  const std::string renewed = f.job_column(mine, "lease_until");
  f.clock.advance(WorkerConfig::lease_renewal() - 1);
  heartbeat.tick();  // too soon: nothing written
  CHECK(f.job_column(mine, "lease_until") == renewed);
  f.clock.advance(1);
  heartbeat.tick();
  CHECK(f.job_column(mine, "lease_until") == std::to_string(f.clock.now() + WorkerConfig::lease()));

  SECTION("a job that runs for minutes with progress is never taken over") {
    for (int second = 0; second < 300; ++second) {
      f.clock.advance(1000);
      heartbeat.tick();
      CHECK_FALSE(b.claim_next().has_value());
    }
  }
  SECTION("without progress the lease runs out and another worker takes the job") {
    f.clock.advance(WorkerConfig::lease());
    const auto taken = b.claim_next();
    REQUIRE(taken);
    CHECK(taken->id == mine);
    heartbeat.renew();  // too late: the lease is b's now
    CHECK_THAT(f.job_column(mine, "lease_owner"), Catch::Equals("worker-b"));
  }
}

TEST_CASE("the heartbeat renews a half-open probe it holds", "[heartbeat]") {
  WorkerFixture f;
  f.push(1);
  f.store.database().exec(
      fmt::format("UPDATE breaker SET state = 'open', retry_at = {}, recovery_ms = 60000 WHERE target = 'vikunja'", test_epoch));
  auto a = f.claims(f.store, "worker-a");
  const auto probe = a.claim_next();
  REQUIRE(probe);
  REQUIRE(probe->probe);
  Heartbeat heartbeat(f.dir / "queue.db", f.clock, "worker-a", policy());
  f.clock.advance(20'000);
  CHECK(heartbeat.renew() == 1);
  CHECK(f.breaker_column("vikunja", "probe_until") == std::to_string(f.clock.now() + WorkerConfig::lease()));
}

TEST_CASE("the heartbeat never waits for a lock and calls the keep-alive at its own period", "[heartbeat]") {
  WorkerFixture f;
  f.push(1);
  auto a = f.claims(f.store, "worker-a");
  REQUIRE(a.claim_next());
  int keep_alives = 0;
  Heartbeat heartbeat(f.dir / "queue.db", f.clock, "worker-a", policy(2'000), [&] { ++keep_alives; });

  SQLite::Database holder(f.dir / "queue.db", SQLite::OPEN_READWRITE);
  holder.exec("BEGIN IMMEDIATE");
  CHECK(heartbeat.renew() == 0);  // at once, not after a busy timeout
  holder.exec("COMMIT");
  CHECK(heartbeat.renew() == 1);

  heartbeat.tick();
  CHECK(keep_alives == 1);
  f.clock.advance(1'999);
  heartbeat.tick();
  CHECK(keep_alives == 1);
  f.clock.advance(1);
  heartbeat.tick();
  CHECK(keep_alives == 2);
}

TEST_CASE("worker identities name the process, and a gone one is recognised", "[heartbeat][identity]") {
  const WorkerIdentity me = WorkerIdentity::of_this_process();
  const auto parsed = WorkerIdentity::parse(me.owner());
  REQUIRE(parsed);
  CHECK(parsed->owner() == me.owner());
  CHECK_FALSE(parsed->is_gone(me));

  WorkerIdentity rebooted = me;
  rebooted.boot_id = "00000000-0000-4000-8000-000000000000";
  CHECK(rebooted.is_gone(me));
  WorkerIdentity elsewhere = rebooted;
  elsewhere.host = me.host + "-container";
  CHECK_FALSE(elsewhere.is_gone(me));  // another host: nothing here can tell
  WorkerIdentity other_namespace = me;
  other_namespace.pid_namespace = "1";
  other_namespace.start_ticks += 1;
  CHECK_FALSE(other_namespace.is_gone(me));  // its pids are not ours to look up
  WorkerIdentity no_boot_id = rebooted;
  CHECK_FALSE(no_boot_id.is_gone(WorkerIdentity{me.host, "", me.pid_namespace, me.pid, me.start_ticks}));
  WorkerIdentity recycled = me;
  recycled.start_ticks += 1;  // our pid, but not the process that took the lease
  CHECK(recycled.is_gone(me));
  CHECK(exited_process().is_gone(me));

  CHECK_FALSE(WorkerIdentity::parse("worker-a"));
  CHECK_FALSE(WorkerIdentity::parse("host:12 boot=x start=1"));
  CHECK_FALSE(WorkerIdentity::parse("host:12 boot=00000000-0000-4000-8000-000000000000 start=1"));  // no pidns
}

TEST_CASE("a lease held by a worker that is gone is released at the next claim, not after it runs out",
          "[heartbeat][claims]") {
  WorkerFixture f;
  const auto job = f.push(1);
  const WorkerIdentity me = WorkerIdentity::of_this_process();
  std::string gone_owner;
  SECTION("killed") { gone_owner = exited_process().owner(); }
  SECTION("from before a reboot") {
    WorkerIdentity before = me;
    before.boot_id = "00000000-0000-4000-8000-000000000000";
    gone_owner = before.owner();
  }
  auto gone = f.claims(f.store, gone_owner);
  REQUIRE(gone.claim_next());
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto survivor = f.claims(other_connection, me.owner());
  const auto taken = survivor.claim_next();  // the clock has not moved
  REQUIRE(taken);
  CHECK(taken->id == job);
  CHECK(taken->attempts == 2);
  CHECK(f.logged("event=\"lease released\""));
}

TEST_CASE("a lease held by a live worker, or by an owner that names no process, waits for its end",
          "[heartbeat][claims]") {
  WorkerFixture f;
  f.push(1);
  const WorkerIdentity me = WorkerIdentity::of_this_process();
  std::string owner;
  SECTION("alive") { owner = me.owner(); }
  SECTION("an older release's host:pid") { owner = me.host + ":1"; }
  auto holder = f.claims(f.store, owner);
  REQUIRE(holder.claim_next());
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto other = f.claims(other_connection, "worker-b");
  CHECK_FALSE(other.claim_next());
  f.clock.advance(WorkerConfig::lease());
  CHECK(other.claim_next());
}
