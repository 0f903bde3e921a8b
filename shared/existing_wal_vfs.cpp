#include "shared/existing_wal_vfs.hpp"

#include <unistd.h>

#include <sqlite3.h>

namespace vsync {

namespace {

constexpr const char* vfs_name = "vsync-existing-wal";

int open_file(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* platform = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const bool existing_wal = (flags & SQLITE_OPEN_WAL) && (flags & SQLITE_OPEN_CREATE) && name != nullptr &&
                            ::access(name, F_OK) == 0;
  if (existing_wal) {
    const int rc = platform->xOpen(platform, name, file, flags & ~SQLITE_OPEN_CREATE, out_flags);
    // Removed since access() (a sqlite3 shell closing last deletes it): create it after all.
    if (rc != SQLITE_CANTOPEN) return rc;
  }
  return platform->xOpen(platform, name, file, flags, out_flags);
}

sqlite3_vfs* register_vfs() {
  sqlite3_initialize();
  sqlite3_vfs* platform = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs = *platform;  // every other method is the platform's own
  vfs.pNext = nullptr;
  vfs.zName = vfs_name;
  vfs.pAppData = platform;
  vfs.xOpen = open_file;
  sqlite3_vfs_register(&vfs, 0);
  return &vfs;
}

}  // namespace

const char* existing_wal_vfs() {
  static const sqlite3_vfs* registered = register_vfs();
  return registered->zName;
}

}  // namespace vsync
