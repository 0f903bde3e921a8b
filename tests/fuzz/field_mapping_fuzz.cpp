// Fuzz target: the field mapping both ways (task_fields.hpp over field_mapping.hpp). The input
// is a JSON object, read as each side's task in turn:
//   Taskwarrior -> Vikunja -> Taskwarrior: the object as a Taskwarrior task (through
//     parse_task_snapshot, as every task enters); its fields written to a fresh Vikunja task and
//     read back, then written onto the Taskwarrior task and read back;
//   Vikunja -> Taskwarrior -> Vikunja: the object as a Vikunja task (its project's title taken
//     from a string member "project_title" when there is one, else the default project); its
//     fields written onto a fresh Taskwarrior task and read back, then onto the Vikunja task.
// Refusals the code documents are expected: Error (data), JobStopped (the job is dead) and
// nlohmann's exceptions for a member of an unexpected type (the drain's "unexpected response").
//
// The properties are the ones the sync rests on (design.md "Field mapping": the round trip
// gives back what went in; "Convergence": equal records mean the two sides agree), so each is a
// finding when broken: the agreed state reads back from its stored JSON; fields written to a
// side read back from it as the same fields. Two exceptions are documented and left out:
// labels are the caller's (they need ids), so tags do not travel through write_vikunja; and
// a date at or before 0001-01-01T00:00:00Z is Vikunja's "none".

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "shared/error.hpp"
#include "shared/json_document.hpp"
#include "shared/task_snapshot.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/task_fields.hpp"

namespace {

using json = nlohmann::json;
using vsync::TaskFields;
using vsync::fuzz::fail;

const std::string default_project = "Inbox";
constexpr vsync::UnixMillis now = 1'780'000'000'000;

std::string describe(const TaskFields& fields) { return vsync::to_json(fields).dump(); }

void expect_same(const TaskFields& expected, const TaskFields& got, std::string_view step) {
  if (!vsync::same_fields(expected, got)) {
    fail(fmt::format("{}: wrote {}, read back {}", step, describe(expected), describe(got)));
  }
}

void check_stored(const TaskFields& fields) {
  const auto stored = vsync::fields_from_json(vsync::to_json(fields).dump());
  if (!stored) fail(fmt::format("the agreed state {} does not read back", describe(fields)));
  expect_same(fields, *stored, "the agreed state's JSON");
}

// What a side's reader may throw while reading back what a writer wrote: nothing.
template <typename Read>
TaskFields read_back(Read read, std::string_view step) {
  try {
    return read();
  } catch (const vsync::JobStopped& stopped) {
    fail(fmt::format("{}: reading back what was written fails: {}", step, stopped.outcome.error));
  } catch (const std::exception& e) {
    fail(fmt::format("{}: reading back what was written throws: {}", step, e.what()));
  }
}

TaskFields without_dates_vikunja_cannot_hold(TaskFields fields) {
  const vsync::UnixMillis none = *vsync::parse_rfc3339(vsync::vikunja_no_date);
  for (auto* date : {&fields.due, &fields.scheduled, &fields.until}) {
    if (*date && **date <= none) date->reset();
  }
  return fields;
}

std::string vikunja_title_of(const TaskFields& fields) {
  return fields.project.empty() ? default_project : fields.project;
}

void taskwarrior_vikunja_taskwarrior(std::string_view text) {
  json task;
  TaskFields fields;
  try {
    task = vsync::parse_task_snapshot(text, "the fuzz input").task;
    fields = vsync::read_taskwarrior(task, default_project);
  } catch (const vsync::Error&) {
    return;
  } catch (const vsync::JobStopped&) {
    return;
  } catch (const json::exception&) {
    return;
  }
  check_stored(fields);

  json vikunja = json::object();
  vsync::write_vikunja(vikunja, fields);
  vikunja = json::parse(vikunja.dump());  // as it travels
  TaskFields from_vikunja = read_back(
      [&] { return vsync::read_vikunja(vikunja, vikunja_title_of(fields), default_project); },
      "Taskwarrior -> Vikunja");
  from_vikunja.tags = fields.tags;
  const TaskFields expected = without_dates_vikunja_cannot_hold(fields);
  expect_same(expected, from_vikunja, "Taskwarrior -> Vikunja");

  vsync::write_taskwarrior(task, from_vikunja, std::nullopt, now);
  task = json::parse(task.dump());
  const TaskFields again = read_back([&] { return vsync::read_taskwarrior(task, default_project); },
                                     "Taskwarrior -> Vikunja -> Taskwarrior");
  expect_same(expected, again, "Taskwarrior -> Vikunja -> Taskwarrior");
}

void vikunja_taskwarrior_vikunja(std::string_view text) {
  json vikunja;
  TaskFields fields;
  std::string project_title;
  try {
    vikunja = vsync::parse_json_object(text, "the fuzz input");
    project_title = vsync::optional_string(vikunja, "project_title").value_or(default_project);
    fields = vsync::read_vikunja(vikunja, project_title, default_project);
  } catch (const vsync::Error&) {
    return;
  } catch (const vsync::JobStopped&) {
    return;
  } catch (const json::exception&) {
    return;
  }
  check_stored(fields);

  json task{{"uuid", "00000000-0000-4000-8000-000000000001"},
            {"description", "fuzz"},
            {"status", "pending"},
            {"entry", "20261126T231229Z"}};
  vsync::write_taskwarrior(task, fields, std::nullopt, now);
  task = json::parse(task.dump());
  const TaskFields from_taskwarrior = read_back(
      [&] { return vsync::read_taskwarrior(task, default_project); }, "Vikunja -> Taskwarrior");
  expect_same(fields, from_taskwarrior, "Vikunja -> Taskwarrior");

  vsync::write_vikunja(vikunja, from_taskwarrior);
  vikunja = json::parse(vikunja.dump());
  const TaskFields again =
      read_back([&] { return vsync::read_vikunja(vikunja, project_title, default_project); },
                "Vikunja -> Taskwarrior -> Vikunja");
  expect_same(fields, again, "Vikunja -> Taskwarrior -> Vikunja");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = vsync::fuzz::as_text(data, size);
  taskwarrior_vikunja_taskwarrior(text);
  vikunja_taskwarrior_vikunja(text);
  return 0;
}
