#include "worker/worker_config.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

[[noreturn]] void invalid(const std::string& variable, const std::string& value,
                          std::string_view expected) {
  throw Error(ExitCode::config, fmt::format("{} is '{}'; expected {}", variable, value, expected));
}

Setting<int> whole_number(const Environment& env, const std::string& variable, int fallback, int least) {
  const auto text = env.get(variable);
  if (!text) return {fallback, "default"};
  int value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value < least) {
    invalid(env.origin(variable), *text, fmt::format("a whole number of at least {}", least));
  }
  return {value, env.origin(variable)};
}

Setting<int> positive_integer(const Environment& env, const std::string& variable, int fallback) {
  return whole_number(env, variable, fallback, 1);
}

Setting<int> percentage(const Environment& env, const std::string& variable, int fallback) {
  Setting<int> setting = positive_integer(env, variable, fallback);
  if (setting.value > 100) invalid(env.origin(variable), *env.get(variable), "a percentage from 1 to 100");
  return setting;
}

// Seconds with decimals allowed, returned in milliseconds.
Setting<UnixMillis> duration(const Environment& env, const std::string& variable,
                             double fallback_seconds) {
  const auto text = env.get(variable);
  if (!text) return {static_cast<UnixMillis>(fallback_seconds * 1000), "default"};
  double seconds = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (error != std::errc{} || end != text->data() + text->size() || !std::isfinite(seconds) ||
      seconds <= 0 || seconds > 365.0 * 86400) {
    invalid(env.origin(variable), *text, "a number of seconds greater than 0, such as 60 or 0.5");
  }
  return {static_cast<UnixMillis>(std::llround(seconds * 1000)), env.origin(variable)};
}

std::optional<Setting<std::string>> vikunja_url(const Environment& env) {
  auto url = env.get("VIKUNJA_URL");
  if (!url) return std::nullopt;
  if (!url->starts_with("http://") && !url->starts_with("https://")) {
    invalid(env.origin("VIKUNJA_URL"), *url, "an http:// or https:// URL such as https://vikunja.example.com");
  }
  while (url->ends_with('/')) url->pop_back();
  if (url->ends_with("/api/v1")) url->resize(url->size() - 7);
  return Setting<std::string>{*url, env.origin("VIKUNJA_URL")};
}

std::optional<Setting<std::string>> api_token(const Environment& env) {
  const auto inline_token = env.get("VIKUNJA_API_TOKEN");
  const auto token_file = env.get("VIKUNJA_API_TOKEN_FILE");
  if (inline_token && token_file) {
    throw Error(ExitCode::config, "set only one of VIKUNJA_API_TOKEN and VIKUNJA_API_TOKEN_FILE");
  }
  std::optional<Setting<std::string>> token;
  if (inline_token) token = Setting<std::string>{*inline_token, env.origin("VIKUNJA_API_TOKEN")};
  if (token_file) {
    token = Setting<std::string>{read_secret_file("VIKUNJA_API_TOKEN_FILE", *token_file),
                                 env.origin("VIKUNJA_API_TOKEN_FILE")};
  }
  // The token goes into an HTTP header: a line break in it would forge headers.
  if (token && token->value.find_first_of("\r\n") != std::string::npos) {
    throw Error(ExitCode::config, fmt::format("{} holds a line break", token->origin));
  }
  return token;
}

template <typename T>
Setting<T> text_or(const Environment& env, const std::string& variable, T fallback) {
  if (const auto value = env.get(variable)) return {*value, env.origin(variable)};
  return {std::move(fallback), "default"};
}

std::optional<Setting<std::string>> optional_text(const Environment& env, const std::string& variable) {
  if (const auto value = env.get(variable)) return Setting<std::string>{*value, env.origin(variable)};
  return std::nullopt;
}

Setting<ConflictRule> conflict_rule(const Environment& env) {
  const auto text = env.get("VIKUNJA_SYNC_CONFLICT");
  if (!text) return {ConflictRule::newest, "default"};
  const auto rule = parse_conflict_rule(*text);
  if (!rule) invalid(env.origin("VIKUNJA_SYNC_CONFLICT"), *text, "newest, taskwarrior or vikunja");
  return {*rule, env.origin("VIKUNJA_SYNC_CONFLICT")};
}

std::string seconds_text(UnixMillis ms) { return fmt::format("{:g}s", ms / 1000.0); }

}  // namespace

