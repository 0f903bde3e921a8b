// soak_test [SECONDS=60]: the chaos soak (issue 11). For SECONDS, four writers change a few
// hundred tasks on both sides through the real hook and `vikunja-enqueue webhook` (and complete
// a recurring series' current occurrence now and then, soak_model.hpp), two
// `vikunja-worker run` drain while being killed with SIGKILL at random, the Vikunja stand-in
// fails in every way the worker knows, and the queue's directory is full once. Then, faults
// off, one worker drains the queue, a reconcile runs, and both sides are compared with what the
// writers did. Each writer's first task is made and completed with every event lost, after the
// first reconcile began the sync: only a reconcile can carry it over. Exit 0 only when every task is on both sides exactly once as its owner last left
// it, no job is dead, every webhook job queued with exit 0 was done, and a second reconcile
// finds nothing to do. 77: `task` is not installed.
//
// SOAK_SEED replays a schedule (the writers' and faults' choices; the timing is the machine's),
// SOAK_TASKS sets the number of tasks (200), SOAK_KEEP=1 keeps the directory, which is always
// kept after a failure. SOAK_UNSERIALIZED_TASK=1 lets `task` processes run at once, which
// Taskwarrior 2.6 does not survive (soak_setup.hpp).

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "background_process.hpp"
#include "soak_chaos.hpp"
#include "soak_model.hpp"
#include "soak_queue.hpp"
#include "soak_writers.hpp"
#include "temp_dir.hpp"
#include "worker/remote/subprocess.hpp"

