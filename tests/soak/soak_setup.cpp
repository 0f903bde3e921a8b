#include "soak_setup.hpp"

#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "fake_vikunja.hpp"

namespace vsync::soak {

namespace fs = std::filesystem;

Installation Installation::create(const fs::path& dir, std::string vikunja_url, bool serialized_task) {
  Installation install{dir, std::move(vikunja_url), serialized_task};
  fs::create_directories(install.taskdata() / "hooks");
  fs::create_directories(install.logs());
  fs::create_directory(install.queue_dir());
  fs::permissions(install.queue_dir(), fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(install.taskrc()) << fmt::format("data.location={}\nconfirmation=off\n", install.taskdata().string());
  for (const char* hook : {"on-add-vikunja", "on-modify-vikunja"}) {
    fs::create_symlink(VIKUNJA_ENQUEUE, install.hook(hook));
  }
  if (serialized_task) {
    std::ofstream(install.task_bin()) << fmt::format("#!/bin/sh\nexec flock {} task \"$@\"\n",
                                                     (install.dir / "task.lock").string());
    fs::permissions(install.task_bin(), fs::perms::owner_all);
  }
  return install;
}

std::string Installation::task_bin() const { return serialized_task ? (dir / "serialized-task").string() : "task"; }

std::vector<std::string> Installation::task_environment() const {
  return {"PATH=/usr/bin:/bin", "HOME=" + dir.string(), "TASKRC=" + taskrc().string(),
          "TASKDATA=" + taskdata().string(), "VIKUNJA_SYNC_DB=" + db().string()};
}

std::vector<std::string> Installation::enqueue_environment() const {
  return {"PATH=/usr/bin:/bin", "HOME=" + dir.string(), "VIKUNJA_SYNC_DB=" + db().string(),
          "VIKUNJA_WEBHOOK_SECRET=" + webhook_secret};
}

std::vector<std::string> Installation::worker_environment() const {
  return {"PATH=/usr/bin:/bin",
          "HOME=" + dir.string(),
          "TASKRC=" + taskrc().string(),
          "TASKDATA=" + taskdata().string(),
          "VIKUNJA_SYNC_DB=" + db().string(),
          "VIKUNJA_URL=" + vikunja_url,
          std::string("VIKUNJA_API_TOKEN=") + test::FakeVikunja::token,
          "VIKUNJA_DEFAULT_PROJECT=inbox",
          "VIKUNJA_SYNC_TASK_BIN=" + task_bin(),
          fmt::format("VIKUNJA_SYNC_HTTP_TIMEOUT={}", http_timeout.count()),
          "VIKUNJA_SYNC_BACKOFF_BASE=0.5",
          "VIKUNJA_SYNC_BACKOFF_CAP=4",
          "VIKUNJA_SYNC_BREAKER_RECOVERY=1",
          // Every fault here is transient: a job must get through however many it meets, so
          // a dead job can only mean a wrong classification, never an exhausted budget.
          "VIKUNJA_SYNC_MAX_ATTEMPTS=100000",
          // The simulated user means every delete; holding a burst of them for a confirmation
          // nobody gives would read as lost convergence. The guard has tests of its own.
          "VIKUNJA_SYNC_MASS_DELETE_COUNT=0"};
}

std::string clock_text(std::int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", local.tm_hour, local.tm_min, local.tm_sec, unix_ms % 1000);
}

std::string clock_text_now() {
  using namespace std::chrono;
  return clock_text(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

void EventLog::note(const std::string& what) {
  std::lock_guard lock(mutex_);
  out_ << clock_text_now() << " " << what << '\n' << std::flush;
}

}  // namespace vsync::soak
