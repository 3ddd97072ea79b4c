// numpy.allclose(response, answer, rtol, atol) on float32 arrays, as numpy 1.x (legacy value-based
// casting) computes isclose: y = answer in result_type(y, 1.0), which is float64 when the answer is a
// scalar; |x - y| <= atol + rtol * |y| with every step in the dtype numpy picks for it (float32 for
// arrays, unless a scalar operand is outside float32's range in numpy's min_scalar_type sense); pairs
// with inf or NaN count only when exactly equal; numpy's (and Python's) error texts.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>
#include <wasmshim/json.hpp>
#include <wasmshim/number_text.hpp>

#include "float32_array.hpp"

namespace numpy {

namespace detail {

// Whether numpy's min_scalar_type() of a Python float is float64 (it compares against +-3.4e38, not
// the exact float32 maximum); such a scalar makes array arithmetic run in float64.
inline bool min_type_is_float64(double v) { return std::isfinite(v) && !(v > -3.4e38 && v < 3.4e38); }

// A tolerance param as numpy sees the Python object.
struct Tolerance {
  enum class Kind { Number, Str, None, Dict, List } kind = Kind::Number;
  double value = 0;             // a number's value (ints and bools as double)
  float as_float32 = 0;         // its cast to float32, used when the arithmetic stays in float32
  bool forces_float64 = false;  // next to a float32 array it makes numpy compute in float64
  std::size_t str_length = 0;   // a str's length in code points

  // None or a dict: numpy computes with it in an object-dtype array, so `rtol * |y|` is an object
  // array, and `atol + that` then goes through the object loop too (failing only on an element).
  bool is_object() const { return kind == Kind::None || kind == Kind::Dict; }
};

inline Tolerance read_tolerance(const wasmshim::Value& v) {
  Tolerance t;
  int64_t i = 0;
  switch (v.kind()) {
    case wasmshim::Value::Kind::Bool: t.value = v.as_bool() ? 1 : 0; break;
    case wasmshim::Value::Kind::Int:
      if (v.get_int64(&i)) {
        // min_scalar_type of an int is the smallest integer type holding it; past (u)int16 numpy
        // promotes float32 with it to float64.
        t.value = static_cast<double>(i);
        t.forces_float64 = i >= 65536 || i < -32768;
        break;
      }
      t.value = v.as_double();  // beyond int64: uint64 or object in numpy; computed as float64 here
      t.forces_float64 = true;
      break;
    case wasmshim::Value::Kind::Float:
      t.value = v.as_double();
      t.forces_float64 = min_type_is_float64(t.value);
      break;
    case wasmshim::Value::Kind::String:
      t.kind = Tolerance::Kind::Str;
      for (char c : v.as_string()) t.str_length += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      break;
    case wasmshim::Value::Kind::Null: t.kind = Tolerance::Kind::None; break;
    case wasmshim::Value::Kind::Object: t.kind = Tolerance::Kind::Dict; break;
    case wasmshim::Value::Kind::Array: t.kind = Tolerance::Kind::List; break;
  }
  t.as_float32 = static_cast<float>(t.value);
  return t;
}

inline const char* python_type_name(const Tolerance& t) {
  return t.kind == Tolerance::Kind::None ? "NoneType" : "dict";
}

// The error of `tolerance <symbol> array` where the array holds `elements` values of dtype other, or
// "" when numpy computes it. A str fails in type resolution, whatever the size; None and dict go
// through numpy's object loop, which fails on the first element only.
inline std::string array_operand_error(const Tolerance& t, const char* ufunc, const char* symbol,
                                       const char* other, std::size_t elements) {
  switch (t.kind) {
    case Tolerance::Kind::Number: return "";
    case Tolerance::Kind::Str: {
      std::string text = std::string("ufunc '") + ufunc +
                         "' did not contain a loop with signature matching types (dtype('<U";
      wasmshim::append_unsigned(t.str_length > 0 ? t.str_length : 1,
                                text);  // numpy's str dtype is at least <U1
      return text + "'), dtype('" + other + "')) -> None";
    }
    case Tolerance::Kind::List: return "array-valued tolerances are not supported";
    default:
      if (elements == 0) return "";
      return std::string("unsupported operand type(s) for ") + symbol + ": '" + python_type_name(t) +
             "' and 'float'";
  }
}

// The error of `tolerance <symbol> numpy.float64 scalar` (Python-level arithmetic), or "".
inline std::string scalar_operand_error(const Tolerance& t, char symbol) {
  switch (t.kind) {
    case Tolerance::Kind::Number: return "";
    case Tolerance::Kind::Str:
    case Tolerance::Kind::List:
      if (symbol == '*') return "can't multiply sequence by non-int of type 'numpy.float64'";
      if (t.kind == Tolerance::Kind::Str) return "can only concatenate str (not \"numpy.float64\") to str";
      return "array-valued tolerances are not supported";
    default:
      return std::string("unsupported operand type(s) for ") + symbol + ": '" + python_type_name(t) +
             "' and 'float'";
  }
}

// A shape as numpy prints it in broadcast errors: (2,3), (4,), ().
inline std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ',';
    wasmshim::append_unsigned(shape[i], text);
  }
  text += shape.size() == 1 ? ",)" : ")";
  return text;
}

