// Fuzz target: parse_task_snapshot, which reads every Taskwarrior task that enters the program
// (a hook's line, `vikunja-enqueue push`, a job's payload). The input is the task's text.
// Error (data) is its documented refusal; anything else thrown is a finding. What it returns
// must hold what task_snapshot.hpp promises: a lowercase 8-4-4-4-12 uuid, a non-empty string
// description, an object.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "shared/error.hpp"
#include "shared/task_snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using vsync::fuzz::fail;
  vsync::TaskSnapshot snapshot;
  try {
    snapshot = vsync::parse_task_snapshot(vsync::fuzz::as_text(data, size), "the fuzz input");
  } catch (const vsync::Error&) {
    return 0;
  }
  const bool lowercase = std::none_of(snapshot.uuid.begin(), snapshot.uuid.end(),
                                      [](unsigned char c) { return std::isupper(c) != 0; });
  if (!vsync::is_uuid(snapshot.uuid) || !lowercase) {
    fail(fmt::format("the snapshot's uuid '{}' is not a lowercase uuid", snapshot.uuid));
  }
  const auto description = snapshot.task.find("description");
  if (!snapshot.task.is_object() || description == snapshot.task.end() ||
      !description->is_string() || description->get<std::string>().empty()) {
    fail("the snapshot has no non-empty description");
  }
  return 0;
}
