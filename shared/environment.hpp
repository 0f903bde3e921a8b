#pragma once
// Where configuration comes from: the process environment, or a fixed map in tests.
// An empty variable counts as unset, so a systemd EnvironmentFile line "NAME=" means "default".

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

  std::optional<std::string> get(const std::string& name) const;

 private:
  explicit Environment(Lookup lookup) : lookup_(std::move(lookup)) {}
  Lookup lookup_;
};

}  // namespace vsync
