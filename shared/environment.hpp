#pragma once
// Where configuration comes from: the process environment over the environment file that the
// systemd units read (EnvironmentFile=), so that `vikunja-worker config`, `status` and the hook
// see what the service sees; or fixed maps in tests. An empty variable counts as unset, so a
// line "NAME=" means "default", and an empty process variable does not hide the file's value.
//
// The file is $VIKUNJA_SYNC_ENV_FILE, else ${XDG_CONFIG_HOME:-$HOME/.config}/vikunja-sync/env
// when it exists. Its syntax is systemd's: NAME=VALUE lines, # or ; comments, blank lines, a
// value optionally in single or double quotes.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace vsync {

class Environment {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

  static Environment process();
  static Environment from_map(std::map<std::string, std::string> variables);

  // This environment over the environment file it names (see above). Throws Error(config)
  // when VIKUNJA_SYNC_ENV_FILE names a file that cannot be read, or a line is not NAME=VALUE.
  Environment with_env_file() const;
  // Over the variables of `file`, as read by read_env_file.
  Environment over(std::map<std::string, std::string> file_variables, std::filesystem::path file) const;

  std::optional<std::string> get(const std::string& name) const;
  // How to name where `name` came from in a message: "VIKUNJA_URL", or "VIKUNJA_URL (from /path)".
  std::string origin(const std::string& name) const;
  // The environment file read, if any.
  const std::optional<std::filesystem::path>& env_file() const { return env_file_; }

 private:
  explicit Environment(Lookup lookup) : lookup_(std::move(lookup)) {}
  std::optional<std::string> from_lookup(const std::string& name) const;

  Lookup lookup_;
  std::map<std::string, std::string> file_variables_;
  std::optional<std::filesystem::path> env_file_;
};

// The NAME=VALUE lines of an environment file. Throws Error(config) naming the file and line.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& path);

// Where the environment file is, or would be: $VIKUNJA_SYNC_ENV_FILE, else
// ${XDG_CONFIG_HOME:-$HOME/.config}/vikunja-sync/env; nullopt without HOME.
std::optional<std::filesystem::path> env_file_location(const Environment& env);

}  // namespace vsync
