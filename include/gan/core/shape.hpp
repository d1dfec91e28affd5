// gan/core/shape.hpp: the shape of one sample, known at compile time where it can be.
//
//   gan::Input<784>          a sample of 784 features           Shape{784, 1, 1}, rank 1
//   gan::Input<1, 28, 28>    an image: channels, height, width  Shape{1, 28, 28}, rank 3
//   gan::Input<gan::Dynamic> a width given at construction (a CSV's columns)
//
// A batch is one contiguous block, batch first and row-major: NCHW for images, so the features
// of a sample are its C*H*W values in order. Layers that only care about features (Dense, the
// activations) see `size()` = C*H*W; layers that care about the image layout (Reshape, later
// convolutions) see the three dimensions. PacGAN groups `pac` consecutive samples into one
// critic input: Shape{C, H, W} becomes Shape{pac*C, H, W} over the same memory.
#pragma once
#include <string>

#include "config.hpp"

namespace gan {

/// The shape of one sample: `c` features (rank 1), or `c` channels of `h` x `w` pixels (rank 3).
/// Each dimension is > 0 or gan::Dynamic. A structural type: usable as a template argument.
struct Shape {
  index_t c = Dynamic, h = 1, w = 1;
  int rank = 1;

  static constexpr Shape flat(index_t n) { return Shape{n, 1, 1, 1}; }
  static constexpr Shape image(index_t c, index_t h, index_t w) { return Shape{c, h, w, 3}; }

  /// Values per sample (C*H*W), or Dynamic while a dimension is unknown.
  constexpr index_t size() const { return known() ? c * h * w : Dynamic; }
  constexpr bool known() const { return c != Dynamic && h != Dynamic && w != Dynamic; }
  /// Shapes that may still turn out equal: equal where both are known.
  constexpr bool compatible(const Shape& o) const {
    auto same = [](index_t a, index_t b) { return a == Dynamic || b == Dynamic || a == b; };
    if (rank != o.rank) return same(size(), o.size());
    return same(c, o.c) && same(h, o.h) && same(w, o.w);
  }
  /// PacGAN: `pac` samples side by side along the channels (features for rank 1).
  constexpr Shape grouped(index_t pac) const { return Shape{c == Dynamic ? Dynamic : c * pac, h, w, rank}; }
  constexpr bool operator==(const Shape&) const = default;

  /// "784", "1x28x28", "Dynamic", "Dynamicx28x28" (`sep` between the dimensions).
  std::string str(const char* sep = "x") const {
    auto d = [](index_t n) { return n == Dynamic ? std::string("Dynamic") : std::to_string(n); };
    return rank == 1 ? d(c) : d(c) + sep + d(h) + sep + d(w);
  }
};

/// The first entry of a Sequential: the shape of one sample, `Input<N>` or `Input<C, H, W>`.
template <index_t... D>
struct Input {
  static_assert(sizeof...(D) == 1 || sizeof...(D) == 3,
                "gan::Input: give the features of a sample, Input<N>, or an image, Input<C, H, W>");
  static_assert(((D > 0 || D == Dynamic) && ...), "gan::Input: every dimension must be > 0 or gan::Dynamic");
  static constexpr Shape shape = [] {
    constexpr index_t d[] = {D...};
    if constexpr (sizeof...(D) == 1)
      return Shape::flat(d[0]);
    else
      return Shape::image(d[0], d[1], d[2]);
  }();
  static constexpr index_t size = shape.size();
  /// How many dimensions are given at construction (the Dynamic ones).
  static constexpr std::size_t runtime_dims = ((D == Dynamic ? 1 : 0) + ...);
  static std::string name() { return "Input<" + shape.str(", ") + ">"; }
};

}  // namespace gan
