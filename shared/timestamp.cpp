#include "shared/timestamp.hpp"

#include <charconv>
#include <chrono>
#include <fmt/format.h>

namespace vsync {

namespace {

// Reads exactly `digits` decimal digits at `pos`. from_chars would also take a leading minus.
std::optional<int> read_number(std::string_view text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size() || text[pos] < '0' || text[pos] > '9') return std::nullopt;
  int value = 0;
  const char* first = text.data() + pos;
  const auto [end, error] = std::from_chars(first, first + digits, value);
  if (error != std::errc{} || end != first + digits) return std::nullopt;
  return value;
}

bool has_char(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

}  // namespace

std::optional<UnixMillis> parse_rfc3339(std::string_view text) {
  // 2025-11-26T10:15:02.918273645Z or 2025-11-26T11:15:02+01:00
  const auto year = read_number(text, 0, 4), month = read_number(text, 5, 2),
             day = read_number(text, 8, 2), hour = read_number(text, 11, 2),
             minute = read_number(text, 14, 2), second = read_number(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !has_char(text, 4, '-') ||
      !has_char(text, 7, '-') || !(has_char(text, 10, 'T') || has_char(text, 10, 't')) ||
      !has_char(text, 13, ':') || !has_char(text, 16, ':') || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{*year}, std::chrono::month(static_cast<unsigned>(*month)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;

  std::size_t pos = 19;
  long long millis = 0;
  if (has_char(text, pos, '.')) {
    ++pos;
    int fraction_digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (fraction_digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++fraction_digits;
      ++pos;
    }
    if (fraction_digits == 0) return std::nullopt;
    for (int i = fraction_digits; i < 3; ++i) millis *= 10;
  }

  long long offset_seconds = 0;
  if (has_char(text, pos, 'Z') || has_char(text, pos, 'z')) {
    ++pos;
  } else if (has_char(text, pos, '+') || has_char(text, pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const auto offset_hours = read_number(text, pos + 1, 2);
    const auto offset_minutes = read_number(text, pos + 4, 2);
    if (!offset_hours || !offset_minutes || !has_char(text, pos + 3, ':') || *offset_hours > 23 ||
        *offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (*offset_hours * 3600LL + *offset_minutes * 60LL);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const long long days = sys_days(date).time_since_epoch().count();
  const long long seconds = days * 86400 + *hour * 3600LL + *minute * 60LL + *second - offset_seconds;
  // An offset or a leap second can carry the time out of years 0000-9999, which have no
  // spelling in UTC: format_rfc3339 could not write it back.
  constexpr long long first_second = -62'167'219'200;  // 0000-01-01T00:00:00Z
  constexpr long long last_second = 253'402'300'799;   // 9999-12-31T23:59:59Z
  if (seconds < first_second || seconds > last_second) return std::nullopt;
  return seconds * 1000 + millis;
}

std::string format_rfc3339(UnixMillis time) {
  using namespace std::chrono;
  const sys_seconds seconds{floor<std::chrono::seconds>(milliseconds(time))};
  const sys_days days = floor<std::chrono::days>(seconds);
  const year_month_day date{days};
  const hh_mm_ss clock{seconds - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

}  // namespace vsync
