#pragma once
// What each vikunja-enqueue command does, given parsed options and the environment.
// Throws Error with the exit code of the failure; `hook` turns queue failures into feedback.

#include "enqueue/options.hpp"
#include "shared/environment.hpp"
#include "shared/exit_code.hpp"

namespace vsync::enqueue {

ExitCode run_command(const Options& options, const Environment& env);

}  // namespace vsync::enqueue
