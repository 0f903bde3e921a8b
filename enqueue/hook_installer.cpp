#include "enqueue/hook_installer.hpp"

#include <fstream>

#include <fmt/format.h>
#include <fmt/std.h>

#include "shared/error.hpp"

namespace vsync {

namespace fs = std::filesystem;

namespace {

fs::path expand_home(const std::string& path, const Environment& env) {
  if (path == "~" || path.starts_with("~/")) {
    if (const auto home = env.get("HOME")) return fs::path(*home) / path.substr(std::min<std::size_t>(2, path.size()));
  }
  return path;
}

// data.location as Taskwarrior reads it from `rc`: NAME=VALUE lines, # comments, `include FILE`
// (relative to the including file), the last assignment winning. nullopt when it sets none.
std::optional<fs::path> data_location_in(const fs::path& rc, const Environment& env, int depth = 0) {
  std::ifstream file(rc);
  if (!file || depth > 4) return std::nullopt;
  std::optional<fs::path> location;
  for (std::string line; std::getline(file, line);) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    if (line.starts_with("include ")) {
      const fs::path included = expand_home(line.substr(8), env);
      if (auto inner = data_location_in(included.is_absolute() ? included : rc.parent_path() / included, env, depth + 1)) {
        location = inner;
      }
    } else if (line.starts_with("data.location")) {
      const auto equals = line.find('=');
      if (equals == std::string::npos) continue;
      std::string value = line.substr(equals + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      location = expand_home(value, env);
    }
  }
  return location;
}

}  // namespace

// The order Taskwarrior uses: --taskdata here, then TASKDATA, then data.location in TASKRC
// (default ~/.taskrc), then ~/.task.
fs::path hooks_directory(const Environment& env, const std::optional<std::string>& taskdata) {
  if (taskdata) return fs::path(*taskdata) / "hooks";
  if (const auto from_env = env.get("TASKDATA")) return fs::path(*from_env) / "hooks";
  const auto home = env.get("HOME");
  const auto rc = env.get("TASKRC") ? std::optional(expand_home(*env.get("TASKRC"), env))
                  : home            ? std::optional(fs::path(*home) / ".taskrc")
                                    : std::nullopt;
  if (rc) {
    if (const auto location = data_location_in(*rc, env)) return *location / "hooks";
  }
  if (!home) throw Error(ExitCode::config, "cannot find Taskwarrior's data: set TASKDATA or HOME, or pass --taskdata");
  return fs::path(*home) / ".task" / "hooks";
}

namespace {

// A link to some vikunja-enqueue (an older install path, a Nix store path) is ours to update.
bool is_our_hook(const fs::path& hook, const fs::file_status& status) {
  std::error_code error;
  return fs::is_symlink(status) && fs::read_symlink(hook, error).filename() == "vikunja-enqueue";
}

}  // namespace

// All or nothing: every hook is checked before any link is made or changed.
std::vector<InstalledHook> install_hooks(const fs::path& hooks_dir, const fs::path& binary) {
  std::error_code error;
  fs::create_directories(hooks_dir, error);
  if (error) {
    throw Error(ExitCode::cant_create, fmt::format("cannot create {}: {}", hooks_dir.string(), error.message()));
  }
  std::vector<InstalledHook> plan;
  for (const char* name : {"on-add-vikunja", "on-modify-vikunja"}) {
    const fs::path hook = hooks_dir / name;
    const auto status = fs::symlink_status(hook, error);
    if (!fs::exists(status)) {
      plan.push_back({hook, HookChange::created});
    } else if (fs::is_symlink(status) && fs::equivalent(hook, binary, error)) {
      plan.push_back({hook, HookChange::unchanged});
    } else if (is_our_hook(hook, status)) {
      plan.push_back({hook, HookChange::updated});
    } else {
      throw Error(ExitCode::cant_create,
                  fmt::format("refusing to replace {}: it exists and is not a link to a vikunja-enqueue; move "
                              "it away and run install-hooks again (nothing was changed)",
                              hook.string()));
    }
  }
  for (const InstalledHook& step : plan) {
    if (step.change == HookChange::unchanged) continue;
    // A new link beside the hook, renamed over it: the hook is never missing in between.
    const fs::path temporary = step.path.string() + ".new";
    fs::remove(temporary, error);
    fs::create_symlink(binary, temporary, error);
    if (!error) fs::rename(temporary, step.path, error);
    if (error) {
      throw Error(ExitCode::cant_create, fmt::format("cannot create {}: {}", step.path.string(), error.message()));
    }
  }
  return plan;
}

}  // namespace vsync
