#include "soak_model.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "worker/sync/dependencies.hpp"
#include "worker/sync/html_text.hpp"

namespace vsync::soak {

namespace {

using json = nlohmann::json;

// "soak tw017 r03" -> "soak tw017 ": the part every revision of one task shares.
std::string prefix_of(const std::string& title) {
  const auto first = title.find(' ');
  const auto second = first == std::string::npos ? first : title.find(' ', first + 1);
  return second == std::string::npos ? title : title.substr(0, second + 1);
}

std::string text(const json& task, const char* field) {
  return task.contains(field) && task[field].is_string() ? task[field].get<std::string>() : "";
}

std::string note_in_vikunja(const json& task) { return text_of_html(text(task, "description")).value_or("(too large)"); }

std::set<std::string> annotations_in_taskwarrior(const json& task) {
  std::set<std::string> texts;
  for (const json& annotation : task.value("annotations", json::array())) texts.insert(text(annotation, "description"));
  return texts;
}

std::set<std::string> comments_in_vikunja(const json& task) {
  std::set<std::string> texts;
  for (const json& comment : task.value("comments", json::array())) {
    texts.insert(text_of_html(text(comment, "comment")).value_or("(too large)"));
  }
  return texts;
}

std::string describe_taskwarrior(const json* task) {
  return fmt::format("{} \"{}\" {} note \"{}\" annotations {}", text(*task, "uuid"), text(*task, "description"),
                     text(*task, "status"), text(*task, "vikunja_description"),
                     fmt::join(annotations_in_taskwarrior(*task), "|"));
}

std::string describe_vikunja(const json* task) {
  return fmt::format("#{} \"{}\" {} note \"{}\" comments {}", (*task)["id"].get<std::int64_t>(), text(*task, "title"),
                     task->value("done", false) ? "done" : "open", note_in_vikunja(*task),
                     fmt::join(comments_in_vikunja(*task), "|"));
}

template <typename Describe>
std::string list(const std::vector<const json*>& tasks, Describe describe) {
  if (tasks.empty()) return "nothing";
  std::string joined;
  for (const json* task : tasks) joined += (joined.empty() ? "" : ", ") + describe(task);
  return joined;
}

// Between the tasks linked and live on both sides, each side's dependencies name the same tasks.
void compare_dependencies(const Found& found, std::vector<Problem>& problems) {
  std::map<std::string, const json*> taskwarrior;
  std::map<std::int64_t, const json*> vikunja;
  for (const json& task : found.taskwarrior) {
    if (text(task, "status") != "deleted") taskwarrior[text(task, "uuid")] = &task;
  }
  for (const json& task : found.vikunja) vikunja[task["id"].get<std::int64_t>()] = &task;
  std::map<std::int64_t, std::string> uuid_of;
  for (const auto& [uuid, id] : found.links) {
    if (taskwarrior.contains(uuid) && vikunja.contains(id)) uuid_of[id] = uuid;
  }
  for (const auto& [id, uuid] : uuid_of) {
    std::set<std::string> in_taskwarrior, in_vikunja;
    for (const std::string& other : taskwarrior_depends_uuids(*taskwarrior[uuid])) {
      if (found.links.contains(other) && uuid_of.contains(found.links.at(other))) in_taskwarrior.insert(other);
    }
    for (const std::int64_t other : vikunja_blocked_ids(*vikunja[id])) {
      if (uuid_of.contains(other)) in_vikunja.insert(uuid_of[other]);
    }
    if (in_taskwarrior != in_vikunja) {
      problems.push_back({nullptr, fmt::format("{} and #{} depend on different tasks: Taskwarrior {}, Vikunja {}",
                                               uuid, id, fmt::join(in_taskwarrior, " "), fmt::join(in_vikunja, " "))});
    }
  }
}

}  // namespace

std::string Slot::prefix() const {
  return fmt::format("soak {}{:03} ", owner == Owner::taskwarrior ? "tw" : "vk", number);
}

std::string Slot::title() const { return fmt::format("{}r{:02}", prefix(), revision); }

std::string Slot::note_text() const {
  if (note == 0) return "";
  const std::string line = fmt::format("note {}n{:02} <i> & more", prefix(), note);
  return owner == Owner::taskwarrior ? line : line + "\n- item";
}

std::string Slot::note_html() const {
  return fmt::format("<p>note {}n{:02} &lt;i&gt; &amp; more</p><ul><li><p>item</p></li></ul>", prefix(), note);
}

std::string Slot::annotation_text(int nth) const { return fmt::format("ann {}a{:02} <b> & co", prefix(), nth); }

std::string Slot::annotation_html(int nth) const {
  return fmt::format("<p>ann {}a{:02} &lt;b&gt; &amp; co</p>", prefix(), nth);
}

std::vector<std::string> Slot::annotation_texts() const {
  std::vector<std::string> texts;
  for (int nth = 1; nth <= annotations; ++nth) texts.push_back(annotation_text(nth));
  return texts;
}

std::string Slot::expected() const {
  switch (life) {
    case Life::unborn: return "never made";
    case Life::deleted: return "deleted";
    case Life::pending:
      return fmt::format("\"{}\" pending, note \"{}\", {} annotations", title(), note_text(), annotations);
    case Life::completed:
      return fmt::format("\"{}\" completed, note \"{}\", {} annotations", title(), note_text(), annotations);
  }
  return "?";
}

long long linked_dependencies(const Found& found) {
  long long count = 0;
  for (const json& task : found.taskwarrior) {
    if (!found.links.contains(text(task, "uuid"))) continue;
    for (const std::string& other : taskwarrior_depends_uuids(task)) count += found.links.contains(other) ? 1 : 0;
  }
  return count;
}

long long linked_annotations(const Found& found) {
  long long count = 0;
  for (const json& task : found.taskwarrior) {
    if (found.links.contains(text(task, "uuid"))) {
      count += static_cast<long long>(task.value("annotations", json::array()).size());
    }
  }
  return count;
}

namespace {
bool of_series(const std::string& title) { return title == series_title; }
}  // namespace

long long completed_occurrences(const Found& found) {
  return std::count_if(found.taskwarrior.begin(), found.taskwarrior.end(), [](const json& task) {
    return of_series(text(task, "description")) && task.contains("parent") && text(task, "status") == "completed";
  });
}

namespace {

// One Vikunja task for the series, open and repeating daily, linked to the series' current
// instance (the open one due first) with its due date, or to the template when none is open.
void compare_series(const Found& found, std::vector<Problem>& problems) {
  std::vector<const json*> vikunja;
  for (const json& task : found.vikunja) {
    if (of_series(text(task, "title"))) vikunja.push_back(&task);
  }
  if (vikunja.size() != 1) {
    problems.push_back({nullptr, "the series is not one Vikunja task: " + list(vikunja, describe_vikunja)});
    return;
  }
  const json& task = *vikunja.front();
  if (task.value("done", false) || task.value("repeat_after", 0) != 86400) {
    problems.push_back({nullptr, "the series' Vikunja task is not open and repeating daily: " + task.dump()});
  }
  const json* current = nullptr;
  std::string template_uuid;
  for (const json& instance : found.taskwarrior) {
    if (!of_series(text(instance, "description"))) continue;
    if (text(instance, "status") == "recurring") template_uuid = text(instance, "uuid");
    if (text(instance, "status") == "pending" && (!current || text(instance, "due") < text(*current, "due"))) {
      current = &instance;
    }
  }
  const std::string linked = current ? text(*current, "uuid") : template_uuid;
  const auto link = found.links.find(linked);
  if (link == found.links.end() || link->second != task["id"].get<std::int64_t>()) {
    problems.push_back({nullptr, fmt::format("the series' Vikunja task #{} is not linked to {} {}", task["id"].get<std::int64_t>(),
                                             current ? "its current instance" : "its template", linked)});
  }
  if (current) {
    const std::string due = text(*current, "due");  // 20261205T090000Z
    const std::string as_vikunja = due.size() == 16 ? fmt::format("{}-{}-{}T{}:{}:{}Z", due.substr(0, 4), due.substr(4, 2),
                                                                  due.substr(6, 2), due.substr(9, 2), due.substr(11, 2),
                                                                  due.substr(13, 2))
                                                    : due;
    if (text(task, "due_date") != as_vikunja) {
      problems.push_back({nullptr, fmt::format("the series' Vikunja task is due {}, its current instance {}",
                                               text(task, "due_date"), due)});
    }
  }
}

}  // namespace

std::vector<Problem> compare(const std::vector<Slot>& slots, const Found& found) {
  // Live tasks by prefix on each side; a deleted Taskwarrior task is kept by uuid only.
  std::map<std::string, std::vector<const json*>> in_taskwarrior, in_vikunja;
  std::map<std::string, const json*> by_uuid;
  for (const json& task : found.taskwarrior) {
    by_uuid[text(task, "uuid")] = &task;
    if (of_series(text(task, "description"))) continue;  // compare_series
    if (text(task, "status") != "deleted") in_taskwarrior[prefix_of(text(task, "description"))].push_back(&task);
  }
  for (const json& task : found.vikunja) {
    if (!of_series(text(task, "title"))) in_vikunja[prefix_of(text(task, "title"))].push_back(&task);
  }

  std::vector<Problem> problems;
  std::set<std::string> known;
  for (const Slot& slot : slots) {
    known.insert(slot.prefix());
    const auto& taskwarrior = in_taskwarrior[slot.prefix()];
    const auto& vikunja = in_vikunja[slot.prefix()];
    const auto problem = [&](const std::string& what) {
      problems.push_back({&slot, fmt::format("{}({}-side, expected {}): {}", slot.prefix(),
                                             slot.owner == Owner::taskwarrior ? "Taskwarrior" : "Vikunja",
                                             slot.expected(), what)});
    };
    const std::string tw_list = list(taskwarrior, describe_taskwarrior);
    const std::string vk_list = list(vikunja, describe_vikunja);
    if (!slot.live()) {
      if (!taskwarrior.empty()) problem("Taskwarrior still holds " + tw_list);
      if (!vikunja.empty()) problem("Vikunja still holds " + vk_list);
      if (slot.owner == Owner::taskwarrior && slot.life == Life::deleted &&
          (!by_uuid.contains(slot.uuid) || text(*by_uuid[slot.uuid], "status") != "deleted")) {
        problem(fmt::format("task {} is not deleted in Taskwarrior", slot.uuid));
      }
      continue;
    }
    const bool done = slot.life == Life::completed;
    const std::vector<std::string> added = slot.annotation_texts();
    const std::set<std::string> annotations(added.begin(), added.end());
    const bool taskwarrior_right = taskwarrior.size() == 1 && text(*taskwarrior[0], "description") == slot.title() &&
                                   text(*taskwarrior[0], "status") == (done ? "completed" : "pending") &&
                                   text(*taskwarrior[0], "vikunja_description") == slot.note_text() &&
                                   annotations_in_taskwarrior(*taskwarrior[0]) == annotations &&
                                   (*taskwarrior[0]).value("annotations", json::array()).size() == annotations.size() &&
                                   (slot.owner != Owner::taskwarrior || text(*taskwarrior[0], "uuid") == slot.uuid);
    const bool vikunja_right = vikunja.size() == 1 && text(*vikunja[0], "title") == slot.title() &&
                               vikunja[0]->value("done", false) == done &&
                               note_in_vikunja(*vikunja[0]) == slot.note_text() &&
                               comments_in_vikunja(*vikunja[0]) == annotations &&
                               (*vikunja[0]).value("comments", json::array()).size() == annotations.size() &&
                               (slot.owner != Owner::vikunja || (*vikunja[0])["id"] == slot.vikunja_id);
    if (!taskwarrior_right) problem("Taskwarrior holds " + tw_list);
    if (!vikunja_right) problem("Vikunja holds " + vk_list);
    if (taskwarrior_right && vikunja_right) {
      const std::string uuid = text(*taskwarrior[0], "uuid");
      const auto id = (*vikunja[0])["id"].get<std::int64_t>();
      const auto link = found.links.find(uuid);
      if (link == found.links.end() || link->second != id) {
        problem(fmt::format("{} and #{} agree but are not linked to each other in task_map", uuid, id));
      }
    }
  }
  for (const auto& [prefix, tasks] : in_taskwarrior) {
    if (!known.contains(prefix) && !tasks.empty()) {
      problems.push_back({nullptr, "Taskwarrior holds a task no writer made: " + list(tasks, describe_taskwarrior)});
    }
  }
  for (const auto& [prefix, tasks] : in_vikunja) {
    if (!known.contains(prefix) && !tasks.empty()) {
      problems.push_back({nullptr, "Vikunja holds a task no writer made: " + list(tasks, describe_vikunja)});
    }
  }
  compare_dependencies(found, problems);
  compare_series(found, problems);
  return problems;
}

}  // namespace vsync::soak
