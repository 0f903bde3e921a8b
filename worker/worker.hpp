#pragma once
// A worker assembled from its parts: the claims on one queue, the Vikunja client with its
// reused connection, the task map, the push/delete handler and the webhook handler with its
// Taskwarrior runner. `vikunja-worker drain` and
// `run` drive one; tests drive several on one queue file with a FakeClock.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/clock.hpp"
#include "shared/queue_store.hpp"
#include "worker/drain.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/heartbeat.hpp"
#include "worker/queue/job_claims.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/remote/vikunja_client.hpp"
#include "worker/sync/conflict_log.hpp"
#include "worker/sync/link_locks.hpp"
#include "worker/sync/pair_sync.hpp"
#include "worker/sync/reconcile.hpp"
#include "worker/sync/reconcile_marks.hpp"
#include "worker/sync/series_sync.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/taskwarrior_sync.hpp"
#include "worker/sync/vikunja_push.hpp"
#include "worker/sync/vikunja_tasks.hpp"
#include "worker/webhook_registration.hpp"
#include "worker/worker_config.hpp"

namespace vsync {

// Settings read anew while the worker runs (settings_watch.hpp), by variable name.
struct SettingsChange {
  std::vector<std::string> applied;       // took effect now
  std::vector<std::string> need_restart;  // changed, but take effect when the worker starts again
};

class Worker final : private JobHandler {
 public:
  // Throws Error(config) unless the configuration gives Vikunja's URL and a token.
  Worker(QueueStore& store, const WorkerConfig& config, const Clock& clock, Logger& log,
         std::string owner = default_owner());

  DrainStats drain(const std::function<bool()>& should_stop = [] { return false; });
  std::optional<UnixMillis> next_wake() { return claims_.next_wake(); }
  // Plans the jobs that bring both sides together (reconcile.hpp) and, unless `dry_run`,
  // queues them. Throws Error(temp_fail) while a breaker pauses Vikunja or Taskwarrior (not
  // for a mass delete), or when a side cannot be read (the failure counts on its breaker, as a
  // job's would). A plan that deletes too many pauses the receiving target (delete_guard.hpp),
  // unless `allow_deletes`: then every delete queued so far goes ahead. A full pass or one over
  // changes only, as reconcile_marks.hpp decides.
  ReconcilePlan reconcile(const ReconcileRequest& request = {});
  // Forgets the links whose Vikunja task Vikunja no longer has (it lost them), clearing their
  // vikunja_id in Taskwarrior, so that the next reconcile queues those tasks anew; the deletes
  // held back for them finish without deleting. Returns how many links were forgotten.
  int relink();
  // Vikunja's URL, the token and the webhook secret take effect now; the others at a restart.
  SettingsChange use_settings(const WorkerConfig& fresh);
  // Registering the sync's webhooks in Vikunja (webhook_registration.hpp); reconcile also
  // registers them on projects made since, and a drain on the projects it made.
  WebhookRegistration& webhooks() { return webhooks_; }
  VikunjaClient& vikunja() { return client_; }  // for doctor's checks

  long long requests_sent() const { return client_.requests_sent(); }
  long long task_processes() const { return task_.processes_started(); }

  static std::string default_owner();  // this process's WorkerIdentity

  // systemd's watchdog: called from the heartbeat at most every `period`, also in long drains.
  void keep_alive_with(std::function<void()> keep_alive, UnixMillis period);

 private:
  JobOutcome run(const ClaimedJob& job) override;  // the outcome, with the targets it reached
  JobOutcome run_handler(const ClaimedJob& job);   // push/delete to Vikunja, webhooks to task
  void record_counters(double drain_seconds, const DrainStats& stats);  // for `vikunja-worker metrics`
  void register_webhooks_on_new_projects();
  void hold_mass_deletes(ReconcilePlan& plan, bool dry_run);

  QueueStore& store_;
  WorkerConfig config_;  // as the worker uses it now
  const Clock& clock_;
  Logger& log_;
  VikunjaClient client_;
  TaskMap task_map_;
  LinkLocks locks_;
  TaskRunner task_;
  VikunjaTasks vikunja_;
  ConflictLog conflicts_;
  DeleteGuard deletes_;
  PairSync pair_;
  SeriesSync series_;
  VikunjaPush push_;
  TaskwarriorSync taskwarrior_;
  Reconcile reconcile_;
  ReconcileMarks reconcile_marks_;
  JobClaims claims_;
  Heartbeat heartbeat_;
  WebhookRegistration webhooks_;
  std::optional<std::string> webhook_secret_;
  std::map<std::string, long long> outcomes_recorded_;  // what the counters table already has
  long long task_runs_recorded_ = 0;
  long long projects_with_webhooks_ = 0;  // projects this process created and gave webhooks
  std::optional<UnixMillis> last_delivery_;  // a receiver's webhook job last run
};

BreakerPolicy breaker_policy(const WorkerConfig& config);

}  // namespace vsync