// numpy broadcasting: shapes aligned from the right, each dimension equal or 1.
inline bool broadcast_shape(const std::vector<std::size_t>& x, const std::vector<std::size_t>& y,
                            std::vector<std::size_t>* out) {
  const std::size_t ndim = x.size() > y.size() ? x.size() : y.size();
  out->assign(ndim, 1);
  for (std::size_t i = 0; i < ndim; ++i) {
    const std::size_t dx = i < x.size() ? x[x.size() - 1 - i] : 1;
    const std::size_t dy = i < y.size() ? y[y.size() - 1 - i] : 1;
    if (dx != dy && dx != 1 && dy != 1) return false;
    (*out)[ndim - 1 - i] = dx == 1 ? dy : dx;
  }
  return true;
}

// Visits the element pairs of x and y broadcast together, in C order, until visit returns false.
template <typename Visit>
void for_each_pair(const Float32Array& x, const Float32Array& y, const std::vector<std::size_t>& shape,
                   Visit visit) {
  const std::size_t ndim = shape.size();
  // C-order strides of each operand seen through the broadcast shape (0 along broadcast dimensions).
  std::vector<std::size_t> xs(ndim, 0), ys(ndim, 0);
  for (std::size_t i = 0, stride = 1; i < x.shape.size(); stride *= x.shape[x.shape.size() - 1 - i], ++i) {
    if (x.shape[x.shape.size() - 1 - i] != 1) xs[ndim - 1 - i] = stride;
  }
  for (std::size_t i = 0, stride = 1; i < y.shape.size(); stride *= y.shape[y.shape.size() - 1 - i], ++i) {
    if (y.shape[y.shape.size() - 1 - i] != 1) ys[ndim - 1 - i] = stride;
  }
  std::size_t total = 1;
  for (std::size_t dim : shape) total *= dim;
  std::vector<std::size_t> index(ndim, 0);
  std::size_t xi = 0, yi = 0;
  for (std::size_t n = 0; n < total; ++n) {
    if (!visit(x.values[xi], y.values[yi])) return;
    for (std::size_t axis = ndim; axis-- > 0;) {
      xi += xs[axis];
      yi += ys[axis];
      if (++index[axis] < shape[axis]) break;
      xi -= xs[axis] * shape[axis];
      yi -= ys[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

// Which steps of |x - y| <= atol + rtol * |y| numpy computes in float64 rather than float32.
struct Precision {
  bool diff64 = false;     // |x - y|
  bool product64 = false;  // rtol * |y|
  bool sum64 = false;      // atol + rtol * |y|
  bool compare64 = false;  // <=
};

inline bool all_finite(const Float32Array& a) {
  for (float v : a.values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace detail

// numpy.allclose(x = response, y = answer, rtol, atol). Sets *close, or returns false with the text of
// the exception numpy raises, in numpy's order: broadcasting, then rtol, then atol. An object rtol
// that raised nothing (no elements) leaves an empty object array, which no atol can fail on.
inline bool allclose(const Float32Array& x, const Float32Array& y, const wasmshim::Value& rtol_param,
                     const wasmshim::Value& atol_param, bool* close, std::string* error) {
  std::vector<std::size_t> shape;
  if (!detail::broadcast_shape(x.shape, y.shape, &shape)) {
    *error = "operands could not be broadcast together with shapes " + detail::shape_text(x.shape) + " " +
             detail::shape_text(y.shape) + " ";
    return false;
  }
  const detail::Tolerance rtol = detail::read_tolerance(rtol_param);
  const detail::Tolerance atol = detail::read_tolerance(atol_param);
  const bool x_scalar = x.shape.empty();
  const bool y_scalar = y.shape.empty();  // then y is float64 (result_type of a 0-d float32 and 1.0)
  detail::Precision p;
  if (detail::all_finite(x) && detail::all_finite(y)) {
    if (y_scalar) {
      // abs(y) is a numpy.float64 scalar: Python-level float64 arithmetic, and the tolerance is a
      // float64 scalar that value-based casting rounds to float32 next to a float32 |x - y| array.
      *error = detail::scalar_operand_error(rtol, '*');
      if (error->empty()) *error = detail::scalar_operand_error(atol, '+');
      if (!error->empty()) return false;
      const double tolerance = atol.value + rtol.value * std::fabs(static_cast<double>(y.values[0]));
      p.diff64 = x_scalar || detail::min_type_is_float64(y.values[0]);
      p.product64 = p.sum64 = true;
      p.compare64 = p.diff64 || detail::min_type_is_float64(tolerance);
    } else {
      *error = detail::array_operand_error(rtol, "multiply", "*", "float32", y.values.size());
      if (error->empty() && !rtol.is_object()) {
        *error = detail::array_operand_error(atol, "add", "+", rtol.forces_float64 ? "float64" : "float32",
                                             y.values.size());
      }
      if (!error->empty()) return false;
      p.diff64 = x_scalar && detail::min_type_is_float64(x.values[0]);
      p.product64 = rtol.forces_float64;
      p.sum64 = p.product64 || atol.forces_float64;
      p.compare64 = p.diff64 || p.sum64;
    }
  } else {
    // numpy compares the non-finite pairs for equality and runs the tolerance test on 1-d arrays of
    // the finite pairs: float32 against float32, or float64 when the answer was a scalar.
    std::size_t finite_pairs = 0;
    detail::for_each_pair(x, y, shape, [&](float r, float a) {
      finite_pairs += std::isfinite(r) && std::isfinite(a);
      return true;
    });
    p.product64 = y_scalar || rtol.forces_float64;
    *error =
        detail::array_operand_error(rtol, "multiply", "*", y_scalar ? "float64" : "float32", finite_pairs);
    if (error->empty() && !rtol.is_object()) {
      *error =
          detail::array_operand_error(atol, "add", "+", p.product64 ? "float64" : "float32", finite_pairs);
    }
    if (!error->empty()) return false;
    p.diff64 = y_scalar;
    p.sum64 = p.product64 || atol.forces_float64;
    p.compare64 = p.diff64 || p.sum64;
  }

  *close = true;
  detail::for_each_pair(x, y, shape, [&](float r, float a) {
    bool ok;
    if (!std::isfinite(r) || !std::isfinite(a)) {
      ok = r == a;
    } else {
      const double diff =
          p.diff64 ? std::fabs(static_cast<double>(r) - static_cast<double>(a)) : std::fabs(r - a);
      double tolerance;
      if (p.sum64) {
        const double product = p.product64 ? rtol.value * std::fabs(static_cast<double>(a))
                                           : static_cast<double>(rtol.as_float32 * std::fabs(a));
        tolerance = atol.value + product;
      } else {
        tolerance = atol.as_float32 + rtol.as_float32 * std::fabs(a);  // float arithmetic throughout
      }
      ok = p.compare64 ? diff <= tolerance : static_cast<float>(diff) <= static_cast<float>(tolerance);
    }
    *close = ok;
    return ok;
  });
  return true;
}

}  // namespace numpy
