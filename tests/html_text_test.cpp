// Vikunja's HTML descriptions and Taskwarrior's plain text: a note written as text survives any
// number of trips unchanged, the editor's HTML reads as text a person would write, and hostile
// or huge input is refused or read cheaply.

#include <random>

#include <catch2/catch.hpp>

#include "worker/sync/html_text.hpp"

using namespace vsync;

namespace {

std::string round_trip(const std::string& text) { return text_of_html(html_of_text(text)).value_or("(refused)"); }
// The same through libxml2: the sync's own HTML is read without it, and a line end before the
// first paragraph (layout, which the parser skips) makes it other HTML.
std::string parsed_round_trip(const std::string& text) {
  return text_of_html("\n" + html_of_text(text)).value_or("(refused)");
}

// Random text over what notes hold: markup characters, entities' punctuation, every kind of line
// end and blank, multi-byte UTF-8, and control characters HTML cannot hold.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> pieces{
      "a", "Z", " ", "  ", "\t", "\n", "\r", "\r\n", "<", ">", "&", "\"", "'", ";", "#", "/", "!", "-", "&amp;",
      "&#13;", "<p>", "</p>", "<br>", "<!--", "-->", "]]>", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80",
      "\xC2\xA0", "\x01", "\x1F", "\x7F", std::string(1, '\0')};
  std::string text;
  const std::size_t length = random() % 40;
  for (std::size_t i = 0; i < length; ++i) text += pieces[random() % pieces.size()];
  return text;
}

}  // namespace

TEST_CASE("plain text goes through HTML and back unchanged", "[html_text]") {
  const std::string text = GENERATE(as<std::string>(), "", "a", "\n", "\n\n", " ", "  indented", "trailing  ", "\t",
                                    "tab\tinside", "<b>&amp;\"quotes' </b>", "windows\r\nline", "\r", "a\n\nb\n",
                                    " \n \n", "\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", "&#13; &lt;",
                                    "<!-- not a comment -->", "<script>alert(1)</script>", "]]>", "\xC2\xA0nbsp");
  CAPTURE(text);
  CHECK(round_trip(text) == text);
  CHECK(parsed_round_trip(text) == text);
}

TEST_CASE("any text goes through HTML and back as itself less the controls HTML cannot hold", "[html_text]") {
  std::mt19937 random(20261203);
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random_text(random);
    CAPTURE(text);
    REQUIRE(round_trip(text) == html_storable(text));
    REQUIRE(parsed_round_trip(text) == html_storable(text));
  }
  std::string long_text;
  while (long_text.size() < 10 * 1024) long_text += random_text(random);
  const std::string storable = html_storable(long_text);
  CHECK(round_trip(storable) == storable);
  CHECK(parsed_round_trip(storable) == storable);
}

TEST_CASE("text is escaped, one paragraph per line, and controls are dropped", "[html_text]") {
  CHECK(html_of_text("") == "");
  CHECK(html_of_text("a < b & c > \"d\"\nnext") == "<p>a &lt; b &amp; c &gt; &quot;d&quot;</p><p>next</p>");
  CHECK(html_of_text("bell\x07 and\x7F del") == "<p>bell and del</p>");
  CHECK(html_storable(std::string("nul\0 tab\t cr\r lf\n", 18)) == "nul tab\t cr\r lf\n");
}

