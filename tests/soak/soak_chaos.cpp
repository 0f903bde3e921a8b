#include "soak_chaos.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "temp_dir.hpp"

namespace vsync::soak {

namespace {

using std::chrono::milliseconds;

std::string last_line(const std::filesystem::path& file) {
  std::string text = test::read_file(file);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto start = text.rfind('\n');
  return start == std::string::npos ? text : text.substr(start + 1);
}

}  // namespace

const char* to_string(Fault fault) {
  switch (fault) {
    case Fault::refused: return "refused";
    case Fault::unavailable: return "503";
    case Fault::rate_limited: return "429";
    case Fault::hang: return "hang";
    case Fault::garbage: return "garbage";
    case Fault::lost_create: return "lost create";
  }
  return "?";
}

// --- FaultSchedule ---

FaultSchedule::FaultSchedule(test::FakeVikunja& vikunja, std::uint64_t seed, EventLog& events)
    : vikunja_(vikunja), random_(seed), events_(events), thread_([this] { run(); }) {}

FaultSchedule::~FaultSchedule() { stop(); }

void FaultSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  vikunja_.answer_normally();
}

std::array<long long, fault_kinds> FaultSchedule::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

long long FaultSchedule::total() const {
  long long sum = 0;
  for (const long long count : counts()) sum += count;
  return sum;
}

bool FaultSchedule::pause(milliseconds how_long) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, how_long, [this] { return stopping_; });
}

void FaultSchedule::run() {
  std::uniform_int_distribution<long> calm(500, 3000), stormy(500, 3000);
  std::uniform_int_distribution<std::size_t> kind(0, fault_kinds - 1);
  while (pause(milliseconds(calm(random_)))) {
    inject(static_cast<Fault>(kind(random_)));
    if (!pause(milliseconds(stormy(random_)))) return;
    vikunja_.answer_normally();
    events_.note("stand-in answers normally");
  }
}

void FaultSchedule::inject(Fault fault) {
  using AfterHang = test::FakeVikunja::AfterHang;
  switch (fault) {
    case Fault::refused: vikunja_.refuse_connections(); break;
    case Fault::unavailable:
      vikunja_.answer_every_request(503, {}, "<html><body><h1>503 Service Unavailable</h1></body></html>");
      break;
    case Fault::rate_limited: {
      const long long reset = std::time(nullptr) + std::uniform_int_distribution<int>(1, 2)(random_);
      vikunja_.answer_every_request(429, {{"x-ratelimit-limit", "500"}, {"x-ratelimit-remaining", "0"},
                                          {"x-ratelimit-reset", std::to_string(reset)}},
                                    R"({"message":"Rate limit exceeded"})");
      break;
    }
    case Fault::hang: vikunja_.hang_every_request(hang_time, AfterHang::drop); break;
    case Fault::garbage: vikunja_.answer_every_request(200, {}, R"({"id": 12, "title": "trunc)"); break;
    case Fault::lost_create: vikunja_.lose_next_create_answer(hang_time); break;
  }
  events_.note(fmt::format("fault: {}", to_string(fault)));
  std::lock_guard lock(mutex_);
  ++counts_[static_cast<std::size_t>(fault)];
}

// --- WorkerProcess ---

WorkerProcess::WorkerProcess(const std::vector<std::string>& environment, const std::filesystem::path& log)
    : log_(log) {
  std::vector<std::string> argv{VIKUNJA_WORKER, "run"}, env = environment;
  std::vector<char*> args, envp;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  int output[2];
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (::pipe2(output, O_CLOEXEC) != 0 || null < 0) throw std::runtime_error("cannot make a pipe or open /dev/null");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls from here. Dies with the soak's main thread, so a soak
    // killed by its timeout leaves no worker behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    ::dup2(null, STDIN_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    ::dup2(output[1], STDERR_FILENO);
    // The stand-in's accepted sockets are not close-on-exec (cpp-httplib 0.11).
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  ::close(output[1]);
  ::close(null);
  if (pid_ < 0) {
    ::close(output[0]);
    throw std::runtime_error("cannot fork vikunja-worker");
  }
  reader_ = std::thread([this, from = output[0]] { copy_log(from); });
}

