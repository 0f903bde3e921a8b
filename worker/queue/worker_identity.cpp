#include "worker/queue/worker_identity.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace vsync {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

// Field 22 of /proc/PID/stat; nullopt when there is no such process.
std::optional<unsigned long long> start_ticks_of(pid_t pid) {
  std::ifstream stat_file(fmt::format("/proc/{}/stat", pid));
  if (!stat_file) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto name_end = text.rfind(')');  // the command name may hold spaces and parentheses
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(name_end + 1));
  std::vector<std::string> field{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  constexpr std::size_t start_time_index = 22 - 3;  // fields after the name start at field 3
  if (field.size() <= start_time_index) return std::nullopt;
  return std::stoull(field[start_time_index]);
}

}  // namespace

WorkerIdentity WorkerIdentity::of_this_process() {
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  WorkerIdentity me;
  me.host = host;
  me.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  std::error_code error;
  const std::string ns = std::filesystem::read_symlink("/proc/self/ns/pid", error).string();  // "pid:[4026531836]"
  if (const auto open = ns.find('['); !error && open != std::string::npos) {
    me.pid_namespace = ns.substr(open + 1, ns.find(']') - open - 1);
  }
  me.pid = ::getpid();
  me.start_ticks = start_ticks_of(me.pid).value_or(0);
  return me;
}

std::optional<WorkerIdentity> WorkerIdentity::parse(const std::string& owner) {
  static const std::regex format(
      R"(^(.+):([0-9]{1,10}) boot=([0-9a-f-]{36}) pidns=([0-9]{1,20}) start=([0-9]{1,20})$)");
  std::smatch match;
  if (!std::regex_match(owner, match, format)) return std::nullopt;
  WorkerIdentity identity;
  identity.host = match[1];
  identity.pid = static_cast<pid_t>(std::stoll(match[2]));
  identity.boot_id = match[3];
  identity.pid_namespace = match[4];
  identity.start_ticks = std::stoull(match[5]);
  return identity;
}

std::string WorkerIdentity::owner() const {
  return fmt::format("{}:{} boot={} pidns={} start={}", host, pid, boot_id, pid_namespace, start_ticks);
}

bool WorkerIdentity::is_gone(const WorkerIdentity& observer) const {
  // Another host name (a container, say, with pids of its own): nothing here can tell.
  if (host != observer.host || boot_id.empty() || observer.boot_id.empty()) return false;
  if (boot_id != observer.boot_id) return true;
  if (pid_namespace.empty() || pid_namespace != observer.pid_namespace) return false;
  const auto started = start_ticks_of(pid);
  return !started || *started != start_ticks;
}

}  // namespace vsync
