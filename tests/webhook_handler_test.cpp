// The real webhook handler people run (Debian's `webhook`, adnanh/webhook) with our
// contrib/webhook/hooks.json, on 127.0.0.1, fed the signed fixtures.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "background_process.hpp"
#include "enqueue/webhook_signature.hpp"
#include "free_port.hpp"
#include "queue_dump.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

const char* const secret = "test-webhook-secret";

}  // namespace

TEST_CASE("adnanh/webhook with contrib/webhook/hooks.json queues signed deliveries and refuses forged ones",
          "[webhook_handler]") {
  if (::access("/usr/bin/webhook", X_OK) != 0) {
    FAIL("/usr/bin/webhook is not installed (Debian package webhook): this test needs it");
  }
  TempDir dir;
  const auto db = dir / "queue.db";
  const int port = free_port();
  const DirectoryWatch log_changes(dir.path());  // webhook logs as it starts, and per request
  // As its user unit runs it: as a user who cannot write to / (where webhook would put the body
  // file with a working directory of "/"). Under root (as in CI) that user is nobody, given
  // copies of the hooks and the binary (the checkout may be private to root).
  std::string hooks = CONTRIB_DIR "/webhook/hooks.json";
  std::string enqueue = VIKUNJA_ENQUEUE;
  std::vector<std::string> as_user;
  if (::geteuid() == 0) {
    hooks = dir.write("hooks.json", read_file(hooks)).string();
    std::filesystem::copy_file(enqueue, dir / "vikunja-enqueue");
    enqueue = (dir / "vikunja-enqueue").string();
    REQUIRE(::chown(dir.path().c_str(), 65534, 65534) == 0);
    ::chmod(hooks.c_str(), 0644);
    ::chmod(enqueue.c_str(), 0755);
    as_user = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  std::vector<std::string> command{"/usr/bin/webhook", "-verbose", "-template", "-hooks", hooks,
                                   "-ip", "127.0.0.1", "-port", std::to_string(port)};
  command.insert(command.begin(), as_user.begin(), as_user.end());
  BackgroundProcess handler(
      command,
      {"PATH=/usr/bin:/bin", "VIKUNJA_ENQUEUE=" + enqueue, "VIKUNJA_SYNC_DB=" + db.string(),
       std::string("VIKUNJA_WEBHOOK_SECRET=") + secret},
      dir / "webhook.log");
  httplib::Client client("127.0.0.1", port);
  REQUIRE(eventually([&] { return read_file(dir / "webhook.log").find("serving hooks") != std::string::npos; },
                     {log_changes.fd()}));
  REQUIRE(eventually([&] { return static_cast<bool>(client.Get("/")); }, {log_changes.fd()}));

  const auto post = [&](const std::string& body, const std::string& signature) {
    const httplib::Headers headers{{"X-Vikunja-Signature", signature}, {"User-Agent", "Vikunja/v2.5.0"}};
    const auto response = client.Post("/hooks/vikunja", headers, body, "application/json");
    return response ? response->status : -1;
  };
  std::string last_body;
  for (const char* event : {"created", "updated", "deleted"}) {
    last_body = read_file(std::string(FIXTURES_DIR "/vikunja-webhook-task.") + event + ".json");
    CHECK(post(last_body, webhook_signature(last_body, secret)) == 200);
  }
  CHECK(count_jobs(db, "key = 'vk:131'") == 1);  // coalesced: the newest snapshot
  CHECK(dump_queue(db).find(last_body) != std::string::npos);  // the exact bytes, unparsed

  const std::string before = dump_queue(db);
  CHECK(post(last_body, std::string(64, '0')) == 500);
  // The refusal reaches the receiver's log (the unit runs it with -verbose, as here): a secret
  // that differs from the one Vikunja signs with is seen in the journal, not only in Vikunja.
  CHECK(eventually([&] {
    return read_file(dir / "webhook.log").find("command output: vikunja-enqueue: webhook signature does not match") !=
           std::string::npos;
  }, {log_changes.fd()}));
  CHECK(post(last_body, "") == 500);
  const std::string ignored = R"({"event_name":"task.attachment.created","time":"2025-11-26T10:15:02Z","data":{}})";
  CHECK(post(ignored, webhook_signature(ignored, secret)) == 200);
  CHECK(dump_queue(db) == before);
  handler.signal(SIGTERM);
  handler.wait_exit(std::chrono::seconds(5));
}
