# The heavy third-party headers (nlohmann/json, fmt, SQLiteCpp and Catch), compiled once for the
# whole build instead of once per target: 25 per-target copies were 3.1 GB of a 4.7 GB build
# directory (a CI machine once ran out of disk) and several minutes of CPU. Our targets reuse
# one of two precompiled headers: the tests' (with Catch) or everyone else's. Included after the
# last add_subdirectory, so every target exists.

set(vsync_pch_headers <nlohmann/json.hpp> <fmt/format.h> <SQLiteCpp/SQLiteCpp.h>
  <cstdint> <functional> <map> <optional> <set> <string> <string_view> <vector>)

add_library(vsync_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/precompiled_header.cpp)
target_link_libraries(vsync_pch PRIVATE project_options project_warnings)
target_precompile_headers(vsync_pch PRIVATE ${vsync_pch_headers})

if(TARGET vsync_test_support)
  target_precompile_headers(vsync_test_support PRIVATE ${vsync_pch_headers} <catch2/catch.hpp>)
endif()

function(vsync_targets_in directory out)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    vsync_targets_in(${subdirectory} nested)
    list(APPEND targets ${nested})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Our own C++ targets: the ones that link project_options.
vsync_targets_in(${PROJECT_SOURCE_DIR} all_targets)
foreach(target IN LISTS all_targets)
  if(target STREQUAL "vsync_pch" OR target STREQUAL "vsync_test_support")
    continue()
  endif()
  get_target_property(links ${target} LINK_LIBRARIES)
  if(NOT links OR NOT "project_options" IN_LIST links)
    continue()
  endif()
  if("vsync_test_support" IN_LIST links)
    target_precompile_headers(${target} REUSE_FROM vsync_test_support)
  else()
    target_precompile_headers(${target} REUSE_FROM vsync_pch)
  endif()
endforeach()
