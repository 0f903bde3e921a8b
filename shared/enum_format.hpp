#pragma once
// Lets fmt print our state enums by their SQL spelling: any enum for which vsync::to_string
// returns a string_view. (fmt 9, Debian 12's, predates format_as.)

#include <string_view>
#include <type_traits>

#include <fmt/format.h>

namespace vsync {

template <typename T>
concept NamedEnum = std::is_enum_v<T> && requires(T value) {
  { to_string(value) } -> std::same_as<std::string_view>;
};

}  // namespace vsync

template <vsync::NamedEnum Enum>
struct fmt::formatter<Enum> : fmt::formatter<std::string_view> {
  auto format(Enum value, fmt::format_context& context) const {
    return fmt::formatter<std::string_view>::format(to_string(value), context);
  }
};
