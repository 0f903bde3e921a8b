// vikunja-worker: parse argv, run one command, turn the outcome into an exit code.

#include <span>

#include "shared/error_report.hpp"
#include "worker/commands.hpp"
#include "worker/options.hpp"

int main(int argc, char** argv) {
  using namespace vsync;
  try {
    const worker::Options options = worker::parse_options(std::span(argv, argc));
    return static_cast<int>(worker::run_command(options, Environment::process().with_env_file()));
  } catch (const std::exception& e) {
    return static_cast<int>(report_error("vikunja-worker", e));
  }
}
