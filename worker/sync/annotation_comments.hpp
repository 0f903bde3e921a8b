#pragma once
// Taskwarrior's annotations and Vikunja's comments, one comment per annotation, merged as sets
// against the agreed pairing (design.md "Convergence"). The agreed state records each pair as
// (annotation entry time, comment id, text), so that nothing doubles on a re-sync:
// - a note added on either side is added on the other (a comment becomes an annotation entered
//   when the comment was made, a second later where that time is taken);
// - a note deleted on either side is deleted on the other; an edit on one side replaces the
//   other side's text (Taskwarrior's text is edited in place, its entry kept);
// - an edit on both sides is a conflict, decided by the rule; a delete wins over an edit on the
//   other side, and the edit is kept in the conflicts table;
// - unpaired notes of equal text on both sides pair with each other instead of doubling (two
//   tasks linked for the first time, or a comment made whose answer was lost).
// Texts go through html_text.hpp: a note too large to carry, or whose HTML does not read, is
// left as it is on its side, neither copied nor deleted.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "worker/sync/merge.hpp"

namespace vsync {

// A note's text is not carried (nullopt, with the reason) when it is too large, HTML that does
// not read, or nothing but blanks (an image-only comment; an annotation of control characters):
// Taskwarrior drops an empty annotation and Vikunja refuses an empty comment, so it would cross
// as a delete.
struct Annotation {
  std::string entry;
  std::optional<std::string> text;
  std::string not_carried_because = {};
};

struct Comment {
  std::int64_t id = 0;
  std::optional<UnixMillis> created, updated;
  std::optional<std::string> text;
  std::string not_carried_because = {};
};

struct UncarriedNote {
  std::string note;  // "comment 12", "annotation 20261203T101500Z"
  std::string reason;
};

struct NoteConflict {
  std::string base;
  std::string taskwarrior;  // "(deleted)" for a note deleted there
  std::string vikunja;
  Side winner;
  bool delete_won = false;  // deleted on the winner's side, edited on the other
};

struct NoteMerge {
  // The agreed pairs once the writes below are made; a comment still to add pairs when Vikunja
  // answers with its id.
  std::vector<NotePair> pairs;
  std::map<std::string, std::string> annotations_to_write;  // entry -> text (new or edited)
  std::set<std::string> annotations_to_remove;               // entries
  std::vector<NotePair> comments_to_add;                     // entry and text; no id yet
  std::map<std::int64_t, std::string> comments_to_write;     // id -> text
  std::map<std::int64_t, std::string> comments_to_remove;  // id -> the entry it was paired with
  std::vector<NoteConflict> conflicts;
  std::vector<UncarriedNote> uncarried;  // left on their side, for the log

  bool changes_taskwarrior() const { return !annotations_to_write.empty() || !annotations_to_remove.empty(); }
};

// A Taskwarrior task's annotations (`task export`); ones without an entry are skipped.
std::vector<Annotation> annotations_of(const nlohmann::json& task);
// Vikunja's comments of a task (GET /tasks/{id}/comments); ones without an integer id are skipped.
std::vector<Comment> comments_of(const std::vector<nlohmann::json>& comments);

// Whether a side holds exactly the agreed notes (a note not carried agrees with its pair; one
// unpaired is no note of the agreed state). An agreed state
// from before notes were carried (nullopt) agrees with a side that has none.
bool annotations_agree(const std::optional<std::vector<NotePair>>& agreed, const std::vector<Annotation>& annotations);
bool comments_agree(const std::optional<std::vector<NotePair>>& agreed, const std::vector<Comment>& comments);

// For ConflictRule::newest, a note changed on both sides goes to the later of the Taskwarrior
// task's `modified` and the comment's `updated` (a comment's edit changes no task `updated`).
// `now` stands in for the creation time of a comment that does not say it.
NoteMerge merge_notes(const std::optional<std::vector<NotePair>>& base, const std::vector<Annotation>& annotations,
                      const std::vector<Comment>& comments, ConflictRule rule,
                      std::optional<UnixMillis> taskwarrior_modified, UnixMillis now);

// Writes the merge's annotation changes into a task for `task import`.
void write_annotations(nlohmann::json& task, const NoteMerge& merge);

}  // namespace vsync
