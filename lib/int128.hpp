// 128-bit arithmetic for the few sums that outgrow 64 bits: CPU counts from a quota
// (limits.cpp), a CPU count times an uptime in ticks minus a busy time
// (stat_clock.cpp, render_stat.cpp), quotas in `cgview show`, and full products of two
// 64-bit numbers (product_less, placement.cpp). Where the compiler has __int128
// (64-bit targets) that is what Int128 is; 32-bit targets (i386, armhf) have none and
// use PortableInt128, which does the same in two 64-bit halves. Both are tested
// against each other (tests/unit/int128_test.cpp).
#pragma once

#include <concepts>
#include <cstdint>

namespace cgview {

// The full product of two unsigned 64-bit numbers, in halves (multiply_u64).
struct Product128 {
  uint64_t high = 0, low = 0;
};

// From four 32-bit partial products: exact on every target.
constexpr Product128 multiply_u64(uint64_t a, uint64_t b) {
  const uint64_t a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t middle = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32), (middle << 32) | (p00 & 0xffffffff)};
}

// A signed two's-complement 128-bit integer with the operations the callers use:
// + - * / and comparisons, wrapping as __int128 would where it wraps.
class PortableInt128 {
 public:
  constexpr PortableInt128() = default;
  template <std::integral T>
  constexpr PortableInt128(T v) : lo_(uint64_t(v)) {  // implicit, as an integer promotion
    if constexpr (std::signed_integral<T>) hi_ = v < 0 ? ~uint64_t(0) : 0;
  }

  constexpr uint64_t high() const { return hi_; }
  constexpr uint64_t low() const { return lo_; }

  // Truncating, as a cast of __int128 to a 64-bit type.
  explicit constexpr operator uint64_t() const { return lo_; }
  explicit constexpr operator int64_t() const { return int64_t(lo_); }

  friend constexpr PortableInt128 operator+(PortableInt128 a, PortableInt128 b) {
    uint64_t lo = a.lo_ + b.lo_;
    return {lo, a.hi_ + b.hi_ + (lo < a.lo_ ? 1 : 0)};
  }
  constexpr PortableInt128 operator-() const { return PortableInt128(~lo_, ~hi_) + PortableInt128(1); }
  friend constexpr PortableInt128 operator-(PortableInt128 a, PortableInt128 b) { return a + -b; }
  friend constexpr PortableInt128 operator*(PortableInt128 a, PortableInt128 b) {
    const Product128 low = multiply_u64(a.lo_, b.lo_);
    return {low.low, low.high + a.lo_ * b.hi_ + a.hi_ * b.lo_};
  }
  // Truncates toward zero, as C++ division does. b must not be 0.
  friend constexpr PortableInt128 operator/(PortableInt128 a, PortableInt128 b) {
    bool negative = a.negative() != b.negative();
    PortableInt128 q = divide_magnitudes(a.magnitude(), b.magnitude());
    return negative ? -q : q;
  }
  friend constexpr bool operator==(PortableInt128 a, PortableInt128 b) = default;
  friend constexpr bool operator<(PortableInt128 a, PortableInt128 b) {
    return a.hi_ != b.hi_ ? int64_t(a.hi_) < int64_t(b.hi_) : a.lo_ < b.lo_;
  }
  friend constexpr bool operator>(PortableInt128 a, PortableInt128 b) { return b < a; }
  friend constexpr bool operator<=(PortableInt128 a, PortableInt128 b) { return !(b < a); }
  friend constexpr bool operator>=(PortableInt128 a, PortableInt128 b) { return !(a < b); }

 private:
  constexpr PortableInt128(uint64_t lo, uint64_t hi) : lo_(lo), hi_(hi) {}
  constexpr bool negative() const { return int64_t(hi_) < 0; }
  constexpr PortableInt128 magnitude() const { return negative() ? -*this : *this; }
  // Unsigned long division: in one step where both fit in 64 bits (the usual case:
  // a quota and its period), else one bit at a time.
  static constexpr PortableInt128 divide_magnitudes(PortableInt128 n, PortableInt128 d) {
    if (n.hi_ == 0 && d.hi_ == 0) return PortableInt128(n.lo_ / d.lo_);
    PortableInt128 q, r;
    for (int bit = 127; bit >= 0; --bit) {
      r = {r.lo_ << 1 | ((bit >= 64 ? n.hi_ >> (bit - 64) : n.lo_ >> bit) & 1), r.hi_ << 1 | r.lo_ >> 63};
      if (!unsigned_less(r, d)) {
        r = r - d;
        if (bit >= 64) q.hi_ |= uint64_t(1) << (bit - 64);
        else q.lo_ |= uint64_t(1) << bit;
      }
    }
    return q;
  }
  static constexpr bool unsigned_less(PortableInt128 a, PortableInt128 b) {
    return a.hi_ != b.hi_ ? a.hi_ < b.hi_ : a.lo_ < b.lo_;
  }

  uint64_t lo_ = 0, hi_ = 0;
};

#if defined(__SIZEOF_INT128__)
using Int128 = __int128;
#else
using Int128 = PortableInt128;
#endif

// Whether a x b < c x d, exactly, for any unsigned 64-bit numbers.
constexpr bool product_less(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  const Product128 left = multiply_u64(a, b), right = multiply_u64(c, d);
  return left.high != right.high ? left.high < right.high : left.low < right.low;
}

}  // namespace cgview
