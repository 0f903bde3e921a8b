#include "worker/sync/vikunja_push.hpp"

#include <algorithm>

#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"

namespace vsync {

namespace {

TaskSnapshot snapshot_of(const ClaimedJob& job) {
  try {
    return parse_task_snapshot(job.payload, "the job's payload");
  } catch (const std::exception& e) {
    throw JobStopped{JobOutcome::dead(e.what())};
  }
}

void skipped(Logger& log, const ClaimedJob& job, std::string_view reason) {
  log.log(LogLevel::info, "job skipped", "id={} key={} reason={}", job.id, job.key, log_quote(reason));
}

}  // namespace

VikunjaPush::VikunjaPush(PairSync& pair, VikunjaTasks& vikunja, TaskMap& task_map, Logger& log)
    : pair_(pair), vikunja_(vikunja), task_map_(task_map), log_(log) {}

JobOutcome VikunjaPush::run(const ClaimedJob& job) {
  const TaskSnapshot snapshot = snapshot_of(job);
  if (job.kind == JobKind::del || snapshot.status == TaskStatus::deleted) return remove(job, snapshot);
  return push(job, snapshot);
}

JobOutcome VikunjaPush::push(const ClaimedJob& job, const TaskSnapshot& snapshot) {
  if (snapshot.status == TaskStatus::recurring) {
    skipped(log_, job, "recurring template; its instances are synced");
    return JobOutcome::done();
  }
  if (task_map_.buried_uuid(snapshot.uuid)) {
    skipped(log_, job, "deleted in Vikunja; the delete wins");
    return JobOutcome::done();
  }
  std::optional<LinkDecision> decision;
  auto link = task_map_.by_uuid(snapshot.uuid);
  if (!link) {
    decision.emplace(task_map_, job.id);
    link = linked_or_adopted(snapshot.uuid);
    if (!link) return link_or_create(snapshot);
  }

  const TaskFields pushed = read_taskwarrior(snapshot.task, pair_.settings().default_project);
  if (link->agreed && same_fields(pushed, *link->agreed)) {
    log_.log(LogLevel::debug, "push changes nothing", "id={} key={}", job.id, job.key);
    return JobOutcome::done();
  }
  const auto vikunja = vikunja_.get(link->vikunja_id);
  if (!vikunja) {
    pair_.deleted_in_vikunja(*link);
    return JobOutcome::done();
  }
  // The snapshot may be older than the task (a webhook applied since): merge what is there now.
  const auto taskwarrior = pair_.taskwarrior_task(snapshot.uuid);
  if (taskwarrior && status_of(*taskwarrior, "task export") == TaskStatus::deleted) {
    skipped(log_, job, "deleted in Taskwarrior since; its delete job follows");
    return JobOutcome::done();
  }
  pair_.converge(snapshot.uuid, link->agreed, taskwarrior.value_or(snapshot.task), *vikunja);
  return JobOutcome::done();
}

JobOutcome VikunjaPush::link_or_create(const TaskSnapshot& snapshot) {
  const TaskFields fields = read_taskwarrior(snapshot.task, pair_.settings().default_project);
  const std::vector<nlohmann::json> namesakes = pair_.vikunja_candidates(fields);
  if (namesakes.size() == 1) {
    // Exactly one on this side; on Taskwarrior's, this task must be the only one.
    const TaskwarriorCandidates ours = pair_.taskwarrior_candidates(fields, id_of(namesakes.front()));
    const auto is_this = [&](const nlohmann::json& task) { return string_or(task, "uuid") == snapshot.uuid; };
    const bool other_namesake = std::any_of(ours.by_title.begin(), ours.by_title.end(),
                                            [&](const nlohmann::json& task) { return !is_this(task); });
    if (!other_namesake && (!ours.by_vikunja_id || is_this(*ours.by_vikunja_id))) {
      log_.log(LogLevel::info, "linked by title", "tw_uuid={} vikunja_id={}", snapshot.uuid,
               id_of(namesakes.front()));
      pair_.converge(snapshot.uuid, std::nullopt, pair_.taskwarrior_task(snapshot.uuid).value_or(snapshot.task),
                     namesakes.front());
      return JobOutcome::done();
    }
  }
  task_map_.record_create(snapshot.uuid, fields);
  const nlohmann::json created = vikunja_.create(fields);
  task_map_.link(snapshot.uuid, id_of(created), updated_of(created), fields);
  return JobOutcome::done();
}

// The link made by another job since this one looked, or the task an earlier create of this
// uuid made whose answer was lost, linked now with the fields sent as the agreed state.
std::optional<TaskLink> VikunjaPush::linked_or_adopted(const std::string& tw_uuid) {
  if (auto link = task_map_.by_uuid(tw_uuid)) return link;
  const auto sent = task_map_.sent_create(tw_uuid);
  if (!sent) return std::nullopt;
  const std::vector<nlohmann::json> made = pair_.vikunja_candidates(*sent);
  if (made.empty()) {  // the create never reached Vikunja
    task_map_.forget_create(tw_uuid);
    return std::nullopt;
  }
  const auto first = std::min_element(made.begin(), made.end(), [](const auto& a, const auto& b) { return id_of(a) < id_of(b); });
  log_.log(LogLevel::info, "linked the task a lost create made", "tw_uuid={} vikunja_id={}", tw_uuid, id_of(*first));
  task_map_.link(tw_uuid, id_of(*first), updated_of(*first), sent);
  return task_map_.by_uuid(tw_uuid);
}

JobOutcome VikunjaPush::remove(const ClaimedJob& job, const TaskSnapshot& snapshot) {
  std::optional<LinkDecision> decision;
  auto link = task_map_.by_uuid(snapshot.uuid);
  if (!link && task_map_.sent_create(snapshot.uuid)) {
    decision.emplace(task_map_, job.id);
    link = linked_or_adopted(snapshot.uuid);
  }
  if (!link) {
    skipped(log_, job, "never linked to a Vikunja task; nothing to delete there");
    return JobOutcome::done();
  }
  pair_.deleted_in_taskwarrior(*link);
  return JobOutcome::done();
}

}  // namespace vsync
