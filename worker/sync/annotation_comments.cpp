#include "worker/sync/annotation_comments.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/html_text.hpp"

namespace vsync {

namespace {

constexpr const char* deleted_note = "(deleted)";

// The text of a note as carried, or why it is not.
std::pair<std::optional<std::string>, std::string> carried_note(std::optional<std::string> text, auto why_not) {
  if (!text) return {std::nullopt, why_not().value_or("cannot be read")};
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return {std::nullopt, "no text but blanks (an image, or control characters)"};
  }
  return {std::move(text), std::string()};
}

// Whether a side's notes are the agreed ones, by key (entry or comment id) and text. A note whose
// text is not carried agrees with whatever its pair says: the merge leaves it alone.
template <typename Note>
bool agree(const std::optional<std::vector<NotePair>>& agreed, const std::vector<Note>& notes, auto key_of,
           auto key_of_pair) {
  std::set<std::pair<std::string, std::string>> held, wanted;
  std::set<std::string> uncarried;
  for (const Note& note : notes) {
    if (note.text) {
      held.emplace(key_of(note), *note.text);
    } else {
      uncarried.insert(key_of(note));
    }
  }
  if (agreed) {
    for (const NotePair& pair : *agreed) {
      if (!uncarried.contains(key_of_pair(pair))) wanted.emplace(key_of_pair(pair), pair.text);
    }
  }
  return wanted == held;
}

// Works out one side's notes against the agreed pairs, and what is left unpaired.
class NoteMerger {
 public:
  NoteMerger(const std::vector<Annotation>& annotations, const std::vector<Comment>& comments, ConflictRule rule,
             std::optional<UnixMillis> taskwarrior_modified)
      : rule_(rule), taskwarrior_modified_(taskwarrior_modified) {
    for (const Annotation& annotation : annotations) {
      annotations_.emplace(annotation.entry, &annotation);
      entries_taken_.insert(annotation.entry);
    }
    for (const Comment& comment : comments) comments_.emplace(comment.id, &comment);
  }

  void follow(const NotePair& pair) {
    const Annotation* annotation = take(annotations_, pair.entry);
    const Comment* comment = take(comments_, pair.comment_id);
    if (!annotation && !comment) return;  // deleted on both sides
    if ((annotation && !annotation->text) || (comment && !comment->text)) {
      // One side's text is not carried: the pair stays as it was agreed while both notes are
      // there; once one is gone the other is left alone, unpaired (not deleted: its text did not
      // cross).
      if (annotation && !annotation->text) uncarried(*annotation);
      if (comment && !comment->text) uncarried(*comment);
      if (annotation && comment) merge_.pairs.push_back(pair);
      return;
    }
    if (!annotation) return deleted(Side::taskwarrior, pair, *comment->text);
    if (!comment) return deleted(Side::vikunja, pair, *annotation->text);
    const std::string& ours = *annotation->text;
    const std::string& theirs = *comment->text;
    std::string text = ours;
    if (ours != theirs) {
      const bool ours_changed = ours != pair.text;
      const bool theirs_changed = theirs != pair.text;
      Side winner = ours_changed && !theirs_changed ? Side::taskwarrior : Side::vikunja;
      if (ours_changed && theirs_changed) {
        winner = winner_by_rule(*comment);
        merge_.conflicts.push_back({pair.text, ours, theirs, winner});
      }
      if (winner == Side::taskwarrior) {
        merge_.comments_to_write[pair.comment_id] = ours;
      } else {
        text = theirs;
        merge_.annotations_to_write[pair.entry] = theirs;
      }
    }
    merge_.pairs.push_back({pair.entry, pair.comment_id, text});
  }

  // Notes on one side only: equal texts pair up, the rest are copied to the other side.
  NoteMerge finish(UnixMillis now) {
    std::vector<const Annotation*> new_annotations;
    for (const auto& [entry, annotation] : annotations_) {
      if (annotation->text) {
        new_annotations.push_back(annotation);
      } else {
        uncarried(*annotation);
      }
    }
    for (const NotePair& pair : merge_.pairs) entries_taken_.insert(pair.entry);
    for (const auto& [id, comment] : comments_) {
      if (!comment->text) {
        uncarried(*comment);
        continue;
      }
      const std::string& text = *comment->text;  // clang 14 cannot capture a structured binding
      const auto same_text = std::find_if(new_annotations.begin(), new_annotations.end(),
                                          [&](const Annotation* annotation) { return annotation->text == text; });
      if (same_text != new_annotations.end()) {
        merge_.pairs.push_back({(*same_text)->entry, id, *comment->text});
        new_annotations.erase(same_text);
        continue;
      }
      const std::string entry = free_entry(comment->created.value_or(now), entries_taken_);
      merge_.annotations_to_write[entry] = *comment->text;
      merge_.pairs.push_back({entry, id, *comment->text});
    }
    for (const Annotation* annotation : new_annotations) {
      merge_.comments_to_add.push_back({annotation->entry, 0, *annotation->text});
    }
    std::sort(merge_.pairs.begin(), merge_.pairs.end(),
              [](const NotePair& a, const NotePair& b) { return a.entry < b.entry; });
    return std::move(merge_);
  }

 private:
  void uncarried(const Annotation& annotation) {
    merge_.uncarried.push_back({fmt::format("annotation {}", annotation.entry), annotation.not_carried_because});
  }
  void uncarried(const Comment& comment) {
    merge_.uncarried.push_back({fmt::format("comment {}", comment.id), comment.not_carried_because});
  }

