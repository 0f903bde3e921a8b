#include "worker/commands.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "shared/config.hpp"
#include "shared/error.hpp"
#include "shared/queue_store.hpp"
#include "worker/doctor.hpp"
#include "worker/log/logger.hpp"
#include "worker/metrics.hpp"
#include "worker/queue_admin.hpp"
#include "worker/queue_status.hpp"
#include "worker/settings_watch.hpp"
#include "worker/systemd_notify.hpp"
#include "worker/work_waiter.hpp"
#include "worker/worker.hpp"
#include "worker/worker_config.hpp"

namespace vsync::worker {

namespace {

constexpr const char* version_text = "vikunja-worker " VSYNC_VERSION "\n";

// Commands that only read or administer a queue never create one: a mistyped --db is an
// error naming the path, not an empty queue reported healthy.
enum class Queue { create, existing };

std::filesystem::path existing(std::filesystem::path path) {
  require_existing_queue(path);
  return path;
}

struct Session {
  SystemClock clock;
  WorkerConfig config;
  Logger log;
  QueueStore store;

  Session(const Options& options, const Environment& env, Queue queue = Queue::create)
      : config(load_worker_config(env)),
        log(Logger::from_environment(env)),
        store(queue == Queue::existing ? existing(queue_path(env, options.db).value) : queue_path(env, options.db).value,
              clock) {}
};

void log_drain(Logger& log, const DrainStats& stats, Worker& worker, const Clock& clock) {
  const auto wake = worker.next_wake();
  log.log(LogLevel::info, "drain finished", "done={} retried={} dead={} paused={} next_due_in_s={}",
          stats.done, stats.retried, stats.dead, stats.paused,
          wake ? fmt::format("{}", (*wake - clock.now()) / 1000) : "-");
}

ExitCode drain_once(const Options& options, const Environment& env) {
  Session session(options, env);
  Worker worker(session.store, session.config, session.clock, session.log);
  log_drain(session.log, worker.drain(), worker, session.clock);
  return ExitCode::ok;
}

// For systemd's STATUS=: the breaker and the queue depth, one line.
std::string service_status(QueueStore& store, const DrainStats& stats) {
  const QueueStatus status = read_status(store);
  const int pending = status.count(Target::vikunja, JobState::pending) + status.count(Target::taskwarrior, JobState::pending);
  std::string breakers;
  for (const BreakerRow& row : status.breakers) {
    breakers += fmt::format("{}{} {}", breakers.empty() ? "" : ", ", to_string(row.target), to_string(row.state));
  }
  return fmt::format("STATUS={} pending, {} dead; last drain: {} done, {} retried; breaker: {}", pending,
                     status.dead_total, stats.done, stats.retried, breakers);
}

// Waits like WorkWaiter::wait, except that a change to the queue file made by this worker (its
// drain's commits, its checkpoint) is not a reason to wake: only a commit by another
// connection, which moves SQLite's data_version, is.
// `seen` must be read before the queue is read for the timeout: a commit in between then moves
// the version and wakes us, instead of being taken for our own.
WorkWaiter::Wake wait_for_others(WorkWaiter& waiter, QueueStore& store, std::int64_t seen,
                                 std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
  for (;;) {
    std::optional<std::chrono::milliseconds> left;
    if (deadline) {
      left = std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                         *deadline - std::chrono::steady_clock::now()));
    }
    const WorkWaiter::Wake wake = waiter.wait(left);
    if (wake != WorkWaiter::Wake::queue_changed || store.data_version() != seen) return wake;
  }
}

// A token or URL fixed in the files while the worker runs takes effect before the next drain,
// and Vikunja's breaker is closed so that the jobs it paused run with it at once.
void apply_changed_settings(SettingsWatch& watch, Worker& worker, Session& session) {
  std::optional<WorkerConfig> fresh;
  try {
    fresh = watch.reload_if_changed();
  } catch (const Error& e) {
    session.log.log(LogLevel::warning, "settings not reloaded", "error={} note={}", log_quote(e.what()),
                    log_quote("the worker goes on with the settings it has"));
    return;
  }
  if (!fresh) return;
  const SettingsChange change = worker.use_settings(*fresh);
  if (!change.applied.empty()) {
    session.log.log(LogLevel::notice, "settings reloaded", "changed={}", log_quote(fmt::format("{}", fmt::join(change.applied, ", "))));
    reset_breakers(session.store, Target::vikunja, session.clock.now(), session.log);
  }
  if (!change.need_restart.empty()) {
    session.log.log(LogLevel::warning, "settings changed", "names={} note={}",
                    log_quote(fmt::format("{}", fmt::join(change.need_restart, ", "))),
                    log_quote("they take effect when the worker restarts: systemctl --user restart vikunja-sync-worker"));
  }
}

