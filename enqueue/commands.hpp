#pragma once
// What each vikunja-enqueue command does, given parsed options and the environment.
// Throws Error with the exit code of the failure; `hook` turns queue failures into feedback.

#include "environment.hpp"
#include "exit_code.hpp"
#include "options.hpp"

namespace vsync::enqueue {

ExitCode run_command(const Options& options, const Environment& env);

}  // namespace vsync::enqueue
