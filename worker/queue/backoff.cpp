#include "worker/queue/backoff.hpp"

#include <algorithm>

namespace vsync {

Backoff::Backoff(UnixMillis base, UnixMillis cap, std::uint32_t seed)
    : base_(base), cap_(cap), random_(seed) {}

UnixMillis Backoff::delay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 40);
  const double full = std::min(static_cast<double>(cap_), static_cast<double>(base_) * (1LL << doublings));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max<UnixMillis>(1, static_cast<UnixMillis>(full * jitter(random_)));
}

}  // namespace vsync
