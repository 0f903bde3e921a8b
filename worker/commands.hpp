#pragma once
// What each vikunja-worker command does, given parsed options and the environment.

#include "environment.hpp"
#include "exit_code.hpp"
#include "options.hpp"

namespace vsync::worker {

ExitCode run_command(const Options& options, const Environment& env);

}  // namespace vsync::worker
