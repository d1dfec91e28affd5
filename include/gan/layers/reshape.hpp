// gan/layers/reshape.hpp: Flatten and Reshape, which change how a sample's values are seen, not
// the values: the network passes a view of the same memory (no copy), and the gradient flows
// back as a view too.
//   Flatten:             C x H x W  ->  C*H*W features
//   Reshape<C, H, W>:    any shape with C*H*W values  ->  C x H x W   (one dimension may be
//                        gan::Dynamic: it is worked out from the input's size, as view(-1) does)
#pragma once
#include <string>

#include "../core/layer.hpp"

namespace gan {

namespace detail {
/// A layer whose output is a view of its input: nothing to compute, store or train.
struct ViewLayer {
  static constexpr bool is_view = true;
  template <class T, class B>
  struct Layer {
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = true;
    void setup(const Shape&, const Shape&, Rng&) {}
    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}
  };
};
}  // namespace detail

/// C x H x W -> C*H*W features (a view).
struct Flatten : detail::ViewLayer {
  static constexpr Shape output_shape(Shape in) { return Shape::flat(in.size()); }
  static std::string name() { return "Flatten"; }
};

/// Any input with C*H*W values per sample -> C x H x W (a view).
template <index_t C, index_t H, index_t W>
struct Reshape : detail::ViewLayer {
  static_assert((C > 0 || C == Dynamic) && (H > 0 || H == Dynamic) && (W > 0 || W == Dynamic),
                "gan::Reshape<C, H, W>: every dimension must be > 0 or gan::Dynamic");
  static_assert((C == Dynamic) + (H == Dynamic) + (W == Dynamic) <= 1,
                "gan::Reshape<C, H, W>: at most one dimension may be gan::Dynamic (it is inferred from the input)");
  static constexpr index_t known = (C == Dynamic ? 1 : C) * (H == Dynamic ? 1 : H) * (W == Dynamic ? 1 : W);

  /// The input must hold C*H*W values per sample (a multiple of the known ones with a Dynamic).
  static constexpr bool accepts(Shape in) {
    if (in.size() == Dynamic) return true;
    const bool inferred = C == Dynamic || H == Dynamic || W == Dynamic;
    return inferred ? in.size() % known == 0 : in.size() == known;
  }
  static constexpr Shape output_shape(Shape in) {
    const index_t missing = in.size() == Dynamic ? Dynamic : in.size() / known;
    return Shape::image(C == Dynamic ? missing : C, H == Dynamic ? missing : H, W == Dynamic ? missing : W);
  }
  static std::string name() {
    return "Reshape<" + Shape::image(C, H, W).str(", ") + ">";
  }
};

}  // namespace gan
