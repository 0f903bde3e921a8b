#pragma once
// What the fuzz targets share: the input as text, and failing a property. A failed property is
// a finding like a crash: it aborts, and libFuzzer saves the input that caused it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vsync::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void fail(const std::string& property) {
  std::fprintf(stderr, "fuzz: property does not hold: %s\n", property.c_str());
  std::abort();
}

}  // namespace vsync::fuzz
