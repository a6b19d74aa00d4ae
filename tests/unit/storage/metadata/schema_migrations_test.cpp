// Numbered migrations: applied once each, in order, each whole or not at all; a file from a
// newer release is refused untouched.
#include "storage/metadata/schema_migrations.hpp"

#include <gtest/gtest.h>

#include "storage/metadata/sqlite_statement.hpp"

namespace vitrine::storage {
namespace {

int calls = 0;

Status create_a(sqlite3* db) {
  ++calls;
  return exec_sql(db, "CREATE TABLE a(x INTEGER)");
}
Status add_column(sqlite3* db) {
  ++calls;
  return exec_sql(db, "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7");
}
Status half_then_fail(sqlite3* db) {
  ++calls;
  if (auto st = exec_sql(db, "CREATE TABLE b(z INTEGER)"); !st) return st;
  return internal_error("disk on fire");
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    calls = 0;
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(db_); }
  bool has_table(const char* name) {
    Statement s(db_, "SELECT 1 FROM sqlite_master WHERE name = ?");
    s.bind(1, std::string(name));
    return s.step() == SQLITE_ROW;
  }
  sqlite3* db_ = nullptr;
};

TEST_F(MigrationsTest, AppliesEachOnceInOrder) {
  EXPECT_EQ(*schema_version(db_), 0);
  const Migration first[] = {{1, "a", create_a}};
  ASSERT_TRUE(migrate(db_, "test.db", first).is_ok());
  EXPECT_EQ(*schema_version(db_), 1);
  EXPECT_FALSE(has_column(db_, "a", "y"));
  const Migration both[] = {{1, "a", create_a}, {2, "a.y", add_column}};
  ASSERT_TRUE(migrate(db_, "test.db", both).is_ok());
  ASSERT_TRUE(migrate(db_, "test.db", both).is_ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*schema_version(db_), 2);
  EXPECT_TRUE(has_column(db_, "a", "y"));
  Statement rows(db_, "SELECT group_concat(description, ',') FROM schema_version");
  ASSERT_EQ(rows.step(), SQLITE_ROW);
  EXPECT_EQ(rows.text(0), "a,a.y");
}

TEST_F(MigrationsTest, AFailedMigrationLeavesTheLastWholeVersion) {
  const Migration list[] = {{1, "a", create_a}, {2, "b", half_then_fail}};
  auto st = migrate(db_, "test.db", list);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("migration 2 (b) failed: disk on fire"), std::string::npos)
      << st.message();
  EXPECT_EQ(*schema_version(db_), 1);
  EXPECT_TRUE(has_table("a"));
  EXPECT_FALSE(has_table("b")) << "the failed step's half is rolled back";
}

TEST_F(MigrationsTest, RefusesAFileFromANewerRelease) {
  const Migration both[] = {{1, "a", create_a}, {2, "a.y", add_column}};
  ASSERT_TRUE(migrate(db_, "test.db", both).is_ok());
  const Migration older[] = {{1, "a", create_a}};
  auto st = migrate(db_, "test.db", older);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("newer release"), std::string::npos) << st.message();
  EXPECT_EQ(*schema_version(db_), 2);
}

TEST_F(MigrationsTest, RefusesMisnumberedLists) {
  const Migration gap[] = {{1, "a", create_a}, {3, "a.y", add_column}};
  EXPECT_FALSE(migrate(db_, "test.db", gap).is_ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(*schema_version(db_), 0);
}

}  // namespace
}  // namespace vitrine::storage
