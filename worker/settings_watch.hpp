#pragma once
// The files `vikunja-worker run` took its settings from (the environment file, the token file,
// the webhook secret file), looked at before each drain. A token or URL the user fixes in them
// takes effect at the next drain, which the open breaker's next probe starts: no restart, and no
// probe sent with the old token. Other settings that changed are named in the log as needing
// a restart.

#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "shared/environment.hpp"
#include "worker/worker_config.hpp"

namespace vsync {

class SettingsWatch {
 public:
  // `env`: the process environment over the environment file, as the worker started with.
  explicit SettingsWatch(Environment env);

  // The settings read anew when one of the files changed since the last look; nullopt when
  // none did. Throws Error(config) when the files now make no valid configuration.
  std::optional<WorkerConfig> reload_if_changed();

  std::vector<std::filesystem::path> files() const;  // of the settings last read

 private:
  struct Stamp {
    bool exists = false;
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    std::uintmax_t inode = 0;  // a file replaced by rename keeps size and time
    bool operator==(const Stamp&) const = default;
  };
  static Stamp stamp_of(const std::filesystem::path& file);
  void record();

  Environment env_;
  std::map<std::filesystem::path, Stamp> stamps_;
};

}  // namespace vsync
