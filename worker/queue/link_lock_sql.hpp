#pragma once
// The one rule for "a link lock is held" (schema/010), shared by the locks themselves
// (worker/sync/link_locks.hpp) and the claims that skip a job waiting for one: a row of
// link_locks, aliased `held`, counts only while its job runs under the lease it was taken with.
// A worker killed while holding one, or whose lease ran out, holds nothing. Binds :now.

namespace vsync {

inline constexpr const char* link_lock_is_live_sql =
    "EXISTS (SELECT 1 FROM jobs AS holder WHERE holder.id = held.job_id AND holder.state = 'running' "
    "AND holder.lease_owner = held.owner AND holder.lease_until > :now)";

}  // namespace vsync