ExitCode run_forever(const Options& options, const Environment& env) {
  SettingsWatch settings(env);  // before the token file is read: a change from here on is seen
  Session session(options, env);
  WorkWaiter waiter(session.store.path());
  waiter.watch_settings(settings.files());
  Worker worker(session.store, session.config, session.clock, session.log);
  const SystemdNotifier systemd;
  if (const auto period = systemd.watchdog_period()) {
    // From inside long drains too (every progress point): a healthy drain is never killed.
    worker.keep_alive_with([&systemd] { systemd.notify("WATCHDOG=1"); }, period->count() / 2);
  }
  systemd.notify("READY=1");
  try {
    // Once at start: whatever changed while no worker ran (design.md "Convergence").
    worker.reconcile();
  } catch (const Error& e) {
    session.log.log(LogLevel::warning, "reconcile failed", "error={}", log_quote(e.what()));
  }
  std::string last_status;
  session.log.log(LogLevel::info, "worker started", "queue={}", log_quote(session.store.path().string()));
  while (!waiter.stop_requested()) {
    apply_changed_settings(settings, worker, session);
    const DrainStats stats = worker.drain([&] { return waiter.stop_requested(); });
    if (stats.total() > 0) log_drain(session.log, stats, worker, session.clock);
    // Only what changed, and the watchdog only when systemd asked for it.
    if (std::string status = service_status(session.store, stats); status != last_status) {
      systemd.notify(status);
      last_status = std::move(status);
    }
    if (systemd.watchdog_period()) systemd.notify("WATCHDOG=1");
    if (waiter.stop_requested()) break;
    const std::int64_t seen = session.store.data_version();
    std::optional<std::chrono::milliseconds> timeout;
    if (const auto wake = worker.next_wake()) {
      // Work that is due but could not be claimed (another worker holds its key) must not
      // make us spin: their commit wakes us through inotify anyway.
      const UnixMillis wait = *wake - session.clock.now();
      timeout = std::chrono::milliseconds(wait > 0 ? wait : (stats.total() > 0 ? 0 : 1000));
    }
    if (const auto period = systemd.watchdog_period()) timeout = timeout ? std::min(*timeout, *period) : *period;
    const WorkWaiter::Wake wake = wait_for_others(waiter, session.store, seen, timeout);
    if (wake == WorkWaiter::Wake::stop) break;
    session.log.log(LogLevel::debug, "woke", "reason={}",
                    wake == WorkWaiter::Wake::queue_changed      ? "queue_changed"
                    : wake == WorkWaiter::Wake::settings_changed ? "settings_changed"
                                                                 : "deadline");
  }
  systemd.notify("STOPPING=1");
  session.log.log(LogLevel::info, "worker stopped", "reason={}", "signal");
  return ExitCode::ok;
}

ExitCode reconcile(const Options& options, const Environment& env) {
  Session session(options, env);
  Worker worker(session.store, session.config, session.clock, session.log);
  const ReconcileRequest request{options.dry_run, options.allow_deletes, options.full, options.include_completed};
  fmt::print("{}", describe_plan(worker.reconcile(request), options.dry_run));
  return ExitCode::ok;
}

ExitCode relink(const Options& options, const Environment& env) {
  Session session(options, env);
  Worker worker(session.store, session.config, session.clock, session.log);
  const int forgotten = worker.relink();
  fmt::print("relink: {} link{} to tasks Vikunja no longer has forgotten; nothing deleted\n", forgotten,
             forgotten == 1 ? "" : "s");
  fmt::print("{}", describe_plan(worker.reconcile({.full = true}), false));
  return ExitCode::ok;
}

ExitCode show_status(const Options& options, const Environment& env) {
  Session session(options, env, Queue::existing);
  const QueueStatus status = read_status(session.store);
  const UnixMillis now = session.clock.now();
  const std::string path = session.store.path().string();
  if (options.json) {
    fmt::print("{}\n", status_json(status, session.config, path, now).dump(2));
  } else {
    fmt::print("{}", status_text(status, session.config, path, now));
  }
  return status.healthy() ? ExitCode::ok : ExitCode::unhealthy;
}

