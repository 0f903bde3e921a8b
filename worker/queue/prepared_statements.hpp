#pragma once
// Statements prepared once per connection and reused. A drain runs the same dozen statements for
// every job; preparing them anew each time (parsing and planning the SQL) was most of the CPU a
// job cost the worker.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace vsync {

class PreparedStatements {
 public:
  // One use of a statement: reset and its bindings cleared when it ends, so that a cached
  // SELECT never keeps a read transaction (and with it an old snapshot) open between uses.
  class Use {
   public:
    explicit Use(SQLite::Statement& statement) : statement_(statement) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() {
      statement_.tryReset();
      try {
        statement_.clearBindings();  // statements leave optional values unbound for NULL
      } catch (const SQLite::Exception&) {  // sqlite3_clear_bindings cannot fail in practice
      }
    }
    SQLite::Statement* operator->() { return &statement_; }
    SQLite::Statement& operator*() { return statement_; }

   private:
    SQLite::Statement& statement_;
  };

  explicit PreparedStatements(SQLite::Database& db) : db_(db) {}

  Use operator()(std::string_view sql);

 private:
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace vsync
