#pragma once
// The settings of design.md "Configuration", each with the origin it came from so that
// `status` can show them. Invalid values throw Error(config) naming the variable; nothing is
// silently replaced by a default.

#include <filesystem>
#include <optional>
#include <string>

#include "shared/environment.hpp"

namespace vsync {

template <typename T>
struct Setting {
  T value;
  std::string origin;  // "--db", "VIKUNJA_SYNC_DB", "VIKUNJA_WEBHOOK_SECRET_FILE", "default", ...
};

// --db, else $VIKUNJA_SYNC_DB (absolute), else ${XDG_STATE_HOME:-$HOME/.local/state}/vikunja-sync/queue.db
Setting<std::filesystem::path> queue_path(const Environment& env,
                                          const std::optional<std::string>& db_option);

// VIKUNJA_WEBHOOK_SECRET, or the contents of VIKUNJA_WEBHOOK_SECRET_FILE without its final
// newline; nullopt when neither is set.
std::optional<Setting<std::string>> webhook_secret(const Environment& env);

// Set by the worker while it runs `task`, so that our own hook queues nothing.
bool sync_running(const Environment& env);

// Reads a *_FILE secret (at most 64 KiB, final newline dropped); throws Error(config).
std::string read_secret_file(const std::string& variable, const std::string& path);

}  // namespace vsync
