#include <gtest/gtest.h>

#include "text.hpp"

using namespace cgview;

TEST(Text, ParseU64) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_u64("42\n", v));
  EXPECT_EQ(v, 42u);
  EXPECT_TRUE(parse_u64("18446744073709551615", v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(parse_u64("18446744073709551616", v));
  EXPECT_FALSE(parse_u64("", v));
  EXPECT_FALSE(parse_u64("-1", v));
  EXPECT_FALSE(parse_u64("12ab", v));
  EXPECT_FALSE(parse_u64(std::string_view("1\0" "2", 3), v));
}
