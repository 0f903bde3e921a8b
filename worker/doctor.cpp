#include "worker/doctor.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/taskwarrior_attributes.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/on_queue.hpp"
#include "worker/queue_status.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/delete_guard.hpp"
#include "worker/sync/recurrence.hpp"

namespace vsync {

using json = nlohmann::json;

namespace {

Check ok(std::string name, std::string detail) { return {std::move(name), Check::Result::ok, std::move(detail), ""}; }
Check attention(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Check::Result::attention, std::move(detail), std::move(fix)};
}
Check note(std::string name, std::string detail, std::string fix = "") {
  return {std::move(name), Check::Result::note, std::move(detail), std::move(fix)};
}

std::string age_text(UnixMillis ms) {
  const long long seconds = ms / 1000;
  if (seconds < 120) return fmt::format("{}s", seconds);
  if (seconds < 7200) return fmt::format("{}m", seconds / 60);
  if (seconds < 172800) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

// The environment file, or where it would be, as a fix names it.
std::filesystem::path env_file_for_fixes(const DoctorInput& in) {
  return env_file_location(in.env).value_or("$HOME/.config/vikunja-sync/env");
}

Check configuration(const DoctorInput& in) {
  std::string origins;
  for (const SettingRow& row : describe_settings(in.config)) {
    if (row.origin != "default" && row.origin != "-") origins += fmt::format("{}{}", origins.empty() ? "" : ", ", row.origin);
  }
  const std::string file = in.env.env_file() ? in.env.env_file()->string() : "no environment file";
  if (!in.config.vikunja_url || !in.config.api_token) {
    return attention("configuration",
                     fmt::format("{} not set ({})", !in.config.vikunja_url ? "VIKUNJA_URL is" : "the API token is", file),
                     fmt::format("set VIKUNJA_URL and VIKUNJA_API_TOKEN_FILE in {}", env_file_for_fixes(in).string()));
  }
  return ok("configuration", fmt::format("{}; set: {}", file, origins));
}

// (major, minor) of "v0.24.6", "v2.3.0-12-gabc", "2.2.1"; nullopt for a version we cannot read.
std::optional<std::pair<int, int>> version_of(const std::string& text) {
  static const std::regex pattern(R"(^v?(\d+)\.(\d+))");
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return std::nullopt;
  return std::pair(std::stoi(match[1]), std::stoi(match[2]));
}

bool is_private_address(const std::string& url) {
  static const std::regex host(R"(^https?://(\[[^\]]*\]|[^/:]+))");
  std::smatch match;
  if (!std::regex_search(url, match, host)) return false;
  const std::string name = match[1];
  static const std::regex private_names(
      R"(^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|\[::1\]|.*\.local|.*\.lan)$)");
  return std::regex_match(name, private_names);
}

// The permissions a token needs: the sync's routes, and `webhooks install`'s.
constexpr const char* token_permissions = "projects, tasks, labels, tasks_labels, tasks_relations, tasks_comments and projects_webhooks";

// The permissions a token may lack while its other routes work: a token made before the sync
// carried notes and dependencies. Each is probed on task 0, which does not exist.
void token_scope(const DoctorInput& in, const std::string& url, std::vector<Check>& checks) {
  std::vector<std::string> missing;
  if (!in.worker->vikunja().token_may("GET", "/tasks/0/comments")) {
    missing.push_back("tasks_comments (annotations and comments stay on their side)");
  }
  if (!in.worker->vikunja().token_may("DELETE", "/tasks/0/relations/blocked/0")) {
    missing.push_back("tasks_relations (dependencies stay on their side)");
  }
  if (missing.empty()) {
    checks.push_back(ok("token permissions", "tasks_comments and tasks_relations granted"));
    return;
  }
  checks.push_back(attention("token permissions", fmt::format("the token lacks {}", fmt::join(missing, " and ")),
                             fmt::format("create one with the permissions {} at {}/user/settings/api-tokens",
                                         token_permissions, url)));
}

// GET /info and GET /projects: reachable, the token accepted (on a route the sync needs: a
// token scoped to the sync's routes cannot read /user), the version and its webhook caveats.
// `projects` stays unset when Vikunja cannot be read with the token.
std::vector<Check> server(const DoctorInput& in, const std::vector<std::string>& receiver_urls,
                          std::optional<std::vector<json>>& projects) {
  std::vector<Check> checks;
  const std::string url = in.config.vikunja_url ? in.config.vikunja_url->value : "";
  json info;
  try {
    info = in.worker->vikunja().info();
  } catch (const JobStopped& stopped) {
    checks.push_back(attention("vikunja reachable", fmt::format("{}/api/v1/info: {}", url, stopped.outcome.error),
                               "check VIKUNJA_URL (with the path of a reverse proxy, if any) and that Vikunja runs"));
    return checks;
  }
  const std::string version = info.value("version", "");
  checks.push_back(ok("vikunja reachable", fmt::format("{} answers, version {}", url, version.empty() ? "unknown" : version)));
  try {
    projects = in.worker->vikunja().projects();
    checks.push_back(ok("api token", fmt::format("accepted ({} projects visible)", projects->size())));
  } catch (const JobStopped& stopped) {
    checks.push_back(attention("api token", fmt::format("token rejected: {}", stopped.outcome.error),
                               fmt::format("create one with the permissions {} at {}/user/settings/api-tokens "
                                           "and put it in VIKUNJA_API_TOKEN_FILE",
                                           token_permissions, url)));
    return checks;
  }
  token_scope(in, url, checks);
  if (const auto parsed = version_of(version)) {
    if (*parsed < std::pair(2, 3)) {
      checks.push_back(note("webhook retries",
                            fmt::format("Vikunja {} never retries a webhook its receiver answered with an error", version),
                            "keep the receiver running (vikunja-sync-webhook.service); the hourly reconcile "
                            "catches what is lost"));
    }
    const bool private_receiver = std::any_of(receiver_urls.begin(), receiver_urls.end(), is_private_address);
    if (*parsed >= std::pair(2, 2) && private_receiver) {
      checks.push_back(note("webhook address",
                            "since v2.2 Vikunja refuses webhooks to loopback and LAN addresses by default",
                            "set `outgoingrequests.allownonroutableips: true` in Vikunja's config.yml"));
    }
  }
  return checks;
}

// What to do about an open breaker, by what opened it.
std::string breaker_fix(const BreakerRow& row) {
  if (paused_for(row, mass_delete_reason)) {
    return "nothing was deleted: the deletes wait. If the tasks were deleted on purpose: `vikunja-worker reconcile "
           "--allow-deletes`; if Vikunja lost them (a reinstall, an old backup, another instance; first check that "
           "VIKUNJA_URL is your Vikunja): `vikunja-worker relink`, which forgets those links and sends the tasks to "
           "Vikunja again";
  }
  if (paused_for(row, "authentication")) {
    return "put a valid token in VIKUNJA_API_TOKEN_FILE (or fix VIKUNJA_URL): a running worker reads the file again "
           "before its next probe; `vikunja-worker breaker reset vikunja` probes now";
  }
  return fmt::format("fix the cause above; it closes by itself at the next good probe, or now with `vikunja-worker "
                     "breaker reset {}`",
                     to_string(row.target));
}

std::vector<Check> breakers(const QueueStatus& status, UnixMillis now) {
  std::vector<Check> checks;
  for (const BreakerRow& row : status.breakers) {
    const std::string name = fmt::format("{} breaker", to_string(row.target));
    if (row.state == BreakerState::closed) {
      checks.push_back(ok(name, "closed"));
      continue;
    }
    const std::string recovery =
        row.retry_at ? fmt::format(", next probe in {}", age_text(std::max<UnixMillis>(0, *row.retry_at - now))) : "";
    checks.push_back(attention(name,
                               fmt::format("{}{}{}{}", to_string(row.state), row.reason.empty() ? "" : " (" + row.reason + ")",
                                           recovery, row.last_error.empty() ? "" : ": " + row.last_error),
                               breaker_fix(row)));
  }
  return checks;
}

// A *_timestamp_seconds counter (Unix seconds), as a time.
std::optional<UnixMillis> counter_time(SQLite::Database& db, const char* name) {
  return on_queue(db, "read counters", [&]() -> std::optional<UnixMillis> {
    SQLite::Statement query(db, "SELECT value FROM counters WHERE name = ? AND label = ''");
    query.bind(1, name);
    if (!query.executeStep()) return std::nullopt;
    return static_cast<UnixMillis>(query.getColumn(0).getDouble() * 1000);
  });
}

std::vector<Check> queue_health(const DoctorInput& in, const QueueStatus& status) {
  std::vector<Check> checks;
  const UnixMillis now = in.clock.now();
  const int pending = status.count(Target::vikunja, JobState::pending) + status.count(Target::taskwarrior, JobState::pending);
  const std::string oldest = status.oldest_pending_created ? ", oldest " + age_text(now - *status.oldest_pending_created) : "";
  const auto last_drain = counter_time(in.store.database(), "last_drain_timestamp_seconds");
  const auto last_reconcile = counter_time(in.store.database(), "last_reconcile_timestamp_seconds");
  const auto ago = [&](std::optional<UnixMillis> at) {
    return at ? age_text(now - *at) + " ago" : std::string("never");
  };
  const ReconcileTimes& reconciles = status.reconciles;
  const std::string last_kind =
      reconciles.last_kind() ? fmt::format(" ({})", to_string(*reconciles.last_kind())) : std::string();
  checks.push_back(ok("queue", fmt::format("{}: {} pending{}; last drain {}, last reconcile {}{}, last full pass {}",
                                           in.store.path().string(), pending, oldest, ago(last_drain),
                                           ago(last_reconcile), last_kind, ago(reconciles.last_full))));
  // A worker drains within seconds; jobs left this long mean none runs (or all are paused).
  constexpr UnixMillis stale_pending = 5 * 60'000;
  const bool paused = std::any_of(status.breakers.begin(), status.breakers.end(),
                                  [](const BreakerRow& row) { return row.state != BreakerState::closed; });
  const bool undrained = !last_drain || now - *last_drain > stale_pending;
  // Due, not merely pending: a job in its backoff waits by design.
  if (status.next_due && now - *status.next_due > stale_pending && undrained && !paused) {
    checks.push_back(attention("worker", fmt::format("no worker drains: jobs due {} ago wait, last drain {}",
                                                     age_text(now - *status.next_due), ago(last_drain)),
                               "`systemctl --user enable --now vikunja-sync-worker.service` (or the drain timer); "
                               "`journalctl --user -u vikunja-sync-worker` says why one stopped"));
  }
  if (status.dead_total > 0) {
    const DeadJob& latest = status.dead.front();
    checks.push_back(attention("dead jobs", fmt::format("{} (latest: job {} {}: {})", status.dead_total, latest.id, latest.key,
                                                        latest.last_error),
                               "`vikunja-worker status` lists them; after fixing the cause, `vikunja-worker retry --dead`"));
  }
  if (!last_reconcile) {
    checks.push_back(attention("reconcile", "no reconcile has run on this queue",
                               "`vikunja-worker reconcile --dry-run`, then `vikunja-worker reconcile`; enable "
                               "vikunja-sync-reconcile.timer"));
  } else if (reconciles.last_full && now - *reconciles.last_full > 2 * full_pass_every) {
    checks.push_back(attention("reconcile", fmt::format("no full pass for {}: tasks deleted in Vikunja since stay in "
                                                        "Taskwarrior", age_text(now - *reconciles.last_full)),
                               "`vikunja-worker reconcile --full`; keep vikunja-sync-reconcile.timer enabled"));
  }
  return checks;
}

ProcessResult run_task(const DoctorInput& in, std::vector<std::string> args) {
  // Not a TaskRunner: its rc overrides would define the very attribute checked here.
  args.insert(args.begin(), in.config.task_bin.value);
  return run_process(ProcessRequest{args, "", task_process_environment(task_environment(in.config)),
                                    std::chrono::seconds(10)});
}

std::vector<Check> taskwarrior(const DoctorInput& in) {
  std::vector<Check> checks;
  ProcessResult diagnostics;
  try {
    diagnostics = run_task(in, {"rc.confirmation=off", "diagnostics"});
  } catch (const std::exception& e) {
    checks.push_back(attention("taskwarrior hooks", e.what(), "install Taskwarrior (Debian package taskwarrior)"));
    return checks;
  }
  if (diagnostics.cannot_execute) {
    checks.push_back(attention("taskwarrior hooks", fmt::format("cannot run `{}`", in.config.task_bin.value),
                               "install Taskwarrior (Debian package taskwarrior), or set VIKUNJA_SYNC_TASK_BIN"));
    return checks;
  }
  if (diagnostics.exit_code != 0) {
    checks.push_back(attention("taskwarrior hooks",
                               fmt::format("`{} diagnostics` exited {}", in.config.task_bin.value, diagnostics.exit_code),
                               "check VIKUNJA_SYNC_TASK_BIN, TASKRC and TASKDATA"));
    return checks;
  }
  std::vector<std::string> missing;
  for (const char* hook : {"on-add-vikunja", "on-modify-vikunja"}) {
    const std::regex active(fmt::format(R"(Active:[^\n]*\b{}\b|\n\s+{}\b[^\n]*\(executable\))", hook, hook));
    if (!std::regex_search(diagnostics.out, active)) missing.push_back(hook);
  }
  if (missing.empty()) {
    checks.push_back(ok("taskwarrior hooks", "on-add-vikunja and on-modify-vikunja active"));
  } else {
    checks.push_back(attention("taskwarrior hooks", fmt::format("not active: {}", fmt::join(missing, ", ")),
                               "`vikunja-enqueue install-hooks`, then check with `task diagnostics`"));
  }
  for (const auto& [name, label, purpose] : taskwarrior_attributes) {
    const ProcessResult uda = run_task(in, {"_get", fmt::format("rc.uda.{}.type", name)});
    const std::string check = fmt::format("{} attribute", name);
    if (uda.exit_code == 0 && uda.out.starts_with("string")) {
      checks.push_back(ok(check, fmt::format("uda.{}.type=string", name)));
    } else {
      checks.push_back(attention(check, fmt::format("uda.{} is not configured in your taskrc", name),
                                 fmt::format("add `uda.{0}.type=string` and `uda.{0}.label={1}` to ~/.taskrc, "
                                             "so that `task` {2}",
                                             name, label, purpose)));
    }
  }
  return checks;
}

// Series whose period Vikunja cannot hold (recurrence.hpp): each instance syncs on its own.
std::optional<Check> recurrence(const DoctorInput& in) {
  const ProcessResult templates =
      run_task(in, {"rc.recurrence=no", "rc.verbose=nothing", "rc.json.array=on", "status:recurring", "export"});
  const json parsed = json::parse(with_controls_escaped(templates.out), nullptr, false);
  if (templates.exit_code != 0 || !parsed.is_array()) return std::nullopt;  // the hooks check says why
  std::vector<std::string> uncarried;
  for (const json& series : parsed) {
    const std::string recur = string_or(series, "recur");
    if (!repeat_of_recur(recur)) uncarried.push_back(fmt::format("\"{}\" ({})", string_or(series, "description"), recur));
  }
  if (uncarried.empty()) return std::nullopt;
  return note("recurrence",
              fmt::format("Vikunja cannot repeat {}: each instance is synced as a task of its own", fmt::join(uncarried, ", ")),
              "a period of days, weeks, hours or one month is carried as one repeating Vikunja task");
}

// How many of the webhooks `webhooks install` registered were registered with another secret,
// on the projects Vikunja lists as active (when known): `webhooks install` leaves archived and
// deleted ones alone, so theirs are no longer its to fix.
long long registered_with_other_secret(const DoctorInput& in, const std::string& secret,
                                       const std::optional<std::vector<json>>& projects) {
  std::set<std::int64_t> active;
  if (projects) {
    for (const json& project : *projects) {
      if (!project.value("is_archived", false)) active.insert(project.at("id").get<std::int64_t>());
    }
  }
  return on_queue(in.store.database(), "read the webhook registrations", [&] {
    SQLite::Statement query(in.store.database(),
                            "SELECT project_id FROM webhook_registrations WHERE secret_fingerprint <> ?");
    query.bind(1, secret_fingerprint(secret));
    long long stale = 0;
    while (query.executeStep()) stale += !projects || active.contains(query.getColumn(0).getInt64());
    return stale;
  });
}

Check webhook_secret(const DoctorInput& in, const std::vector<std::string>& urls,
                     const std::optional<std::vector<json>>& projects) {
  if (in.config.webhook_secret) {
    if (const long long stale = registered_with_other_secret(in, in.config.webhook_secret->value, projects); stale > 0) {
      return attention("webhook secret",
                       fmt::format("{} project webhook{} registered with another secret: Vikunja signs with that one and "
                                   "the receiver refuses every delivery",
                                   stale, stale == 1 ? " was" : "s were"),
                       fmt::format("`vikunja-worker webhooks install --url {}` registers the current secret",
                                   urls.empty() ? std::string("URL") : urls.front()));
    }
    return ok("webhook secret", fmt::format("set ({})", in.config.webhook_secret->origin));
  }
  const std::string config_dir = env_file_for_fixes(in).parent_path().string();
  return attention("webhook secret", "not set: the receiver refuses every delivery (exit 78)",
                   fmt::format("`(umask 077; openssl rand -hex 32 > {0}/webhook-secret)`, and "
                               "VIKUNJA_WEBHOOK_SECRET_FILE={0}/webhook-secret in the environment file",
                               config_dir));
}

// When a delivery last arrived: the newest webhook job that a receiver queued (not a reconcile),
// else when `webhooks install` registered one.
std::optional<UnixMillis> last_delivery(const DoctorInput& in) {
  return on_queue(in.store.database(), "read the webhook jobs", [&]() -> std::optional<UnixMillis> {
    // The newest of: a delivery the worker ran (a counter: done jobs are purged after a week),
    // one still queued, the registration itself.
    const SQLite::Column newest = in.store.database().execAndGet(R"sql(
      SELECT max(coalesce((SELECT CAST(value * 1000 AS INTEGER) FROM counters
                           WHERE name = 'last_delivery_timestamp_seconds' AND label = ''), 0),
                 coalesce((SELECT max(created_at) FROM jobs WHERE kind = 'webhook' AND CASE WHEN json_valid(payload)
                           THEN json_extract(payload, '$.sent_by') END IS NULL), 0),
                 coalesce((SELECT max(registered_at) FROM webhook_registrations), 0)))sql");
    if (newest.isNull() || newest.getInt64() == 0) return std::nullopt;
    return newest.getInt64();
  });
}

// Vikunja sends a webhook for every task change, the sync's own included: tasks changed well
// after the last delivery mean the deliveries stopped reaching the queue.
std::optional<Check> webhook_deliveries(const DoctorInput& in) {
  constexpr UnixMillis in_flight = 5 * 60'000;  // a delivery may take this long to arrive
  const auto since = last_delivery(in);
  if (!since) return std::nullopt;  // none registered: the project webhooks check says so
  const UnixMillis before = in.clock.now() - in_flight;
  const Check fine = ok("webhook deliveries", fmt::format("the last one {} ago", age_text(in.clock.now() - *since)));
  if (*since >= before) return fine;
  try {
    if (!in.worker->vikunja().any_task_updated_between(*since + in_flight, before)) return fine;
  } catch (const JobStopped& stopped) {
    return note("webhook deliveries", fmt::format("not checked: {}", stopped.outcome.error));
  }
  return attention("webhook deliveries",
                   fmt::format("none arrived for {}, though Vikunja changed tasks since", age_text(in.clock.now() - *since)),
                   "check the receiver: `journalctl --user -u vikunja-sync-webhook` names each refused delivery, "
                   "`systemctl --user status vikunja-sync-webhook`; and that Vikunja reaches its URL");
}

std::vector<Check> webhooks(const DoctorInput& in, const std::vector<std::string>& urls, const std::vector<json>& projects) {
  std::vector<Check> checks;
  if (urls.empty()) {
    checks.push_back(attention("project webhooks", "no receiver URL known (none given with --url, none registered)",
                               "`vikunja-worker webhooks install --url http://HOST:9000/hooks/vikunja`"));
    return checks;
  }
  std::vector<std::string> lacking;
  int active = 0;
  for (const json& project : projects) {
    if (project.value("is_archived", false)) continue;
    ++active;
    const std::vector<json> hooks = in.worker->vikunja().webhooks(project.at("id").get<std::int64_t>());
    for (const std::string& url : urls) {
      const bool has = std::any_of(hooks.begin(), hooks.end(), [&](const json& hook) {
        if (hook.value("target_url", "") != url) return false;
        const json events = hook.value("events", json::array());
        return std::all_of(synced_events().begin(), synced_events().end(), [&](const std::string& event) {
          return std::find(events.begin(), events.end(), event) != events.end();
        });
      });
      if (!has) lacking.push_back(fmt::format("'{}'", project.value("title", "?")));
    }
  }
  if (lacking.empty()) {
    checks.push_back(ok("project webhooks", fmt::format("all {} projects send task events to {}", active, fmt::join(urls, ", "))));
  } else {
    checks.push_back(attention("project webhooks", fmt::format("no webhook with the task events on {}", fmt::join(lacking, ", ")),
                               fmt::format("`vikunja-worker webhooks install --url {}`", urls.front())));
  }
  return checks;
}

std::vector<Check> systemd_units() {
  std::vector<Check> checks;
  ProcessResult probe;
  try {
    probe = run_process(ProcessRequest{{"systemctl", "--user", "is-system-running"}, "", std::nullopt, std::chrono::seconds(5)});
  } catch (const std::exception&) {
    probe.exit_code = 127;
  }
  // running, degraded, starting...: a user manager answers; offline or no answer: none to ask.
  const std::string manager = probe.out.substr(0, probe.out.find('\n'));
  if (manager.empty() || manager == "offline" || manager == "unknown") {
    checks.push_back(note("systemd units", "not checked: `systemctl --user` is not available here"));
    return checks;
  }
  const auto state = [](const char* verb, const char* unit) {
    const auto result = run_process(ProcessRequest{{"systemctl", "--user", verb, unit}, "", std::nullopt, std::chrono::seconds(5)});
    return result.out.substr(0, result.out.find('\n'));
  };
  const bool service = state("is-active", "vikunja-sync-worker.service") == "active";
  const bool timer = state("is-active", "vikunja-sync-drain.timer") == "active";
  if (service || timer) {
    checks.push_back(ok("worker unit", service ? "vikunja-sync-worker.service active" : "vikunja-sync-drain.timer active"));
  } else {
    checks.push_back(attention("worker unit", "neither vikunja-sync-worker.service nor vikunja-sync-drain.timer is active",
                               "`systemctl --user enable --now vikunja-sync-worker.service`"));
  }
  for (const char* unit : {"vikunja-sync-reconcile.timer", "vikunja-sync-webhook.service"}) {
    if (state("is-active", unit) == "active") {
      checks.push_back(ok(unit, "active"));
    } else {
      checks.push_back(attention(unit, "not active", fmt::format("`systemctl --user enable --now {}`", unit)));
    }
  }
  return checks;
}

const char* marker(Check::Result result) {
  switch (result) {
    case Check::Result::ok: return "ok";
    case Check::Result::attention: return "!!";
    case Check::Result::note: return "--";
  }
  return "?";
}

std::string_view to_string(Check::Result result) {
  switch (result) {
    case Check::Result::ok: return "ok";
    case Check::Result::attention: return "attention";
    case Check::Result::note: return "note";
  }
  return "?";
}

}  // namespace

std::vector<Check> run_checks(const DoctorInput& in) {
  std::vector<Check> checks{configuration(in)};
  std::vector<std::string> urls;
  if (in.receiver_url) {
    urls.push_back(*in.receiver_url);
  } else if (in.worker) {
    urls = in.worker->webhooks().receivers();
  }
  std::optional<std::vector<json>> projects;  // read when Vikunja answers to the token
  if (in.worker) {
    for (Check& check : server(in, urls, projects)) checks.push_back(std::move(check));
  }
  const QueueStatus status = read_status(in.store);
  for (Check& check : breakers(status, in.clock.now())) checks.push_back(std::move(check));
  for (Check& check : queue_health(in, status)) checks.push_back(std::move(check));
  for (Check& check : taskwarrior(in)) checks.push_back(std::move(check));
  if (auto series = recurrence(in)) checks.push_back(std::move(*series));
  checks.push_back(webhook_secret(in, urls, projects));
  if (projects) {
    if (auto deliveries = webhook_deliveries(in)) checks.push_back(std::move(*deliveries));
    try {
      for (Check& check : webhooks(in, urls, *projects)) checks.push_back(std::move(check));
    } catch (const JobStopped& stopped) {
      const bool not_permitted = stopped.outcome.reason == "authentication";
      checks.push_back(attention("project webhooks", stopped.outcome.error,
                                 not_permitted ? fmt::format("give the token the projects_webhooks permission (or make "
                                                             "one with {})", token_permissions)
                                               : std::string("see the Vikunja checks above")));
    }
  }
  for (Check& check : systemd_units()) checks.push_back(std::move(check));
  return checks;
}

bool all_well(const std::vector<Check>& checks) {
  return std::none_of(checks.begin(), checks.end(),
                      [](const Check& check) { return check.result == Check::Result::attention; });
}

std::string checks_text(const std::vector<Check>& checks) {
  std::string text;
  for (const Check& check : checks) {
    text += fmt::format("[{}] {:<22} {}\n", marker(check.result), check.name, check.detail);
    if (!check.fix.empty()) text += fmt::format("     {:<22} -> {}\n", "", check.fix);
  }
  text += all_well(checks) ? "all well\n" : "something needs attention (the lines marked !!)\n";
  return text;
}

nlohmann::json checks_json(const std::vector<Check>& checks) {
  json list = json::array();
  for (const Check& check : checks) {
    list.push_back({{"name", check.name}, {"result", to_string(check.result)}, {"detail", check.detail}, {"fix", check.fix}});
  }
  return json{{"version", 1}, {"healthy", all_well(checks)}, {"checks", list}};
}

}  // namespace vsync
