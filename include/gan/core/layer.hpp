// gan/core/layer.hpp: the layer concept. Read this before writing a layer (docs/layers.md has
// the long form).
//
// A layer is a *spec* type that states its output, e.g. `gan::Dense<256>`, with a nested
// implementation template `Layer<T, B>` for a scalar T and a backend B:
//
//   struct MySpec {
//     // The output for an input shape; one of the two (Dynamic in -> Dynamic out is allowed):
//     static constexpr Shape output_shape(Shape in);     // shaped layers (Reshape, activations)
//     static constexpr index_t output_size(index_t in);  // flat layers: features in, features out
//     static std::string name();                         // "MySpec<...>" for error messages
//     // optional: static constexpr bool accepts(Shape in);  a compile-time link check
//     // optional: static constexpr bool takes_runtime_size = true;  a Dynamic size given at
//     //           construction (Dense<Dynamic>), with optional runtime_output_shape(in, given)
//     // optional: static constexpr bool is_view = true;  the output is the input under another
//     //           shape (Flatten, Reshape): the network passes views, the layer computes nothing
//     // optional: static constexpr bool uses_condition = true;  reads Context::condition
//     // optional, on Layer<T, B>: void take_runtime_size(index_t given);  receives the Dynamic
//     //           size before setup when it is not the output's (Projection<Dynamic>'s classes)
//     template <class T, class B> struct Layer {
//       static constexpr bool per_sample = true;   // each sample is treated on its own (not BatchNorm)
//       static constexpr bool has_tangent = true;  // forward_tangent/backward_tangent exist
//       void setup(const Shape& in, const Shape& out, Rng& init);  // allocate and initialise
//       void forward(Context<T,B>&, const Tensor& x, Tensor& y);   // y = f(x); y is already sized
//       void backward(Context<T,B>&, const Tensor& x, const Tensor& y, const Tensor& dy,
//                     Tensor* dx, bool param_grads);             // dx = dL/dx (when dx != nullptr);
//                                                                // adds dL/dtheta to the grads
//       template <class F> void visit_params(F f);                // f(param, grad) per parameter
//       template <class F> void visit_buffers(F f);               // f(state) per non-trained state
//       // Tangent (forward-mode) pass, used by gradient penalties; see docs/losses.md:
//       void forward_tangent(ctx, x, xt, y, yt);                  // yt = J(x) xt
//       void backward_tangent(ctx, x, xt, y, yt, dy, dyt, dx, dxt, bool param_grads);
//     };
//   };
//
// `per_sample` and `has_tangent` are separate: a layer that mixes the samples of a batch may
// still have a tangent pass (a minibatch standard deviation), and a per-sample layer may lack
// one. Both default to false when not declared: nothing is assumed of a layer that says nothing.
// requires: x holds samples of the layer's input shape; y, dx, dxt are sized by the network
//           before the call (y and dx never alias x or dy).
// ensures:  backward *adds* to the parameter gradients (Network::zero_grad clears them).
#pragma once
#include <concepts>
#include <string>

#include "random.hpp"
#include "shape.hpp"
#include "tensor.hpp"

namespace gan {

/// What a pass needs besides its tensors.
template <class T, class B>
struct Context {
  bool training = true;                      // BatchNorm batch statistics, Dropout masks, SpectralNorm's power step
  Rng* rng = nullptr;                        // Dropout draws masks from it
  bool reuse_noise = false;                  // replay the last forward (tangent passes, gradient checks):
                                             // Dropout keeps its mask, SpectralNorm its u and v
  const Tensor<T, B>* condition = nullptr;   // Concat appends it (conditional GANs)
};

/// The compile-time half of the concept, checked on every spec a Sequential is given.
template <class S>
concept LayerSpec = requires(Shape s, index_t n) {
  { S::name() } -> std::convertible_to<std::string>;
} && (requires(Shape s) {
  { S::output_shape(s) } -> std::convertible_to<Shape>;
} || requires(index_t n) {
  { S::output_size(n) } -> std::convertible_to<index_t>;
});

namespace detail {
/// The spec's output shape for input `in`: flat layers map features to features.
template <class S>
constexpr Shape output_shape(Shape in) {
  if constexpr (requires { S::output_shape(in); })
    return S::output_shape(in);
  else
    return Shape::flat(S::output_size(in.size()));
}
template <class S>
constexpr bool accepts(Shape in) {
  if constexpr (requires { S::accepts(in); })
    return S::accepts(in);
  else
    return true;
}
template <class S>
constexpr bool takes_runtime_size() {
  if constexpr (requires { S::takes_runtime_size; })
    return S::takes_runtime_size;
  else
    return false;
}
template <class S>
constexpr bool is_view() {
  if constexpr (requires { S::is_view; })
    return S::is_view;
  else
    return false;
}
template <class S>
constexpr bool uses_condition() {
  if constexpr (requires { S::uses_condition; })
    return S::uses_condition;
  else
    return false;
}
/// How many Dynamic sizes a spec takes at construction (a nested Chain counts its own).
template <class S>
constexpr std::size_t runtime_sizes() {
  if constexpr (requires { S::runtime_sizes; })
    return S::runtime_sizes;
  else
    return takes_runtime_size<S>() ? 1 : 0;
}
template <class L>
constexpr bool has_tangent() {
  if constexpr (requires { L::has_tangent; })
    return L::has_tangent;
  else
    return false;
}
template <class L>
constexpr bool per_sample() {
  if constexpr (requires { L::per_sample; })
    return L::per_sample;
  else
    return false;
}
/// A layer that sizes its own output and input gradient (a Chain: its last layer writes, or views,
/// them), so the enclosing stack must not ready them (that would drop a view and allocate).
template <class L>
constexpr bool sizes_own_output() {
  if constexpr (requires { L::sizes_own_output; })
    return L::sizes_own_output;
  else
    return false;
}

}  // namespace detail

}  // namespace gan
