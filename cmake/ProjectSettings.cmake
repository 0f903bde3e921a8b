# Project-wide settings as INTERFACE targets, linked PRIVATE by our own targets only,
# so third-party code never inherits our warnings or sanitizer flags.

add_library(project_options INTERFACE)
target_compile_features(project_options INTERFACE cxx_std_20)
if(ENABLE_SANITIZERS)
  target_compile_options(project_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=undefined)
  target_link_options(project_options INTERFACE -fsanitize=address,undefined)
endif()
# The libFuzzer build (tests/fuzz): our code gets libFuzzer's coverage hooks, and any UB aborts
# like a crash. Only the fuzz targets link libFuzzer itself (-fsanitize=fuzzer).
if(ENABLE_FUZZING)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ENABLE_FUZZING needs clang's libFuzzer: configure with CC=clang CXX=clang++")
  endif()
  target_compile_options(project_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                   -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(project_options INTERFACE -fsanitize=address,undefined)
endif()

add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                  $<$<BOOL:${WARNINGS_AS_ERRORS}>:-Werror>)

# Every target compiles with the macros the heavy headers' own targets add (fmt header-only,
# Debian's SQLiteCpp), so one precompiled header (cmake/PrecompiledHeader.cmake) is valid for all.
target_compile_definitions(project_options INTERFACE FMT_HEADER_ONLY=1 SQLITE_ENABLE_COLUMN_METADATA)
