#include "worker/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "shared/command_line.hpp"
#include "shared/error.hpp"

namespace vsync::worker {

const char* const usage_text = R"usage(Usage: vikunja-worker [--db PATH] COMMAND [ARGS]

Drains the vikunja-sync queue: Taskwarrior changes (push and delete jobs) go to the Vikunja
API, Vikunja webhooks (webhook jobs) go to Taskwarrior. Failures are retried later by a due time with backoff; a circuit breaker kept in the
queue pauses a target that is down, for every process that opens the queue.

Commands:
  drain                      run every due job, then exit (for a systemd timer); never waits
                             for a backoff or a breaker window
  run                        drain, then wait (no CPU) for new jobs, the next due time or the
                             breaker's retry time; SIGTERM/SIGINT finish the current job, exit 0
  reconcile [--dry-run] [--allow-deletes] [--full] [--include-completed]
                             queue the jobs that bring both sides together: changes and
                             deletes whose events were lost, tasks on one side only (the first
                             run links same-title pairs), tasks completed since the sync
                             began; reads only what changed since the last reconcile, both
                             sides in full once a day; with --dry-run print them and change
                             nothing; --allow-deletes confirms the deletes the mass-delete
                             guard holds back; --full reads everything now;
                             --include-completed also carries completed tasks of any age
  relink                     after Vikunja lost the linked tasks (a reinstall, an old backup,
                             another instance): forget the links whose Vikunja task is gone,
                             nothing deleted on either side, and queue their tasks anew
  status [--json]            breakers, job counts, oldest pending age, next due time, dead
                             jobs and every setting with its origin; exit 1 when a breaker is
                             open or dead jobs exist
  metrics                    the queue, breakers and counters in Prometheus text format (for
                             node_exporter's textfile collector)
  config                     every setting with its value and where it came from (the
                             environment file, the process environment, defaults)
  doctor [--json] [--url URL]
                             check the whole setup and say, for each problem, what to do:
                             configuration, Vikunja reachable and the token accepted, the
                             server's version and its webhook caveats, breakers, the queue,
                             the Taskwarrior hooks, the webhook secret, each project's webhook
                             (for URL, or the one `webhooks install` registered), the systemd
                             units; exit 0 all well, 1 something needs attention, 78 no
                             URL or token (the other checks still listed)
  webhooks install --url URL register on every project a webhook for task.created,
                             task.updated and task.deleted to URL with the configured secret;
                             a second run changes nothing, and projects made later get one at
                             the next reconcile
  webhooks list              every project's webhooks, and which ones `install` registered
  webhooks remove --url URL  delete the webhooks for URL from every project
  retry ID... | --dead       make dead jobs pending again, due now, attempts reset
  purge [--older-than DAYS]  delete done jobs older than DAYS (default 7)
  breaker reset [TARGET]     close the breaker of TARGET (vikunja, taskwarrior) or of both

Options:
  --db PATH   the queue (default: $VIKUNJA_SYNC_DB, else
              ${XDG_STATE_HOME:-$HOME/.local/state}/vikunja-sync/queue.db)
  --json      status or doctor as JSON (schema version 1, see README)
  --url URL   the webhook receiver's URL, as Vikunja reaches it
  --dry-run   reconcile: print what it would queue, change nothing
  --allow-deletes
              reconcile: let the deletes held back as a mass delete go ahead
  --full      reconcile: read both sides in full, whenever the last full pass was
  --include-completed
              reconcile: carry over completed tasks never linked, however old
  -h, --help  show this help
  --version   show the version

Environment:
  VIKUNJA_URL                       Vikunja's base URL, e.g. https://vikunja.example.com
  VIKUNJA_API_TOKEN                 API token; or VIKUNJA_API_TOKEN_FILE, a file holding it
  VIKUNJA_DEFAULT_PROJECT           project for tasks without one (inbox)
  VIKUNJA_SYNC_BREAKER_THRESHOLD    consecutive failures that open the breaker (3)
  VIKUNJA_SYNC_BREAKER_RECOVERY     seconds the breaker stays open before a probe (60)
  VIKUNJA_SYNC_MAX_ATTEMPTS         attempts before a job is dead (10)
  VIKUNJA_SYNC_BACKOFF_BASE         first retry delay in seconds (5), doubled per attempt
  VIKUNJA_SYNC_BACKOFF_CAP          longest retry delay in seconds (3600)
  VIKUNJA_SYNC_HTTP_TIMEOUT         seconds for one HTTP request (30)
  VIKUNJA_SYNC_TASK_BIN             the task binary (task); TASKRC and TASKDATA are passed
                                    through
  VIKUNJA_SYNC_CONFLICT             a field changed on both sides: newest (default),
                                    taskwarrior or vikunja
  VIKUNJA_SYNC_MASS_DELETE_COUNT    deletes within an hour held back as a mass delete when
                                    more than this many (5; 0: never) ...
  VIKUNJA_SYNC_MASS_DELETE_PERCENT  ... and more than this percentage of the links (20)
  VIKUNJA_SYNC_LOG_LEVEL            error, warning, notice, info (default) or debug
  VIKUNJA_SYNC_DB                   the queue file (absolute path)
  VIKUNJA_WEBHOOK_SECRET            the webhook secret; or VIKUNJA_WEBHOOK_SECRET_FILE
  VIKUNJA_SYNC_ENV_FILE             the environment file (default
                                    ${XDG_CONFIG_HOME:-$HOME/.config}/vikunja-sync/env), read
                                    under the process environment

Examples:
  vikunja-worker drain
  vikunja-worker status --json | jq .breakers
  vikunja-worker retry --dead
  vikunja-worker metrics > /var/lib/prometheus/node-exporter/vikunja-sync.prom.$$ &&
    mv /var/lib/prometheus/node-exporter/vikunja-sync.prom.$$ /var/lib/prometheus/node-exporter/vikunja-sync.prom

Exit status:
  0 ok   1 status or doctor: something needs attention   64 usage   65 webhooks: Vikunja refused
  the request   66 no queue at the path
  (read-only and admin commands)   70 internal error   73 cannot create or open the queue
  74 queue I/O error   75 queue busy, or Vikunja unreachable or paused (reconcile, webhooks)
  78 bad configuration (doctor: also no URL or token)
)usage";

namespace {

[[noreturn]] void usage_error(const std::string& problem) { throw_usage_error("vikunja-worker", problem); }

template <typename Number>
Number parse_number(std::string_view text, std::string_view what) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) {
    usage_error(fmt::format("{} '{}' is not a non-negative number", what, text));
  }
  return value;
}

