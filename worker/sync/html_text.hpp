#pragma once
// Vikunja keeps a description as HTML (its editor writes <p>, <br>, lists, links, bold);
// Taskwarrior keeps plain text. This is the conversion both ways.
//
// Plain text -> HTML -> plain text gives back the same text (one <p> per line, escaped), so a
// note written in Taskwarrior survives any number of trips. Only characters HTML cannot hold
// are lost (controls other than tab and line ends, U+FFFE, U+FFFF), so the sync reads both
// sides without them. HTML written in Vikunja's editor reads as plain text a person would
// write: a line per paragraph or <br>, "- " before a list item, "[x] " before a checked task
// item, "text (url)" for a link whose text is not its url. The caller compares texts, never
// HTML, so a description nobody changed is never rewritten.
//
// The HTML is read with libxml2's HTML parser: linear in the input, with a nesting limit, so a
// hostile description costs milliseconds (Gumbo, the other parser Debian has, took 3 GB for
// 60 KB of nested tags). A note is not carried when its HTML is over max_carried_note_bytes or
// nests deeper than libxml2 reads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vsync {

inline constexpr std::size_t max_carried_note_bytes = 256 * 1024;

// `text` less the characters HTML cannot hold.
std::string html_storable(std::string_view text);

// One <p> per line, of html_storable(text).
std::string html_of_text(std::string_view text);

// The plain text of Vikunja's HTML; nullopt when it is not carried (why_not_carried says why).
std::optional<std::string> text_of_html(std::string_view html);
// The text as carried (html_storable); nullopt when its HTML would not be carried.
std::optional<std::string> carried_text(std::string_view text);

// Why a note is not carried, for the log; nullopt when it is.
std::optional<std::string> why_html_not_carried(std::string_view html);
std::optional<std::string> why_text_not_carried(std::string_view text);

}  // namespace vsync
