#pragma once
// The soak's users: threads that change tasks the way people and Vikunja do. A Taskwarrior
// writer runs the real `task` (add, modify, done, reopen, delete) with our hook installed; a
// Vikunja writer edits the stand-in as the web UI would and delivers the signed webhook through
// `vikunja-enqueue webhook`. Each writer owns its slots: nobody else changes those tasks.
//
// Once, when asked, a writer makes one change while the queue's directory is full (RLIMIT_FSIZE
// of 0, SIGXFSZ ignored, for that one enqueue): the hook must still let Taskwarrior keep the
// change and say it was not queued; the webhook must exit non-zero with a message. That task
// is then left alone, so only `vikunja-worker reconcile` can bring the change across.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_vikunja.hpp"
#include "soak_model.hpp"
#include "soak_setup.hpp"

namespace vsync::soak {

// What all writers did, for the figures and the verdict.
struct WriterTally {
  std::atomic<long long> taskwarrior_changes{0};
  std::atomic<long long> vikunja_changes{0};
  std::atomic<long long> not_queued{0};  // enqueues that failed (the full queue directory)

  void error(std::string what);
  void webhook_job(std::int64_t id);
  void full_disk_note(std::string what);
  std::vector<std::string> errors();               // anything unexpected
  std::vector<std::int64_t> webhook_jobs();        // ids printed by webhook enqueues that exited 0
  std::vector<std::string> full_disk_notes();      // what the full-disk enqueues printed

 private:
  std::mutex mutex_;
  std::vector<std::string> errors_;
  std::vector<std::int64_t> webhook_jobs_;
  std::vector<std::string> full_disk_notes_;
};

// Shared by the writers and the soak's main thread.
struct WriterSignals {
  std::atomic<bool> stop{false};
  std::atomic<bool> fill_disk{false};  // the next change of each duty writer goes to a full disk
};

// Which tasks a writer owns: numbers first, first + step, …; a task it deletes is replaced by
// a new one, so the number of live tasks stays about the same however long the soak runs.
struct SlotRange {
  Owner owner;
  int first;
  int step;
  int count;
};

class Writer {
 public:
  Writer(const Installation& install, SlotRange range, std::uint64_t seed, bool full_disk_duty, WriterTally& tally);
  virtual ~Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void run(const WriterSignals& signals);  // the thread's body: changes until told to stop
  const std::deque<Slot>& slots() const { return slots_; }  // once run() returned

 protected:
  enum class Change { create, retitle, describe, annotate, depend, complete, reopen, remove };
  virtual void apply(Slot& slot, Change change) = 0;
  // Makes the slot's task depend on `on` only (a task with a lower number, so no cycle), or on
  // nothing.
  virtual void depend(Slot& slot, const Slot* on) = 0;
  virtual void retitle_on_full_disk(Slot& slot) = 0;
  // Makes the slot's task and completes it with every event lost (hooks off, webhooks never
  // sent): only the final reconcile can carry it over, completed.
  virtual void create_completed_unheard(Slot& slot) = 0;
  // Completes the recurring series' current occurrence (series_title), as this side's user would.
  virtual void complete_series() = 0;

  // A program run as the webhook handler would run it, optionally with the queue's
  // directory full (for this one process).
  struct Run {
    int exit_code;
    std::string out, err;
  };
  static Run run_program(std::vector<std::string> argv, const std::string& input,
                         const std::vector<std::string>& environment, bool disk_full);

  const Installation& install_;
  WriterTally& tally_;

 private:
  Change pick_change(const Slot& slot);
  void change_one(const std::vector<Slot*>& open);

  std::deque<Slot> slots_;  // a deque: a new slot leaves the others where they are
  int next_number_;
  int step_;
  std::mt19937_64 random_;
  bool full_disk_duty_;
};

class TaskwarriorWriter : public Writer {
 public:
  using Writer::Writer;

 private:
  void apply(Slot& slot, Change change) override;
  void retitle_on_full_disk(Slot& slot) override;
  void create_completed_unheard(Slot& slot) override;
  void depend(Slot& slot, const Slot* on) override;
  void complete_series() override;
  Run task(std::vector<std::string> args, const std::string& verbose = "footnote");
  std::string exported_line(const std::string& uuid);
};

class VikunjaWriter : public Writer {
 public:
  VikunjaWriter(const Installation& install, SlotRange range, std::uint64_t seed, bool full_disk_duty,
                WriterTally& tally, test::FakeVikunja& vikunja, std::int64_t project_id);

 private:
  void apply(Slot& slot, Change change) override;
  void retitle_on_full_disk(Slot& slot) override;
  void create_completed_unheard(Slot& slot) override;
  void depend(Slot& slot, const Slot* on) override;
  // The webhook Vikunja sends, through `vikunja-enqueue webhook`; its exit status.
  Run deliver(const std::string& event, const nlohmann::json& task, bool disk_full);
  // A change's webhook, delivered and counted (an error when it was not queued).
  void deliver_change(const std::string& what, const std::string& event, const nlohmann::json& task);
  void complete_series() override;

  test::FakeVikunja& vikunja_;
  std::int64_t project_id_;
};

}  // namespace vsync::soak
