#include "shared/config.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/input_source.hpp"

namespace vsync {

namespace fs = std::filesystem;

namespace {

fs::path absolute_path_from(const std::string& variable, const std::string& value) {
  fs::path path(value);
  if (!path.is_absolute()) {
    throw Error(ExitCode::config,
                fmt::format("{} must be an absolute path, got '{}'", variable, value));
  }
  return path;
}

}  // namespace

Setting<fs::path> queue_path(const Environment& env, const std::optional<std::string>& db_option) {
  if (db_option) {
    if (db_option->empty()) throw Error(ExitCode::usage, "--db needs a path");
    return {fs::path(*db_option), "--db"};
  }
  if (const auto db = env.get("VIKUNJA_SYNC_DB")) {
    return {absolute_path_from("VIKUNJA_SYNC_DB", *db), env.origin("VIKUNJA_SYNC_DB")};
  }
  const fs::path relative = fs::path("vikunja-sync") / "queue.db";
  // The XDG spec says a relative XDG_STATE_HOME is to be ignored, not obeyed.
  if (const auto state_home = env.get("XDG_STATE_HOME"); state_home && state_home->front() == '/') {
    return {fs::path(*state_home) / relative, "XDG_STATE_HOME"};
  }
  const auto home = env.get("HOME");
  if (!home) {
    throw Error(ExitCode::config,
                "cannot find the queue: set VIKUNJA_SYNC_DB, XDG_STATE_HOME or HOME, or pass --db");
  }
  return {absolute_path_from("HOME", *home) / ".local" / "state" / relative, "default"};
}

std::string read_secret_file(const std::string& variable, const std::string& path) {
  std::string secret;
  try {
    secret = read_input(path, 64 * 1024);
  } catch (const Error& e) {
    throw Error(ExitCode::config, fmt::format("{}: {}", variable, e.what()));
  }
  if (secret.ends_with('\n')) secret.pop_back();
  if (secret.ends_with('\r')) secret.pop_back();
  return secret;
}

std::optional<Setting<std::string>> webhook_secret(const Environment& env) {
  const auto inline_secret = env.get("VIKUNJA_WEBHOOK_SECRET");
  const auto secret_file = env.get("VIKUNJA_WEBHOOK_SECRET_FILE");
  if (inline_secret && secret_file) {
    throw Error(ExitCode::config,
                "set only one of VIKUNJA_WEBHOOK_SECRET and VIKUNJA_WEBHOOK_SECRET_FILE");
  }
  if (inline_secret) return Setting<std::string>{*inline_secret, env.origin("VIKUNJA_WEBHOOK_SECRET")};
  if (secret_file) {
    return Setting<std::string>{read_secret_file("VIKUNJA_WEBHOOK_SECRET_FILE", *secret_file),
                                env.origin("VIKUNJA_WEBHOOK_SECRET_FILE")};
  }
  return std::nullopt;
}

bool sync_running(const Environment& env) { return env.get("VIKUNJA_SYNC_RUNNING").has_value(); }

}  // namespace vsync
