#include "soak_writers.hpp"

#include <cctype>
#include <ctime>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "enqueue/webhook_signature.hpp"
#include "worker/remote/subprocess.hpp"

namespace vsync::soak {

namespace {

using json = nlohmann::json;

// A user's pause between two changes (on average), so that the workers get the machine too.
constexpr auto mean_pause = std::chrono::milliseconds(120);
constexpr const char* not_queued_note = "vikunja-sync: change NOT queued: ";

std::string now_rfc3339() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

Slot unborn(Owner owner, int number) {
  Slot slot;
  slot.owner = owner;
  slot.number = number;
  return slot;
}

}  // namespace

void WriterTally::error(std::string what) {
  std::lock_guard lock(mutex_);
  errors_.push_back(std::move(what));
}

void WriterTally::webhook_job(std::int64_t id) {
  std::lock_guard lock(mutex_);
  webhook_jobs_.push_back(id);
}

void WriterTally::full_disk_note(std::string what) {
  std::lock_guard lock(mutex_);
  full_disk_notes_.push_back(std::move(what));
}

std::vector<std::string> WriterTally::errors() {
  std::lock_guard lock(mutex_);
  return errors_;
}

std::vector<std::int64_t> WriterTally::webhook_jobs() {
  std::lock_guard lock(mutex_);
  return webhook_jobs_;
}

std::vector<std::string> WriterTally::full_disk_notes() {
  std::lock_guard lock(mutex_);
  return full_disk_notes_;
}

Writer::Writer(const Installation& install, SlotRange range, std::uint64_t seed, bool full_disk_duty,
               WriterTally& tally)
    : install_(install), tally_(tally), next_number_(range.first), step_(range.step), random_(seed),
      full_disk_duty_(full_disk_duty) {
  for (int i = 0; i < range.count; ++i, next_number_ += step_) slots_.push_back(unborn(range.owner, next_number_));
}

void Writer::run(const WriterSignals& signals) {
  if (!slots_.empty()) {
    create_completed_unheard(slots_.front());
    slots_.front().frozen = true;
  }
  bool filled_disk = false;
  std::uniform_int_distribution<long> pause(0, 2 * mean_pause.count());
  while (!signals.stop) {
    std::vector<Slot*> open, pending;
    for (Slot& slot : slots_) {
      if (slot.life == Life::deleted || slot.frozen) continue;
      open.push_back(&slot);
      if (slot.life == Life::pending) pending.push_back(&slot);
    }
    if (open.empty()) return;
    if (full_disk_duty_ && !filled_disk && signals.fill_disk && !pending.empty()) {
      Slot& slot = *pending[std::uniform_int_distribution<std::size_t>(0, pending.size() - 1)(random_)];
      retitle_on_full_disk(slot);
      slot.frozen = true;
      ++slot.changes;
      filled_disk = true;
      continue;
    }
    if (std::uniform_int_distribution<int>(0, 99)(random_) < 3) {
      complete_series();
    } else {
      change_one(open);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(random_)));  // the user's pace
  }
}

// One change to one of the writer's open tasks, as its user would make it.
void Writer::change_one(const std::vector<Slot*>& open) {
  Slot& slot = *open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(random_)];
  const Change change = pick_change(slot);
  if (change == Change::depend) {
    std::vector<const Slot*> earlier;
    for (const Slot* other : open) {
      if (other->number < slot.number) earlier.push_back(other);
    }
    const std::size_t pick = std::uniform_int_distribution<std::size_t>(0, earlier.size())(random_);
    depend(slot, pick < earlier.size() ? earlier[pick] : nullptr);  // one in n+1: none
  } else {
    apply(slot, change);
  }
  ++slot.changes;
  if (slot.life == Life::deleted) {
    slots_.push_back(unborn(slot.owner, next_number_));
    next_number_ += step_;
  }
}

