#include "shared/command_line.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {
constexpr int version_id = 999;
}

void throw_usage_error(std::string_view program, const std::string& problem) {
  throw Error(ExitCode::usage, fmt::format("{} (try: {} --help)", problem, program));
}

CommandLine parse_command_line(std::string_view program, std::span<char*> argv,
                               const std::vector<option>& program_options,
                               const std::function<void(int id, const char* value)>& on_option) {
  std::vector<option> long_options = program_options;
  long_options.push_back({"help", no_argument, nullptr, 'h'});
  long_options.push_back({"version", no_argument, nullptr, version_id});
  long_options.push_back({nullptr, 0, nullptr, 0});
  optind = 0;  // full re-initialisation, so a command line can be parsed more than once
  opterr = 0;
  CommandLine line;
  const int argc = static_cast<int>(argv.size());
  for (int opt; (opt = getopt_long(argc, argv.data(), ":h", long_options.data(), nullptr)) != -1;) {
    switch (opt) {
      case 'h': line.help = true; break;
      case version_id: line.version = true; break;
      case ':': throw_usage_error(program, fmt::format("option '{}' needs a value", argv[optind - 1]));
      case '?': throw_usage_error(program, fmt::format("unknown option '{}'", argv[optind - 1]));
      default: on_option(opt, optarg);
    }
  }
  line.words.assign(argv.begin() + optind, argv.end());
  return line;
}

}  // namespace vsync
