#include "worker/sync/vikunja_push.hpp"

#include <algorithm>

#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"
#include "worker/sync/recurrence.hpp"

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

VikunjaPush::VikunjaPush(PairSync& pair, SeriesSync& series, VikunjaTasks& vikunja, TaskMap& task_map, LinkLocks& locks,
                         Logger& log)
    : pair_(pair), series_(series), vikunja_(vikunja), task_map_(task_map), locks_(locks), log_(log) {}

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
  auto link = task_map_.by_uuid(snapshot.uuid);
  bool moved_from_template = false;
  if (!link && series_of(snapshot.task)) {
    // An instance of a recurring series: the series has one Vikunja task.
    const InstancePlacement placed = series_.place(snapshot.uuid, pair_.taskwarrior_task(snapshot.uuid).value_or(snapshot.task));
    if (placed.skip) {
      skipped(log_, job, *placed.skip);
      return JobOutcome::done();
    }
    link = placed.link;
    moved_from_template = placed.moved_from_template;
  }
  if (!link) {
    lock_titles(job, snapshot);
    link = linked_or_adopted(snapshot.uuid);
    if (!link) return link_or_create(snapshot);
  }

  const TaskFields pushed = pair_.taskwarrior_fields(snapshot.task);
  if (!moved_from_template && link->agreed && same_fields(pushed, *link->agreed) &&
      annotations_agree(link->agreed->notes, annotations_of(snapshot.task))) {
    log_.log(LogLevel::debug, "push changes nothing", "id={} key={}", job.id, job.key);
    series_.after_merge(snapshot.uuid, snapshot.task);  // a completion merged before the link moved on
    return JobOutcome::done();
  }
  const auto vikunja = pair_.linked_vikunja_task(*link);
  if (!vikunja) {
    pair_.deleted_in_vikunja(*link, job.id);
    return JobOutcome::done();
  }
  // The snapshot may be older than the task (a webhook applied since): merge what is there now.
  const auto taskwarrior = pair_.taskwarrior_task(snapshot.uuid);
  if (taskwarrior && status_of(*taskwarrior, "task export") == TaskStatus::deleted) {
    skipped(log_, job, "deleted in Taskwarrior since; its delete job follows");
    return JobOutcome::done();
  }
  // Done on both sides (a race, or a retry after Vikunja repeated it): marked done once.
  if (taskwarrior && series_.repeated_in_vikunja(*link, *vikunja, *taskwarrior)) return JobOutcome::done();
  pair_.converge(snapshot.uuid, link->agreed, taskwarrior.value_or(snapshot.task), *vikunja);
  series_.after_merge(snapshot.uuid, taskwarrior.value_or(snapshot.task));
  return JobOutcome::done();
}

JobOutcome VikunjaPush::link_or_create(const TaskSnapshot& snapshot) {
  const TaskFields fields = read_taskwarrior(snapshot.task, pair_.settings().default_project);
  const std::vector<nlohmann::json> namesakes = pair_.vikunja_candidates(fields);
  if (namesakes.size() == 1) {
    // Exactly one on this side; on Taskwarrior's, this task must be the only one.
    const TaskwarriorCandidates ours = pair_.taskwarrior_candidates(namesakes.front());
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
  return create(snapshot, fields, namesakes);
}

JobOutcome VikunjaPush::create(const TaskSnapshot& snapshot, const TaskFields& fields,
                               const std::vector<nlohmann::json>& namesakes) {
  const std::string& tw_uuid = snapshot.uuid;
  // What the create request itself carries: labels are separate calls that may not all land.
  SentCreate sent{fields, {}};
  sent.fields.tags.clear();
  for (const auto& namesake : namesakes) sent.existing.insert(id_of(namesake));
  task_map_.record_create(tw_uuid, sent);
  nlohmann::json created;
  try {
    created = vikunja_.create(fields, series_.repeat_for(tw_uuid, snapshot.task));
  } catch (const JobStopped& stopped) {
    // Refused outright, the create made nothing: a later namesake is not its task.
    if (stopped.outcome.kind == JobOutcome::Kind::dead) task_map_.forget_create(tw_uuid);
    throw;
  }
  try {
    task_map_.link(tw_uuid, id_of(created), updated_of(created), fields);  // its labels landed too
  } catch (const JobStopped&) {
    // Linked meanwhile to another task (this worker lost the job while it ran, or a webhook
    // linked the Taskwarrior task by a title it took since this job's snapshot): the task just
    // made would be synced by nothing, and its record must not claim a later namesake.
    task_map_.forget_create(tw_uuid);
    vikunja_.remove(id_of(created));
    throw;
  }
  pair_.mark_linked(tw_uuid, id_of(created));
  // Notes and dependencies need the task's id: they follow as an update of the task just made.
  if (!annotations_of(snapshot.task).empty() || !taskwarrior_depends_uuids(snapshot.task).empty()) {
    if (const auto taskwarrior = pair_.taskwarrior_task(tw_uuid)) pair_.converge(tw_uuid, fields, *taskwarrior, created);
  }
  return JobOutcome::done();
}

// The link made by another job since this one looked, or the task an earlier create of this
// uuid made whose answer was lost, linked now with the fields the create carried as the agreed
// state. The newest namesake that was not there before the create is the one it made.
std::optional<TaskLink> VikunjaPush::linked_or_adopted(const std::string& tw_uuid) {
  if (auto link = task_map_.by_uuid(tw_uuid)) return link;
  const auto sent = task_map_.sent_create(tw_uuid);
  if (!sent) return std::nullopt;
  std::optional<nlohmann::json> made;
  for (nlohmann::json& task : pair_.vikunja_candidates(sent->fields)) {
    if (!sent->existing.contains(id_of(task)) && (!made || id_of(task) > id_of(*made))) made = std::move(task);
  }
  if (!made) {  // the create never reached Vikunja
    task_map_.forget_create(tw_uuid);
    return std::nullopt;
  }
  log_.log(LogLevel::info, "linked the task a lost create made", "tw_uuid={} vikunja_id={}", tw_uuid, id_of(*made));
  task_map_.link(tw_uuid, id_of(*made), updated_of(*made), sent->fields);
  return task_map_.by_uuid(tw_uuid);
}

// The titles a decision about this unlinked task can match: its own, and its lost create's.
void VikunjaPush::lock_titles(const ClaimedJob& job, const TaskSnapshot& snapshot) {
  std::set<std::string> titles{read_taskwarrior(snapshot.task, pair_.settings().default_project).title};
  if (const auto sent = task_map_.sent_create(snapshot.uuid)) titles.insert(sent->fields.title);
  locks_.lock(job.id, titles);
}

JobOutcome VikunjaPush::remove(const ClaimedJob& job, const TaskSnapshot& snapshot) {
  auto link = task_map_.by_uuid(snapshot.uuid);
  if (!link && task_map_.sent_create(snapshot.uuid)) {  // its create's answer was lost
    lock_titles(job, snapshot);
    link = linked_or_adopted(snapshot.uuid);
  }
  if (!link) {
    skipped(log_, job, "never linked to a Vikunja task; nothing to delete there");
    return JobOutcome::done();
  }
  if (series_.skipped_occurrence(*link, snapshot.task)) return JobOutcome::done();
  pair_.deleted_in_taskwarrior(*link, job.id);
  return JobOutcome::done();
}

}  // namespace vsync
