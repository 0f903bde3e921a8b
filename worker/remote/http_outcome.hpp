#pragma once
// The one classification of a failed Vikunja call (design.md "Circuit breaker"):
//   transport failure (refused, reset, DNS, TLS, timeout), 5xx, 408 -> retry, trips the breaker
//   429 -> paused until Retry-After or X-RateLimit-Reset
//   401 -> paused, reason "authentication" (a bad or under-scoped token; never dead-letters)
//   404 without Vikunja's error code -> paused, reason "configuration": no Vikunja answered
//        that path (VIKUNJA_URL missing a reverse proxy's prefix, say); never dead-letters
//   other 4xx -> dead: the job's own fault, with the server's message kept
// A 2xx whose body is not the JSON expected is a retry that trips (see unexpected_body).

#include <string>

#include "worker/queue/job_outcome.hpp"
#include "worker/remote/http_client.hpp"

namespace vsync {

// `call` names the request in messages, e.g. "GET /api/v1/tasks/5".
JobOutcome classify_failure(const HttpResult& result, UnixMillis now, const std::string& call);

JobOutcome unexpected_body(const HttpResponse& response, const std::string& call,
                           const std::string& problem);

// Vikunja's {"code": N, "message": "..."} as "(code N) message", else the body's start.
std::string server_message(const HttpResponse& response);

// Vikunja's error code from such a body; -1 when the body has none (a router's or proxy's 404).
long long vikunja_error_code(const HttpResponse& response);

}  // namespace vsync