Writer::Change Writer::pick_change(const Slot& slot) {
  const int roll = std::uniform_int_distribution<int>(0, 99)(random_);
  switch (slot.life) {
    case Life::unborn: return Change::create;
    case Life::pending:
      return roll < 38   ? Change::retitle
             : roll < 50 ? Change::describe
             : roll < 58 ? Change::annotate
             : roll < 64 ? Change::depend
             : roll < 96 ? Change::complete
                         : Change::remove;
    case Life::completed:
      return roll < 25   ? Change::retitle
             : roll < 35 ? Change::describe
             : roll < 42 ? Change::annotate
             : roll < 92 ? Change::reopen
                         : Change::remove;
    case Life::deleted: break;
  }
  return Change::retitle;
}

Writer::Run Writer::run_program(std::vector<std::string> argv, const std::string& input,
                                const std::vector<std::string>& environment, bool disk_full) {
  if (disk_full) {
    // `ulimit -f 0` for this process only: any write to the queue fails as on a full disk
    // (EFBIG rather than the signal, which a real full disk does not send either).
    argv.insert(argv.begin(), {"/bin/sh", "-c", "trap '' XFSZ; ulimit -f 0; exec \"$@\"", "sh"});
  }
  const ProcessResult result = run_process(ProcessRequest{argv, input, environment, std::chrono::seconds(60)});
  return {result.exit_code >= 0 ? result.exit_code : 128 + result.term_signal, result.out, result.err};
}

// --- Taskwarrior ---

Writer::Run TaskwarriorWriter::task(std::vector<std::string> args, const std::string& verbose) {
  args.insert(args.begin(), {install_.task_bin(), "rc.verbose=" + verbose});
  return run_program(args, "", install_.task_environment(), false);
}

void TaskwarriorWriter::complete_series() {
  std::optional<json> current;  // the open instance due first
  std::istringstream lines(task({"rc.json.array=off", "status:pending", "export"}, "nothing").out);
  for (std::string line; std::getline(lines, line);) {
    json instance = json::parse(line, nullptr, false);
    if (!instance.is_object() || instance.value("description", "") != series_title || !instance.contains("parent")) continue;
    if (!current || instance.value("due", "") < current->value("due", "")) current = std::move(instance);
  }
  if (!current) return;  // the next one is not made yet
  const Run done = task({(*current)["uuid"].get<std::string>(), "done"});
  ++tally_.taskwarrior_changes;
  if (done.exit_code != 0) tally_.error(fmt::format("task done of the series' instance exited {}: {}", done.exit_code, done.err));
}

std::string TaskwarriorWriter::exported_line(const std::string& uuid) {
  return first_line(task({"rc.json.array=off", uuid, "export"}, "nothing").out);
}

void TaskwarriorWriter::apply(Slot& slot, Change change) {
  Run result{};
  const char* what = "";
  switch (change) {
    case Change::create: {
      what = "add";
      result = task({"add", slot.title()}, "new-uuid,footnote");
      std::smatch created;
      if (std::regex_search(result.out, created, std::regex("Created task ([0-9a-f-]{36})\\."))) {
        slot.uuid = created[1];
        slot.life = Life::pending;
      }
      break;
    }
    case Change::retitle:
      what = "modify (title)";
      ++slot.revision;
      result = task({slot.uuid, "modify", slot.title()});
      break;
    case Change::describe:
      what = "modify (vikunja_description)";
      ++slot.note;
      result = task({"rc.uda.vikunja_description.type=string", slot.uuid, "modify",
                     "vikunja_description:" + slot.note_text()});
      break;
    case Change::annotate:
      what = "annotate";
      ++slot.annotations;
      result = task({slot.uuid, "annotate", slot.annotation_text(slot.annotations)});
      break;
    case Change::depend: return;  // depend() makes it: it needs the other task
    case Change::complete:
      what = "done";
      result = task({slot.uuid, "done"});
      slot.life = Life::completed;
      break;
    case Change::reopen:
      what = "modify status:pending";
      result = task({slot.uuid, "modify", "status:pending"});
      slot.life = Life::pending;
      break;
    case Change::remove:
      what = "delete";
      result = task({slot.uuid, "delete"});
      slot.life = Life::deleted;
      break;
  }
  ++tally_.taskwarrior_changes;
  const bool not_queued = (result.out + result.err).find(not_queued_note) != std::string::npos;
  if (result.exit_code != 0 || not_queued || slot.uuid.empty()) {
    if (not_queued) ++tally_.not_queued;
    tally_.error(fmt::format("`task {}` of {}(exit {}): {}{}", what, slot.prefix(), result.exit_code, result.out,
                             result.err));
  }
}

