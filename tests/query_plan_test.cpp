// Every statement the hot paths run (enqueue, claim, settle, the `run` wake-up, status, metrics,
// purge) is answered from an index: none scans the jobs table, none sorts in a temporary B-tree.
// The statements are the ones the code actually ran, caught with sqlite3_trace_v2, so a query
// added later is checked without anyone listing it here. Run with `-s` to see each plan.

#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "worker/metrics.hpp"
#include "worker/queue_admin.hpp"
#include "worker/queue_status.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

int remember_statement(unsigned, void* context, void* statement, void*) {
  const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(statement));
  if (sql != nullptr) static_cast<std::set<std::string>*>(context)->insert(sql);
  return 0;
}

std::string query_plan(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement explain(db, "EXPLAIN QUERY PLAN " + sql);
  std::string plan;
  while (explain.executeStep()) plan += explain.getColumn(3).getString() + "\n";
  return plan;
}

// The names the jobs table goes by in `sql`: itself and its aliases.
std::set<std::string> names_of_jobs(const std::string& sql) {
  std::set<std::string> names{"jobs"};
  const std::regex alias(R"(\bjobs\s+AS\s+(\w+))", std::regex::icase);
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), alias); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

bool scans_jobs(const std::string& plan, const std::set<std::string>& names) {
  for (const std::string& name : names) {
    if (plan.find("SCAN " + name + "\n") != std::string::npos ||
        plan.find("SCAN " + name + " ") != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("the hot paths read the jobs table only through its indexes", "[query_plan]") {
  WorkerFixture f;
  std::set<std::string> statements;
  sqlite3_trace_v2(f.store.database().getHandle(), SQLITE_TRACE_STMT, remember_statement, &statements);

  // Enqueue: new jobs, a coalesced one, a delete replacing a push, webhooks linked and not.
  for (int n = 1; n <= 3; ++n) f.push(n);
  f.push(1);
  f.enqueue(JobKind::del, WorkerFixture::tw_task(2, "Task 2", {{"status", "deleted"}}));
  f.store.enqueue({JobKind::webhook, vikunja_key(999), R"({"event_name":"task.deleted","data":{"task":{"id":999}}})",
                   std::nullopt});
  CHECK(f.store.has_pending(taskwarrior_key("00000000-0000-4000-8000-000000000001"), Target::vikunja));

  // Claims and settles of every outcome, the `run` wake-up, and the service's status line.
  auto claims = f.claims(f.store, "worker-a", {Target::vikunja, Target::taskwarrior});
  const auto done = claims.claim_next();
  REQUIRE(done);
  claims.finish(*done, JobOutcome::done());
  const auto retried = claims.claim_next();
  REQUIRE(retried);
  claims.finish(*retried, JobOutcome::retry("503", true));
  const auto dead = claims.claim_next();
  REQUIRE(dead);
  claims.finish(*dead, JobOutcome::dead("bad"));
  CHECK(claims.next_wake());
  CHECK_FALSE(claims.blocked({Target::vikunja}));

  // A whole drain against the stand-in, which also runs the worker's own bookkeeping.
  f.push(4);
  f.clock.advance(3'600'000);
  f.worker()->drain();

  read_status(f.store);
  prometheus_metrics(f.store, f.clock.now());
  purge_done_jobs(f.store, f.clock.now(), purge_batch_per_drain);

  sqlite3_trace_v2(f.store.database().getHandle(), 0, nullptr, nullptr);
  SQLite::Database reader(f.dir / "queue.db", SQLite::OPEN_READONLY);
  int checked = 0;
  for (const std::string& sql : statements) {
    if (!std::regex_search(sql, std::regex(R"(\bjobs\b)"))) continue;
    const std::string plan = query_plan(reader, sql);
    INFO("statement: " << sql << "\nplan:\n" << plan);
    CHECK_FALSE(scans_jobs(plan, names_of_jobs(sql)));
    CHECK(plan.find("USE TEMP B-TREE") == std::string::npos);
    ++checked;
  }
  // The claim, its key checks, settling, the wake-up, status and purge all came through.
  CHECK(checked >= 15);
}

TEST_CASE("a scan of the jobs table is recognised in a plan", "[query_plan]") {
  WorkerFixture f;
  const std::string sql = "SELECT count(*) FROM jobs AS j WHERE payload LIKE '%x%'";
  CHECK(scans_jobs(query_plan(f.store.database(), sql), names_of_jobs(sql)));
  CHECK(query_plan(f.store.database(), "SELECT id FROM jobs ORDER BY payload").find("USE TEMP B-TREE") !=
        std::string::npos);
}
