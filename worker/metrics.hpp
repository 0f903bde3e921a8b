#pragma once
// Counters kept in the queue (table counters) and `vikunja-worker metrics`: the queue, the
// breakers and those counters in Prometheus' text exposition format, for node_exporter's
// textfile collector.

#include <string>
#include <vector>

#include "shared/clock.hpp"
#include "shared/queue_store.hpp"

namespace vsync {

struct CounterDelta {
  std::string name;   // e.g. "http_requests_total"
  std::string label;  // e.g. "2xx"; "" when the counter has none
  double value;
  bool replace = false;  // a gauge: set instead of add
};

// One transaction.
void add_counters(QueueStore& store, const std::vector<CounterDelta>& deltas);

std::string prometheus_metrics(QueueStore& store, UnixMillis now);

}  // namespace vsync
