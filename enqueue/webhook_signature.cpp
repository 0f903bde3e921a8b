#include "enqueue/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view body, std::string_view secret) {
  Digest digest{};
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  if (result == nullptr || length != digest.size()) {
    throw Error(ExitCode::software, "cannot compute HMAC-SHA256");
  }
  return digest;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string webhook_signature(std::string_view body, std::string_view secret) {
  std::string hex;
  for (unsigned char byte : hmac_sha256(body, secret)) hex += fmt::format("{:02x}", byte);
  return hex;
}

bool signature_matches(std::string_view body, std::string_view secret,
                       std::string_view hex_signature) {
  Digest given{};
  if (hex_signature.size() != given.size() * 2) return false;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const int high = hex_value(hex_signature[2 * i]), low = hex_value(hex_signature[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    given[i] = static_cast<unsigned char>(high * 16 + low);
  }
  const Digest expected = hmac_sha256(body, secret);
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace vsync
