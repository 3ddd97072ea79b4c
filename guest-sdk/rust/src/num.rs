//! Decimal text to double and back, exactly, with a small fixed-size big integer (no tables, no heap):
//! much smaller in wasm than core's float parsing and formatting, which carry large tables.
//!
//! * [`parse_decimal`]: the nearest double to a JSON number literal (ties to even), as core and Python do.
//! * [`shortest`]: the shortest digits that read back to the same double (Steele & White / Burger & Dybvig),
//!   the closest such digits, ties to the even digit: what Python's `repr` prints. (Rust's `{}` rounds some of
//!   those ties up: `2.0f64.powi(-25)` is `2.9802322387695312e-08` in Python, `2.9802322387695313e-8` in Rust.)

use core::cmp::Ordering;

/// Significant digits kept when parsing; 768 decide any double, the rest only count as "non-zero".
const MAX_DIGITS: usize = 800;

/// Base-2^32 digits, enough for 800 decimal digits shifted by 2^60 (parsing) and for 10^340 (printing).
const LIMBS: usize = 90;

/// An unsigned integer below 2^(32 * LIMBS); the operations assume their results fit.
#[derive(Clone, Copy)]
struct Big {
    len: usize,
    limbs: [u32; LIMBS],
}

impl Big {
    fn from_u64(value: u64) -> Self {
        let mut big = Big { len: 2, limbs: [0; LIMBS] };
        big.limbs[0] = value as u32;
        big.limbs[1] = (value >> 32) as u32;
        big.trim();
        big
    }

    fn trim(&mut self) {
        while self.len > 0 && self.limbs[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    fn bit_len(&self) -> usize {
        match self.len {
            0 => 0,
            n => 32 * n - self.limbs[n - 1].leading_zeros() as usize,
        }
    }

    fn bit(&self, index: usize) -> bool {
        index / 32 < self.len && self.limbs[index / 32] >> (index % 32) & 1 == 1
    }

    /// Whether any bit below `index` is set.
    fn any_below(&self, index: usize) -> bool {
        let whole = (index / 32).min(self.len);
        self.limbs[..whole].iter().any(|&l| l != 0)
            || (whole < self.len && self.limbs[whole] & ((1 << (index % 32)) - 1) != 0)
    }

    /// `self * factor + addend`.
    fn mul_add(&mut self, factor: u32, addend: u32) -> &mut Self {
        let mut carry = u64::from(addend);
        for limb in &mut self.limbs[..self.len] {
            let cell = u64::from(*limb) * u64::from(factor) + carry;
            *limb = cell as u32;
            carry = cell >> 32;
        }
        if carry > 0 {
            self.limbs[self.len] = carry as u32;
            self.len += 1;
        }
        self
    }

    fn mul_pow10(&mut self, mut exponent: u32) -> &mut Self {
        while exponent >= 9 {
            self.mul_add(1_000_000_000, 0);
            exponent -= 9;
        }
        self.mul_add(10u32.pow(exponent), 0)
    }

    fn shl(&mut self, bits: usize) -> &mut Self {
        let (whole, part) = (bits / 32, bits % 32);
        if self.len == 0 {
            return self;
        }
        let new_len = self.len + whole + 1;
        for i in (0..new_len).rev() {
            let high = if i >= whole && i - whole < self.len { self.limbs[i - whole] } else { 0 };
            let low = if i > whole && i - whole - 1 < self.len { self.limbs[i - whole - 1] } else { 0 };
            self.limbs[i] = if part == 0 { high } else { high << part | low >> (32 - part) };
        }
        self.len = new_len;
        self.trim();
        self
    }

    /// `self /= divisor`, returning the remainder.
    fn div_small(&mut self, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for limb in self.limbs[..self.len].iter_mut().rev() {
            let cell = remainder << 32 | u64::from(*limb);
            *limb = (cell / u64::from(divisor)) as u32;
            remainder = cell % u64::from(divisor);
        }
        self.trim();
        remainder as u32
    }

    fn add(mut self, other: &Big) -> Big {
        let mut carry = 0u64;
        let len = self.len.max(other.len);
        for i in 0..len {
            let cell = u64::from(self.limbs[i]) + u64::from(other.limbs[i]) + carry;
            self.limbs[i] = cell as u32;
            carry = cell >> 32;
        }
        self.len = len;
        if carry > 0 {
            self.limbs[len] = carry as u32;
            self.len += 1;
        }
        self
    }

    /// `self -= other`, for `other <= self`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.len {
            let mut cell = i64::from(self.limbs[i]) - i64::from(other.limbs[i]) - borrow;
            borrow = i64::from(cell < 0);
            cell += borrow << 32;
            self.limbs[i] = cell as u32;
        }
        self.trim();
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.len
            .cmp(&other.len)
            .then_with(|| self.limbs[..self.len].iter().rev().cmp(other.limbs[..other.len].iter().rev()))
    }
}

