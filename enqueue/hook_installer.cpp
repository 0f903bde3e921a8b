#include "enqueue/hook_installer.hpp"

#include <fmt/format.h>
#include <fmt/std.h>

#include "shared/error.hpp"

namespace vsync {

namespace fs = std::filesystem;

fs::path hooks_directory(const Environment& env, const std::optional<std::string>& taskdata) {
  if (taskdata) return fs::path(*taskdata) / "hooks";
  if (const auto from_env = env.get("TASKDATA")) return fs::path(*from_env) / "hooks";
  const auto home = env.get("HOME");
  if (!home) throw Error(ExitCode::config, "cannot find Taskwarrior's data: set TASKDATA or HOME, or pass --taskdata");
  return fs::path(*home) / ".task" / "hooks";
}

std::vector<InstalledHook> install_hooks(const fs::path& hooks_dir, const fs::path& binary) {
  std::error_code error;
  fs::create_directories(hooks_dir, error);
  if (error) {
    throw Error(ExitCode::cant_create, fmt::format("cannot create {}: {}", hooks_dir.string(), error.message()));
  }
  std::vector<InstalledHook> installed;
  for (const char* name : {"on-add-vikunja", "on-modify-vikunja"}) {
    const fs::path hook = hooks_dir / name;
    const auto status = fs::symlink_status(hook, error);
    if (fs::exists(status)) {
      if (fs::is_symlink(status) && fs::equivalent(hook, binary, error)) {
        installed.push_back({hook, false});
        continue;
      }
      throw Error(ExitCode::cant_create,
                  fmt::format("refusing to replace {}: it exists and is not a link to {}; move it away "
                              "and run install-hooks again",
                              hook.string(), binary.string()));
    }
    fs::create_symlink(binary, hook, error);
    if (error) {
      throw Error(ExitCode::cant_create, fmt::format("cannot create {}: {}", hook.string(), error.message()));
    }
    installed.push_back({hook, true});
  }
  return installed;
}

}  // namespace vsync
