#pragma once
// Time as a parameter: everything that schedules (backoff, leases, the breaker) reads a Clock,
// so tests move time with FakeClock::advance instead of sleeping.

#include <cstdint>

namespace vsync {

using UnixMillis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMillis now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMillis now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixMillis start) : now_(start) {}
  UnixMillis now() const override { return now_; }
  void advance(UnixMillis by_ms) { now_ += by_ms; }

 private:
  UnixMillis now_;
};

}  // namespace vsync