/// The powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The nearest double to a JSON number literal (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, already
/// checked), ties to even; beyond the double range it is infinite, below it zero.
pub(crate) fn parse_decimal(literal: &str) -> f64 {
    match parse_decimal_fast(literal.as_bytes()) {
        Some(value) => value,
        None => parse_decimal_exact(literal),
    }
}

/// [`parse_decimal`] of a literal whose digits make an integer below 2^53 and whose value is that integer
/// times or divided by a power of ten up to 10^22 (most literals): both operands are exact doubles, so the one
/// rounding of `*` or `/` is the correct one (Clinger's fast path). `None` for other literals.
#[inline]
fn parse_decimal_fast(literal: &[u8]) -> Option<f64> {
    let (negative, body) = match literal {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, literal),
    };
    let (mut digits, mut exp10, mut at) = (0u64, 0i32, 0);
    let mut fraction = false;
    while let Some(&byte) = body.get(at) {
        match byte {
            b'0'..=b'9' => {
                if digits >= (1 << 53) / 10 {
                    return None;
                }
                digits = digits * 10 + u64::from(byte - b'0');
                exp10 -= i32::from(fraction);
            }
            b'.' => fraction = true,
            _ => break,
        }
        at += 1;
    }
    if at < body.len() {
        // An exponent: `e` or `E`, a sign, then digits (a few: longer ones take the exact path).
        let exponent = &body[at + 1..];
        let (sign, exponent) = match exponent {
            [b'-', rest @ ..] => (-1, rest),
            [b'+', rest @ ..] => (1, rest),
            _ => (1, exponent),
        };
        if exponent.len() > 3 {
            return None;
        }
        exp10 += sign * exponent.iter().fold(0, |e, &b| e * 10 + i32::from(b - b'0'));
    }
    if !(-22..=22).contains(&exp10) {
        return None;
    }
    let power = POW10[exp10.unsigned_abs() as usize];
    let magnitude = if exp10 >= 0 { digits as f64 * power } else { digits as f64 / power };
    Some(if negative { -magnitude } else { magnitude })
}