WorkerConfig load_worker_config(const Environment& env) {
  WorkerConfig config{
      .vikunja_url = vikunja_url(env),
      .api_token = api_token(env),
      .default_project = text_or<std::string>(env, "VIKUNJA_DEFAULT_PROJECT", "inbox"),
      .breaker_threshold = positive_integer(env, "VIKUNJA_SYNC_BREAKER_THRESHOLD", 3),
      .breaker_recovery = duration(env, "VIKUNJA_SYNC_BREAKER_RECOVERY", 60),
      .max_attempts = positive_integer(env, "VIKUNJA_SYNC_MAX_ATTEMPTS", 10),
      .backoff_base = duration(env, "VIKUNJA_SYNC_BACKOFF_BASE", 5),
      .backoff_cap = duration(env, "VIKUNJA_SYNC_BACKOFF_CAP", 3600),
      .http_timeout = duration(env, "VIKUNJA_SYNC_HTTP_TIMEOUT", 30),
      .task_bin = text_or<std::string>(env, "VIKUNJA_SYNC_TASK_BIN", "task"),
      .taskrc = optional_text(env, "TASKRC"),
      .taskdata = optional_text(env, "TASKDATA"),
      .conflict_rule = conflict_rule(env),
      .webhook_secret = webhook_secret(env),
      .mass_delete_count = whole_number(env, "VIKUNJA_SYNC_MASS_DELETE_COUNT", 5, 0),  // 0: off
      .mass_delete_percent = percentage(env, "VIKUNJA_SYNC_MASS_DELETE_PERCENT", 20),
  };
  if (config.backoff_cap.value < config.backoff_base.value) {
    throw Error(ExitCode::config,
                fmt::format("VIKUNJA_SYNC_BACKOFF_CAP ({}) is below VIKUNJA_SYNC_BACKOFF_BASE ({})",
                            seconds_text(config.backoff_cap.value),
                            seconds_text(config.backoff_base.value)));
  }
  return config;
}

std::vector<std::string> task_environment(const WorkerConfig& config) {
  std::vector<std::string> environment;
  if (config.taskrc) environment.push_back("TASKRC=" + config.taskrc->value);
  if (config.taskdata) environment.push_back("TASKDATA=" + config.taskdata->value);
  return environment;
}

void require_vikunja_access(const WorkerConfig& config) {
  if (!config.vikunja_url) {
    throw Error(ExitCode::config, "VIKUNJA_URL is not set (e.g. https://vikunja.example.com)");
  }
  if (!config.api_token) {
    throw Error(ExitCode::config, "no API token: set VIKUNJA_API_TOKEN or VIKUNJA_API_TOKEN_FILE");
  }
}

std::vector<SettingRow> describe_settings(const WorkerConfig& config) {
  const auto optional_row = [](const char* name, const auto& setting, std::string shown) {
    return setting ? SettingRow{name, std::move(shown), setting->origin}
                   : SettingRow{name, "(not set)", "-"};
  };
  return {
      optional_row("VIKUNJA_URL", config.vikunja_url,
                   config.vikunja_url ? config.vikunja_url->value : ""),
      optional_row("VIKUNJA_API_TOKEN", config.api_token, "(set)"),
      {"VIKUNJA_DEFAULT_PROJECT", config.default_project.value, config.default_project.origin},
      {"VIKUNJA_SYNC_BREAKER_THRESHOLD", std::to_string(config.breaker_threshold.value),
       config.breaker_threshold.origin},
      {"VIKUNJA_SYNC_BREAKER_RECOVERY", seconds_text(config.breaker_recovery.value),
       config.breaker_recovery.origin},
      {"VIKUNJA_SYNC_MAX_ATTEMPTS", std::to_string(config.max_attempts.value),
       config.max_attempts.origin},
      {"VIKUNJA_SYNC_BACKOFF_BASE", seconds_text(config.backoff_base.value),
       config.backoff_base.origin},
      {"VIKUNJA_SYNC_BACKOFF_CAP", seconds_text(config.backoff_cap.value),
       config.backoff_cap.origin},
      {"VIKUNJA_SYNC_HTTP_TIMEOUT", seconds_text(config.http_timeout.value),
       config.http_timeout.origin},
      {"VIKUNJA_SYNC_TASK_BIN", config.task_bin.value, config.task_bin.origin},
      optional_row("TASKRC", config.taskrc, config.taskrc ? config.taskrc->value : ""),
      optional_row("TASKDATA", config.taskdata, config.taskdata ? config.taskdata->value : ""),
      {"VIKUNJA_SYNC_CONFLICT", std::string(to_string(config.conflict_rule.value)), config.conflict_rule.origin},
      optional_row("VIKUNJA_WEBHOOK_SECRET", config.webhook_secret, "(set)"),
      {"VIKUNJA_SYNC_MASS_DELETE_COUNT", std::to_string(config.mass_delete_count.value),
       config.mass_delete_count.origin},
      {"VIKUNJA_SYNC_MASS_DELETE_PERCENT", std::to_string(config.mass_delete_percent.value),
       config.mass_delete_percent.origin},
  };
}

std::string setting_source(const std::string& name, const std::string& origin) {
  std::string source = origin;
  if (source.starts_with(name) && (source.size() == name.size() || source[name.size()] == ' ')) {
    source.erase(0, name.size());
    if (source.empty()) return "environment";
    source.erase(0, 1);
  }
  // "(from /path)" -> "from /path"
  if (const auto open = source.find("(from "); open != std::string::npos && source.ends_with(')')) {
    source.erase(source.size() - 1);
    source.erase(open, 1);
  }
  return source;
}

std::string setting_line(const std::string& name, const std::string& value, const std::string& origin) {
  return fmt::format("{} = {}  ({})", name, value, setting_source(name, origin));
}

}  // namespace vsync
