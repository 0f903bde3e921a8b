#pragma once
// Who holds a lease, precisely enough to tell from /proc whether that process still runs: the
// host, the kernel's boot id, the pid namespace, the pid and the pid's start time (so a recycled
// pid is not taken for the worker that died). Stored as the jobs' lease_owner and the breaker's
// probe_owner:
//   <host>:<pid> boot=<boot id> pidns=<pid namespace inode> start=<clock ticks since boot>

#include <sys/types.h>

#include <optional>
#include <string>

namespace vsync {

struct WorkerIdentity {
  std::string host;
  std::string boot_id;
  std::string pid_namespace;  // the inode of /proc/self/ns/pid
  pid_t pid = 0;
  unsigned long long start_ticks = 0;

  static WorkerIdentity of_this_process();
  // nullopt for an owner in another format (an older release, a test's name): never judged.
  static std::optional<WorkerIdentity> parse(const std::string& owner);
  std::string owner() const;

  // Whether the process this identity names is gone, judged from `observer`'s machine: same
  // host and another boot (a queue in WAL mode lives on one machine, so the owner died with the
  // boot), or same boot and pid namespace and no process with that pid and start time. Whatever
  // it cannot tell (another host name, another pid namespace, an unknown boot id): false.
  bool is_gone(const WorkerIdentity& observer) const;
};

}  // namespace vsync
