#include "enqueue/webhook_signature.hpp"

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using namespace vsync;

namespace {
const std::string secret = "test-webhook-secret";
}

TEST_CASE("signatures match the vectors of shared/fixtures/README.md", "[webhook_signature]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"created", "cec50ef281a83c7e7786152bc6e3709a8a6fd5928ee70bf691fda3f2c635c02a"},
      {"updated", "c001c177341779177bfefc75aaf0fb09f6908ee5f4393e290191f1d1b39f2bf8"},
      {"deleted", "92d3ec706917b3b554b0d9bd70a8d5d96a21bd8a26ad6f1fe9a83d404d32be00"},
  };
  for (const auto& [name, signature] : vectors) {
    const auto body = test::read_file(std::string(FIXTURES_DIR "/vikunja-webhook-task.") + name + ".json");
    CHECK(webhook_signature(body, secret) == signature);
    CHECK(signature_matches(body, secret, signature));
    CHECK_FALSE(signature_matches(body + " ", secret, signature));
    CHECK_FALSE(signature_matches(body, "other-secret", signature));
  }
}

TEST_CASE("malformed signatures never match", "[webhook_signature]") {
  const std::string body = "{}";
  const std::string good = webhook_signature(body, secret);
  CHECK(signature_matches(body, secret, good));
  CHECK_FALSE(signature_matches(body, secret, ""));
  CHECK_FALSE(signature_matches(body, secret, good.substr(1)));
  CHECK_FALSE(signature_matches(body, secret, "sha256=" + good));
  CHECK_FALSE(signature_matches(body, secret, std::string(64, 'z')));
}