  template <typename Key, typename Note>
  static const Note* take(std::map<Key, const Note*>& notes, const Key& key) {
    const auto found = notes.find(key);
    if (found == notes.end()) return nullptr;
    const Note* note = found->second;
    notes.erase(found);
    return note;
  }

  // The note of `pair` is gone from `deleted_in`: it goes from the other side too. The other
  // side's edit since, if any, loses and is kept as a conflict.
  void deleted(Side deleted_in, const NotePair& pair, const std::string& other_text) {
    if (deleted_in == Side::taskwarrior) {
      merge_.comments_to_remove[pair.comment_id] = pair.entry;
    } else {
      merge_.annotations_to_remove.insert(pair.entry);
    }
    if (other_text == pair.text) return;
    const bool in_taskwarrior = deleted_in == Side::taskwarrior;
    merge_.conflicts.push_back({pair.text, in_taskwarrior ? deleted_note : other_text,
                                in_taskwarrior ? other_text : deleted_note, deleted_in, true});
  }

  Side winner_by_rule(const Comment& comment) const {
    switch (rule_) {
      case ConflictRule::taskwarrior: return Side::taskwarrior;
      case ConflictRule::vikunja: return Side::vikunja;
      case ConflictRule::newest:
        // Unknown times count as old, as for fields.
        return taskwarrior_modified_.value_or(0) > comment.updated.value_or(0) ? Side::taskwarrior : Side::vikunja;
    }
    return Side::vikunja;
  }

  // Taskwarrior keys annotations by their entry second: a comment made in the same second as
  // another note becomes an annotation a second later.
  static std::string free_entry(UnixMillis created, std::set<std::string>& taken) {
    UnixMillis second = created - (((created % 1000) + 1000) % 1000);
    std::string entry = format_taskwarrior_date(second);
    while (taken.contains(entry)) entry = format_taskwarrior_date(second += 1000);
    taken.insert(entry);
    return entry;
  }

  std::map<std::string, const Annotation*> annotations_;
  std::map<std::int64_t, const Comment*> comments_;
  std::set<std::string> entries_taken_;  // by the task's annotations, and the pairs
  ConflictRule rule_;
  std::optional<UnixMillis> taskwarrior_modified_;
  NoteMerge merge_;
};

}  // namespace

std::vector<Annotation> annotations_of(const nlohmann::json& task) {
  std::vector<Annotation> found;
  const auto annotations = task.find("annotations");
  if (annotations == task.end() || !annotations->is_array()) return found;
  for (const nlohmann::json& annotation : *annotations) {
    if (!annotation.is_object()) continue;
    const auto entry = optional_string(annotation, "entry");
    if (!entry || entry->empty()) continue;
    const std::string raw = string_or(annotation, "description");
    auto [text, why_not] = carried_note(carried_text(raw), [&] { return why_text_not_carried(raw); });
    found.push_back({*entry, std::move(text), std::move(why_not)});
  }
  return found;
}

std::vector<Comment> comments_of(const std::vector<nlohmann::json>& comments) {
  std::vector<Comment> found;
  for (const nlohmann::json& comment : comments) {
    const auto id = comment.find("id");
    if (id == comment.end() || !id->is_number_integer()) continue;
    const auto time = [&](const char* field) {
      const auto text = optional_string(comment, field);
      return text ? parse_rfc3339(*text) : std::nullopt;
    };
    const std::string html = string_or(comment, "comment");
    auto [text, why_not] = carried_note(text_of_html(html), [&] { return why_html_not_carried(html); });
    found.push_back({id->get<std::int64_t>(), time("created"), time("updated"), std::move(text), std::move(why_not)});
  }
  return found;
}

bool annotations_agree(const std::optional<std::vector<NotePair>>& agreed, const std::vector<Annotation>& annotations) {
  return agree(agreed, annotations, [](const Annotation& a) { return a.entry; },
               [](const NotePair& pair) { return pair.entry; });
}

bool comments_agree(const std::optional<std::vector<NotePair>>& agreed, const std::vector<Comment>& comments) {
  return agree(agreed, comments, [](const Comment& c) { return std::to_string(c.id); },
               [](const NotePair& pair) { return std::to_string(pair.comment_id); });
}

NoteMerge merge_notes(const std::optional<std::vector<NotePair>>& base, const std::vector<Annotation>& annotations,
                      const std::vector<Comment>& comments, ConflictRule rule,
                      std::optional<UnixMillis> taskwarrior_modified, UnixMillis now) {
  NoteMerger merger(annotations, comments, rule, taskwarrior_modified);
  if (base) {
    for (const NotePair& pair : *base) merger.follow(pair);
  }
  return merger.finish(now);
}

void write_annotations(nlohmann::json& task, const NoteMerge& merge) {
  if (!merge.changes_taskwarrior()) return;
  std::map<std::string, nlohmann::json> by_entry;
  const auto annotations = task.find("annotations");
  if (annotations != task.end() && annotations->is_array()) {
    for (const nlohmann::json& annotation : *annotations) {
      by_entry.emplace(annotation.is_object() ? string_or(annotation, "entry") : std::string(), annotation);
    }
  }
  for (const std::string& entry : merge.annotations_to_remove) by_entry.erase(entry);
  for (const auto& [entry, text] : merge.annotations_to_write) {
    by_entry[entry] = {{"entry", entry}, {"description", text}};
  }
  nlohmann::json written = nlohmann::json::array();
  for (auto& [entry, annotation] : by_entry) written.push_back(std::move(annotation));
  if (written.empty()) {
    task.erase("annotations");
  } else {
    task["annotations"] = std::move(written);
  }
}

}  // namespace vsync
