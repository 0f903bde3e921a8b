// A reconcile of N tasks on each side, all linked, run as `vikunja-worker reconcile` processes
// against the stand-in (served from this process on 127.0.0.1, Vikunja's default page size of
// 50) and the real `task` in a temporary TASKDATA: the first (a full pass) with 1 % changed
// without any event (half in Taskwarrior, half in Vikunja), the drain of its jobs, then the
// hourly one (changes only) after 10 more changes, again after 10 changes in Vikunja alone
// (Taskwarrior untouched: not read), and a full pass of the same. For each: its
// requests, wall time, jobs queued and the reconcile's peak RSS.
// Usage: reconcile_bench [TASKS=10000] [notes]   (notes: every task has a description and an
// annotation, paired with a comment)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "process_cost.hpp"
#include "shared/queue_store.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/task_fields.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using namespace vsync::bench;
using vsync::test::FakeVikunja;
using json = nlohmann::json;

namespace {

std::string uuid_of(int n) { return fmt::format("00000000-0000-4000-8000-{:012}", n); }

struct Setup {
  fs::path dir;
  FakeVikunja vikunja;
  std::vector<std::string> environment;

  ProcessCost worker(const std::vector<std::string>& command) {
    std::vector<std::string> argv{VIKUNJA_WORKER, "--db", (dir / "queue.db").string()};
    argv.insert(argv.end(), command.begin(), command.end());
    const ProcessCost cost = run_measured(argv, environment);
    if (cost.exit_status != 0) {
      fmt::print(stderr, "reconcile_bench: vikunja-worker {} exited {}\n", command.front(), cost.exit_status);
      std::exit(1);
    }
    return cost;
  }
  long long pending_jobs() {
    SQLite::Database db(dir / "queue.db", SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM jobs WHERE state = 'pending'").getInt64();
  }
  void report(const char* what, const std::vector<std::string>& command) {
    vikunja.forget_requests();
    const long long queued_before = pending_jobs();
    const ProcessCost cost = worker(command);
    fmt::print("  {:<38} {:6.2f} s, {:4} requests, {:4} jobs queued, peak RSS {:5.1f} MiB (anonymous {:5.1f})\n", what,
               cost.wall_seconds, vikunja.requests(), pending_jobs() - queued_before, cost.peak_rss_kib / 1024.0,
               cost.peak_anon_kib / 1024.0);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 10'000;
  // "notes": every task has a description, as HTML from Vikunja's editor and as text in
  // Taskwarrior, and an annotation carried as a comment.
  const bool with_notes = argc > 2 && std::string(argv[2]) == "notes";
  const int changed_each_side = std::max(1, tasks / 200);  // 1 % in all
  char pattern[] = "/tmp/vsync-reconcile-bench-XXXXXX";
  Setup setup{::mkdtemp(pattern), {}, {}};
  const fs::path& dir = setup.dir;
  fs::create_directories(dir / "task");
  {
    std::FILE* taskrc = std::fopen((dir / "taskrc").c_str(), "w");
    fmt::print(taskrc, "data.location={}\n", (dir / "task").string());
    std::fclose(taskrc);
  }
  setup.environment = {"VIKUNJA_URL=" + setup.vikunja.url(), std::string("VIKUNJA_API_TOKEN=") + FakeVikunja::token,
                       "TASKRC=" + (dir / "taskrc").string(), "TASKDATA=" + (dir / "task").string(),
                       "VIKUNJA_SYNC_LOG_LEVEL=warning", "HOME=" + dir.string(), "PATH=/usr/bin:/bin"};
  SystemClock clock;
  TaskRunner task("task", 600'000, {setup.environment[2], setup.environment[3]});
  const auto import = [&](const json& tasks_to_import) {
    if (task.run({"rc.hooks=off", "import", "-"}, tasks_to_import.dump()).exit_code != 0) {
      fmt::print(stderr, "reconcile_bench: task import failed\n");
      std::exit(1);
    }
  };

  // N linked pairs that agree, last changed a week ago: one import into Taskwarrior, N tasks in
  // the stand-in.
  json all = json::array();
  {
    QueueStore store(dir / "queue.db", clock);
    TaskMap map(store.database(), clock);
    const std::int64_t project = setup.vikunja.add_project("bench");
    for (int n = 0; n < tasks; ++n) {
      json vikunja_fields{{"title", fmt::format("Bench task {}", n)}};
      if (with_notes) {
        vikunja_fields["description"] = fmt::format(
            "<p>Notes for task {}</p><ul><li><p>first item</p></li><li><p>second &lt;item&gt; &amp; more</p></li></ul>", n);
      }
      const std::int64_t id = setup.vikunja.add_task(project, vikunja_fields);
      json tw{{"uuid", uuid_of(n)}, {"description", fmt::format("Bench task {}", n)}, {"status", "pending"},
              {"entry", "20261126T231229Z"}, {"modified", "20261126T231229Z"}, {"project", "bench"},
              {"vikunja_id", std::to_string(id)}};
      TaskFields agreed;
      if (with_notes) {
        tw["vikunja_description"] = fmt::format("Notes for task {}\n- first item\n- second <item> & more", n);
        const std::string note = fmt::format("Called them about {}", n);
        tw["annotations"] = json::array({{{"entry", "20261126T231229Z"}, {"description", note}}});
        agreed = read_taskwarrior(tw, "inbox");
        agreed.notes = {{"20261126T231229Z", setup.vikunja.add_comment(id, "<p>" + note + "</p>"), note}};
      } else {
        agreed = read_taskwarrior(tw, "inbox");
      }
      map.link(uuid_of(n), id, std::nullopt, agreed);
      all.push_back(std::move(tw));
    }
  }
  import(all);
  // Changes without an event: in Taskwarrior (hooks off, modified now) and in Vikunja.
  const auto change = [&](int first, int count, const std::string& how) {
    json changed = json::array();
    for (int n = first; n < first + count; ++n) {
      json tw = all[n];
      tw["description"] = fmt::format("Bench task {} ({})", n, how);
      tw["modified"] = format_taskwarrior_date(clock.now());
      changed.push_back(std::move(tw));
      setup.vikunja.edit_task(std::stoll(all[tasks - 1 - n]["vikunja_id"].get<std::string>()), {{"priority", 3}});
    }
    import(changed);
  };
  change(0, changed_each_side, "changed in Taskwarrior");

  fmt::print("reconcile of {} linked tasks on each side{} (vikunja-worker reconcile as a process):\n", tasks,
             with_notes ? ", each with a description and a comment" : "");
  setup.report(fmt::format("first, full: {} + {} changed", changed_each_side, changed_each_side).c_str(), {"reconcile"});
  const ProcessCost drain = setup.worker({"drain"});
  fmt::print("  {:<34} {:6.2f} s\n", "drain of its jobs", drain.wall_seconds);
  change(changed_each_side, 5, "changed again");
  setup.report("hourly: 5 + 5 changed", {"reconcile"});
  setup.worker({"drain"});
  // An hour on, Taskwarrior untouched since (its files' times set back as the hour would leave
  // them), 10 changes in Vikunja only; the hourly pass before them saw the files as they are.
  for (const char* file : {"pending.data", "completed.data"}) {
    std::error_code ignored;
    fs::last_write_time(dir / "task" / file, fs::last_write_time(dir / "task" / file, ignored) - std::chrono::hours(1),
                        ignored);
  }
  setup.worker({"reconcile"});
  for (int n = 0; n < 10; ++n) {
    setup.vikunja.edit_task(std::stoll(all[tasks / 2 + n]["vikunja_id"].get<std::string>()), {{"priority", 1}});
  }
  setup.report("hourly: 10 changed in Vikunja only", {"reconcile"});
  setup.worker({"drain"});
  setup.report("full pass (--full), nothing changed", {"reconcile", "--full"});
  fs::remove_all(dir);
}