void WorkerProcess::copy_log(int from) {
  std::ofstream out(log_, std::ios::app);
  std::string pending;
  char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(from, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(got));
    for (std::size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
      out << clock_text_now() << ' ' << std::string_view(pending).substr(0, end + 1);
    }
    out.flush();
  }
  if (!pending.empty()) out << clock_text_now() << ' ' << pending << '\n';
  ::close(from);
}

WorkerProcess::~WorkerProcess() {
  kill();
  if (reader_.joinable()) reader_.join();
}

std::optional<int> WorkerProcess::reap(int options) {
  int status = 0;
  if (!status_ && ::waitpid(pid_, &status, options) == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (reader_.joinable()) reader_.join();  // its last lines are in the log before anyone reads it
  }
  return status_;
}

void WorkerProcess::kill() {
  if (status_) return;
  ::kill(pid_, SIGKILL);
  reap(0);
}

std::optional<int> WorkerProcess::exit_status() { return reap(WNOHANG); }

int WorkerProcess::stop(milliseconds timeout) {
  if (status_) return *status_;
  ::kill(pid_, SIGTERM);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  pollfd exited{pidfd, POLLIN, 0};
  const bool ended = ::poll(&exited, 1, static_cast<int>(timeout.count())) == 1;
  ::close(pidfd);
  if (!ended) {
    kill();
    return -1;
  }
  return *reap(0);
}

// --- WorkerPool ---

WorkerPool::WorkerPool(const Installation& install, int size, std::uint64_t seed, EventLog& events)
    : install_(install), random_(seed), events_(events), workers_(static_cast<std::size_t>(size)) {
  for (std::size_t i = 0; i < workers_.size(); ++i) start(i);
}

void WorkerPool::start(std::size_t index) {
  ++starts_;
  const auto log = install_.logs() / fmt::format("worker-{}-{:04}.log", static_cast<char>('a' + index), starts_);
  workers_[index] = std::make_unique<WorkerProcess>(install_.worker_environment(), log);
  events_.note(fmt::format("started {} (pid {})", log.filename().string(), workers_[index]->pid()));
}

void WorkerPool::restart_ended() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (!workers_[i]) continue;
    const auto status = workers_[i]->exit_status();
    if (!status) continue;
    const std::string note = fmt::format("{} exited {}: {}", workers_[i]->log().filename().string(), *status,
                                         last_line(workers_[i]->log()));
    ended_.push_back(note);
    events_.note("ended on its own: " + note);
    if (*status >= 128 || *status == 70) crashes_.push_back(note);
    start(i);
  }
}

void WorkerPool::kill_one() {
  restart_ended();
  std::vector<std::size_t> running;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i]) running.push_back(i);
  }
  if (running.empty()) return;
  const std::size_t index = running[std::uniform_int_distribution<std::size_t>(0, running.size() - 1)(random_)];
  workers_[index]->kill();
  events_.note(fmt::format("SIGKILL {}", workers_[index]->log().filename().string()));
  ++kills_;
  start(index);
}

void WorkerPool::retire(std::size_t index, std::vector<std::string>& problems) {
  restart_ended();
  if (!workers_[index]) return;
  // SIGTERM lets the current job finish: a hung `task` or request ends at the HTTP timeout.
  events_.note(fmt::format("SIGTERM {}", workers_[index]->log().filename().string()));
  const int status = workers_[index]->stop(std::chrono::seconds(60));
  if (status != 0) {
    problems.push_back(fmt::format("{} did not stop cleanly on SIGTERM (exit {}): {}",
                                   workers_[index]->log().filename().string(), status,
                                   last_line(workers_[index]->log())));
  }
  workers_[index].reset();
}

}  // namespace vsync::soak
