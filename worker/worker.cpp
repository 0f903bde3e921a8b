#include "worker/worker.hpp"

#include <unistd.h>

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/timestamp.hpp"
#include "worker/metrics.hpp"
#include "worker/queue/on_queue.hpp"
#include "worker/queue_admin.hpp"

namespace vsync {

namespace {

// A webhook job queued by the receiver, not by a reconcile (whose body says it sent it).
bool delivered_by_receiver(const ClaimedJob& job) {
  const nlohmann::json body = nlohmann::json::parse(job.payload, nullptr, false);
  return body.is_object() && !body.contains("sent_by");
}

VikunjaClient make_client(const WorkerConfig& config, const Clock& clock) {
  require_vikunja_access(config);
  return VikunjaClient(config.vikunja_url->value,
                       HttpClient(config.http_timeout.value, config.api_token->value), clock);
}

}  // namespace

BreakerPolicy breaker_policy(const WorkerConfig& config) {
  return BreakerPolicy{config.breaker_threshold.value, config.breaker_recovery.value,
                       config.max_recovery(), config.lease()};
}

std::string Worker::default_owner() { return WorkerIdentity::of_this_process().owner(); }

Worker::Worker(QueueStore& store, const WorkerConfig& config, const Clock& clock, Logger& log,
               std::string owner)
    : store_(store),
      config_(config),
      clock_(clock),
      log_(log),
      client_(make_client(config, clock)),
      task_map_(store.database(), clock),
      locks_(store.database(), clock, owner),
      task_(config.task_bin.value, config.http_timeout.value, task_environment(config)),
      vikunja_(client_, config.default_project.value, log, config.default_project.origin == "default"),
      conflicts_(store.database(), clock, log),
      deletes_(store.database(), clock, DeletePolicy{config.mass_delete_count.value, config.mass_delete_percent.value}),
      pair_(vikunja_, task_, task_map_, conflicts_, deletes_, clock,
            SyncSettings{config.default_project.value, config.conflict_rule.value}, log),
      series_(pair_, vikunja_, task_, task_map_, clock, log),
      push_(pair_, series_, vikunja_, task_map_, locks_, log),
      taskwarrior_(pair_, series_, vikunja_, task_map_, locks_, store, log),
      reconcile_(vikunja_, task_, task_map_, store, config.default_project.value, clock),
      reconcile_marks_(store.database()),
      claims_(store, clock, breaker_policy(config),
              ClaimPolicy{config.lease(), config.max_attempts.value},
              Backoff(config.backoff_base.value, config.backoff_cap.value), log, owner,
              {Target::vikunja, Target::taskwarrior}),
      heartbeat_(store.path(), clock, owner, HeartbeatPolicy{config.lease(), config.lease_renewal(), std::nullopt}),
      webhooks_(client_, store.database(), clock) {
  if (config.webhook_secret) webhook_secret_ = config.webhook_secret->value;
  client_.on_progress([this] { heartbeat_.tick(); });
  task_.on_progress([this] { heartbeat_.tick(); });
}

SettingsChange Worker::use_settings(const WorkerConfig& fresh) {
  SettingsChange change;
  const auto value = [](const auto& setting) { return setting ? std::optional(setting->value) : std::nullopt; };
  const bool url_changed = value(fresh.vikunja_url) != value(config_.vikunja_url);
  const bool token_changed = value(fresh.api_token) != value(config_.api_token);
  if ((url_changed || token_changed) && fresh.vikunja_url && fresh.api_token) {
    client_.set_access(fresh.vikunja_url->value, fresh.api_token->value);
    config_.vikunja_url = fresh.vikunja_url;
    config_.api_token = fresh.api_token;
    if (url_changed) {
      vikunja_.forget_cached();  // another server's project and label ids
      change.applied.push_back("VIKUNJA_URL");
    }
    if (token_changed) change.applied.push_back("VIKUNJA_API_TOKEN");
  }
  if (value(fresh.webhook_secret) != value(config_.webhook_secret)) {
    webhook_secret_ = value(fresh.webhook_secret);
    config_.webhook_secret = fresh.webhook_secret;
    change.applied.push_back("VIKUNJA_WEBHOOK_SECRET");
  }
  const std::vector<SettingRow> now = describe_settings(config_);
  const std::vector<SettingRow> read = describe_settings(fresh);
  for (std::size_t i = 0; i < now.size() && i < read.size(); ++i) {
    if (now[i].value != read[i].value) change.need_restart.push_back(now[i].name);
  }
  return change;
}

void Worker::keep_alive_with(std::function<void()> keep_alive, UnixMillis period) {
  heartbeat_.keep_alive_with(std::move(keep_alive), period);
}

JobOutcome Worker::run(const ClaimedJob& job) {
  heartbeat_.lease_taken();
  const long long requests = client_.requests_sent();
  const long long processes = task_.processes_started();
  JobOutcome outcome;
  try {
    outcome = run_handler(job);
  } catch (...) {
    // Classified here, not in the drain, so that what the job reached is known for every
    // outcome: a breaker learns only from calls that were made.
    outcome = outcome_of_current_exception();
  }
  outcome.reached.emplace();
  if (job.kind == JobKind::webhook && delivered_by_receiver(job)) last_delivery_ = clock_.now();
  if (client_.requests_sent() != requests) outcome.reached->push_back(Target::vikunja);
  if (task_.processes_started() != processes) outcome.reached->push_back(Target::taskwarrior);
  return outcome;
}

JobOutcome Worker::run_handler(const ClaimedJob& job) {
  JobHandler& handler = job.target == Target::taskwarrior ? static_cast<JobHandler&>(taskwarrior_) : push_;
  try {
    return handler.run(job);
  } catch (const JobStopped& stopped) {
    // A project (3001) or label (8002) deleted in Vikunja since we cached its id: look again.
    const bool stale_cache = stopped.outcome.error.find("(code 3001)") != std::string::npos ||
                             stopped.outcome.error.find("(code 8002)") != std::string::npos;
    if (stopped.outcome.kind != JobOutcome::Kind::dead || !stale_cache || !vikunja_.has_cached()) throw;
    vikunja_.forget_cached();
    return handler.run(job);
  }
}

DrainStats Worker::drain(const std::function<bool()>& should_stop) {
  const auto started = std::chrono::steady_clock::now();
  const DrainStats stats =
      on_queue(store_.database(), "claim and settle jobs", [&] { return vsync::drain(claims_, *this, log_, should_stop); });
  // An idle drain writes nothing: `run` is woken by writes to the queue, its own included.
  if (stats.total() > 0) {
    record_counters(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), stats);
  }
  // A project this drain made for a task gets the webhooks now: until the next reconcile its
  // tasks' changes in Vikunja would otherwise wait for that reconcile.
  if (vikunja_.projects_created() != projects_with_webhooks_) {
    projects_with_webhooks_ = vikunja_.projects_created();
    register_webhooks_on_new_projects();
  }
  const int purged = purge_done_jobs(store_, clock_.now() - done_retention, purge_batch_per_drain);
  if (purged > 0) log_.log(LogLevel::debug, "done jobs purged", "count={}", purged);
  // vikunja-enqueue leaves its commits in the WAL; this is where they reach the database file.
  if (stats.total() > 0 || purged > 0) store_.checkpoint();
  return stats;
}

