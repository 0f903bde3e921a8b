#pragma once
// What both sides must hold when the soak ends. Each task is changed from one side only, its
// owner (Taskwarrior through `task` and our hook, or Vikunja through the stand-in and a signed
// webhook), so its final state is its owner's last change, with no conflict rule involved.
// Titles carry the task's number and a revision ("soak tw017 r03"): two tasks with one prefix
// on a side are a duplicate, a title with an old revision is a lost change.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vsync::soak {

enum class Owner { taskwarrior, vikunja };
enum class Life { unborn, pending, completed, deleted };

struct Slot {
  Owner owner = Owner::taskwarrior;
  int number = 0;
  Life life = Life::unborn;
  int revision = 0;
  int note = 0;                 // the revision of its description; 0: none
  int annotations = 0;          // notes added by its owner (annotations or comments)
  std::string uuid;             // a Taskwarrior-side task, once added
  std::int64_t vikunja_id = 0;  // a Vikunja-side task, once added
  bool frozen = false;          // its last change could not be queued: only reconcile brings it
  int changes = 0;

  std::string prefix() const;  // "soak tw017 "
  std::string title() const;   // "soak tw017 r03"
  std::string expected() const;  // "\"soak tw017 r03\" pending", "deleted", …
  // Its description as Taskwarrior holds it, and as its Vikunja-side writer writes it (the
  // editor's HTML: escaped text and a list).
  std::string note_text() const;
  std::string note_html() const;
  // The texts of its annotations (comments in Vikunja), in the order they were added.
  std::vector<std::string> annotation_texts() const;
  std::string annotation_text(int nth) const;
  std::string annotation_html(int nth) const;  // as Vikunja's editor writes it
  bool live() const { return life == Life::pending || life == Life::completed; }
};

// What the end of the soak found on both sides.
// A daily recurring series, made before the chaos with three past instances: both sides'
// writers complete its current occurrence now and then (complete_series).
inline constexpr const char* series_title = "soak series daily";

struct Found {
  std::vector<nlohmann::json> taskwarrior;    // `task export`: every status
  std::vector<nlohmann::json> vikunja;        // the stand-in's tasks, each with its "comments"
  std::map<std::string, std::int64_t> links;  // task_map: tw_uuid -> vikunja_id
};

struct Problem {
  const Slot* slot;  // nullptr: a task no writer made
  std::string text;
};

// How many dependencies Taskwarrior holds between linked tasks (compare checks Vikunja's agree).
long long linked_dependencies(const Found& found);
// How many annotations linked Taskwarrior tasks hold (compare checks each is one comment).
long long linked_annotations(const Found& found);
// The series' instances Taskwarrior holds completed (the occurrences done on either side).
long long completed_occurrences(const Found& found);

// Every disagreement with the expected state; empty when both sides hold exactly it.
std::vector<Problem> compare(const std::vector<Slot>& slots, const Found& found);

}  // namespace vsync::soak
