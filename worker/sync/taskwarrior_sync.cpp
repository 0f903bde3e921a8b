#include "worker/sync/taskwarrior_sync.hpp"

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/webhook_event.hpp"

namespace vsync {

namespace {

void skipped(Logger& log, const ClaimedJob& job, std::string_view reason) {
  log.log(LogLevel::info, "webhook skipped", "id={} key={} reason={}", job.id, job.key, log_quote(reason));
}

}  // namespace

TaskwarriorSync::TaskwarriorSync(PairSync& pair, SeriesSync& series, VikunjaTasks& vikunja, TaskMap& task_map,
                                 LinkLocks& locks, QueueStore& store, Logger& log)
    : pair_(pair), series_(series), vikunja_(vikunja), task_map_(task_map), locks_(locks), store_(store), log_(log) {}

void TaskwarriorSync::queue_other_task_of_relation(const WebhookEvent& event) {
  if (!event.event_name.starts_with("task.relation.")) return;
  const auto data = event.envelope.find("data");
  if (data == event.envelope.end() || !data->is_object()) return;
  const auto relation = data->find("relation");
  if (relation == data->end() || !relation->is_object()) return;
  const auto other = relation->find("other_task_id");
  if (other == relation->end() || !other->is_number_integer()) return;
  const std::int64_t other_id = other->get<std::int64_t>();
  if (other_id <= 0 || other_id == event.task_id) return;
  queue_hint(event.event_name, other_id, "the other task of a relation");
}

void TaskwarriorSync::queue_tasks_waiting_for(const nlohmann::json& vikunja) {
  for (const std::int64_t waiting : vikunja_related_ids(vikunja, vikunja_blocking_kind)) {
    if (task_map_.by_vikunja_id(waiting)) queue_hint("task.relation.created", waiting, "waits for a task just linked");
  }
}

// A job that reads the task back, as a webhook of `event_name` would.
void TaskwarriorSync::queue_hint(const std::string& event_name, std::int64_t vikunja_id, const char* why) {
  const nlohmann::json body{{"event_name", event_name},
                            {"data", {{"task", {{"id", vikunja_id}}}}},
                            {"sent_by", fmt::format("vikunja-worker: {}", why)}};
  store_.enqueue({JobKind::webhook, store_.key_of_vikunja_task(vikunja_id), body.dump(), std::nullopt});
}

JobOutcome TaskwarriorSync::run(const ClaimedJob& job) {
  WebhookEvent event;
  try {
    event = parse_webhook_event(job.payload, "the webhook body");
  } catch (const std::exception& e) {
    return JobOutcome::dead(e.what());
  }
  if (!event.synced) return JobOutcome::done();
  queue_other_task_of_relation(event);
  if (task_map_.buried_vikunja_id(event.task_id)) {
    skipped(log_, job, "the task was deleted; its link is a tombstone");
    return JobOutcome::done();
  }
  const auto link = task_map_.by_vikunja_id(event.task_id);
  // What Vikunja holds now, whatever the event says.
  const auto vikunja = link ? pair_.linked_vikunja_task(*link) : vikunja_.get(event.task_id);
  if (!vikunja) {
    if (link) {
      pair_.deleted_in_vikunja(*link, job.id);
    } else {
      skipped(log_, job, "gone from Vikunja and never linked; nothing to delete in Taskwarrior");
    }
    return JobOutcome::done();
  }
  if (link) return apply_linked(job, *link, *vikunja, event.event_name);
  locks_.lock(job.id, {vikunja_.fields_of(*vikunja).title});
  if (const auto linked_since = task_map_.by_vikunja_id(event.task_id)) return apply_linked(job, *linked_since, *vikunja);
  return link_or_create(job, *vikunja);
}

JobOutcome TaskwarriorSync::apply_linked(const ClaimedJob& job, const TaskLink& link, const nlohmann::json& vikunja,
                                         std::string_view event_name) {
  std::optional<std::vector<Comment>> comments = vikunja_.comments(link.vikunja_id);
  const bool notes_agree = !comments || comments_agree(link.agreed ? link.agreed->notes : std::nullopt, *comments);
  if (link.agreed && notes_agree && same_fields(pair_.vikunja_fields(vikunja, link.agreed->project), *link.agreed)) {
    // Our own change echoing back, a duplicate, or a change the sync does not carry.
    if (event_name.starts_with("task.comment.")) {
      // A comment made and deleted again, or already carried: said, since it is the user's note.
      log_.log(LogLevel::info, "webhook changes nothing", "id={} key={} event={} note={}", job.id, job.key, event_name,
               log_quote("the comments are as agreed (one made and deleted again is gone)"));
    } else {
      log_.log(LogLevel::debug, "webhook changes nothing", "id={} key={}", job.id, job.key);
    }
    return JobOutcome::done();
  }
  const auto taskwarrior = pair_.taskwarrior_task(link.tw_uuid);
  if (!taskwarrior || status_of(*taskwarrior, "task export") == TaskStatus::deleted) {
    skipped(log_, job, "deleted in Taskwarrior; its delete job wins");
    return JobOutcome::done();
  }
  if (SeriesSync::waits_for_instance(*taskwarrior)) {
    skipped(log_, job, "its recurring series waits for Taskwarrior's next instance");
    return JobOutcome::done();
  }
  if (series_.repeated_in_vikunja(link, vikunja, *taskwarrior) || series_.follows_completion(link, vikunja, *taskwarrior)) {
    return JobOutcome::done();
  }
  pair_.converge(link.tw_uuid, link.agreed, *taskwarrior, vikunja, std::move(comments));
  series_.after_merge(link.tw_uuid, *taskwarrior);  // a completion just marked done moves the link on
  return JobOutcome::done();
}

JobOutcome TaskwarriorSync::link_or_create(const ClaimedJob& job, const nlohmann::json& vikunja) {
  const std::int64_t vikunja_id = id_of(vikunja);
  const TaskFields fields = vikunja_.fields_of(vikunja);
  const TaskwarriorCandidates candidates = pair_.taskwarrior_candidates(vikunja);
  if (!candidates.by_vikunja_id) {
    const auto made_by = task_map_.creates_that_made(vikunja_id, fields);
    if (!made_by.empty()) return adopt(job, made_by.front(), vikunja);
  }
  std::optional<nlohmann::json> partner = candidates.by_vikunja_id;
  if (!partner && candidates.by_title.size() == 1) {
    // Exactly one on Taskwarrior's side; on Vikunja's, this task must be the only one.
    if (pair_.vikunja_candidates(fields).size() == 1) partner = candidates.by_title.front();
  }
  if (partner) {
    log_.log(LogLevel::info, "linked", "tw_uuid={} vikunja_id={} by={}", string_or(*partner, "uuid"), vikunja_id,
             candidates.by_vikunja_id ? "vikunja_id" : "title");
    pair_.converge(string_or(*partner, "uuid"), std::nullopt, *partner, vikunja);
  } else {
    locks_.wait_for_creates_in_flight(job.id);
    // The create that made this task may have linked it since this job looked.
    if (const auto linked = task_map_.by_vikunja_id(vikunja_id)) return apply_linked(job, *linked, vikunja);
    pair_.create_in_taskwarrior(vikunja);
  }
  queue_tasks_waiting_for(vikunja);
  return JobOutcome::done();
}

// This task is what a create of `tw_uuid` made (its answer lost): linked with the fields sent as
// the agreed state, then merged, or deleted when the Taskwarrior task was deleted since.
JobOutcome TaskwarriorSync::adopt(const ClaimedJob& job, const std::string& tw_uuid, const nlohmann::json& vikunja) {
  const auto sent = task_map_.sent_create(tw_uuid);
  const std::optional<TaskFields> agreed = sent ? std::optional(sent->fields) : std::nullopt;
  log_.log(LogLevel::info, "linked the task a lost create made", "tw_uuid={} vikunja_id={}", tw_uuid, id_of(vikunja));
  task_map_.link(tw_uuid, id_of(vikunja), updated_of(vikunja), agreed);
  const auto link = task_map_.by_uuid(tw_uuid);
  const auto taskwarrior = pair_.taskwarrior_task(tw_uuid);
  if (!link || !taskwarrior) return JobOutcome::done();  // purged since: a reconcile reports the link
  if (status_of(*taskwarrior, "task export") == TaskStatus::deleted) {
    pair_.deleted_in_taskwarrior(*link, job.id);
  } else {
    pair_.converge(tw_uuid, agreed, *taskwarrior, vikunja);
  }
  return JobOutcome::done();
}

}  // namespace vsync
