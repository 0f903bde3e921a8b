#include "worker/settings_watch.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>

namespace vsync {

SettingsWatch::SettingsWatch(Environment env) : env_(std::move(env)) { record(); }

SettingsWatch::Stamp SettingsWatch::stamp_of(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return {};
  return {true, std::filesystem::file_time_type(std::chrono::seconds(info.st_mtim.tv_sec) +
                                                std::chrono::nanoseconds(info.st_mtim.tv_nsec)),
          static_cast<std::uintmax_t>(info.st_size), static_cast<std::uintmax_t>(info.st_ino)};
}

std::vector<std::filesystem::path> SettingsWatch::files() const {
  std::vector<std::filesystem::path> watched;
  if (const auto file = env_file_location(env_)) watched.push_back(*file);
  for (const char* variable : {"VIKUNJA_API_TOKEN_FILE", "VIKUNJA_WEBHOOK_SECRET_FILE"}) {
    if (const auto file = env_.get(variable)) watched.emplace_back(*file);
  }
  return watched;
}

void SettingsWatch::record() {
  stamps_.clear();
  for (const auto& file : files()) stamps_[file] = stamp_of(file);
}

std::optional<WorkerConfig> SettingsWatch::reload_if_changed() {
  const bool changed = std::any_of(stamps_.begin(), stamps_.end(),
                                   [](const auto& entry) { return stamp_of(entry.first) != entry.second; });
  if (!changed) return std::nullopt;
  record();  // first: files that make no valid configuration are reported once, not every drain
  env_ = env_.with_env_file();
  record();  // the token file may be another one now
  return load_worker_config(env_);
}

}  // namespace vsync
