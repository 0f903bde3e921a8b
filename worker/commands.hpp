#pragma once
// What each vikunja-worker command does, given parsed options and the environment.

#include "shared/environment.hpp"
#include "shared/exit_code.hpp"
#include "worker/options.hpp"

namespace vsync::worker {

ExitCode run_command(const Options& options, const Environment& env);

}  // namespace vsync::worker
