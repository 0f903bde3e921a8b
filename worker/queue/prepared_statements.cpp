#include "worker/queue/prepared_statements.hpp"

namespace vsync {

PreparedStatements::Use PreparedStatements::operator()(std::string_view sql) {
  auto found = statements_.find(std::string(sql));
  if (found == statements_.end()) {
    found = statements_.emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql))).first;
  }
  return Use(*found->second);
}

}  // namespace vsync
