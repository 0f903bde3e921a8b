#pragma once
// Vikunja keeps a description as HTML (its editor writes <p>, <br>, lists, links, bold);
// Taskwarrior keeps plain text. This is the conversion both ways.
//
// Plain text -> HTML -> plain text gives back the same text (one <p> per line, escaped), so a
// note written in Taskwarrior survives any number of trips. Only control characters other than
// tab and line ends are lost: HTML cannot hold them, so the sync reads both sides without them. HTML written in Vikunja's editor
// reads as plain text a person would write: a line per paragraph or <br>, "- " before a list
// item, "[x] " before a checked task item, "text (url)" for a link whose text is not its url.
// The caller compares texts, never HTML, so a description nobody changed is never rewritten.
//
// The HTML is read with libxml2's HTML parser: linear in the input, with a nesting limit, so a
// hostile description costs milliseconds (Gumbo, the other parser Debian has, took 3 GB for
// 60 KB of nested tags). A text larger than max_carried_note_bytes is not carried at all.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vsync {

inline constexpr std::size_t max_carried_note_bytes = 256 * 1024;

// Why `text` (HTML or plain) is not carried: too large. nullopt when it is carried.
std::optional<std::string> uncarried_note(std::string_view text);

// `text` less the control characters HTML cannot hold (all but tab, line feed, carriage return).
std::string html_storable(std::string_view text);

// One <p> per line, of html_storable(text).
std::string html_of_text(std::string_view text);

// The plain text of Vikunja's HTML; nullopt when uncarried_note says so.
std::optional<std::string> text_of_html(std::string_view html);

}  // namespace vsync