ReconcilePlan Worker::reconcile(const ReconcileRequest& request) {
  const bool dry_run = request.dry_run;
  const bool allow_deletes = request.allow_deletes;
  const std::vector<Target> called{Target::vikunja, Target::taskwarrior};
  // A mass delete held back is no outage: reading both sides is what the user needs now.
  if (const auto blocked = claims_.blocked(called, mass_delete_reason)) {
    throw Error(ExitCode::temp_fail, fmt::format("reconcile skipped: the {} breaker pauses calls until {}",
                                                 blocked->first, format_rfc3339(blocked->second)));
  }
  ReconcilePlan plan;
  const UnixMillis started = clock_.now();
  const ReconcileScope scope = reconcile_marks_.scope_for(request, started);
  try {
    plan = reconcile_.plan(scope);
  } catch (const JobStopped& stopped) {
    claims_.record_outside_job(called, stopped.outcome);
    throw Error(ExitCode::temp_fail, fmt::format("reconcile: {}", stopped.outcome.error));
  }
  claims_.record_outside_job(called, JobOutcome::done());
  if (!allow_deletes) hold_mass_deletes(plan, dry_run);
  if (!dry_run) {
    reconcile_.apply(plan);
    if (allow_deletes) {
      deletes_.confirm();
      reset_breakers_paused_for(store_, mass_delete_reason, clock_.now(), log_);
    }
    reconcile_marks_.record(plan, started, clock_.now());
    add_counters(store_, {{"last_reconcile_timestamp_seconds", "", clock_.now() / 1000.0, true}});
    register_webhooks_on_new_projects();
  }
  log_.log(LogLevel::info, "reconcile",
           "kind={} dry_run={} taskwarrior_read={} vikunja_read={} jobs={} agreeing_pairs={} left_alone={} held_back={} "
           "completed_skipped={}",
           plan.kind, dry_run, plan.taskwarrior_tasks, plan.vikunja_tasks, plan.jobs.size(), plan.agreeing_pairs,
           plan.left_alone.size(), plan.held_back.size(), plan.completed_skipped);
  return plan;
}

