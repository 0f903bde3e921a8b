#include "worker/sync/html_text.hpp"

#include <libxml/HTMLparser.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace vsync {

namespace {

using Document = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\f") == std::string_view::npos;
}
using ParserContext = std::unique_ptr<htmlParserCtxt, decltype(&htmlFreeParserCtxt)>;

// A parsed description, or why it is not read: a partial tree would read as a shortened note.
struct Parsed {
  Document document{nullptr, &xmlFreeDoc};
  std::optional<std::string> refusal;
};

std::optional<std::string> over_limit(std::size_t bytes) {
  if (bytes <= max_carried_note_bytes) return std::nullopt;
  return fmt::format("{} bytes of HTML, over the {} a note may have", bytes, max_carried_note_bytes);
}

Parsed parse(std::string_view html) {
  Parsed parsed;
  parsed.refusal = over_limit(html.size());
  if (parsed.refusal) return parsed;
  const ParserContext context(htmlNewParserCtxt(), &htmlFreeParserCtxt);
  if (!context) throw std::bad_alloc();
  const int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED;
  parsed.document.reset(
      htmlCtxtReadMemory(context.get(), html.data(), static_cast<int>(html.size()), nullptr, "UTF-8", options));
  // A fatal error stops the parser midway (libxml2's nesting limit is one).
  if (context->lastError.level == XML_ERR_FATAL) {
    const char* message = context->lastError.message ? context->lastError.message : "cannot be read";
    parsed.refusal = fmt::format("its HTML cannot be read whole: {}", std::string_view(message).substr(0, 80));
    while (!parsed.refusal->empty() && parsed.refusal->back() == '\n') parsed.refusal->pop_back();
  } else if (!parsed.document && !only_whitespace(html)) {
    parsed.refusal = "its HTML cannot be read";
  }
  return parsed;
}

std::string_view name_of(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::string attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (!value) return {};
  std::string text = reinterpret_cast<const char*>(value);
  xmlFree(value);
  return text;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view candidate : names) {
    if (name == candidate) return true;
  }
  return false;
}


// Collects lines. A paragraph starts a line even when it stays empty (a blank line); text between
// blocks that is only whitespace is the HTML's layout, not the note's.
class Lines {
 public:
  void block_start() {
    end_line();
    start_line();
  }
  void end_line() {
    if (!open_) return;
    lines_.push_back(std::move(line_));
    line_.clear();
    open_ = false;
  }
  void line_break() {
    if (!open_) start_line();
    end_line();
    start_line();
  }
  void text(std::string_view text) {
    if (!open_ && only_whitespace(text)) return;
    for (char c : text) {
      if (c == '\n') {
        line_break();
      } else {
        append(std::string_view(&c, 1));
      }
    }
  }
  void append(std::string_view text) {
    if (!open_) start_line();
    line_ += text;
  }
  // What the next line starts with ("- " for a list item), unless the item has no line.
  void prefix_next(std::string prefix) { prefix_ = std::move(prefix); }
  bool prefix_pending() const { return !prefix_.empty(); }
  // Where the text written next goes, to read it back while it is on one line.
  struct Position {
    std::size_t line, column;
  };
  Position position() const { return {lines_.size(), open_ ? line_.size() : prefix_.size()}; }
  std::optional<std::string_view> written_since(Position start) const {
    if (start.line != lines_.size() || !open_) return std::nullopt;
    return std::string_view(line_).substr(start.column);
  }

  std::string joined() {
    end_line();
    std::string text;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (i > 0) text += '\n';
      text += lines_[i];
    }
    return text;
  }

 private:
  void start_line() {
    line_ = std::exchange(prefix_, std::string());
    open_ = true;
  }

  std::vector<std::string> lines_;
  std::string line_;
  std::string prefix_;
  bool open_ = false;
};

void read_children(const xmlNode* parent, Lines& lines, int list_depth);

std::string item_prefix(const xmlNode* item, int list_depth, int number) {
  const std::string indent(static_cast<std::size_t>(2 * (list_depth - 1)), ' ');
  const std::string checked = attribute(item, "data-checked");
  if (!checked.empty()) return indent + (checked == "true" ? "[x] " : "[ ] ");
  return number > 0 ? fmt::format("{}{}. ", indent, number) : indent + "- ";
}

void read_list(const xmlNode* list, Lines& lines, int list_depth) {
  const bool numbered = name_of(list) == "ol";
  int number = 0;
  for (const xmlNode* child = list->children; child; child = child->next) {
    if (child->type != XML_ELEMENT_NODE || name_of(child) != "li") {
      if (child->type == XML_TEXT_NODE) lines.text(reinterpret_cast<const char*>(child->content));
      continue;
    }
    lines.end_line();
    lines.prefix_next(item_prefix(child, list_depth + 1, numbered ? ++number : 0));
    read_children(child, lines, list_depth + 1);
    if (lines.prefix_pending()) lines.append("");  // an empty item still shows
    lines.end_line();
  }
}

