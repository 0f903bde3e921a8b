#pragma once
// Vikunja's X-Vikunja-Signature: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with
// the webhook secret (vikunja-api.md §4).

#include <string>
#include <string_view>

namespace vsync {

std::string webhook_signature(std::string_view body, std::string_view secret);

// Compares in constant time; a signature that is not 64 hex digits never matches.
bool signature_matches(std::string_view body, std::string_view secret,
                       std::string_view hex_signature);

}  // namespace vsync
