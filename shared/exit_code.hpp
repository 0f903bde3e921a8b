#pragma once
// The exit codes of both binaries (sysexits.h); documented in README "Exit codes".

#include <sysexits.h>

namespace vsync {

enum class ExitCode : int {
  ok = EX_OK,                  // 0
  unhealthy = 1,               // status: breaker open or dead jobs
  usage = EX_USAGE,            // 64: bad command line
  data = EX_DATAERR,           // 65: bad input data
  no_input = EX_NOINPUT,       // 66: input file missing or unreadable
  software = EX_SOFTWARE,      // 70: internal error (a bug)
  cant_create = EX_CANTCREAT,  // 73: cannot create or open the queue
  io = EX_IOERR,               // 74: I/O error on the queue
  temp_fail = EX_TEMPFAIL,     // 75: queue busy longer than the busy timeout; try again
  no_permission = EX_NOPERM,   // 77: bad webhook signature
  config = EX_CONFIG,          // 78: bad configuration
};

}  // namespace vsync