void read_link(const xmlNode* link, Lines& lines, int list_depth) {
  const Lines::Position start = lines.position();
  read_children(link, lines, list_depth);
  const std::string href = attribute(link, "href");
  if (!href.empty() && lines.written_since(start) != href) lines.append(fmt::format(" ({})", href));
}

void read_element(const xmlNode* element, Lines& lines, int list_depth) {
  const std::string_view name = name_of(element);
  if (is_one_of(name, {"script", "style", "head", "title"})) return;
  if (name == "br") {
    lines.line_break();
  } else if (name == "ul" || name == "ol") {
    read_list(element, lines, list_depth);
  } else if (name == "a") {
    read_link(element, lines, list_depth);
  } else if (name == "img") {
    const std::string alt = attribute(element, "alt");
    if (!alt.empty()) lines.append(alt);
  } else if (is_one_of(name, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})) {
    lines.block_start();
    read_children(element, lines, list_depth);
    lines.end_line();
  } else if (is_one_of(name, {"div", "blockquote", "table", "tr", "li", "hr", "section", "body", "html"})) {
    lines.end_line();
    read_children(element, lines, list_depth);
    lines.end_line();
  } else {
    read_children(element, lines, list_depth);  // inline: b, strong, em, code, span, td, ...
  }
}

void read_children(const xmlNode* parent, Lines& lines, int list_depth) {
  for (const xmlNode* child = parent->children; child; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) {
      read_element(child, lines, list_depth);
    } else if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      lines.text(reinterpret_cast<const char*>(child->content));
    }
  }
}

// The text of HTML that html_of_text wrote (the sync's own notes, and comments made from
// annotations), read without a parser: most notes read are such. nullopt for any other HTML.
// Exact, as the check that html_of_text gives back the same HTML shows; the parser would read
// the same text, since text -> html_of_text -> text_of_html is the identity.
std::optional<std::string> text_of_own_html(std::string_view html) {
  constexpr std::string_view open = "<p>", close = "</p>", between = "</p><p>";
  if (!html.starts_with(open) || !html.ends_with(close) || html.size() < open.size() + close.size()) return std::nullopt;
  static constexpr std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#13;", '\r'}};
  std::string text;
  text.reserve(html.size());
  const std::string_view body = html.substr(open.size(), html.size() - open.size() - close.size());
  for (std::size_t i = 0; i < body.size();) {
    if (body.substr(i).starts_with(between)) {
      text += '\n';
      i += between.size();
      continue;
    }
    if (body[i] == '<' || body[i] == '\n' || body[i] == '\r') return std::nullopt;
    if (body[i] != '&') {
      text += body[i++];
      continue;
    }
    const auto entity = std::find_if(std::begin(entities), std::end(entities),
                                     [&](const auto& known) { return body.substr(i).starts_with(known.first); });
    if (entity == std::end(entities)) return std::nullopt;
    text += entity->second;
    i += entity->first.size();
  }
  if (html_of_text(text) != html) return std::nullopt;
  return text;
}

}  // namespace

std::string html_storable(std::string_view text) {
  std::string storable;
  storable.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool control = (c >= 0 && c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == '\x7f';
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not characters to XML's parser either.
    const bool noncharacter = text.substr(i, 3) == "\xEF\xBF\xBE" || text.substr(i, 3) == "\xEF\xBF\xBF";
    if (noncharacter) {
      i += 2;
    } else if (!control) {
      storable += c;
    }
  }
  return storable;
}

std::string html_of_text(std::string_view text) {
  if (text.empty()) return {};
  std::string html = "<p>";
  for (char c : html_storable(text)) {
    switch (c) {
      case '&': html += "&amp;"; break;
      case '<': html += "&lt;"; break;
      case '>': html += "&gt;"; break;
      case '"': html += "&quot;"; break;
      case '\r': html += "&#13;"; break;  // a raw one would be read as a line end
      case '\n': html += "</p><p>"; break;
      default: html += c;
    }
  }
  return html + "</p>";
}

std::optional<std::string> text_of_html(std::string_view html) {
  if (html.empty()) return std::string();
  if (html.size() <= max_carried_note_bytes) {
    if (auto own = text_of_own_html(html)) return own;
  }
  const Parsed parsed = parse(html);
  if (parsed.refusal) return std::nullopt;
  if (!parsed.document) return std::string();
  Lines lines;
  for (const xmlNode* node = parsed.document->children; node; node = node->next) {
    if (node->type == XML_ELEMENT_NODE) {
      read_element(node, lines, 0);
    } else if (node->type == XML_TEXT_NODE) {
      lines.text(reinterpret_cast<const char*>(node->content));
    }
  }
  return html_storable(lines.joined());  // a DEL or U+FFFF written as such in the HTML
}

std::optional<std::string> carried_text(std::string_view text) {
  if (over_limit(html_of_text(text).size())) return std::nullopt;
  return html_storable(text);
}

std::optional<std::string> why_html_not_carried(std::string_view html) { return parse(html).refusal; }

std::optional<std::string> why_text_not_carried(std::string_view text) {
  return over_limit(html_of_text(text).size());
}

}  // namespace vsync
