// numpy.array(value, dtype=numpy.float32) for a JSON value, as numpy 1.24 to 1.26 compute it: the
// shape discovery (including its exact "inhomogeneous shape" messages for ragged nesting), then
// element conversion in C order with Python's float() semantics followed by a cast to float32.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>
#include <wasmshim/json.hpp>
#include <wasmshim/number_text.hpp>

#include "python_float.hpp"

namespace numpy {

// An n-dimensional float32 array, values in C order.
struct Float32Array {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

// A Python exception: its type name and str(e).
struct PyError {
  const char* type = "";
  std::string message;
};

namespace detail {

// numpy's NPY_MAXDIMS (32 in numpy 1.x).
inline constexpr int kMaxDims = 32;

// The state of numpy's PyArray_DiscoverDTypeAndShape walk.
struct Discovery {
  std::size_t shape[kMaxDims] = {};
  bool max_dims_reached = false;
  bool ragged = false;
};

// numpy's update_shape(): merges a scalar (new_ndim 0) or a sequence level (new_ndim 1) found at
// depth curr into the shape found so far. Returns false when that makes the input ragged.
inline bool update_shape(int curr, int* max_ndim, Discovery& d, int new_ndim, std::size_t new_dim,
                         bool sequence) {
  bool success = true;
  if (curr + new_ndim > *max_ndim) {
    success = false;
    new_ndim = *max_ndim - curr;
  } else if (!sequence && *max_ndim != curr + new_ndim) {
    *max_ndim = curr + new_ndim;
    if (d.max_dims_reached) success = false;
  }
  for (int i = 0; i < new_ndim; ++i) {  // new_ndim is 0 or 1 here
    if (!d.max_dims_reached) {
      d.shape[curr + i] = new_dim;
    } else if (new_dim != d.shape[curr + i]) {
      success = false;
      *max_ndim = sequence ? curr : *max_ndim - (new_ndim - i);
      break;
    }
  }
  if (!sequence) d.max_dims_reached = true;
  return success;
}

// numpy's PyArray_DiscoverDTypeAndShape_Recursive for JSON: arrays are sequences, everything else
// (strings included, since the dtype is given) is a scalar. Returns the dimension count found.
inline int discover(const wasmshim::Value& v, int curr, int max_dims, Discovery& d) {
  const bool is_sequence = v.is_array();
  if (curr == max_dims || !is_sequence) {
    if (!update_shape(curr, &max_dims, d, 0, 0, false) || is_sequence) d.ragged = true;
    return max_dims;
  }
  const wasmshim::Array& items = v.as_array();
  if (!update_shape(curr, &max_dims, d, 1, items.size(), true)) {
    d.ragged = true;
    return max_dims;
  }
  if (items.empty()) {
    d.max_dims_reached = true;
    return curr + 1;
  }
  for (const wasmshim::Value& item : items) max_dims = discover(item, curr + 1, max_dims, d);
  return max_dims;
}

// A shape as Python prints a tuple: (2,) or (2, 3).
inline std::string tuple_text(const std::size_t* shape, int ndim) {
  std::string text = "(";
  for (int i = 0; i < ndim; ++i) {
    if (i > 0) text += ", ";
    wasmshim::append_unsigned(shape[i], text);
  }
  text += ndim == 1 ? ",)" : ")";
  return text;
}

// One scalar to float32 the way numpy's float32 setitem does it: float(x) (Python semantics, so an
// integer is rounded to double first), then a cast to float32 (beyond its range: +-inf).
inline bool scalar_to_float32(const wasmshim::Value& v, float* out, PyError* error) {
  switch (v.kind()) {
    case wasmshim::Value::Kind::Null: *out = NAN; return true;
    case wasmshim::Value::Kind::Bool: *out = v.as_bool() ? 1.0f : 0.0f; return true;
    case wasmshim::Value::Kind::Int:
    case wasmshim::Value::Kind::Float: {
      const double d = v.as_double();
      if (v.is_int() && std::isinf(d)) {
        *error = {"OverflowError", "int too large to convert to float"};
        return false;
      }
      *out = static_cast<float>(d);
      return true;
    }
    case wasmshim::Value::Kind::String: {
      double d = 0;
      if (!python::to_float(v.as_string(), &d)) {
        *error = {"ValueError", "could not convert string to float: " + python::repr(v.as_string())};
        return false;
      }
      *out = static_cast<float>(d);
      return true;
    }
    default:
      // The Python 3.8/3.9 wording that lf-functions.md records (3.10 says "a real number").
      *error = {"TypeError", "float() argument must be a string or a number, not 'dict'"};
      return false;
  }
}

// Converts the elements at depth ndim in C order.
inline bool fill(const wasmshim::Value& v, int depth, int ndim, std::vector<float>& values, PyError* error) {
  if (depth == ndim) {
    float f = 0;
    if (!scalar_to_float32(v, &f, error)) return false;
    values.push_back(f);
    return true;
  }
  for (const wasmshim::Value& item : v.as_array()) {
    if (!fill(item, depth + 1, ndim, values, error)) return false;
  }
  return true;
}

}  // namespace detail

// numpy.array(v, dtype=numpy.float32). On failure sets *error to the exception numpy raises.
inline bool to_float32_array(const wasmshim::Value& v, Float32Array* out, PyError* error) {
  detail::Discovery d;
  const int ndim = detail::discover(v, 0, detail::kMaxDims, d);
  if (d.ragged) {
    error->type = "ValueError";
    if (ndim == detail::kMaxDims) {
      error->message =
          "setting an array element with a sequence. The requested array would exceed the maximum number "
          "of dimension of 32.";
    } else {
      error->message =
          "setting an array element with a sequence. The requested array has an inhomogeneous "
          "shape after ";
      wasmshim::append_unsigned(static_cast<uint64_t>(ndim), error->message);
      error->message += " dimensions. The detected shape was " + detail::tuple_text(d.shape, ndim) +
                        " + inhomogeneous part.";
    }
    return false;
  }
  out->shape.assign(d.shape, d.shape + ndim);
  out->values.clear();
  return detail::fill(v, 0, ndim, out->values, error);
}

}  // namespace numpy
