#include "shared/error_report.hpp"

#include <catch2/catch.hpp>

using namespace vsync;

TEST_CASE("single_line keeps text from the network on one printable line", "[error_report]") {
  CHECK(single_line("plain text") == "plain text");
  CHECK(single_line("two\nlines") == "two\\nlines");
  CHECK(single_line("tab\there\x1b[31m") == "tab\\x09here\\x1b[31m");
  CHECK(single_line("caf\xc3\xa9 \xe2\x98\x83") == "caf\xc3\xa9 \xe2\x98\x83");
  CHECK(single_line("bad \xc3( \xff") == "bad \\xc3( \\xff");
}
