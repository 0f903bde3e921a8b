#pragma once
// SQLite failures in the worker's own queue work, named: which step and which queue file, with
// the exit code of the cause (75 for a busy or locked queue: try again; see throw_queue_error).

#include <string_view>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include "shared/queue_store.hpp"

namespace vsync {

// Runs `work` on the queue `db`; a SQLite failure becomes Error("cannot <action> in queue
// <path>: <SQLite's message>"), 75 when the queue is busy or locked.
template <typename Work>
auto on_queue(SQLite::Database& db, std::string_view action, Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot {} in queue {}", action, db.getFilename()), e);
  }
}

}  // namespace vsync
