// gan/core/error.hpp: the exceptions the library throws. Every message names what went wrong
// (the layer, file, line or column) and, where there is one, the fix.
#pragma once
#include <stdexcept>
#include <string>

namespace gan {

/// A size known only at run time does not fit (a Dynamic layer, a batch of the wrong width).
struct ShapeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// A file (checkpoint, CSV, IDX, image) is malformed, truncated or not ours.
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Training produced a non-finite loss or parameter: the run has diverged.
struct DivergenceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
inline std::string size_name(long long n) { return n < 0 ? std::string("Dynamic") : std::to_string(n); }
}  // namespace detail

}  // namespace gan
