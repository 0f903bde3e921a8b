// vikunja-enqueue: parse argv, run one command, turn the outcome into an exit code.

#include <span>

#include "enqueue/commands.hpp"
#include "enqueue/options.hpp"
#include "shared/error_report.hpp"

int main(int argc, char** argv) {
  using namespace vsync;
  try {
    const enqueue::Options options = enqueue::parse_options(std::span(argv, argc));
    return static_cast<int>(enqueue::run_command(options, Environment::process()));
  } catch (const std::exception& e) {
    return static_cast<int>(report_error("vikunja-enqueue", e));
  }
}
