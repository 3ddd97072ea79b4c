// Numbers as text, spelled as Python spells them: integers in decimal, floats as repr(float), the
// shortest decimal that reads back as the same double (0.1, 1e-05, 1e+16, 1.0, -0.0, 5e-324).
// Evaluators ported from Python write numbers back exactly like the original, and clients compare
// numbers by value, so shortest round-trip matters. Nothing here uses printf or std::to_string:
// they would add 2 to 13 KB to every module.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace wasmshim {

// Writes the decimal digits of v to text (at least 20 bytes) and returns how many.
inline std::size_t format_unsigned(uint64_t v, char* text) {
  char reversed[20];
  std::size_t n = 0;
  do {
    reversed[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i) text[i] = reversed[n - 1 - i];
  return n;
}

// Writes v in decimal, with a '-' when negative, to text (at least 20 bytes) and returns the length.
inline std::size_t format_integer(int64_t v, char* text) {
  if (v >= 0) return format_unsigned(static_cast<uint64_t>(v), text);
  text[0] = '-';
  return 1 + format_unsigned(0 - static_cast<uint64_t>(v), text + 1);
}

// Appends the decimal digits of v.
inline void append_unsigned(uint64_t v, std::string& out) {
  char text[20];
  out.append(text, format_unsigned(v, text));
}

// Appends v in decimal, with a '-' when negative.
inline void append_integer(int64_t v, std::string& out) {
  char text[20];
  out.append(text, format_integer(v, text));
}

// The double nearest to a JSON number literal (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, already
// validated), as strtod computes it. Clinger's fast path first: when the significant digits form an
// integer D below 2^53 and the decimal exponent k keeps 10^|k| exact (at most 22, or a little more when
// D * 10^(k-22) is still an exact integer), D * 10^k or D / 10^-k is one correctly rounded IEEE
// operation on exact operands. That covers the numbers people write; musl's strtod, the fallback,
// costs thousands of fuel per call.
[[gnu::noinline]] inline double parse_double(std::string_view literal) {
  static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr uint64_t kExact = uint64_t{1} << 53;
  const char* p = literal.data();
  const char* const end = p + literal.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  uint64_t d = 0;
  int exponent = 0;
  bool exact = true;  // no significant digit was dropped
  const auto digit = [&](char c, bool fraction) {
    if (d < kExact) {
      d = d * 10 + static_cast<uint64_t>(c - '0');
      exponent -= fraction;
    } else if (c != '0') {
      exact = false;
    } else {
      exponent += !fraction;
    }
  };
  for (; p != end && *p >= '0' && *p <= '9'; ++p) digit(*p, false);
  if (p != end && *p == '.') {
    for (++p; p != end && *p >= '0' && *p <= '9'; ++p) digit(*p, true);
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool minus = p != end && *p == '-';
    if (p != end && (*p == '+' || *p == '-')) ++p;
    int written = 0;
    for (; p != end && *p >= '0' && *p <= '9'; ++p) {
      if (written < 100000) written = written * 10 + (*p - '0');
    }
    exponent += minus ? -written : written;
  }
  if (exact && d < kExact) {
    double value = -1;
    if (d == 0) {
      value = 0;
    } else if (exponent >= -22 && exponent <= 22) {
      value = exponent < 0 ? static_cast<double>(d) / kPowers[-exponent]
                           : static_cast<double>(d) * kPowers[exponent];
    } else if (exponent > 22 && exponent <= 22 + 15) {
      // D * 10^(k-22) may still be an exact integer below 2^53: then one multiplication by 1e22 rounds.
      uint64_t scaled = d;
      for (int i = 22; i < exponent && scaled < kExact; ++i) scaled *= 10;
      if (scaled < kExact) value = static_cast<double>(scaled) * kPowers[22];
    }
    if (value >= 0) return negative ? -value : value;
  }
  return std::strtod(std::string(literal).c_str(), nullptr);
}

namespace detail {

// A positive decimal 0.d1d2...dn x 10^point (no trailing zero digit), the form Python formats from.
struct Decimal {
  std::string digits;
  int point = 0;
};

// Multiplies a little-endian base-10^9 number by factor (< 2^32) in place.
inline void multiply_limbs(std::vector<uint32_t>& limbs, uint64_t factor) {
  uint64_t carry = 0;
  for (uint32_t& limb : limbs) {
    const uint64_t product = limb * factor + carry;
    limb = static_cast<uint32_t>(product % 1000000000u);
    carry = product / 1000000000u;
  }
  for (; carry != 0; carry /= 1000000000u) limbs.push_back(static_cast<uint32_t>(carry % 1000000000u));
}

// Every decimal digit of a positive finite double. x = m * 2^e exactly; for e < 0 that is
// m * 5^-e / 10^-e, so the digits are those of the integer m * 2^e or m * 5^-e.
inline Decimal exact_decimal(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int biased = static_cast<int>(bits >> 52);
  uint64_t m = bits & ((uint64_t{1} << 52) - 1);
  int e = -1074;
  if (biased != 0) {
    m |= uint64_t{1} << 52;
    e = biased - 1075;
  }
  std::vector<uint32_t> limbs;
  for (; m != 0; m /= 1000000000u) limbs.push_back(static_cast<uint32_t>(m % 1000000000u));
  for (int k = e; k > 0; k -= 29) multiply_limbs(limbs, uint64_t{1} << (k < 29 ? k : 29));
  for (int k = -e; k > 0; k -= 13) {
    uint64_t power = 1;
    for (int i = 0; i < (k < 13 ? k : 13); ++i) power *= 5;
    multiply_limbs(limbs, power);
  }
  Decimal d;
  append_unsigned(limbs.back(), d.digits);
  for (std::size_t i = limbs.size() - 1; i-- > 0;) {
    for (uint32_t scale = 100000000; scale > 0; scale /= 10)
      d.digits += static_cast<char>('0' + limbs[i] / scale % 10);
  }
  d.point = static_cast<int>(d.digits.size()) + (e < 0 ? e : 0);
  d.digits.erase(d.digits.find_last_not_of('0') + 1);
  return d;
}

// The decimal one unit up in its last digit (129 -> 13, 99 -> 1 with point + 1; a carry drops the
// digits it zeroes).
inline Decimal next_up(Decimal d) {
  std::size_t n = d.digits.size();
  while (n > 0 && d.digits[n - 1] == '9') --n;
  if (n == 0) {
    d.digits = "1";
    d.point += 1;
  } else {
    d.digits.resize(n);
    d.digits[n - 1] += 1;
  }
  return d;
}

// exact rounded to count significant digits, ties to even (as printf rounds). Trailing zeros stay,
// so that next_up() of the result is the next count-digit decimal.
inline Decimal round_to(const Decimal& exact, std::size_t count) {
  if (exact.digits.size() <= count) return exact;
  Decimal d{exact.digits.substr(0, count), exact.point};
  const char next = exact.digits[count];
  // Digits past `next` exist only when nonzero (exact has no trailing zeros).
  const bool above_half = next > '5' || (next == '5' && exact.digits.size() > count + 1);
  const bool tie = next == '5' && exact.digits.size() == count + 1;
  if (above_half || (tie && (d.digits.back() - '0') % 2 == 1)) return next_up(d);
  return d;
}

// Whether d reads back as exactly x (strtod rounds correctly, like Python's float parser).
inline bool round_trips(const Decimal& d, double x) {
  std::string text = "." + d.digits + "e";
  append_integer(d.point, text);
  return std::strtod(text.c_str(), nullptr) == x;
}

// The shortest decimal that rounds to x (positive, finite); among equally short ones, the nearest.
// The N-digit decimal nearest to x is tried first; when it misses, the only other N-digit candidate
// is the one just above x (at a power of two the gap below x is half the gap above).
inline Decimal shortest_decimal(double x) {
  const Decimal exact = exact_decimal(x);
  for (std::size_t count = 1;; ++count) {
    Decimal found = round_to(exact, count);
    if (!round_trips(found, x)) {
      found = next_up(found);
      if (!round_trips(found, x)) continue;
    }
    found.digits.erase(found.digits.find_last_not_of('0') + 1);
    return found;
  }
}

// The shortest decimal for a positive finite x = m * 2^e when 128-bit integers can decide it exactly:
// x with a binary fraction (e < 0, -e <= 123) and a result of at most 21 fractional digits, which is
// every number people write with up to 17 significant digits down to about 1e-5, and most below.
// It tries the same candidates in the same order as shortest_decimal (for k = 0, 1, ... fractional
// digits: the nearest k-digit decimal, ties to even, then the one above), so it finds the same decimal,
// digits * 10^-k, in a few hundred instructions instead of bignums and strtod. False when x is out of
// range. lower_closer: x is a power of two whose lower neighbour is half as far as the upper one.
inline bool shortest_decimal_fast(uint64_t m, int e, bool lower_closer, uint64_t* digits, int* k_out) {
  using u128 = unsigned __int128;
  if (e >= 0 || e < -123) return false;
  const unsigned s = static_cast<unsigned>(-e);
  const u128 half = u128{1} << (s - 1);
  const u128 fraction = (u128{1} << s) - 1;
  // Scaled by 2^(s+2) * 10^k, every quantity is an integer below 2^127: x is 4n, the candidate d is
  // d << (s+2), and x's rounding interval reaches 2 * 10^k above and 2 (or 1) * 10^k below.
  u128 n = m;      // m * 10^k
  u128 power = 1;  // 10^k
  for (int k = 0; k <= 21; ++k, n *= 10, power *= 10) {
    const u128 whole = n >> s;
    if (whole >= (u128{1} << 62)) return false;  // cannot happen before 17 digits round-trip; a guard
    uint64_t d = static_cast<uint64_t>(whole);
    const u128 rest = n & fraction;
    if (rest > half || (rest == half && (d & 1) != 0)) ++d;
    const u128 low = 4 * n - (lower_closer ? power : 2 * power);
    const u128 high = 4 * n + 2 * power;
    const bool inclusive = (m & 1) == 0;  // a tie rounds to the even mantissa
    for (uint64_t candidate = d; candidate <= d + 1; ++candidate) {
      const u128 c = static_cast<u128>(candidate) << (s + 2);
      if (inclusive ? (low <= c && c <= high) : (low < c && c < high)) {
        *digits = candidate;
        *k_out = k;
        return true;
      }
    }
  }
  return false;
}

// Writes the layout Python's repr gives the decimal 0.digits * 10^point (count digits, no trailing
// zero) to text, after a '-' when negative, and returns the length.
inline std::size_t format_decimal(const char* digits, int count, int point, bool negative, char* text) {
  char* p = text;
  if (negative) *p++ = '-';
  const auto copy = [&p](const char* from, int n) {
    for (int i = 0; i < n; ++i) *p++ = from[i];
  };
  const auto zeros = [&p](int n) {
    for (int i = 0; i < n; ++i) *p++ = '0';
  };
  if (point <= -4 || point > 16) {
    // Scientific: one digit, optional fraction, exponent with a sign and at least two digits.
    *p++ = digits[0];
    if (count > 1) {
      *p++ = '.';
      copy(digits + 1, count - 1);
    }
    const int exponent = point - 1;
    *p++ = 'e';
    *p++ = exponent < 0 ? '-' : '+';
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) *p++ = '0';
    p += format_unsigned(static_cast<uint64_t>(magnitude), p);
  } else if (point <= 0) {
    *p++ = '0';
    *p++ = '.';
    zeros(-point);
    copy(digits, count);
  } else if (point < count) {
    copy(digits, point);
    *p++ = '.';
    copy(digits + point, count - point);
  } else {
    copy(digits, count);
    zeros(point - count);
    *p++ = '.';
    *p++ = '0';
  }
  return static_cast<std::size_t>(p - text);
}

}  // namespace detail

