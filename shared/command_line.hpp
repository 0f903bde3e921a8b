#pragma once
// The getopt_long loop both binaries share: --help/-h and --version handled here, every other
// option handed to the program, the remaining words returned in order. Usage errors throw
// Error(usage) ending in "(try: PROGRAM --help)".

#include <getopt.h>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vsync {

struct CommandLine {
  bool help = false;
  bool version = false;
  std::vector<std::string_view> words;  // the command and its arguments
};

// `program_options` are the program's own long options (ids >= 1000), without help/version.
CommandLine parse_command_line(std::string_view program, std::span<char*> argv,
                               const std::vector<option>& program_options,
                               const std::function<void(int id, const char* value)>& on_option);

[[noreturn]] void throw_usage_error(std::string_view program, const std::string& problem);

}  // namespace vsync