Command parse_command(const std::vector<std::string_view>& words) {
  const std::string_view word = words.front();
  if (word == "drain") return Command::drain;
  if (word == "run") return Command::run;
  if (word == "reconcile") return Command::reconcile;
  if (word == "relink") return Command::relink;
  if (word == "status") return Command::status;
  if (word == "metrics") return Command::metrics;
  if (word == "config") return Command::config;
  if (word == "doctor") return Command::doctor;
  if (word == "webhooks") {
    const std::string_view sub = words.size() < 2 ? "" : words[1];
    if (sub == "install") return Command::webhooks_install;
    if (sub == "list") return Command::webhooks_list;
    if (sub == "remove") return Command::webhooks_remove;
    usage_error("the webhooks command is `webhooks install|list|remove`");
  }
  if (word == "retry") return Command::retry;
  if (word == "purge") return Command::purge;
  if (word == "breaker") {
    if (words.size() < 2 || words[1] != "reset") usage_error("the breaker command is `breaker reset [TARGET]`");
    return Command::breaker_reset;
  }
  usage_error(fmt::format("unknown command '{}'", word));
}

}  // namespace

Options parse_options(std::span<char*> argv) {
  enum LongOnly { db = 1000, json, dead, older_than, dry_run, url, allow_deletes, full, include_completed };
  Options options;
  bool older_than_given = false;
  const CommandLine line = parse_command_line(
      "vikunja-worker", argv,
      {{"db", required_argument, nullptr, db},
       {"json", no_argument, nullptr, json},
       {"dead", no_argument, nullptr, dead},
       {"older-than", required_argument, nullptr, older_than},
       {"dry-run", no_argument, nullptr, dry_run},
       {"allow-deletes", no_argument, nullptr, allow_deletes},
       {"full", no_argument, nullptr, full},
       {"include-completed", no_argument, nullptr, include_completed},
       {"url", required_argument, nullptr, url}},
      [&](int id, const char* value) {
        switch (id) {
          case db: options.db = value; break;
          case json: options.json = true; break;
          case dead: options.all_dead = true; break;
          case dry_run: options.dry_run = true; break;
          case allow_deletes: options.allow_deletes = true; break;
          case full: options.full = true; break;
          case include_completed: options.include_completed = true; break;
          case url: options.url = value; break;
          case older_than:
            options.older_than_days = parse_number<double>(value, "--older-than");
            older_than_given = true;
            break;
        }
      });
  if (line.help || line.version) {
    options.command = line.help ? Command::help : Command::version;
    return options;
  }
  const std::vector<std::string_view>& words = line.words;
  if (words.empty()) usage_error("no command given");
  options.command = parse_command(words);
  const bool two_words = options.command == Command::breaker_reset || options.command == Command::webhooks_install ||
                         options.command == Command::webhooks_list || options.command == Command::webhooks_remove;
  std::vector<std::string_view> rest(words.begin() + (two_words ? 2 : 1), words.end());

  const auto refuse = [&](bool given, std::string_view option, std::string_view command) {
    if (given) usage_error(fmt::format("{} is only for {}", option, command));
  };
  refuse(options.json && options.command != Command::status && options.command != Command::doctor, "--json",
         "status and doctor");
  refuse(options.url && options.command != Command::webhooks_install && options.command != Command::webhooks_remove &&
             options.command != Command::doctor,
         "--url", "webhooks install, webhooks remove and doctor");
  if (!options.url && (options.command == Command::webhooks_install || options.command == Command::webhooks_remove)) {
    usage_error("webhooks install and remove need --url URL, the receiver's URL as Vikunja reaches it");
  }
  refuse(options.all_dead && options.command != Command::retry, "--dead", "retry");
  refuse(older_than_given && options.command != Command::purge, "--older-than", "purge");
  refuse(options.dry_run && options.command != Command::reconcile, "--dry-run", "reconcile");
  refuse(options.allow_deletes && options.command != Command::reconcile, "--allow-deletes", "reconcile");
  refuse(options.full && options.command != Command::reconcile, "--full", "reconcile");
  refuse(options.include_completed && options.command != Command::reconcile, "--include-completed", "reconcile");
  if (options.allow_deletes && options.dry_run) usage_error("--allow-deletes changes what --dry-run must not");

  switch (options.command) {
    case Command::retry:
      for (std::string_view id : rest) options.job_ids.push_back(parse_number<std::int64_t>(id, "job id"));
      if (options.job_ids.empty() == !options.all_dead) usage_error("retry takes job ids or --dead");
      return options;
    case Command::breaker_reset:
      if (rest.size() > 1) usage_error(fmt::format("unexpected argument '{}'", rest[1]));
      if (!rest.empty()) {
        const auto* target = std::find_if(std::begin(all_targets), std::end(all_targets),
                                          [&](Target each) { return to_string(each) == rest[0]; });
        if (target == std::end(all_targets)) {
          usage_error(fmt::format("unknown target '{}'; expected vikunja or taskwarrior", rest[0]));
        }
        options.target = *target;
      }
      return options;
    default:
      if (!rest.empty()) usage_error(fmt::format("unexpected argument '{}'", rest[0]));
      return options;
  }
}

}  // namespace vsync::worker
