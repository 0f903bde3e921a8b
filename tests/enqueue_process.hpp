#pragma once
// Runs the built vikunja-enqueue in a clean environment of the test's choosing.

#include <map>
#include <string>
#include <vector>

#include "worker/remote/subprocess.hpp"

namespace vsync::test {

// The environment is exactly `env` plus PATH; nothing of the developer's VIKUNJA_* leaks in.
inline ProcessResult run_enqueue(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 const std::string& stdin_data = "") {
  std::vector<std::string> argv{VIKUNJA_ENQUEUE};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment{"PATH=/usr/bin:/bin"};
  for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
  return run_process(ProcessRequest{argv, stdin_data, environment, std::chrono::seconds(30)});
}

}  // namespace vsync::test
