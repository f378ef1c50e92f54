// Tables through the native API and the table internals: array/hash parts,
// rehash, border (#), traversal with removal, float keys, errors.
#include <gtest/gtest.h>

#include "api.hpp"
#include "state.hpp"
#include "table.hpp"

namespace {

using namespace rua;

class TableTest : public testing::Test {
 protected:
  void SetUp() override { L = new_state_std(); }
  void TearDown() override { close_state(L); }
  Table* top_table() { return L->top[-1].as_table(); }
  State* L = nullptr;
};

TEST_F(TableTest, SequenceGoesToArrayPart) {
  create_table(L);
  for (int i = 1; i <= 1000; i++) {
    push_integer(L, i);
    raw_set_i(L, -2, i);
  }
  Table* t = top_table();
  EXPECT_GE(t->asize, 1000u);
  EXPECT_EQ(table_length(t, 0), 1000u);
  EXPECT_EQ(raw_len(L, -1), 1000u);
}

TEST_F(TableTest, ReverseFillStillFindsEveryKey) {
  create_table(L);
  for (int i = 500; i >= 1; i--) {
    push_integer(L, i * 3);
    raw_set_i(L, -2, i);
  }
  for (int i = 1; i <= 500; i++) {
    raw_get_i(L, -1, i);
    EXPECT_EQ(to_integer(L, -1), i * 3);
    pop(L, 1);
  }
  EXPECT_EQ(table_length(top_table(), 0), 500u);
}

TEST_F(TableTest, StringKeysAndCollisions) {
  create_table(L);
  for (int i = 0; i < 5000; i++) {
    push_fstring(L, "key%d", i);
    push_integer(L, i);
    raw_set(L, -3);
  }
  for (int i = 0; i < 5000; i += 7) {
    push_fstring(L, "key%d", i);
    raw_get(L, -2);
    EXPECT_EQ(to_integer(L, -1), i);
    pop(L, 1);
  }
  push_string(L, "absent");
  EXPECT_EQ(raw_get(L, -2), Type::Nil);
  pop(L, 1);
}

TEST_F(TableTest, FloatKeysWithIntegerValueAreIntegers) {
  create_table(L);
  push_number(L, 2.0);
  push_string(L, "two");
  raw_set(L, -3);
  raw_get_i(L, -1, 2);
  EXPECT_STREQ(to_string(L, -1), "two");
  pop(L, 1);
  push_number(L, 2.5);
  push_string(L, "half");
  raw_set(L, -3);
  push_number(L, 2.5);
  raw_get(L, -2);
  EXPECT_STREQ(to_string(L, -1), "half");
  pop(L, 1);
}

TEST_F(TableTest, NextVisitsEveryKeyOnceEvenWhenClearing) {
  create_table(L);
  for (int i = 1; i <= 100; i++) {
    push_integer(L, i);
    raw_set_i(L, -2, i);
    push_fstring(L, "s%d", i);
    push_integer(L, i);
    raw_set(L, -3);
  }
  int count = 0;
  push_nil(L);
  while (next(L, -2)) {
    count++;
    pop(L, 1);
    // clear the current key during traversal (allowed by the manual)
    push_value(L, -1);
    push_nil(L);
    raw_set(L, -4);
  }
  EXPECT_EQ(count, 200);
  push_nil(L);
  EXPECT_FALSE(next(L, -2));
}

TEST_F(TableTest, BorderWithHolesIsABorder) {
  create_table(L);
  for (int i = 1; i <= 10; i++) {
    push_integer(L, i);
    raw_set_i(L, -2, i);
  }
  push_nil(L);
  raw_set_i(L, -2, 5);
  lua_Unsigned n = table_length(top_table(), 0);
  // a border: t[n] ~= nil and t[n+1] == nil (or n == 0)
  raw_get_i(L, -1, lua_Integer(n) + 1);
  EXPECT_TRUE(is_nil(L, -1));
  pop(L, 1);
  if (n > 0) {
    raw_get_i(L, -1, lua_Integer(n));
    EXPECT_FALSE(is_nil(L, -1));
    pop(L, 1);
  }
}

TEST_F(TableTest, NilAndNaNKeysAreErrors) {
  create_table(L);
  push_nil(L);
  push_integer(L, 1);
  push_native(L, [](State* L) {
    raw_set(L, 1);
    return 0;
  });
  insert(L, -4);  // function, table, nil, 1
  EXPECT_EQ(pcall(L, 3, 0, 0), kErrRun);
  EXPECT_NE(std::string(to_string(L, -1)).find("index is nil"), std::string::npos);
}

TEST_F(TableTest, GarbageTablesAreCollected) {
  gc(L, kGcCollect);
  int before = gc(L, kGcCount);
  for (int r = 0; r < 300; r++) {
    create_table(L);
    for (int i = 1; i <= 500; i++) {
      push_integer(L, i);
      raw_set_i(L, -2, i);
    }
    pop(L, 1);
  }
  gc(L, kGcCollect);
  EXPECT_LE(gc(L, kGcCount), before + 4);
}

}  // namespace
