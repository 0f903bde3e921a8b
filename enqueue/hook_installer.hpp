#pragma once
// Installs vikunja-enqueue as Taskwarrior's on-add and on-modify hooks: two symlinks named
// on-add-vikunja and on-modify-vikunja in the hooks directory, pointing at the binary (which
// recognises those names). Idempotent, and all or nothing: a link to another vikunja-enqueue
// (an older install) is pointed at this one; any other file already there is never replaced,
// Error(cant_create) names it, and nothing is changed.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/environment.hpp"

namespace vsync {

// --taskdata DIR, else $TASKDATA, else data.location in $TASKRC (or ~/.taskrc), else ~/.task —
// with /hooks appended.
std::filesystem::path hooks_directory(const Environment& env, const std::optional<std::string>& taskdata);

enum class HookChange { created, updated, unchanged };

struct InstalledHook {
  std::filesystem::path path;
  HookChange change;  // updated: it linked to another vikunja-enqueue
};

std::vector<InstalledHook> install_hooks(const std::filesystem::path& hooks_dir,
                                         const std::filesystem::path& binary);

}  // namespace vsync
