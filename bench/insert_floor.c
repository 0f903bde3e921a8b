/* The floor for `vikunja-enqueue push`: a minimal C program that opens an existing queue and
 * makes one durable insert into the same schema (WAL, synchronous=FULL, BEGIN IMMEDIATE), with
 * a persistent WAL, no checkpoint on close and an existing WAL opened without the create flag
 * (so no directory sync): process start plus exactly one WAL sync.
 * Usage: insert_floor QUEUE_DB KEY PAYLOAD_FILE */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

static sqlite3_vfs floor_vfs;

static int open_existing_wal(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                             int *out_flags) {
  sqlite3_vfs *platform = vfs->pAppData;
  if ((flags & SQLITE_OPEN_WAL) && name && access(name, F_OK) == 0) flags &= ~SQLITE_OPEN_CREATE;
  return platform->xOpen(platform, name, file, flags, out_flags);
}

static int fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "insert_floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
  return 74;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: insert_floor QUEUE_DB KEY PAYLOAD_FILE\n");
    return 64;
  }
  char payload[1 << 16];
  FILE *file = fopen(argv[3], "rb");
  if (!file) return 66;
  size_t length = fread(payload, 1, sizeof payload - 1, file);
  fclose(file);
  payload[length] = '\0';

  sqlite3_vfs *platform = sqlite3_vfs_find(NULL);
  floor_vfs = *platform;
  floor_vfs.zName = "floor";
  floor_vfs.pAppData = platform;
  floor_vfs.xOpen = open_existing_wal;
  sqlite3_vfs_register(&floor_vfs, 0);

  sqlite3 *db = NULL;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, "floor") != SQLITE_OK) return fail(db, "open");
  sqlite3_busy_timeout(db, 10000);
  int persist_wal = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; BEGIN IMMEDIATE", NULL,
                   NULL, NULL) != SQLITE_OK) {
    return fail(db, "begin");
  }
  struct timeval tv;
  gettimeofday(&tv, NULL);
  long long now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
  sqlite3_stmt *insert = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, "
                         "due_at) VALUES ('push', 'vikunja', ?, ?, ?, ?, ?)",
                         -1, &insert, NULL) != SQLITE_OK) {
    return fail(db, "prepare");
  }
  sqlite3_bind_text(insert, 1, argv[2], -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 2, payload, (int)length, SQLITE_STATIC);
  for (int i = 3; i <= 5; ++i) sqlite3_bind_int64(insert, i, now);
  if (sqlite3_step(insert) != SQLITE_DONE) return fail(db, "insert");
  sqlite3_finalize(insert);
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return fail(db, "commit");
  printf("%lld\n", sqlite3_last_insert_rowid(db));
  sqlite3_close(db);
  return 0;
}
