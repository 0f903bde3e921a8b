#include "shared/environment.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_env_file_bytes = 64 * 1024;

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::string unquoted(const std::string& value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

}  // namespace

std::map<std::string, std::string> read_env_file(const fs::path& path) {
  // A regular file only: a FIFO would block, a directory reads as nothing.
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    throw Error(ExitCode::config,
                fmt::format("cannot read environment file {}: {}", path.string(),
                            error ? error.message() : fs::exists(path) ? "not a regular file" : "no such file"));
  }
  std::ifstream file(path, std::ios::binary);
  std::string text(max_env_file_bytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.bad() || (!file && !file.eof())) {
    throw Error(ExitCode::config, fmt::format("cannot read environment file {}: {}", path.string(), std::strerror(errno)));
  }
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > max_env_file_bytes) {
    throw Error(ExitCode::config, fmt::format("environment file {} is larger than {} bytes", path.string(),
                                              max_env_file_bytes));
  }
  static const std::regex name(R"([A-Za-z_][A-Za-z0-9_]*)");
  std::map<std::string, std::string> variables;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string content = trimmed(line);
    if (content.empty() || content.front() == '#' || content.front() == ';') continue;
    const auto equals = content.find('=');
    const std::string key = equals == std::string::npos ? content : trimmed(content.substr(0, equals));
    if (equals == std::string::npos || !std::regex_match(key, name)) {
      throw Error(ExitCode::config, fmt::format("environment file {}:{}: expected NAME=VALUE, found '{}'",
                                                path.string(), number, content.substr(0, 80)));
    }
    variables[key] = unquoted(trimmed(content.substr(equals + 1)));
  }
  return variables;
}

Environment Environment::process() {
  return Environment([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

Environment Environment::from_map(std::map<std::string, std::string> variables) {
  return Environment(
      [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
      });
}

std::optional<fs::path> env_file_location(const Environment& env) {
  if (const auto explicit_file = env.get("VIKUNJA_SYNC_ENV_FILE")) return fs::path(*explicit_file);
  if (const auto xdg = env.get("XDG_CONFIG_HOME"); xdg && xdg->front() == '/') {
    return fs::path(*xdg) / "vikunja-sync" / "env";
  }
  if (const auto home = env.get("HOME"); home && home->front() == '/') {
    return fs::path(*home) / ".config" / "vikunja-sync" / "env";
  }
  return std::nullopt;
}

Environment Environment::with_env_file() const {
  const auto file = env_file_location(*this);
  std::error_code error;
  // Only the default location may be missing (none yet: nothing to read); a file named by
  // VIKUNJA_SYNC_ENV_FILE must be readable.
  if (!file || (!get("VIKUNJA_SYNC_ENV_FILE") && !fs::exists(*file, error))) return *this;
  return over(read_env_file(*file), *file);
}

Environment Environment::over(std::map<std::string, std::string> file_variables, fs::path file) const {
  Environment layered = *this;
  layered.file_variables_ = std::move(file_variables);
  layered.env_file_ = std::move(file);
  return layered;
}

std::optional<std::string> Environment::from_lookup(const std::string& name) const {
  auto value = lookup_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<std::string> Environment::get(const std::string& name) const {
  if (auto value = from_lookup(name)) return value;
  const auto in_file = file_variables_.find(name);
  if (in_file == file_variables_.end() || in_file->second.empty()) return std::nullopt;
  return in_file->second;
}

std::string Environment::origin(const std::string& name) const {
  if (from_lookup(name) || !env_file_ || !file_variables_.contains(name)) return name;
  return fmt::format("{} (from {})", name, env_file_->string());
}

}  // namespace vsync
