#include "worker/metrics.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "worker/queue/on_queue.hpp"
#include "worker/queue_status.hpp"

namespace vsync {

void add_counters(QueueStore& store, const std::vector<CounterDelta>& deltas) {
  SQLite::Database& db = store.database();
  on_queue(db, "update counters", [&] {
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upsert(db,
                             "INSERT INTO counters (name, label, value) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (name, label) DO UPDATE SET value = CASE WHEN ?4 THEN ?3 "
                             "ELSE value + ?3 END");
    for (const CounterDelta& delta : deltas) {
      upsert.bind(1, delta.name);
      upsert.bind(2, delta.label);
      upsert.bind(3, delta.value);
      upsert.bind(4, delta.replace ? 1 : 0);
      upsert.exec();
      upsert.reset();
    }
    transaction.commit();
  });
}

namespace {

class Exposition {
 public:
  void family(const std::string& name, const char* type, const char* help) {
    text_ += fmt::format("# HELP vikunja_sync_{} {}\n# TYPE vikunja_sync_{} {}\n", name, help, name, type);
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    text_ += fmt::format("vikunja_sync_{}{}{}{} {}\n", name, labels.empty() ? "" : "{", labels,
                         labels.empty() ? "" : "}", value);
  }
  std::string text() const { return text_; }

 private:
  std::string text_;
};

// Label values are our own enum spellings and counter labels: no quoting needed beyond "".
std::string label(const char* name, const std::string& value) { return fmt::format("{}=\"{}\"", name, value); }

std::string exposition(const QueueStatus& status, SQLite::Database& db, UnixMillis now) {
  Exposition out;

  out.family("jobs", "gauge", "Jobs in the queue by target and state.");
  for (Target target : all_targets) {
    for (JobState state : all_job_states) {
      out.sample("jobs", label("target", std::string(to_string(target))) + "," + label("state", std::string(to_string(state))),
                 status.count(target, state));
    }
  }
  out.family("job_attempts", "gauge", "Attempts recorded on the jobs in the queue, by target and state.");
  SQLite::Statement attempts(db, "SELECT target, state, attempts FROM job_counts ORDER BY 1, 2");
  while (attempts.executeStep()) {
    out.sample("job_attempts", label("target", attempts.getColumn(0).getString()) + "," +
                                   label("state", attempts.getColumn(1).getString()),
               attempts.getColumn(2).getDouble());
  }
  out.family("oldest_pending_age_seconds", "gauge", "Age of the oldest pending job (0 when none).");
  out.sample("oldest_pending_age_seconds", "",
             status.oldest_pending_created ? (now - *status.oldest_pending_created) / 1000.0 : 0);
  out.family("dead_jobs", "gauge", "Jobs that failed for good and wait for `vikunja-worker retry`.");
  out.sample("dead_jobs", "", status.dead_total);

  out.family("conflicts_total", "counter", "Fields changed on both sides, decided by VIKUNJA_SYNC_CONFLICT.");
  out.sample("conflicts_total", "", status.conflicts_total);

  out.family("breaker_state", "gauge", "The circuit breaker per target: 1 for its current state.");
  for (const BreakerRow& row : status.breakers) {
    for (BreakerState state : {BreakerState::closed, BreakerState::open, BreakerState::half_open}) {
      out.sample("breaker_state", label("target", std::string(to_string(row.target))) + "," +
                                      label("state", std::string(to_string(state))),
                 row.state == state ? 1 : 0);
    }
  }
  out.family("breaker_transitions_total", "counter", "State changes of the circuit breaker per target.");
  for (const BreakerRow& row : status.breakers) {
    out.sample("breaker_transitions_total", label("target", std::string(to_string(row.target))),
               static_cast<double>(row.transitions));
  }

  struct Family {
    const char* name;
    const char* type;
    const char* help;
    const char* label_name;
  };
  for (const Family& family : {
           Family{"drains_total", "counter", "Drains that ran at least one job.", nullptr},
           Family{"drain_duration_seconds_total", "counter", "Time spent in drains that ran at least one job.", nullptr},
           Family{"last_drain_duration_seconds", "gauge", "Duration of the most recent drain that ran a job.", nullptr},
           Family{"last_drain_timestamp_seconds", "gauge", "When the most recent drain that ran a job ended (Unix time).", nullptr},
           Family{"last_reconcile_timestamp_seconds", "gauge", "When the most recent reconcile queued its plan (Unix time).", nullptr},
           Family{"http_requests_total", "counter", "Requests to Vikunja by outcome (2xx, 4xx, 5xx, error, ...).", "outcome"},
           Family{"task_runs_total", "counter", "Taskwarrior processes run for webhook jobs.", nullptr},
           Family{"link_lock_waits_total", "counter",
                  "Jobs that waited for another job deciding how a task of the same title is linked.", nullptr}}) {
    out.family(family.name, family.type, family.help);
    SQLite::Statement counters(db, "SELECT label, value FROM counters WHERE name = ? ORDER BY label");
    counters.bind(1, family.name);
    bool any = false;
    while (counters.executeStep()) {
      const std::string value_label = counters.getColumn(0).getString();
      out.sample(family.name, family.label_name && !value_label.empty() ? label(family.label_name, value_label) : "",
                 counters.getColumn(1).getDouble());
      any = true;
    }
    if (!any && !family.label_name) out.sample(family.name, "", 0);
  }
  return out.text();
}

}  // namespace

std::string prometheus_metrics(QueueStore& store, UnixMillis now) {
  const QueueStatus status = read_status(store);
  SQLite::Database& db = store.database();
  return on_queue(db, "read the metrics", [&] { return exposition(status, db, now); });
}

}  // namespace vsync
