#pragma once
// The attributes (string UDAs) the sync writes into Taskwarrior tasks: the link and Vikunja's
// description. install-hooks names them for the user's taskrc, doctor checks them there, and
// the worker declares them on its own `task` runs.

#include <string_view>

namespace vsync {

inline constexpr const char* vikunja_id_attribute = "vikunja_id";
inline constexpr const char* vikunja_description_attribute = "vikunja_description";

struct TaskwarriorAttribute {
  std::string_view name;
  std::string_view label;    // what `task info` shows
  std::string_view purpose;  // what declaring it lets `task` do, for doctor's advice
};

inline constexpr TaskwarriorAttribute taskwarrior_attributes[] = {
    {vikunja_id_attribute, "Vikunja", "shows and keeps the link"},
    {vikunja_description_attribute, "Vikunja description", "shows and edits Vikunja's description"},
};

}  // namespace vsync
