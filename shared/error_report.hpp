#pragma once
// The single place where an exception becomes one line on stderr and an exit code.

#include <exception>
#include <string>
#include <string_view>

#include "shared/exit_code.hpp"

namespace vsync {

// Prints "<program>: <message>" as one line (control characters escaped) and returns the
// exit code: the Error's own, or 70 for anything unexpected.
ExitCode report_error(std::string_view program, const std::exception& error);

// Escapes newlines and other control characters, so text from the network stays on one line.
std::string single_line(std::string_view text);

}  // namespace vsync