void TaskwarriorWriter::depend(Slot& slot, const Slot* on) {
  const Run result = task({slot.uuid, "modify", "depends:" + (on ? on->uuid : std::string())});
  ++tally_.taskwarrior_changes;
  const bool not_queued = (result.out + result.err).find(not_queued_note) != std::string::npos;
  if (result.exit_code != 0 || not_queued) {
    if (not_queued) ++tally_.not_queued;
    tally_.error(fmt::format("`task modify depends:` of {}(exit {}): {}{}", slot.prefix(), result.exit_code,
                             result.out, result.err));
  }
}

void TaskwarriorWriter::create_completed_unheard(Slot& slot) {
  const Run added = task({"rc.hooks=off", "add", slot.title()}, "new-uuid");
  std::smatch created;
  if (std::regex_search(added.out, created, std::regex("Created task ([0-9a-f-]{36})\\."))) slot.uuid = created[1];
  const Run done = slot.uuid.empty() ? added : task({"rc.hooks=off", slot.uuid, "done"}, "nothing");
  if (done.exit_code != 0 || slot.uuid.empty()) {
    tally_.error(fmt::format("`task add` and `task done` with hooks off of {}(exit {}): {}{}", slot.prefix(),
                             done.exit_code, done.out, done.err));
    return;
  }
  slot.life = Life::completed;
}

void TaskwarriorWriter::retitle_on_full_disk(Slot& slot) {
  const std::string before = exported_line(slot.uuid);
  ++slot.revision;
  // Taskwarrior saves the change (its own files are not on the full disk); the hook, run by
  // hand as Taskwarrior runs it, cannot queue it.
  task({"rc.hooks=off", slot.uuid, "modify", slot.title()}, "nothing");
  const std::string after = exported_line(slot.uuid);
  const Run hook = run_program({install_.hook("on-modify-vikunja").string(), "api:2", "command:modify"},
                               before + "\n" + after + "\n", install_.task_environment(), true);
  ++tally_.taskwarrior_changes;
  if (hook.exit_code == 0 && hook.out.starts_with(after + "\n" + not_queued_note)) {
    ++tally_.not_queued;
    tally_.full_disk_note(fmt::format("hook for {}(exit 0, the task line echoed): {}", slot.prefix(),
                                      first_line(hook.out.substr(after.size() + 1))));
  } else {
    tally_.error(fmt::format("the hook on a full queue directory did not report the change as not queued "
                             "(exit {}): {}{}",
                             hook.exit_code, hook.out, hook.err));
  }
}

// --- Vikunja ---

VikunjaWriter::VikunjaWriter(const Installation& install, SlotRange range, std::uint64_t seed, bool full_disk_duty,
                             WriterTally& tally, test::FakeVikunja& vikunja, std::int64_t project_id)
    : Writer(install, range, seed, full_disk_duty, tally), vikunja_(vikunja), project_id_(project_id) {}

Writer::Run VikunjaWriter::deliver(const std::string& event, const json& task, bool disk_full) {
  const json body{{"event_name", event},
                  {"time", now_rfc3339()},
                  {"data", {{"doer", {{"id", 1}, {"username", "soak"}}}, {"task", task}}}};
  const std::string text = body.dump();
  return run_program({VIKUNJA_ENQUEUE, "webhook", "-", "--signature", webhook_signature(text, install_.webhook_secret)},
                     text, install_.enqueue_environment(), disk_full);
}

