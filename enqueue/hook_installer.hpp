#pragma once
// Installs vikunja-enqueue as Taskwarrior's on-add and on-modify hooks: two symlinks named
// on-add-vikunja and on-modify-vikunja in the hooks directory, pointing at the binary (which
// recognises those names). Idempotent; a different file already there is never replaced:
// Error(cant_create) names it.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/environment.hpp"

namespace vsync {

// --taskdata DIR, else $TASKDATA, else ~/.task — with /hooks appended.
std::filesystem::path hooks_directory(const Environment& env, const std::optional<std::string>& taskdata);

struct InstalledHook {
  std::filesystem::path path;
  bool created;  // false: it was already there, pointing at the same binary
};

std::vector<InstalledHook> install_hooks(const std::filesystem::path& hooks_dir,
                                         const std::filesystem::path& binary);

}  // namespace vsync