TEST_CASE("HTML from Vikunja's editor reads as plain text a person would write", "[html_text]") {
  const std::string html =
      "<h1>Plan</h1><p>Call <strong>Bob</strong> and <em>Eve</em></p><p></p>"
      "<ul><li><p>one</p></li><li><p>two</p><ul><li><p>nested</p></li></ul></li></ul>"
      "<ol><li><p>first</p></li><li><p>second</p></li></ol>"
      "<p>before<br>after</p>"
      "<p><a href=\"https://example.org/a\">the site</a> and <a href=\"https://example.org\">https://example.org</a></p>"
      "<ul data-type=\"taskList\"><li data-checked=\"true\"><p>done</p></li>"
      "<li data-checked=\"false\"><p>to do</p></li></ul>"
      "<pre><code>code\n  indented</code></pre><blockquote><p>quoted</p></blockquote>";
  CHECK(text_of_html(html) ==
        "Plan\nCall Bob and Eve\n\n- one\n- two\n  - nested\n1. first\n2. second\nbefore\nafter\n"
        "the site (https://example.org/a) and https://example.org\n[x] done\n[ ] to do\ncode\n  indented\nquoted");
}

TEST_CASE("a description that is not HTML keeps its lines, and layout between blocks is not text", "[html_text]") {
  CHECK(text_of_html("written by a script\nsecond line") == "written by a script\nsecond line");
  CHECK(text_of_html("<p>a</p>\n  <p>b</p>\n") == "a\nb");
  CHECK(text_of_html("<p>unclosed <b>bold") == "unclosed bold");
  CHECK(text_of_html("<p></p>") == "");
  CHECK(text_of_html("<p>shown</p><script>alert(1)</script>") == "shown");
}

TEST_CASE("a link across lines reads as its lines and its url", "[html_text]") {
  CHECK(text_of_html("<p>Read: <a href=\"https://x.org\">the<br>docs</a></p>") == "Read: the\ndocs (https://x.org)");
  CHECK(text_of_html("<p>x <a href=\"u\"><br></a></p>") == "x \n (u)");
  CHECK(text_of_html("<a href=\"u\"><p>b</p></a>") == "b\n (u)");
  CHECK(text_of_html("<ul><li><a href=\"https://a.b\">https://a.b</a></li></ul>") == "- https://a.b");
}

TEST_CASE("characters XML cannot hold are dropped the same way from both sides", "[html_text]") {
  const std::string text = "before \xEF\xBF\xBF after \xEF\xBF\xBE\x7F\nsecond";
  CHECK(html_storable(text) == "before  after \nsecond");
  CHECK(text_of_html(html_of_text(text)) == html_storable(text));
  CHECK(text_of_html("<p>del\x7F and &#x7f;</p>") == "del and ");
  CHECK(carried_text(text) == html_storable(text));
}

TEST_CASE("a huge note is not carried, and hostile nesting is read cheaply", "[html_text]") {
  const std::string huge(max_carried_note_bytes + 1, 'x');
  CHECK_FALSE(text_of_html(huge));
  CHECK(why_html_not_carried(huge) == "262145 bytes of HTML, over the 262144 a note may have");
  CHECK_FALSE(why_html_not_carried(std::string(max_carried_note_bytes, 'x')));
  // Judged by the HTML it becomes: a quote is six bytes there.
  const std::string quotes(50'000, '"');
  CHECK_FALSE(carried_text(quotes));
  CHECK(why_text_not_carried(quotes) == "300007 bytes of HTML, over the 262144 a note may have");
  CHECK(carried_text(std::string(200'000, 'x')));

  // Cut short by libxml2's nesting limit: not carried, rather than read as a shorter note.
  std::string too_deep = "<p>first</p>";
  for (int i = 0; i < 130; ++i) too_deep += "<ul><li>";
  too_deep += "<p>last</p>";
  CHECK_FALSE(text_of_html(too_deep));
  CHECK(why_html_not_carried(too_deep).value_or("").starts_with("its HTML cannot be read whole: Excessive depth"));

  // 60 KB of nested tags took another parser 3 GB; libxml2 stops at its nesting limit.
  std::string nested;
  for (int i = 0; i < 20'000; ++i) nested += "<b>";
  nested += "deep";
  CHECK_FALSE(text_of_html(nested));
  std::string reopened;
  for (int i = 0; i < 10'000; ++i) reopened += "<p><b><i><u><s></p>x";
  CHECK(text_of_html(reopened));
}