namespace vsync::soak {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using json = nlohmann::json;

struct Options {
  int seconds = 60;
  std::uint64_t seed = 0;
  int tasks = 200;
  bool keep = false;
  bool serialized_task = true;  // SOAK_UNSERIALIZED_TASK=1: every `task` runs when it likes
};

Options parse_options(int argc, char** argv) {
  Options options;
  if (argc > 2) throw std::runtime_error("usage: soak_test [SECONDS=60]");
  if (argc == 2) options.seconds = std::stoi(argv[1]);
  const char* seed = std::getenv("SOAK_SEED");
  options.seed = seed && *seed ? std::stoull(seed) : std::random_device{}();
  if (const char* tasks = std::getenv("SOAK_TASKS"); tasks && *tasks) options.tasks = std::stoi(tasks);
  const char* keep = std::getenv("SOAK_KEEP");
  options.keep = keep && *keep && std::string(keep) != "0";
  const char* unserialized = std::getenv("SOAK_UNSERIALIZED_TASK");
  options.serialized_task = !(unserialized && *unserialized && std::string(unserialized) != "0");
  if (options.seconds < 1 || options.tasks < 8) throw std::runtime_error("SECONDS must be at least 1, SOAK_TASKS at least 8");
  return options;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Waits (on the queue directory's inotify, re-checking at least once a second so that a worker
// that ended is started again) until `condition` holds or the deadline passes.
bool wait_for(const std::function<bool()>& condition, const test::DirectoryWatch& watch, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (test::eventually(condition, {watch.fd()}, std::min(left, milliseconds(1000)))) return true;
  }
  return condition();
}

// The figures that grow during the chaos.
struct World {
  const Options& options;
  const Installation& install;
  test::FakeVikunja& vikunja;
  WorkerPool& pool;
  WriterTally& tally;
  EventLog& events;

  long long changes() const { return tally.taskwarrior_changes + tally.vikunja_changes; }
};

void print_progress(const World& world, const FaultSchedule& faults, double at) {
  fmt::print("soak: {:5.0f} s: {} changes, {} faults, {} kills, {} requests, {} jobs open\n", at, world.changes(),
             faults.total(), world.pool.kills(), world.vikunja.requests(), open_jobs(world.install.db()));
  std::fflush(stdout);
}

// The writers and the faults for options.seconds, with kills from this (the main) thread.
// Returns every task the writers made or meant to make.
std::vector<Slot> chaos(World& world, std::int64_t project, std::mt19937_64& random,
                        std::array<long long, fault_kinds>& fault_counts) {
  WriterSignals signals;
  std::vector<std::unique_ptr<Writer>> writers;
  const int per_side = world.options.tasks / 2;
  for (int part = 0; part < 2; ++part) {
    const int count = per_side / 2 + (part == 0 ? per_side % 2 : 0);
    writers.push_back(std::make_unique<TaskwarriorWriter>(world.install, SlotRange{Owner::taskwarrior, part, 2, count},
                                                          random(), part == 0, world.tally));
    writers.push_back(std::make_unique<VikunjaWriter>(world.install, SlotRange{Owner::vikunja, part, 2, count}, random(),
                                                      part == 0, world.tally, world.vikunja, project));
  }
  FaultSchedule faults(world.vikunja, random(), world.events);
  std::vector<std::thread> threads;
  for (auto& writer : writers) threads.emplace_back([&signals, &writer] { writer->run(signals); });

  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(world.options.seconds);
  const auto after = [&](long from_ms, long to_ms) {
    return Clock::now() + milliseconds(std::uniform_int_distribution<long>(from_ms, to_ms)(random));
  };
  const auto fill_at = start + milliseconds(std::uniform_int_distribution<long>(
                                   world.options.seconds * 300, world.options.seconds * 600)(random));
  auto next_kill = after(500, 4000);
  auto next_report = start + std::chrono::seconds(30);
  while (Clock::now() < end) {
    auto wake = std::min({end, next_kill, next_report});
    if (!signals.fill_disk) wake = std::min(wake, fill_at);
    std::this_thread::sleep_until(wake);  // the schedule's clock, not a wait for state
    world.pool.restart_ended();
    if (!signals.fill_disk && Clock::now() >= fill_at) {
      signals.fill_disk = true;
      world.events.note("the next change of each side meets a full queue directory");
    }
    if (Clock::now() >= next_kill) {
      world.pool.kill_one();
      next_kill = after(500, 4000);
    }
    if (Clock::now() >= next_report && Clock::now() < end) {
      print_progress(world, faults, seconds_since(start));
      next_report += std::chrono::seconds(30);
    }
  }
  signals.stop = true;
  for (auto& thread : threads) thread.join();
  faults.stop();
  world.events.note("chaos over: writers stopped, faults off");
  fault_counts = faults.counts();
  std::vector<Slot> slots;
  for (const auto& writer : writers) slots.insert(slots.end(), writer->slots().begin(), writer->slots().end());
  return slots;
}

ProcessResult worker_command(const Installation& install, const std::string& command) {
  return run_process(ProcessRequest{{VIKUNJA_WORKER, command}, "", install.worker_environment(), std::chrono::seconds(120)});
}

// Faults off: drain, reconcile, drain, and a second reconcile that must find nothing to do.
struct Convergence {
  double seconds = 0;
  long long reconcile_queued = 0;
};

Convergence converge(World& world, std::vector<std::string>& failures) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(std::max(300, world.options.seconds));
  const Installation& install = world.install;
  const test::DirectoryWatch watch(install.queue_dir());
  const auto drained = [&] {
    world.pool.restart_ended();
    return open_jobs(install.db()) == 0;
  };
  for (std::size_t i = 1; i < world.pool.size(); ++i) world.pool.retire(i, failures);
  if (!wait_for(drained, watch, deadline)) {
    failures.push_back(fmt::format("the queue did not drain within {:.0f} s: {} jobs open", seconds_since(start),
                                   open_jobs(install.db())));
  }
  Convergence result;
  ProcessResult reconcile = worker_command(install, "reconcile");
  // 75: a breaker still pauses a side (opened by the last faults); wait out its window.
  while (reconcile.exit_code == 75 && Clock::now() < deadline) {
    const auto retry_at = breaker_retry_at(install.db()).value_or(0);
    const auto wall = std::chrono::system_clock::time_point(milliseconds(retry_at));
    std::this_thread::sleep_until(Clock::now() + std::max(milliseconds(100), std::chrono::duration_cast<milliseconds>(
                                                                                 wall - std::chrono::system_clock::now())));
    reconcile = worker_command(install, "reconcile");
  }
  if (reconcile.exit_code != 0) {
    failures.push_back(fmt::format("vikunja-worker reconcile exited {}: {}", reconcile.exit_code, reconcile.err));
  }
  for (std::size_t at = reconcile.out.find("queued "); at != std::string::npos; at = reconcile.out.find("\nqueued ", at + 1)) {
    ++result.reconcile_queued;
  }
  if (!wait_for(drained, watch, deadline)) {
    failures.push_back(fmt::format("the jobs of the final reconcile did not drain: {} jobs open", open_jobs(install.db())));
  }
  const ProcessResult drain = worker_command(install, "drain");
  if (drain.exit_code != 0) failures.push_back(fmt::format("the final drain exited {}: {}", drain.exit_code, drain.err));
  const ProcessResult second = worker_command(install, "reconcile");
  if (second.exit_code != 0 || !second.out.ends_with("nothing to do\n")) {
    failures.push_back(fmt::format("a second reconcile after convergence did not find nothing to do (exit {}):\n{}{}",
                                   second.exit_code, second.out, second.err));
  }
  world.pool.retire(0, failures);
  result.seconds = seconds_since(start);
  return result;
}

std::vector<json> taskwarrior_export(const Installation& install) {
  const ProcessResult result = run_process(ProcessRequest{{install.task_bin(), "rc.verbose=nothing", "rc.json.array=on", "export"},
                                                          "", install.task_environment(), std::chrono::seconds(60)});
  if (result.exit_code != 0) throw std::runtime_error("task export failed: " + result.err);
  return json::parse(result.out).get<std::vector<json>>();
}

long long stamp_ms(const std::string& line) {  // "17:48:17.302 …" -> ms since midnight
  if (line.size() < 12 || line[2] != ':' || line[8] != '.') return -1;
  return ((std::stoll(line.substr(0, 2)) * 60 + std::stoll(line.substr(3, 2))) * 60 + std::stoll(line.substr(6, 2))) * 1000 +
         std::stoll(line.substr(9, 3));
}

// Each line of the worker logs that names one of `needles`, in time order (every line starts
// with its time), with the soak's events (faults, kills) of the 3 s before each.
std::vector<std::string> log_lines(const Installation& install, const std::vector<std::string>& needles) {
  std::vector<std::string> lines, events;
  for (const auto& entry : std::filesystem::directory_iterator(install.logs())) {
    const bool soak_events = entry.path().filename() == "soak-events.log";
    std::istringstream text(test::read_file(entry.path()));
    for (std::string line; std::getline(text, line);) {
      if (stamp_ms(line) < 0) continue;
      const std::string stamped = line.substr(0, 13) + entry.path().stem().string() + ": " + line.substr(13);
      if (soak_events) {
        events.push_back(stamped);
        continue;
      }
      for (const std::string& needle : needles) {
        if (line.find(needle) != std::string::npos) {
          lines.push_back(stamped);
          break;
        }
      }
    }
  }
  std::vector<long long> times;
  for (const std::string& line : lines) times.push_back(stamp_ms(line));
  for (const std::string& event : events) {
    const long long at = stamp_ms(event);
    if (std::any_of(times.begin(), times.end(), [&](long long t) { return at <= t && t - at <= 3000; })) {
      lines.push_back(event);
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const std::string& a, const std::string& b) { return stamp_ms(a) < stamp_ms(b); });
  return lines;
}

// The jobs and log lines about a task that came out wrong.
void print_evidence(const Installation& install, const Slot& slot, const Found& found) {
  std::vector<std::string> keys, needles;
  std::vector<std::int64_t> ids;
  if (!slot.uuid.empty()) keys.push_back("tw:" + slot.uuid);
  if (slot.vikunja_id != 0) ids.push_back(slot.vikunja_id);
  for (const json& task : found.vikunja) {
    if (task.value("title", "").starts_with(slot.prefix())) ids.push_back(task["id"].get<std::int64_t>());
  }
  for (const json& task : found.taskwarrior) {
    if (task.value("description", "").starts_with(slot.prefix())) keys.push_back("tw:" + task.value("uuid", ""));
  }
  for (const auto& [uuid, id] : found.links) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) keys.push_back("tw:" + uuid);
  }
  for (const std::int64_t id : ids) {
    keys.push_back(fmt::format("vk:{}", id));
    for (const char* form : {"vikunja_id={} ", "vikunja_id={}\n", "vk:{} ", "/tasks/{}:", "/tasks/{} "}) {
      needles.push_back(fmt::format(fmt::runtime(form), id));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const std::string& key : keys) {
    if (key.starts_with("tw:")) needles.push_back(key.substr(3));
  }
  for (const std::string& line : jobs_of_keys(install.db(), keys)) fmt::print("    {}\n", line);
  // The start of the story (the first failed call) matters most; then its end.
  const auto lines = log_lines(install, needles);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 60 && lines.size() > 90) {
      fmt::print("    … {} lines more in {}\n", lines.size() - 90, install.logs().string());
      i = lines.size() - 30;
    }
    fmt::print("    {}\n", lines[i]);
  }
}

