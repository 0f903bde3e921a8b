#pragma once
// The command line of vikunja-enqueue, parsed into a struct without running anything.
// parse_options throws Error(usage) with a "try:" hint.

#include <optional>
#include <span>
#include <string>

namespace vsync::enqueue {

enum class Command { push, del, webhook, hook, install_hooks, help, version };

struct Options {
  Command command = Command::help;
  std::string input = "-";               // FILE or "-" for standard input
  std::optional<std::string> input_env;  // --input-env NAME: FILE is the path in $NAME
  std::optional<std::string> signature;  // webhook --signature
  std::optional<std::string> db;         // --db PATH
  std::optional<std::string> taskdata;   // install-hooks --taskdata DIR
};

// argv[0] named on-add* or on-modify* (a symlink in Taskwarrior's hooks directory) means
// `hook`; Taskwarrior's own arguments (api:2 args:... ) are then ignored.
Options parse_options(std::span<char*> argv);

extern const char* const usage_text;

}  // namespace vsync::enqueue
