#pragma once
// The command line of vikunja-worker, parsed into a struct without running anything.
// parse_options throws Error(usage) with a "try:" hint.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/job.hpp"

namespace vsync::worker {

enum class Command {
  drain, run, reconcile, relink, status, metrics, config, doctor, retry, purge, breaker_reset,
  webhooks_install, webhooks_list, webhooks_remove, help, version
};

struct Options {
  Command command = Command::help;
  std::optional<std::string> db;
  bool json = false;                   // status --json, doctor --json
  std::optional<std::string> url;      // webhooks install|remove --url URL, doctor --url URL
  bool dry_run = false;                // reconcile --dry-run
  bool allow_deletes = false;          // reconcile --allow-deletes
  bool full = false;                   // reconcile --full
  bool include_completed = false;      // reconcile --include-completed
  bool all_dead = false;               // retry --dead
  std::vector<std::int64_t> job_ids;   // retry ID...
  double older_than_days = 7;          // purge --older-than DAYS
  std::optional<Target> target;        // breaker reset [TARGET]
};

Options parse_options(std::span<char*> argv);

extern const char* const usage_text;

}  // namespace vsync::worker