ExitCode print_metrics(const Options& options, const Environment& env) {
  Session session(options, env, Queue::existing);
  fmt::print("{}", prometheus_metrics(session.store, session.clock.now()));
  return ExitCode::ok;
}

// Every setting with where it came from; an invalid one is exit 78, as for every other command.
ExitCode print_config(const Options& options, const Environment& env) {
  const WorkerConfig config = load_worker_config(env);
  Logger::from_environment(env);  // checks VIKUNJA_SYNC_LOG_LEVEL
  const auto queue = queue_path(env, options.db);
  fmt::print("environment file: {}\n", env.env_file() ? env.env_file()->string() : "(none)");
  fmt::print("{}\n", setting_line("queue", queue.value.string(), queue.origin));
  for (const SettingRow& row : describe_settings(config)) fmt::print("{}\n", setting_line(row.name, row.value, row.origin));
  const auto level = env.get("VIKUNJA_SYNC_LOG_LEVEL");
  fmt::print("{}\n", setting_line("VIKUNJA_SYNC_LOG_LEVEL", level.value_or("info"),
                                  level ? env.origin("VIKUNJA_SYNC_LOG_LEVEL") : "default"));
  return ExitCode::ok;
}

// Vikunja's answer to a webhooks command, as an exit code: 75 when it is unreachable or
// paused (try again), with the classified reason.
template <typename Call>
auto with_vikunja(std::string_view what, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const JobStopped& stopped) {
    throw Error(stopped.outcome.kind == JobOutcome::Kind::dead ? ExitCode::data : ExitCode::temp_fail,
                fmt::format("{}: {}", what, stopped.outcome.error));
  }
}

// Never creates the queue: before the first job there is none, and doctor then works on a
// scratch copy (removed on return) and says so. Exit 78 without a URL or token (after listing
// everything else), 1 when something needs attention.
ExitCode doctor(const Options& options, const Environment& env) {
  SystemClock clock;
  const WorkerConfig config = load_worker_config(env);
  Logger log = Logger::from_environment(env);
  const auto path = queue_path(env, options.db).value;
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  std::optional<std::filesystem::path> scratch;
  if (!exists) {
    char pattern[] = "/tmp/vikunja-sync-doctor-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw Error(ExitCode::cant_create, "cannot create a scratch directory in /tmp");
    scratch = pattern;
  }
  struct RemoveScratch {
    const std::optional<std::filesystem::path>& dir;
    ~RemoveScratch() {
      std::error_code ignored;
      if (dir) std::filesystem::remove_all(*dir, ignored);
    }
  } remove_scratch{scratch};
  QueueStore store(scratch ? *scratch / "queue.db" : path, clock);
  std::optional<Worker> worker;
  if (config.vikunja_url && config.api_token) worker.emplace(store, config, clock, log);
  std::vector<Check> checks =
      run_checks(DoctorInput{env, config, store, worker ? &*worker : nullptr, clock, options.url});
  if (!exists) {
    const auto queue = std::find_if(checks.begin(), checks.end(), [](const Check& check) { return check.name == "queue"; });
    *queue = Check{"queue", Check::Result::attention, fmt::format("none yet at {}", path.string()),
                   "the first change in Taskwarrior (with the hook installed) or `vikunja-worker drain` creates it"};
  }
  fmt::print("{}", options.json ? checks_json(checks).dump(2) + "\n" : checks_text(checks));
  if (!worker) return ExitCode::config;  // no URL or token: the configuration check failed
  return all_well(checks) ? ExitCode::ok : ExitCode::unhealthy;
}

