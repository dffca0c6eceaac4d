#include "key_index.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace cgview;

namespace {

// Same lengths ("Active"/"Cached"/"Mapped"), a shared first character modulo
// 64 ('A' and 'a'), names longer than 8 bytes that differ only in the middle,
// an empty name, and one longer than the index keeps.
constexpr std::array<std::string_view, 8> kNames{
    "Active", "Cached", "Mapped", "active", "total_active_anon_xx", "total_active_file_xx", "",
    "a_name_that_is_longer_than_the_forty_eight_bytes_the_index_keeps"};
constexpr KeyIndex<8, key_text_bytes(kNames)> kIndex(kNames);

}  // namespace

TEST(KeyIndex, FindsEachNameByItsIndex) {
  EXPECT_EQ(kIndex.find("Active"), 0);
  EXPECT_EQ(kIndex.find("Cached"), 1);
  EXPECT_EQ(kIndex.find("Mapped"), 2);
  EXPECT_EQ(kIndex.find("active"), 3);
  EXPECT_EQ(kIndex.find("total_active_anon_xx"), 4);
  EXPECT_EQ(kIndex.find("total_active_file_xx"), 5);
}

TEST(KeyIndex, RejectsNearMisses) {
  for (std::string_view miss : {"Activ", "Active(anon)", "Actived", "Bctive", "activE", "Mapper", "Xapped",
                                "total_active_anon_xy", "total_bctive_anon_xx", "total_active_xxxx_xx", "A",
                                "cached", "Cache\n"}) {
    EXPECT_EQ(kIndex.find(miss), kIndex.kNone) << miss;
  }
}

TEST(KeyIndex, NeverFindsEmptyOrOverlongNames) {
  EXPECT_EQ(kIndex.find(""), kIndex.kNone);
  EXPECT_EQ(kIndex.find("a_name_that_is_longer_than_the_forty_eight_bytes_the_index_keeps"), kIndex.kNone);
  EXPECT_EQ(kIndex.find(std::string(10000, 'A')), kIndex.kNone);
}

TEST(KeyIndex, ComparesEveryByteOfLongNames) {
  // same_text compares whole words and an overlapping last word: a difference
  // at any single position must be seen.
  std::string name = "total_active_anon_xx";
  for (size_t i = 0; i < name.size(); ++i) {
    std::string changed = name;
    changed[i] = char(changed[i] ^ 0x20);
    EXPECT_EQ(kIndex.find(changed), kIndex.kNone) << "byte " << i;
    EXPECT_FALSE(same_text(changed.data(), name.data(), name.size())) << "byte " << i;
  }
  for (size_t n = 0; n <= name.size(); ++n) EXPECT_TRUE(same_text(name.data(), name.data(), n));
}

TEST(KeyIndex, ComparesEveryByteOfAnyLength) {
  // Every length up to 24 (bytes, halves of four and words of eight, each
  // with its overlapping last part): a change at any one position is seen,
  // and no byte past n is looked at.
  const std::string text = "abcdefghijklmnopqrstuvwx";
  for (size_t n = 0; n <= text.size(); ++n) {
    std::string copy = text.substr(0, n) + "#";  // a different byte just past n
    EXPECT_TRUE(same_text(copy.data(), text.data(), n)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string changed = copy;
      changed[i] = char(changed[i] ^ 0x01);
      EXPECT_FALSE(same_text(changed.data(), text.data(), n)) << "length " << n << ", byte " << i;
    }
  }
}
