#pragma once
// The one exception type of the project. It carries the exit code that main() turns it into;
// each layer that rethrows adds "verb object: cause" context in front of the message.

#include <stdexcept>
#include <string>

#include "shared/exit_code.hpp"

namespace vsync {

class Error : public std::runtime_error {
 public:
  Error(ExitCode exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}

  ExitCode exit_code() const { return exit_code_; }

 private:
  ExitCode exit_code_;
};

}  // namespace vsync