// Before the plan is queued, so that no worker draining meanwhile deletes a first few.
void Worker::hold_mass_deletes(ReconcilePlan& plan, bool dry_run) {
  for (const Side vanished_in : {Side::vikunja, Side::taskwarrior}) {
    const auto why = deletes_.hold_planned(vanished_in, plan.deletes(vanished_in));
    if (!why) continue;
    plan.held_back.push_back(*why);
    if (dry_run) continue;
    const Target receiving = receiving_target(vanished_in);
    log_.log(LogLevel::warning, "deletes held back", "target={} reason={}", receiving, log_quote(*why));
    claims_.record_outside_job({receiving}, JobOutcome::paused(mass_delete_reason, clock_.now() + mass_delete_pause, *why)
                                                .on(receiving));
  }
}

int Worker::relink() {
  int forgotten = 0;
  try {
    std::map<std::int64_t, std::optional<UnixMillis>> listed;  // id -> created
    for (const nlohmann::json& task : vikunja_.all()) listed.emplace(id_of(task), created_of(task));
    for (const TaskLink& link : task_map_.all_links()) {
      const auto found = listed.find(link.vikunja_id);
      if (found != listed.end() && is_linked_task(link, found->second)) continue;
      // Not listed is not yet gone (an archived project is not listed): ask for the task.
      if (found == listed.end() && pair_.linked_vikunja_task(link)) continue;
      pair_.unlink(link);
      ++forgotten;
    }
  } catch (const JobStopped& stopped) {
    claims_.record_outside_job({Target::vikunja, Target::taskwarrior}, stopped.outcome);
    throw Error(ExitCode::temp_fail, fmt::format("relink: {}", stopped.outcome.error));
  }
  reset_breakers_paused_for(store_, mass_delete_reason, clock_.now(), log_);
  log_.log(LogLevel::info, "relinked", "links_forgotten={}", forgotten);
  return forgotten;
}

// Projects made since `webhooks install` get the same webhook. A failure here is logged, never
// the reconcile's or the drain's: their jobs are queued or settled already.
void Worker::register_webhooks_on_new_projects() {
  if (!webhook_secret_) return;
  try {
    for (const ProjectWebhook& added : webhooks_.register_new_projects(*webhook_secret_)) {
      log_.log(LogLevel::info, "webhook registered", "project_id={} project={} change={}", added.project_id,
               log_quote(added.project_title), log_quote(to_string(added.change)));
    }
  } catch (const JobStopped& stopped) {
    log_.log(LogLevel::warning, "webhook registration failed", "error={}", log_quote(stopped.outcome.error));
  }
}

void Worker::record_counters(double drain_seconds, const DrainStats& stats) {
  std::vector<CounterDelta> deltas{{"drains_total", "", 1},
                                   {"drain_duration_seconds_total", "", drain_seconds},
                                   {"last_drain_duration_seconds", "", drain_seconds, true},
                                   {"last_drain_timestamp_seconds", "", clock_.now() / 1000.0, true},
                                   {"task_runs_total", "", static_cast<double>(task_.processes_started() - task_runs_recorded_)}};
  if (stats.waited > 0) deltas.push_back({"link_lock_waits_total", "", static_cast<double>(stats.waited)});
  // Kept beyond the purge of done jobs: doctor tells lost deliveries by it.
  if (last_delivery_) deltas.push_back({"last_delivery_timestamp_seconds", "", *last_delivery_ / 1000.0, true});
  for (const auto& [outcome, count] : client_.outcomes()) {
    if (count != outcomes_recorded_[outcome]) {
      deltas.push_back({"http_requests_total", outcome, static_cast<double>(count - outcomes_recorded_[outcome])});
    }
  }
  add_counters(store_, deltas);
  outcomes_recorded_ = client_.outcomes();
  task_runs_recorded_ = task_.processes_started();
}

}  // namespace vsync