int run_soak(const Options& options) {
  if (run_process(ProcessRequest{{"task", "--version"}, "", std::nullopt, std::chrono::seconds(30)}).exit_code != 0) {
    fmt::print("soak: skipped: the `task` binary is not installed (Debian package taskwarrior)\n");
    return 77;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "vsync-soak-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  test::FakeVikunja vikunja;
  const std::int64_t inbox = vikunja.add_project("inbox");
  const Installation install = Installation::create(pattern, vikunja.url(), options.serialized_task);
  std::mt19937_64 random(options.seed);

  const int per_side = options.tasks / 2;
  fmt::print("soak: seed {} (replay: SOAK_SEED={}), {} s, {} tasks at a time ({} Taskwarrior-side, {} Vikunja-side), "
             "`task` {}, in {}\n",
             options.seed, options.seed, options.seconds, 2 * per_side, per_side, per_side,
             options.serialized_task ? "serialized by flock" : "unserialized", install.dir.string());
  std::fflush(stdout);

  // The sync begins as a deployment begins it: one reconcile before anything else.
  if (const ProcessResult first = worker_command(install, "reconcile"); first.exit_code != 0) {
    fmt::print("soak: FAILED: the first vikunja-worker reconcile exited {}: {}", first.exit_code, first.err);
    return 1;
  }
  // The recurring series (soak_model.hpp), made by the user's `task` with the hook; the export
  // makes its instances, as the user's next command would.
  const std::time_t three_days_ago = std::time(nullptr) - 3 * 86400;
  std::tm utc{};
  gmtime_r(&three_days_ago, &utc);
  char first_due[32];
  std::strftime(first_due, sizeof first_due, "%Y-%m-%dT09:00:00Z", &utc);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"add", series_title, "recur:daily", std::string("due:") + first_due},
                                               std::vector<std::string>{"export"}}) {
    std::vector<std::string> argv{install.task_bin(), "rc.verbose=nothing"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (const ProcessResult made = run_process(ProcessRequest{argv, "", install.task_environment(), std::chrono::seconds(30)});
        made.exit_code != 0) {
      fmt::print("soak: FAILED: making the recurring series: `task {}` exited {}: {}", args.front(), made.exit_code, made.err);
      return 1;
    }
  }
  WriterTally tally;
  EventLog events(install.logs() / "soak-events.log");
  WorkerPool pool(install, 2, random(), events);
  World world{options, install, vikunja, pool, tally, events};
  std::array<long long, fault_kinds> fault_counts{};
  const std::vector<Slot> slots = chaos(world, inbox, random, fault_counts);
  const long long chaos_requests = vikunja.requests();

  std::vector<std::string> failures = tally.errors();
  const Convergence convergence = converge(world, failures);

  std::vector<json> vikunja_tasks = vikunja.tasks();
  for (json& task : vikunja_tasks) task["comments"] = vikunja.comments(task["id"].get<std::int64_t>());
  const Found found{taskwarrior_export(install), std::move(vikunja_tasks), task_links(install.db())};
  const std::vector<Problem> problems = compare(slots, found);
  const auto dead = dead_jobs(install.db());
  for (const std::string& job : dead) failures.push_back("dead: " + job);
  for (const std::int64_t id : tally.webhook_jobs()) {
    const auto state = job_state(install.db(), id);
    if (state != "done") failures.push_back(fmt::format("webhook job {} (queued, exit 0) is {}", id, state.value_or("missing")));
  }
  for (const std::string& crash : pool.crashes()) failures.push_back("worker crashed: " + crash);
  const auto notes = tally.full_disk_notes();
  if (notes.size() != 2) failures.push_back(fmt::format("the full queue directory was met {} times, not 2", notes.size()));

  // The figures.
  long long live = 0, deleted = 0, unborn = 0;
  for (const Slot& slot : slots) (slot.live() ? live : slot.life == Life::deleted ? deleted : unborn) += 1;
  long long fault_total = 0;
  std::string fault_list;
  for (std::size_t i = 0; i < fault_kinds; ++i) {
    fault_total += fault_counts[i];
    fault_list += fmt::format("{}{} {}", i == 0 ? "" : ", ", to_string(static_cast<Fault>(i)), fault_counts[i]);
  }
  const auto states = jobs_by_state(install.db());
  const auto state_count = [&](const char* state) { return states.contains(state) ? states.at(state) : 0; };
  fmt::print("soak: changes: {} ({} in Taskwarrior through the hook, {} in Vikunja through vikunja-enqueue webhook); "
             "{} not queued (full queue directory), left to reconcile\n",
             world.changes(), tally.taskwarrior_changes.load(), tally.vikunja_changes.load(), tally.not_queued.load());
  fmt::print("soak: faults: {} ({}), queue directory full once:\n", fault_total, fault_list);
  for (const std::string& note : notes) fmt::print("        {}\n", note);
  fmt::print("soak: kills: {} (SIGKILL of vikunja-worker run; {} starts, {} ended on their own)\n", pool.kills(),
             pool.starts(), pool.ended_on_their_own().size());
  for (const std::string& ended : pool.ended_on_their_own()) fmt::print("        {}\n", ended);
  fmt::print("soak: requests: {} to the stand-in ({} during the chaos, {} answered by a fault)\n", vikunja.requests(),
             chaos_requests, vikunja.faulted_requests());
  fmt::print("soak: queue: {} jobs done, {} dead, {} open; {} links, {} conflicts recorded\n", state_count("done"),
             state_count("dead"), state_count("pending") + state_count("running"), found.links.size(),
             conflict_count(install.db()));
  fmt::print("soak: tasks: {} live, {} deleted (each replaced by a new one), {} never made, {} dependencies between "
             "linked tasks, {} annotations of linked tasks, {} occurrences of the recurring series done; converged "
             "{:.1f} s after the chaos (the final reconcile queued {})\n",
             live, deleted, unborn, linked_dependencies(found), linked_annotations(found), completed_occurrences(found),
             convergence.seconds, convergence.reconcile_queued);

  for (const std::string& failure : failures) fmt::print("FAIL: {}\n", failure);
  for (std::size_t i = 0; i < problems.size(); ++i) {
    fmt::print("FAIL: {}\n", problems[i].text);
    const bool last_of_slot = i + 1 == problems.size() || problems[i + 1].slot != problems[i].slot;
    if (problems[i].slot && last_of_slot) print_evidence(install, *problems[i].slot, found);
  }
  const std::size_t count = failures.size() + problems.size();
  if (count == 0) {
    fmt::print("result: PASS: {} changes, {} faults, {} kills, {} requests; every task on both sides exactly once "
               "as last changed, nothing lost, duplicated or dead\n",
               world.changes(), fault_total, pool.kills(), vikunja.requests());
  } else {
    fmt::print("result: FAIL: {} problems (seed {}; directory kept: {})\n", count, options.seed, install.dir.string());
  }
  std::fflush(stdout);
  if (count == 0 && !options.keep) std::filesystem::remove_all(install.dir);
  return count == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vsync::soak

int main(int argc, char** argv) {
  try {
    return vsync::soak::run_soak(vsync::soak::parse_options(argc, argv));
  } catch (const std::exception& e) {
    fmt::print(stderr, "soak_test: {}\n", e.what());
    return 1;
  }
}
