#pragma once
// A Taskwarrior recurring series and its one Vikunja repeating task (recurrence.hpp). The
// Vikunja task is linked to the series' current instance, the pending one due first. When that
// instance is completed on either side, Vikunja moves its task to the next date and keeps it
// open, and the link moves to the series' next pending instance; Taskwarrior makes that instance
// only once the current period has begun, so until then the link rests on the series' template
// and nothing is applied. A completed instance is never linked again, so never reopened.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "worker/log/logger.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/pair_sync.hpp"
#include "worker/sync/recurrence.hpp"
#include "worker/sync/task_map.hpp"

namespace vsync {

// What a push of an instance that is not linked does.
struct InstancePlacement {
  std::optional<TaskLink> link;      // the series' Vikunja task takes it: the link moved to it
  std::optional<std::string> skip;   // not synced, and why
  bool moved_from_template = false;  // Vikunja's changes while it waited are still to merge
};

class SeriesSync {
 public:
  using json = nlohmann::json;

  SeriesSync(PairSync& pair, VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, const Clock& clock,
             Logger& log);

  // An unlinked Taskwarrior task that is an instance of a series: linked when the series' link
  // waits on its template, skipped when another instance is the current one or when it is
  // completed; neither for a new series (the push creates or links it as any task).
  InstancePlacement place(const std::string& tw_uuid, const json& instance);

  // After a merge of the linked instance (`merged`: as the job had it): a completion it marked
  // done in Vikunja, which repeated the task, moves the link on.
  void after_merge(const std::string& tw_uuid, const json& merged);

  // Whether the link rests on the series' template: nothing to apply until the next instance.
  static bool waits_for_instance(const json& taskwarrior);

  // The linked Vikunja task was marked done in Vikunja since the link last applied it (Vikunja
  // repeated it): the instance is completed too, unless it already is, and the link moves on.
  // True when it did: nothing else is to be merged (a merge would mark it done once more).
  bool repeated_in_vikunja(const TaskLink& link, const json& vikunja, const json& taskwarrior);
  // The linked instance is completed and its Vikunja task repeats, open: the link moves on.
  // Never merged instead: Vikunja's open task would reopen the completed instance.
  bool follows_completion(const TaskLink& link, const json& vikunja, const json& taskwarrior);

  // The linked instance was deleted in Taskwarrior while its series goes on: one occurrence
  // skipped. The link moves on (the series' task stays); true when it did.
  bool skipped_occurrence(const TaskLink& link, const json& deleted);

  // The Vikunja create of a series' instance repeats as the series does, when Vikunja can.
  std::optional<Repeat> repeat_for(const std::string& tw_uuid, const json& instance);

 private:
  std::vector<json> instances(const std::string& series);
  InstancePlacement take_from_template(const std::string& tw_uuid, const json& instance, const TaskLink& waiting);
  bool holds_series_task(const json& linked);
  bool ended(const std::string& series, std::optional<UnixMillis> next_due);
  void follow(const TaskLink& link, const std::string& series, const json& vikunja_now);

  PairSync& pair_;
  VikunjaTasks& vikunja_;
  TaskRunner& task_;
  TaskMap& task_map_;
  const Clock& clock_;
  Logger& log_;
};

}  // namespace vsync
