#include "enqueue/options.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "shared/command_line.hpp"
#include "shared/error.hpp"

namespace vsync::enqueue {

const char* const usage_text = R"usage(Usage: vikunja-enqueue [--db PATH] COMMAND [ARGS]

Queue one Taskwarrior change or Vikunja webhook for vikunja-worker. Validates the input,
writes one job into the SQLite queue and returns at once; never touches the network.

Commands:
  push [FILE|-]                 queue a Taskwarrior task (JSON object, as `task export`
                                prints it) to be created or updated in Vikunja
  delete [FILE|-]               queue a Taskwarrior task to be deleted in Vikunja
  webhook [FILE|-] [--signature SIG]
                                queue a Vikunja webhook body for Taskwarrior; with a webhook
                                secret configured, SIG (X-Vikunja-Signature) must match
  hook                          Taskwarrior on-add / on-modify hook: reads 1 or 2 lines on
                                stdin, prints the task line back, queues a push or delete
  install-hooks [--taskdata DIR]
                                link this binary into Taskwarrior's hooks directory as
                                on-add-vikunja and on-modify-vikunja (DIR/hooks, else
                                $TASKDATA/hooks, else ~/.task/hooks); never replaces a
                                different file

Options:
  --db PATH          the queue file (default: $VIKUNJA_SYNC_DB, else
                     ${XDG_STATE_HOME:-$HOME/.local/state}/vikunja-sync/queue.db)
  --signature SIG    webhook only: lowercase hex HMAC-SHA256 of the body
  --input-env NAME   read the input from the file whose path is in environment variable NAME
                     (adnanh/webhook's pass-file-to-command; see contrib/webhook/)
  -h, --help         show this help
  --version          show the version

Environment:
  VIKUNJA_SYNC_DB                 the queue file (absolute path)
  VIKUNJA_WEBHOOK_SECRET          webhook secret; or VIKUNJA_WEBHOOK_SECRET_FILE, a file holding it
  VIKUNJA_SYNC_RUNNING            when set, `hook` queues nothing (set by vikunja-worker)

Examples:
  task 12 export | jq -c '.[0]' | vikunja-enqueue push
  vikunja-enqueue webhook body.json --signature "$HTTP_X_VIKUNJA_SIGNATURE"
  vikunja-enqueue install-hooks

Exit status:
  0 queued (or an event that is not synced, ignored)   64 usage   65 bad input data
  66 input file missing or unreadable   73 cannot create or open the queue
  74 queue I/O error   75 queue busy, try again   77 bad webhook signature   78 bad configuration
  `hook` exits 0 even when queueing fails (it says so), and 65 only for malformed hook input.
)usage";

namespace {

std::string_view program_basename(const char* argv0) {
  std::string_view name(argv0 == nullptr ? "" : argv0);
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

[[noreturn]] void usage_error(const std::string& problem) { throw_usage_error("vikunja-enqueue", problem); }

Command parse_command(std::string_view word) {
  if (word == "push") return Command::push;
  if (word == "delete") return Command::del;
  if (word == "webhook") return Command::webhook;
  if (word == "hook") return Command::hook;
  if (word == "install-hooks") return Command::install_hooks;
  usage_error(fmt::format("unknown command '{}'", word));
}

}  // namespace

Options parse_options(std::span<char*> argv) {
  Options options;
  const std::string_view name = argv.empty() ? "" : program_basename(argv[0]);
  if (name.starts_with("on-add") || name.starts_with("on-modify")) {
    options.command = Command::hook;
    return options;
  }

  enum LongOnly { db = 1000, signature, input_env, taskdata };
  const CommandLine line = parse_command_line(
      "vikunja-enqueue", argv,
      {{"db", required_argument, nullptr, db},
       {"signature", required_argument, nullptr, signature},
       {"input-env", required_argument, nullptr, input_env},
       {"taskdata", required_argument, nullptr, taskdata}},
      [&](int id, const char* value) {
        switch (id) {
          case db: options.db = value; break;
          case signature: options.signature = value; break;
          case input_env: options.input_env = value; break;
          case taskdata: options.taskdata = value; break;
        }
      });
  if (line.help || line.version) {
    options.command = line.help ? Command::help : Command::version;
    return options;
  }

  std::vector<std::string_view> words = line.words;
  if (words.empty()) usage_error("no command given");
  options.command = parse_command(words.front());
  words.erase(words.begin());

  if (options.signature && options.command != Command::webhook) {
    usage_error("--signature is only for the webhook command");
  }
  if (options.taskdata && options.command != Command::install_hooks) {
    usage_error("--taskdata is only for the install-hooks command");
  }
  if (options.command == Command::install_hooks) {
    if (!words.empty()) usage_error(fmt::format("unexpected argument '{}'", words[0]));
    return options;
  }
  // Taskwarrior passes its own arguments (api:2 args:... command:add) to a hook wrapper.
  if (options.command == Command::hook) return options;
  if (words.size() > 1) usage_error(fmt::format("unexpected argument '{}'", words[1]));
  if (!words.empty() && options.input_env) usage_error("give FILE or --input-env, not both");
  if (!words.empty()) options.input = std::string(words[0]);
  return options;
}

}  // namespace vsync::enqueue
