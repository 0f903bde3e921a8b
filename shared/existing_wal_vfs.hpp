#pragma once
// A SQLite VFS that is the platform's own ("unix") except for one thing: a WAL file that already
// exists is opened without SQLITE_OPEN_CREATE.
//
// Why: the unix VFS fsyncs the directory on the first sync of any WAL it opened with the create
// flag, and SQLite always asks for it, so even with a persistent WAL (queue_store.hpp) every
// short-lived process would pay a second fdatasync, on the directory. A WAL that exists needs
// no directory entry made durable; one that does not is created, and its directory synced then.

namespace vsync {

// Registers the VFS once (thread-safe) and returns its name for sqlite3_open_v2.
const char* existing_wal_vfs();

}  // namespace vsync
