#include "shared/existing_wal_vfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <sqlite3.h>

namespace vsync {

namespace {

constexpr const char* vfs_name = "vsync-existing-wal";

// The directory entry of a WAL this process creates is made durable at once, by us: with the
// WAL persistent, the process that creates it may never sync it (a read-only `status`), and
// every later one opens it as existing.
void sync_directory_of(const char* path) {
  const std::string directory = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // as SQLite's own directory sync: best effort
  ::fdatasync(fd);
  ::close(fd);
}

int open_file(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* platform = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const bool creating_wal = (flags & SQLITE_OPEN_WAL) && (flags & SQLITE_OPEN_CREATE) && name != nullptr;
  if (creating_wal && ::access(name, F_OK) == 0) {
    const int rc = platform->xOpen(platform, name, file, flags & ~SQLITE_OPEN_CREATE, out_flags);
    // Removed since access() (a sqlite3 shell closing last deletes it): create it after all.
    if (rc != SQLITE_CANTOPEN) return rc;
  }
  const int rc = platform->xOpen(platform, name, file, flags, out_flags);
  if (rc == SQLITE_OK && creating_wal) sync_directory_of(name);
  return rc;
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
