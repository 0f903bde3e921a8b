# Turns schema/NNN_name.sql files into a C++ source holding them as string literals,
# so the binaries never read SQL at run time. Invoked with -DOUTPUT=... -DSQL_FILES=a;b;c
list(SORT SQL_FILES)
set(entries "")
foreach(sql_file IN LISTS SQL_FILES)
  get_filename_component(file_name "${sql_file}" NAME_WE)
  if(NOT file_name MATCHES "^([0-9]+)_")
    message(FATAL_ERROR "schema file ${sql_file} must be named NNN_description.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  file(READ "${sql_file}" sql_text)
  if(sql_text MATCHES "\\)vsync_sql\"")
    message(FATAL_ERROR "${sql_file} contains the raw-string delimiter )vsync_sql\"")
  endif()
  string(APPEND entries "    Migration{${version}, \"${file_name}\", R\"vsync_sql(${sql_text})vsync_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from schema/*.sql by cmake/EmbedSchema.cmake. Do not edit.\n"
  "#include \"shared/schema_migrations.hpp\"\n\nnamespace vsync {\n\n"
  "std::span<const Migration> schema_migrations() {\n"
  "  static const Migration migrations[] = {\n${entries}  };\n"
  "  return migrations;\n}\n\n}  // namespace vsync\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