ExitCode webhooks_install(const Options& options, const Environment& env) {
  Session session(options, env);
  if (!session.config.webhook_secret) {
    throw Error(ExitCode::config,
                "no webhook secret: set VIKUNJA_WEBHOOK_SECRET_FILE (or VIKUNJA_WEBHOOK_SECRET) to the secret the "
                "receiver checks deliveries with, e.g. `openssl rand -hex 32 > ~/.config/vikunja-sync/webhook-secret`");
  }
  Worker worker(session.store, session.config, session.clock, session.log);
  const auto changes = with_vikunja("webhooks install", [&] {
    return worker.webhooks().install(*options.url, session.config.webhook_secret->value);
  });
  std::map<WebhookChange, int> counts;
  for (const ProjectWebhook& change : changes) {
    fmt::print("{:<15} project {} '{}'\n", to_string(change.change), change.project_id, change.project_title);
    ++counts[change.change];
  }
  fmt::print("{} projects: {} created, {} replaced, {} events updated, {} unchanged\n", changes.size(),
             counts[WebhookChange::created], counts[WebhookChange::replaced], counts[WebhookChange::events_updated],
             counts[WebhookChange::unchanged]);
  return ExitCode::ok;
}

ExitCode webhooks_list(const Options& options, const Environment& env) {
  Session session(options, env);
  Worker worker(session.store, session.config, session.clock, session.log);
  const auto listed = with_vikunja("webhooks list", [&] { return worker.webhooks().list(); });
  for (const ListedWebhook& webhook : listed) {
    fmt::print("project {} '{}': webhook {} -> {} [{}]{}\n", webhook.project_id, webhook.project_title,
               webhook.webhook_id, webhook.target_url, fmt::join(webhook.events, ", "),
               webhook.registered_here ? " (registered by webhooks install)" : "");
  }
  if (listed.empty()) fmt::print("no project has a webhook\n");
  return ExitCode::ok;
}

ExitCode webhooks_remove(const Options& options, const Environment& env) {
  Session session(options, env);
  Worker worker(session.store, session.config, session.clock, session.log);
  const auto removed = with_vikunja("webhooks remove", [&] { return worker.webhooks().remove(*options.url); });
  for (const ProjectWebhook& change : removed) {
    fmt::print("removed project {} '{}'\n", change.project_id, change.project_title);
  }
  fmt::print("{} webhooks for {} removed\n", removed.size(), *options.url);
  return ExitCode::ok;
}

ExitCode retry(const Options& options, const Environment& env) {
  Session session(options, env, Queue::existing);
  const UnixMillis now = session.clock.now();
  const int retried = options.all_dead ? retry_dead_jobs(session.store, now)
                                       : retry_jobs(session.store, options.job_ids, now);
  fmt::print("{} job{} pending again\n", retried, retried == 1 ? "" : "s");
  if (!options.all_dead && retried < static_cast<int>(options.job_ids.size())) {
    fmt::print(stderr, "vikunja-worker: {} of the jobs named were not retried: unknown, done, "
                       "running, or their task has a newer pending job\n",
               options.job_ids.size() - static_cast<std::size_t>(retried));
  }
  return ExitCode::ok;
}

ExitCode purge(const Options& options, const Environment& env) {
  Session session(options, env, Queue::existing);
  const auto age = static_cast<UnixMillis>(std::llround(options.older_than_days * 86'400'000));
  const int purged = purge_done_jobs(session.store, session.clock.now() - age);
  fmt::print("{} done job{} purged\n", purged, purged == 1 ? "" : "s");
  return ExitCode::ok;
}

ExitCode reset_breaker(const Options& options, const Environment& env) {
  Session session(options, env, Queue::existing);
  reset_breakers(session.store, options.target, session.clock.now(), session.log);
  fmt::print("breaker {} closed\n", options.target ? to_string(*options.target) : "of every target");
  return ExitCode::ok;
}

}  // namespace

ExitCode run_command(const Options& options, const Environment& env) {
  switch (options.command) {
    case Command::help: fmt::print("{}", usage_text); return ExitCode::ok;
    case Command::version: fmt::print("{}", version_text); return ExitCode::ok;
    case Command::drain: return drain_once(options, env);
    case Command::run: return run_forever(options, env);
    case Command::reconcile: return reconcile(options, env);
    case Command::relink: return relink(options, env);
    case Command::status: return show_status(options, env);
    case Command::metrics: return print_metrics(options, env);
    case Command::config: return print_config(options, env);
    case Command::doctor: return doctor(options, env);
    case Command::webhooks_install: return webhooks_install(options, env);
    case Command::webhooks_list: return webhooks_list(options, env);
    case Command::webhooks_remove: return webhooks_remove(options, env);
    case Command::retry: return retry(options, env);
    case Command::purge: return purge(options, env);
    case Command::breaker_reset: return reset_breaker(options, env);
  }
  return ExitCode::software;
}

}  // namespace vsync::worker