// The longest text format_float_repr writes ("-1.2345678901234567e-308" is 24).
inline constexpr std::size_t kMaxFloatRepr = 32;

// Writes repr(x) as Python writes it to text (kMaxFloatRepr bytes) and returns the length. x must be
// finite (JSON has no spelling for inf or NaN).
inline std::size_t format_float_repr(double x, char* text) {
  const bool negative = std::signbit(x);
  x = std::fabs(x);
  if (x == 0) {
    const char zero[] = "-0.0";
    std::memcpy(text, negative ? zero : zero + 1, negative ? 4 : 3);
    return negative ? 4 : 3;
  }
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int biased = static_cast<int>(bits >> 52);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  uint64_t shortest;
  int k;
  if (biased != 0 && detail::shortest_decimal_fast(fraction | (uint64_t{1} << 52), biased - 1075,
                                                   fraction == 0 && biased > 1, &shortest, &k)) {
    char digits[20];
    int count = static_cast<int>(format_unsigned(shortest, digits));
    const int point = count - k;
    while (count > 1 && digits[count - 1] == '0') --count;
    return detail::format_decimal(digits, count, point, negative, text);
  }
  const detail::Decimal d = detail::shortest_decimal(x);
  return detail::format_decimal(d.digits.data(), static_cast<int>(d.digits.size()), d.point, negative, text);
}

// Appends repr(x) as Python writes it. x must be finite (JSON has no spelling for inf or NaN).
inline void append_float_repr(double x, std::string& out) {
  char text[kMaxFloatRepr];
  out.append(text, format_float_repr(x, text));
}

}  // namespace wasmshim