void VikunjaWriter::apply(Slot& slot, Change change) {
  std::string event = "task.updated";
  json snapshot;
  switch (change) {
    case Change::create:
      event = "task.created";
      slot.vikunja_id = vikunja_.add_task(project_id_, json{{"title", slot.title()}});
      slot.life = Life::pending;
      break;
    case Change::retitle:
      ++slot.revision;
      vikunja_.edit_task(slot.vikunja_id, json{{"title", slot.title()}});
      break;
    case Change::describe:
      ++slot.note;
      vikunja_.edit_task(slot.vikunja_id, json{{"description", slot.note_html()}});
      break;
    case Change::annotate:
      event = "task.comment.created";
      ++slot.annotations;
      vikunja_.add_comment(slot.vikunja_id, slot.annotation_html(slot.annotations));
      break;
    case Change::depend: return;  // depend() makes it: it needs the other task
    case Change::complete:
      vikunja_.edit_task(slot.vikunja_id, json{{"done", true}, {"done_at", now_rfc3339()}});
      slot.life = Life::completed;
      break;
    case Change::reopen:
      vikunja_.edit_task(slot.vikunja_id, json{{"done", false}, {"done_at", "0001-01-01T00:00:00Z"}});
      slot.life = Life::pending;
      break;
    case Change::remove:
      event = "task.deleted";
      snapshot = *vikunja_.task(slot.vikunja_id);  // a deleted task's webhook carries it as it was
      vikunja_.remove_task(slot.vikunja_id);
      slot.life = Life::deleted;
      break;
  }
  deliver_change(slot.prefix(), event, snapshot.is_null() ? *vikunja_.task(slot.vikunja_id) : snapshot);
}

void VikunjaWriter::depend(Slot& slot, const Slot* on) {
  const json related = vikunja_.task(slot.vikunja_id)->value("related_tasks", json::object());
  for (const json& other : related.value("blocked", json::array())) {
    vikunja_.unrelate(slot.vikunja_id, "blocked", other["id"].get<std::int64_t>());
  }
  if (on) vikunja_.relate(slot.vikunja_id, "blocked", on->vikunja_id);
  const std::string event = on ? "task.relation.created" : "task.relation.deleted";
  deliver_change(slot.prefix(), event, *vikunja_.task(slot.vikunja_id));
}

void VikunjaWriter::deliver_change(const std::string& what, const std::string& event, const json& task) {
  const Run result = deliver(event, task, false);
  ++tally_.vikunja_changes;
  if (result.exit_code == 0 && !result.out.empty() && std::isdigit(static_cast<unsigned char>(result.out[0]))) {
    tally_.webhook_job(std::stoll(result.out));
  } else {
    ++tally_.not_queued;
    tally_.error(fmt::format("`vikunja-enqueue webhook` ({}) of {}exited {}: {}", event, what,
                             result.exit_code, result.err));
  }
}

void VikunjaWriter::complete_series() {
  for (const json& task : vikunja_.tasks()) {
    if (task.value("title", "") != series_title || task.value("done", false)) continue;
    const auto id = task["id"].get<std::int64_t>();
    vikunja_.edit_task(id, json{{"done", true}});  // the stand-in repeats it, as Vikunja does
    deliver_change("the series ", "task.updated", *vikunja_.task(id));
    return;
  }
}

void VikunjaWriter::create_completed_unheard(Slot& slot) {
  slot.vikunja_id = vikunja_.add_task(project_id_, json{{"title", slot.title()}});
  vikunja_.edit_task(slot.vikunja_id, json{{"done", true}, {"done_at", now_rfc3339()}});
  slot.life = Life::completed;
}

void VikunjaWriter::retitle_on_full_disk(Slot& slot) {
  ++slot.revision;
  vikunja_.edit_task(slot.vikunja_id, json{{"title", slot.title()}});
  const Run result = deliver("task.updated", *vikunja_.task(slot.vikunja_id), true);
  ++tally_.vikunja_changes;
  if (result.exit_code != 0 && result.err.starts_with("vikunja-enqueue: ")) {
    ++tally_.not_queued;
    tally_.full_disk_note(fmt::format("webhook for {}(exit {}): {}", slot.prefix(), result.exit_code,
                                      first_line(result.err)));
  } else {
    tally_.error(fmt::format("`vikunja-enqueue webhook` on a full queue directory exited {}: {}{}",
                             result.exit_code, result.out, result.err));
  }
}

}  // namespace vsync::soak
