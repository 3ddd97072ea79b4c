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
#include <vector>

namespace wasmshim {

// Appends the decimal digits of v.
inline void append_unsigned(uint64_t v, std::string& out) {
  char text[20];
  int n = 0;
  do {
    text[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out += text[--n];
}

// Appends v in decimal, with a '-' when negative.
inline void append_integer(int64_t v, std::string& out) {
  if (v < 0) out += '-';
  append_unsigned(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v), out);
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

}  // namespace detail

// Appends repr(x) as Python writes it. x must be finite (JSON has no spelling for inf or NaN).
inline void append_float_repr(double x, std::string& out) {
  if (std::signbit(x)) out += '-';
  x = std::fabs(x);
  if (x == 0) {
    out += "0.0";
    return;
  }
  const detail::Decimal d = detail::shortest_decimal(x);
  const std::string& digits = d.digits;
  const int count = static_cast<int>(digits.size());
  if (d.point <= -4 || d.point > 16) {
    // Scientific: one digit, optional fraction, exponent with a sign and at least two digits.
    out += digits[0];
    if (count > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    const int exponent = d.point - 1;
    out += exponent < 0 ? "e-" : "e+";
    if (std::abs(exponent) < 10) out += '0';
    append_unsigned(static_cast<uint64_t>(std::abs(exponent)), out);
  } else if (d.point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-d.point), '0');
    out += digits;
  } else if (d.point < count) {
    out.append(digits, 0, static_cast<std::size_t>(d.point));
    out += '.';
    out.append(digits, static_cast<std::size_t>(d.point), std::string::npos);
  } else {
    out += digits;
    out.append(static_cast<std::size_t>(d.point - count), '0');
    out += ".0";
  }
}

}  // namespace wasmshim
