#pragma once
// design.md "Backoff is a due time": delay = min(cap, base * 2^(attempts-1)), with jitter so that
// jobs failed together do not come back together.

#include <random>

#include "shared/clock.hpp"

namespace vsync {

class Backoff {
 public:
  Backoff(UnixMillis base, UnixMillis cap, std::uint32_t seed = std::random_device{}());

  // The delay after the `attempts`-th failed attempt: uniformly in [delay/2, delay].
  UnixMillis delay(int attempts);

 private:
  UnixMillis base_;
  UnixMillis cap_;
  std::mt19937 random_;
};

}  // namespace vsync
