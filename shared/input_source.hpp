#pragma once
// Reading a bounded input: a named file or "-" for standard input.
// Throws Error(no_input) when the file is missing or unreadable and Error(data) when the input
// is empty or larger than max_bytes; the message names the source.

#include <cstddef>
#include <string>
#include <string_view>

namespace vsync {

inline constexpr std::size_t max_input_bytes = 1024 * 1024;  // 1 MiB

std::string read_input(std::string_view path_or_dash, std::size_t max_bytes = max_input_bytes);

// "standard input" for "-", else the path: for messages.
std::string describe_input(std::string_view path_or_dash);

}  // namespace vsync
