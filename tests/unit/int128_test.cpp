// PortableInt128, which 32-bit builds use where 64-bit ones have __int128, against
// __int128 itself where the compiler has it (every 64-bit build of the suite), on
// edge values and random ones; and on every build against products and quotients
// worked out by hand.
#include "int128.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace cgview {
namespace {

TEST(PortableInt128, KnownValues) {
  using I = PortableInt128;
  const I two_64 = I(UINT64_MAX) + 1;
  EXPECT_EQ(two_64.high(), 1u);
  EXPECT_EQ(two_64.low(), 0u);
  EXPECT_EQ(uint64_t(two_64 - 1), UINT64_MAX);
  EXPECT_EQ((I(-1)).high(), UINT64_MAX);
  EXPECT_TRUE(I(-1) < I(0));
  EXPECT_TRUE(I(UINT64_MAX) > I(INT64_MAX));
  // (2^64 - 1)^2 = 2^128 - 2^65 + 1
  const Product128 square = multiply_u64(UINT64_MAX, UINT64_MAX);
  EXPECT_EQ(square.high, UINT64_MAX - 1);
  EXPECT_EQ(square.low, 1u);
  EXPECT_EQ(uint64_t(I(UINT64_MAX) * 8192 / 8192), UINT64_MAX);
  EXPECT_EQ(int64_t(I(-7) / 2), -3);  // toward zero, as C++
  EXPECT_EQ(int64_t(I(7) / -2), -3);
  EXPECT_EQ(int64_t(I(-7) / -2), 3);
  EXPECT_EQ(uint64_t((two_64 * 3 + 5) / 3 - two_64), 1u);
  EXPECT_TRUE(product_less(UINT64_MAX, 2, 2, UINT64_MAX) == false);
  EXPECT_TRUE(product_less(UINT64_MAX - 1, UINT64_MAX, UINT64_MAX, UINT64_MAX));
  EXPECT_TRUE(product_less(1, 1, 0x100000000ull, 0x100000000ull));
}

#if defined(__SIZEOF_INT128__)
using Native = __int128;

bool same(PortableInt128 p, Native n) {
  return p.low() == uint64_t(n) && p.high() == uint64_t((unsigned __int128)n >> 64);
}

PortableInt128 portable_of(Native n) {
  const PortableInt128 high = PortableInt128(uint64_t((unsigned __int128)n >> 64));
  return high * (PortableInt128(UINT64_MAX) + 1) + PortableInt128(uint64_t(n));
}

TEST(PortableInt128, AgreesWithTheCompilersInt128) {
  std::vector<Native> values;
  for (Native edge : {Native(0), Native(1), Native(-1), Native(2), Native(INT64_MAX), Native(INT64_MIN),
                      Native(UINT64_MAX), -Native(UINT64_MAX), Native(UINT64_MAX) + 1, Native(1) << 100,
                      -(Native(1) << 100), Native(8192), Native(1000000)}) {
    values.push_back(edge);
  }
  std::mt19937_64 random(12345);
  for (int i = 0; i < 300; ++i) {
    Native hi = Native(int64_t(random())), lo = Native(random());
    int width = int(random() % 4);  // small, 64-bit, 96-bit and full values
    values.push_back(width == 0   ? Native(int64_t(random()) % 100000)
                     : width == 1 ? lo
                     : width == 2 ? (Native(int32_t(random())) << 64) + lo
                                  : (hi << 64) + lo);
  }
  for (Native a : values) {
    const PortableInt128 pa = portable_of(a);
    ASSERT_TRUE(same(pa, a));
    EXPECT_TRUE(same(-pa, Native(-(unsigned __int128)a)));
    for (size_t j = 0; j < values.size(); j += 7) {
      const Native b = values[j];
      const PortableInt128 pb = portable_of(b);
      // Wrapping sums and products, as unsigned arithmetic (signed overflow is undefined).
      EXPECT_TRUE(same(pa + pb, Native((unsigned __int128)a + (unsigned __int128)b)));
      EXPECT_TRUE(same(pa - pb, Native((unsigned __int128)a - (unsigned __int128)b)));
      EXPECT_TRUE(same(pa * pb, Native((unsigned __int128)a * (unsigned __int128)b)));
      EXPECT_EQ(pa < pb, a < b);
      EXPECT_EQ(pa <= pb, a <= b);
      EXPECT_EQ(pa == pb, a == b);
      const Native min = Native((unsigned __int128)1 << 127);
      if (b != 0 && !(a == min && b == -1)) {
        EXPECT_TRUE(same(pa / pb, a / b));
      }
    }
  }
  for (int i = 0; i < 1000; ++i) {
    uint64_t a = random(), b = random(), c = random() >> (random() % 64), d = random();
    const Product128 p = multiply_u64(a, b);
    EXPECT_EQ((unsigned __int128)p.high << 64 | p.low, (unsigned __int128)a * b);
    EXPECT_EQ(product_less(a, b, c, d), (unsigned __int128)a * b < (unsigned __int128)c * d);
  }
}
#endif

}  // namespace
}  // namespace cgview