/// [`parse_decimal`] for any literal.
#[inline(never)]
fn parse_decimal_exact(literal: &str) -> f64 {
    let (negative, body) = literal.strip_prefix('-').map_or((false, literal), |rest| (true, rest));
    let (mantissa, exponent) = body.split_once(['e', 'E']).unwrap_or((body, "0"));
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // value = digits * 10^exp10 (+ something below the last kept digit when `truncated`)
    let mut digits = [0u8; MAX_DIGITS];
    let (mut count, mut exp10, mut truncated) = (0usize, 0i64, false);
    for (i, byte) in int_part.bytes().chain(frac_part.bytes()).enumerate() {
        let digit = byte - b'0';
        if i >= int_part.len() {
            exp10 -= 1;
        }
        if count == 0 && digit == 0 {
            continue;
        }
        if count < MAX_DIGITS {
            digits[count] = digit;
            count += 1;
        } else {
            truncated |= digit != 0;
            exp10 += 1;
        }
    }
    let exponent_sign = if exponent.starts_with('-') { -1 } else { 1 };
    let exponent =
        exponent.trim_start_matches(['+', '-']).bytes().fold(0i64, |e, b| (e * 10 + i64::from(b - b'0')).min(1 << 40));
    exp10 += exponent_sign * exponent;
    while count > 0 && digits[count - 1] == 0 {
        count -= 1;
        exp10 += 1;
    }
    let magnitude = if count == 0 || count as i64 + exp10 < -323 {
        0.0
    } else if count as i64 + exp10 > 310 {
        f64::INFINITY
    } else {
        magnitude(&digits[..count], exp10, truncated)
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// `digits * 10^exp10`, with 1 <= digits.len() <= MAX_DIGITS and a value between about 1e-324 and 1e310.
fn magnitude(digits: &[u8], exp10: i64, truncated: bool) -> f64 {
    if digits.len() <= 15 && (-22..=22).contains(&exp10) && !truncated {
        // Both operands are exact doubles, so the one rounding of `*` or `/` is the correct one.
        let value = digits.iter().fold(0u64, |v, &d| v * 10 + u64::from(d)) as f64;
        let power = POW10[exp10.unsigned_abs() as usize];
        return if exp10 >= 0 { value * power } else { value / power };
    }
    let mut n = Big::from_u64(0);
    for chunk in digits.chunks(9) {
        let value = chunk.iter().fold(0u32, |v, &d| v * 10 + u32::from(d));
        n.mul_add(10u32.pow(chunk.len() as u32), value);
    }
    if exp10 >= 0 {
        n.mul_pow10(exp10 as u32);
        return round(&n, 0, truncated);
    }
    // digits / 10^k = (digits * 2^shift / 5^k) * 2^(-shift-k), the quotient with at least 56 bits.
    let k = exp10.unsigned_abs() as usize;
    let five_k_bits = k * 2322 / 1000 + 2; // at least the bit length of 5^k
    let shift = (56 + five_k_bits).saturating_sub(n.bit_len());
    n.shl(shift);
    let mut inexact = truncated;
    let mut left = k;
    while left > 0 {
        let step = left.min(13);
        inexact |= n.div_small(5u32.pow(step as u32)) != 0;
        left -= step;
    }
    round(&n, -(shift as i64) - k as i64, inexact)
}

/// The double nearest to `(n + f) * 2^exp2` for some `0 <= f < 1`, non-zero exactly when `inexact`
/// (`n` has more than 55 bits whenever `inexact`).
fn round(n: &Big, exp2: i64, inexact: bool) -> f64 {
    let len = n.bit_len() as i64;
    let top = len - 1 + exp2; // the exponent of the leading bit
    if top > 1023 {
        return f64::INFINITY;
    }
    // Bits of precision at this exponent: 53, fewer for subnormals.
    let precision = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    let drop = len - precision;
    let mut mantissa = 0u64;
    for i in (drop.max(0)..len).rev() {
        mantissa = mantissa << 1 | u64::from(n.bit(i as usize));
    }
    if drop > 0 {
        let half = n.bit(drop as usize - 1);
        let rest = inexact || n.any_below(drop as usize - 1);
        if half && (rest || mantissa & 1 == 1) {
            mantissa += 1;
        }
    } else {
        mantissa <<= -drop;
    }
    if mantissa == 0 {
        return 0.0;
    }
    // mantissa * 2^(exp2 + drop) is exact: 2^exponent is a normal or subnormal double here.
    let exponent = exp2 + drop;
    let power = if exponent >= -1022 {
        f64::from_bits(((exponent + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (exponent + 1074))
    };
    mantissa as f64 * power
}

/// The shortest decimal digits that read back to `value` (finite, > 0), and where the point goes:
/// `value ~ 0.DIGITS * 10^point`. Returns `(digits as ASCII, count, point)`.
pub(crate) fn shortest(value: f64) -> ([u8; 17], usize, i32) {
    let (m, e, lower_closer) = decompose(value);
    // Between about 1e-20 and 3e35 every quantity fits in 128 bits (see `fits_wide`): the same arithmetic,
    // several times cheaper in `Wide` than in the 90-limb `Big`.
    if fits_wide(e) {
        shortest_with::<Wide>(m, e, lower_closer)
    } else {
        shortest_with::<Big>(m, e, lower_closer)
    }
}

/// `value = m * 2^e` (finite, > 0), and whether the next double below is closer than the next above.
fn decompose(value: f64) -> (u64, i32, bool) {
    let bits = value.to_bits();
    let biased = (bits >> 52) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    (m, e, biased > 1 && fraction == 0)
}

/// Whether [`shortest_with`] stays below 2^127 (in [`Wide`]) for a binary exponent `e`.
///
/// With `m < 2^53`: for `e >= 0` (then `e <= 65`), `r <= 2^(e + 55) <= 2^120` and `s = 2^(1 + extra) * 10^k`
/// with `10^k <= 10 * value < 2^122`; for `e < 0` (then `e >= -118`), `s <= 2^(2 - e) <= 2^120` unless
/// `value >= 1`, where `e >= -53`, `k <= 16` and `s <= 2^55 * 10^16`. So `s < 2^122`; the digit loop keeps
/// `r`, `mp` and `mm` below `10 * s`, and sums of two below `20 * s < 2^127`.
fn fits_wide(e: i32) -> bool {
    (-118..=65).contains(&e)
}

/// The unsigned integer arithmetic of [`shortest_with`]; operands and results stay in range.
trait Natural: Copy {
    fn from_u64(value: u64) -> Self;
    fn shifted(self, bits: usize) -> Self;
    fn times10(self) -> Self;
    fn times_pow10(self, exponent: u32) -> Self;
    fn plus(self, other: &Self) -> Self;
    /// `self - other`, for `other <= self`.
    fn minus(self, other: &Self) -> Self;
    fn compare(&self, other: &Self) -> Ordering;
    /// The values as `u64`s, if the first is below 2^63 and the second below 2^59 (`s`, with the rest below
    /// `10 * s`, sums of two stay below 2^63).
    fn narrow(values: [&Self; 4]) -> Option<(u64, u64, u64, u64)> {
        let _ = values;
        None
    }
}

/// The arithmetic for values between about 0.03 and 1e17 (see [`Natural::narrow`]).
impl Natural for u64 {
    fn from_u64(value: u64) -> Self {
        value
    }
    fn shifted(self, bits: usize) -> Self {
        self << bits
    }
    fn times10(self) -> Self {
        self * 10
    }
    fn times_pow10(self, exponent: u32) -> Self {
        self * 10u64.pow(exponent)
    }
    fn plus(self, other: &Self) -> Self {
        self + other
    }
    fn minus(self, other: &Self) -> Self {
        self - other
    }
    fn compare(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// A 128-bit unsigned integer as two halves: `u128` arithmetic in wasm turns `x * 10` (however it is
/// written) into a call to `__multi3`; shifts and adds of halves stay inline.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Wide {
    high: u64,
    low: u64,
}

impl Wide {
    /// `self * factor`, in 32-bit pieces (each product fits in a u64).
    fn times_small(self, factor: u32) -> Self {
        let factor = u64::from(factor);
        let product = |half: u64, carry: u64| {
            let low = (half & 0xffff_ffff) * factor + carry;
            let high = (half >> 32) * factor + (low >> 32);
            (high << 32 | low & 0xffff_ffff, high >> 32)
        };
        let (low, carry) = product(self.low, 0);
        let (high, _) = product(self.high, carry);
        Wide { high, low }
    }
}

impl Natural for Wide {
    fn from_u64(value: u64) -> Self {
        Wide { high: 0, low: value }
    }
    fn shifted(self, bits: usize) -> Self {
        match bits {
            0 => self,
            1..=63 => Wide { high: self.high << bits | self.low >> (64 - bits), low: self.low << bits },
            _ => Wide { high: self.low << (bits - 64), low: 0 },
        }
    }
    fn times10(self) -> Self {
        // low * 10 = low * 8 + low * 2, with the bits shifted out and the carry going to the high half.
        let (low, carry) = (self.low << 3).overflowing_add(self.low << 1);
        let high = self.high * 10 + (self.low >> 61) + (self.low >> 63) + u64::from(carry);
        Wide { high, low }
    }
    fn times_pow10(self, mut exponent: u32) -> Self {
        let mut n = self;
        while exponent > 0 {
            let step = exponent.min(9);
            n = n.times_small(10u32.pow(step));
            exponent -= step;
        }
        n
    }
    fn plus(self, other: &Self) -> Self {
        let (low, carry) = self.low.overflowing_add(other.low);
        Wide { high: self.high + other.high + u64::from(carry), low }
    }
    fn minus(self, other: &Self) -> Self {
        let (low, borrow) = self.low.overflowing_sub(other.low);
        Wide { high: self.high - other.high - u64::from(borrow), low }
    }
    fn compare(&self, other: &Self) -> Ordering {
        self.high.cmp(&other.high).then(self.low.cmp(&other.low))
    }
    fn narrow([r, s, mp, mm]: [&Self; 4]) -> Option<(u64, u64, u64, u64)> {
        (s.high == 0 && s.low < 1 << 59).then_some((r.low, s.low, mp.low, mm.low))
    }
}

impl Natural for Big {
    fn from_u64(value: u64) -> Self {
        Big::from_u64(value)
    }
    fn shifted(mut self, bits: usize) -> Self {
        self.shl(bits);
        self
    }
    fn times10(mut self) -> Self {
        self.mul_add(10, 0);
        self
    }
    fn times_pow10(mut self, exponent: u32) -> Self {
        self.mul_pow10(exponent);
        self
    }
    fn plus(self, other: &Self) -> Self {
        self.add(other)
    }
    fn minus(mut self, other: &Self) -> Self {
        self.sub(other);
        self
    }
    fn compare(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// [`shortest`] of `m * 2^e` (Steele & White / Burger & Dybvig) in the arithmetic `N`: the scaling here,
/// the digits in [`generate`].
#[inline(never)]
fn shortest_with<N: Natural>(m: u64, e: i32, lower_closer: bool) -> ([u8; 17], usize, i32) {
    // Round-half-even parsing accepts the interval's ends when the mantissa is even.
    let even = m & 1 == 0;
    // value = r / s; the gaps to the neighbours' midpoints are mp / s above and mm / s below.
    let extra = usize::from(lower_closer);
    let (mut r, mut s, mut mp, mut mm);
    if e >= 0 {
        let e = e as usize;
        r = N::from_u64(m).shifted(e + 1 + extra);
        s = N::from_u64(2 << extra);
        mp = N::from_u64(1).shifted(e + extra);
        mm = N::from_u64(1).shifted(e);
    } else {
        r = N::from_u64(m).shifted(1 + extra);
        s = N::from_u64(1).shifted((1 - e) as usize + extra);
        mp = N::from_u64(1 << extra);
        mm = N::from_u64(1);
    }
    // k = ceil(log10(value)), possibly one too small: value >= 2^x, and floor(x * log10(2)) is
    // x * 78913 >> 18 for |x| < 1650.
    let x = e + 63 - m.leading_zeros() as i32;
    let mut k = if x == 0 { 0 } else { ((x * 78913) >> 18) + 1 };
    if k >= 0 {
        s = s.times_pow10(k as u32);
    } else {
        let up = k.unsigned_abs();
        (r, mp, mm) = (r.times_pow10(up), mp.times_pow10(up), mm.times_pow10(up));
    }
    let high = |r: &N, mp: &N, s: &N| {
        let ord = r.plus(mp).compare(s);
        ord == Ordering::Greater || (even && ord == Ordering::Equal)
    };
    if high(&r, &mp, &s) {
        k += 1;
    } else {
        (r, mp, mm) = (r.times10(), mp.times10(), mm.times10());
    }
    // Now r, mp and mm are below 10 * s, and stay so: with s below 2^59 the digits fit in a u64.
    if let Some((r, s, mp, mm)) = N::narrow([&r, &s, &mp, &mm]) {
        return generate::<u64>(Scaled { r, s, mp, mm, k, even, lower_closer });
    }
    generate(Scaled { r, s, mp, mm, k, even, lower_closer })
}

/// A value scaled for digit generation: `value / 10^k = r / s`, below 10 (before the first digit), and the
/// gaps to the neighbours' midpoints `mp / s` above and `mm / s` below, all below `10 * s`.
struct Scaled<N> {
    r: N,
    s: N,
    mp: N,
    mm: N,
    k: i32,
    /// Whether the mantissa is even: round-half-even parsing accepts the interval's ends.
    even: bool,
    /// Whether `mm` differs from `mp` (the lower neighbour is closer).
    lower_closer: bool,
}

/// The digits of a [`Scaled`] value.
#[inline(never)]
fn generate<N: Natural>(scaled: Scaled<N>) -> ([u8; 17], usize, i32) {
    let Scaled { mut r, s, mut mp, mut mm, k, even, lower_closer } = scaled;
    let high = |r: &N, mp: &N, s: &N| {
        let ord = r.plus(mp).compare(s);
        ord == Ordering::Greater || (even && ord == Ordering::Equal)
    };
    let mut digits = [b'0'; 17];
    let mut count = 0;
    let (digit, low, high) = loop {
        // The digit is r / s, below 10.
        let mut digit = 0u8;
        while r.compare(&s) != Ordering::Less {
            r = r.minus(&s);
            digit += 1;
        }
        let low = match r.compare(&mm) {
            Ordering::Less => true,
            Ordering::Equal => even,
            Ordering::Greater => false,
        };
        let high = high(&r, &mp, &s);
        if low || high {
            break (digit, low, high);
        }
        digits[count] = b'0' + digit;
        count += 1;
        // mm equals mp unless the lower neighbour is closer.
        (r, mp) = (r.times10(), mp.times10());
        mm = if lower_closer { mm.times10() } else { mp };
    };
    let round_up = match (low, high) {
        (true, false) => false,
        (false, true) => true,
        _ => match r.plus(&r).compare(&s) {
            Ordering::Less => false,
            Ordering::Greater => true,
            Ordering::Equal => digit & 1 == 1,
        },
    };
    digits[count] = b'0' + digit + u8::from(round_up);
    (digits, count + 1, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    /// A deterministic stream of 64-bit values.
    fn random_bits(seed: u64) -> impl Iterator<Item = u64> {
        let mut state = seed;
        core::iter::repeat_with(move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state ^ (state >> 29)
        })
    }

    fn shortest_text(value: f64) -> String {
        let (digits, count, point) = shortest(value);
        let digits = core::str::from_utf8(&digits[..count]).unwrap();
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{}", point - 1)
    }

    /// `shortest` against core's `{:e}`: the same digits, except where the value lies exactly halfway between
    /// two shortest candidates: core may round up, Python and `shortest` take the even digit.
    fn check_shortest(value: f64) {
        let (ours, core) = (shortest_text(value), format!("{value:e}"));
        if ours == core {
            return;
        }
        let (digits, count, point) = shortest(value);
        let exact = format!("{value:.1200e}");
        let exact_digits: String = exact.split('e').next().unwrap().chars().filter(|c| *c != '.').collect();
        let is_tie = exact_digits[count..].trim_end_matches('0') == "5";
        let even = (digits[count - 1] - b'0') % 2 == 0;
        assert!(is_tie && even && ours.len() == core.len(), "{value:e}: {ours} vs {core}");
        assert_eq!(point - 1, core.split('e').nth(1).unwrap().parse::<i32>().unwrap());
        assert_eq!(ours.parse::<f64>().unwrap().to_bits(), value.to_bits(), "{ours}");
    }

    #[test]
    fn shortest_matches_core_on_random_doubles() {
        for bits in random_bits(1).take(60_000) {
            let value = f64::from_bits(bits & !(1 << 63));
            if value.is_finite() && value > 0.0 {
                check_shortest(value);
            }
        }
    }

    #[test]
    fn shortest_matches_core_on_edge_cases() {
        let mut values = alloc::vec![
            5e-324,
            1e-323,
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0,
            0.1,
            0.3,
            2.0f64.powi(63),
            9007199254740993.0
        ];
        for exponent in -1074..=1023 {
            let power = 2.0f64.powi(exponent);
            values.extend([
                power,
                f64::from_bits(power.to_bits() + 1),
                f64::from_bits(power.to_bits().saturating_sub(1)),
            ]);
        }
        for exponent in -323..=308 {
            let power: f64 = format!("1e{exponent}").parse().unwrap();
            values.extend([
                power,
                f64::from_bits(power.to_bits() + 1),
                f64::from_bits(power.to_bits().saturating_sub(1)),
            ]);
        }
        for value in values.into_iter().filter(|v| v.is_finite() && *v > 0.0) {
            check_shortest(value);
        }
    }

    #[test]
    fn the_wide_arithmetic_gives_the_big_one_s_digits() {
        // Random mantissas with biased exponents through the whole range of `fits_wide` (and one beyond),
        // so both the `Wide` and the `u64` digit generation are exercised.
        let mut checked = 0;
        for bits in random_bits(4).take(100_000) {
            let biased = 1075 - 119 + (bits >> 52) % 186;
            let value = f64::from_bits(biased << 52 | bits & ((1 << 52) - 1));
            let (m, e, lower_closer) = decompose(value);
            if fits_wide(e) {
                assert_eq!(shortest_with::<Wide>(m, e, lower_closer), shortest_with::<Big>(m, e, lower_closer));
                checked += 1;
            }
        }
        // Each end of the range, powers of two (the lower neighbour closer) and their neighbours.
        for e in [-118, -117, -60, -53, -52, -1, 0, 1, 11, 12, 64, 65] {
            for m in [1u64 << 52, (1 << 52) + 1, (1 << 53) - 1, 6_755_399_441_055_744, 4_503_599_627_370_497] {
                let value = m as f64 * 2.0f64.powi(e);
                let (m, e, lower_closer) = decompose(value);
                assert_eq!(shortest_with::<Wide>(m, e, lower_closer), shortest_with::<Big>(m, e, lower_closer));
                check_shortest(value);
            }
        }
        assert!(checked > 90_000, "{checked}");
    }

    #[test]
    fn ties_go_to_the_even_digit_like_python() {
        // Python: repr(2.0 ** -25), repr(-2179139703190279.25)
        assert_eq!(shortest_text(2.0f64.powi(-25)), "2.9802322387695312e-8");
        assert_eq!(shortest_text(2179139703190279.0 + 0.25), "2.1791397031902792e15");
    }

    fn check_parse(text: &str) {
        let expected: f64 = text.parse().unwrap();
        assert_eq!(parse_decimal(text).to_bits(), expected.to_bits(), "{text}");
    }

    #[test]
    fn parse_matches_core_on_random_literals() {
        let mut bits = random_bits(2);
        for _ in 0..40_000 {
            let b = bits.next().unwrap();
            let digits = format!("{}", bits.next().unwrap() >> (b % 60));
            let exponent = (b >> 8) as i64 % 700 - 350;
            let cut = ((b >> 20) as usize) % (digits.len() + 1);
            let (int_part, frac_part) = digits.split_at(cut);
            let int_part = int_part.trim_start_matches('0');
            let int_part = if int_part.is_empty() { "0" } else { int_part };
            let text = match (frac_part.is_empty(), b >> 40 & 1) {
                (true, _) => format!("{int_part}e{exponent}"),
                (false, 0) => format!("-{int_part}.{frac_part}"),
                (false, _) => format!("{int_part}.{frac_part}E{exponent:+}"),
            };
            check_parse(&text);
        }
    }

    #[test]
    fn parse_reads_back_shortest_and_longer_forms() {
        for bits in random_bits(3).take(15_000) {
            let value = f64::from_bits(bits & !(1 << 63));
            if value.is_finite() {
                check_parse(&format!("{value:e}"));
                check_parse(&format!("{value:.25e}"));
                check_parse(&format!("{value}"));
            }
        }
    }

    #[test]
    fn parse_edge_cases() {
        let halfway_min = "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324";
        for text in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "0e0",
            "0.000e-999999",
            "1",
            "1.0",
            "0.1",
            "0.3",
            "1e23",
            "8.589973e9",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "1e99999999999",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062328e-324",
            "2.4703282292062327e-324",
            halfway_min,
            "1e-400",
            "123456789012345678901234567890",
            "9007199254740993",
            "9007199254740993.000000000001",
            "0.000000000000000000000000000000000000000000001e45",
            "100000000000000000000000000000000000000000e-41",
        ] {
            check_parse(text);
        }
        let long = "1".to_owned() + &"0".repeat(900) + "1e-900";
        check_parse(&long);
        let just_over_half = format!("{}1", &halfway_min[..halfway_min.len() - 5]) + "e-324";
        check_parse(&just_over_half);
    }
}
