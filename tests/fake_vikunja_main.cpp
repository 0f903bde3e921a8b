// fake-vikunja: the tests' Vikunja stand-in as a program, for the demo and for trying the worker
// without a real server. Prints its URL and token, then serves 127.0.0.1 until SIGTERM/SIGINT.
// SIGUSR1: refuse connections (an outage). SIGUSR2: answer normally again. On exit it prints
// the tasks it holds and how many requests it answered.

#include <signal.h>

#include <cstdio>

#include <fmt/format.h>

#include "fake_vikunja.hpp"

int main() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int number : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&signals, number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's threads inherit the mask

  vsync::test::FakeVikunja vikunja;
  fmt::print("{} {}\n", vikunja.url(), vsync::test::FakeVikunja::token);
  std::fflush(stdout);
  for (int number = 0; sigwait(&signals, &number) == 0;) {
    if (number == SIGUSR1) {
      vikunja.refuse_connections();
      fmt::print(stderr, "fake-vikunja: refusing connections\n");
    } else if (number == SIGUSR2) {
      vikunja.answer_normally();
      fmt::print(stderr, "fake-vikunja: answering again\n");
    } else {
      break;
    }
  }
  fmt::print(stderr, "fake-vikunja: answered {} requests; it holds {} tasks:\n", vikunja.requests(),
             vikunja.tasks().size());
  for (const auto& task : vikunja.tasks()) {
    fmt::print(stderr, "  #{} {} (project {}, priority {}, done {})\n", task["id"].get<long long>(),
               task["title"].get<std::string>(), task["project_id"].get<long long>(),
               task["priority"].get<long long>(), task["done"].get<bool>());
  }
}
