#pragma once
// vikunja-worker's settings (design.md "Configuration"), read once from the environment.
// Each keeps its origin for `status`. An invalid value throws Error(config) naming the variable.
// The API token is held here and in the HTTP client only: never logged, printed or stored.

#include <optional>
#include <string>
#include <vector>

#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/environment.hpp"
#include "worker/sync/merge.hpp"

namespace vsync {

struct WorkerConfig {
  std::optional<Setting<std::string>> vikunja_url;  // base URL without a trailing /api/v1
  std::optional<Setting<std::string>> api_token;
  Setting<std::string> default_project;
  Setting<int> breaker_threshold;
  Setting<UnixMillis> breaker_recovery;  // milliseconds, like every duration below
  Setting<int> max_attempts;
  Setting<UnixMillis> backoff_base;
  Setting<UnixMillis> backoff_cap;
  Setting<UnixMillis> http_timeout;
  Setting<std::string> task_bin;
  std::optional<Setting<std::string>> taskrc;    // passed through to `task`
  std::optional<Setting<std::string>> taskdata;
  Setting<ConflictRule> conflict_rule;  // VIKUNJA_SYNC_CONFLICT: a field changed on both sides
  std::optional<Setting<std::string>> webhook_secret;  // for registering webhooks (never shown)
  // The mass-delete guard (worker/sync/delete_guard.hpp): more than this many deletes within an
  // hour that are also more than this share of the links are held until the user confirms.
  Setting<int> mass_delete_count;  // 0: the guard is off

  Setting<int> mass_delete_percent;

  // How long a claim holds before another worker may take the job over. Short, because the
  // worker renews it every lease_renewal while it makes progress (worker/queue/heartbeat.hpp).
  static constexpr UnixMillis lease() { return 30'000; }
  static constexpr UnixMillis lease_renewal() { return 10'000; }
  // The longest a breaker stays open after repeated failed probes.
  UnixMillis max_recovery() const {
    return std::max<UnixMillis>(breaker_recovery.value, 3'600'000);
  }
};

WorkerConfig load_worker_config(const Environment& env);

// TASKRC and TASKDATA as NAME=VALUE, for the `task` processes the worker starts.
std::vector<std::string> task_environment(const WorkerConfig& config);

// Throws Error(config) unless VIKUNJA_URL and a token are set: what push and delete jobs need.
void require_vikunja_access(const WorkerConfig& config);

struct SettingRow {
  std::string name;
  std::string value;  // the token shows as "(set)"
  std::string origin;
};
std::vector<SettingRow> describe_settings(const WorkerConfig& config);
// Where a setting came from, said once beside its name: "default", "environment", "from
// /path/env", or the variable it was read through ("VIKUNJA_API_TOKEN_FILE from /path/env").
std::string setting_source(const std::string& name, const std::string& origin);
// "NAME = value  (source)", as config and status print each setting.
std::string setting_line(const std::string& name, const std::string& value, const std::string& origin);

}  // namespace vsync
