#pragma once
// `vikunja-worker doctor`: the whole setup checked, one line per check, each problem with what
// to do about it. A setting that cannot be read throws Error(config) before any check runs, as
// for every other command; a missing URL or token fails the configuration check, and the checks
// that need no Vikunja still run, so a first setup sees everything that is missing.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/environment.hpp"
#include "shared/queue_store.hpp"
#include "worker/worker.hpp"
#include "worker/worker_config.hpp"

namespace vsync {

struct Check {
  enum class Result { ok, attention, note };  // note: worth knowing, nothing to fix
  std::string name;
  Result result;
  std::string detail;
  std::string fix;  // what to do; empty when ok
};

struct DoctorInput {
  const Environment& env;
  const WorkerConfig& config;
  QueueStore& store;
  Worker* worker;  // null without VIKUNJA_URL and a token: no Vikunja checks
  const Clock& clock;
  std::optional<std::string> receiver_url;  // --url; else the URLs `webhooks install` registered
};

std::vector<Check> run_checks(const DoctorInput& input);

bool all_well(const std::vector<Check>& checks);
std::string checks_text(const std::vector<Check>& checks);
nlohmann::json checks_json(const std::vector<Check>& checks);

}  // namespace vsync
