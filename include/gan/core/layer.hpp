// gan/core/layer.hpp: the layer concept. Read this before writing a layer.
//
// A layer is a *spec* type that states its output size, e.g. `gan::Dense<256>`, with a nested
// implementation template `Layer<T, B>` for a scalar T and a backend B:
//
//   struct MySpec {
//     static constexpr index_t output_size(index_t in);   // the output width for input width `in`
//                                                        // (Dynamic in -> Dynamic out is allowed)
//     static std::string name();                         // "MySpec<...>" for error messages
//     // optional: static constexpr bool accepts(index_t in);  a compile-time link check
//     // optional: static constexpr bool takes_runtime_size = true;  its output is a Dynamic size
//     //           filled in at construction (Dense<Dynamic>)
//     template <class T, class B> struct Layer {
//       void setup(index_t in, index_t out, Rng& init);           // allocate and initialise
//       void forward(Context<T,B>&, const Tensor& x, Tensor& y);  // y = f(x); y is already sized
//       void backward(Context<T,B>&, const Tensor& x, const Tensor& y, const Tensor& dy,
//                     Tensor* dx, bool param_grads);             // dx = dL/dx (when dx != nullptr);
//                                                                // adds dL/dtheta to the grads
//       template <class F> void visit_params(F f);                // f(param, grad) per parameter
//       template <class F> void visit_buffers(F f);               // f(state) per non-trained state
//       // Tangent (forward-mode) pass, used by gradient penalties; see docs/losses.md:
//       static constexpr bool has_tangent = true;
//       void forward_tangent(ctx, x, xt, y, yt);                  // yt = J(x) xt
//       void backward_tangent(ctx, x, xt, y, yt, dy, dyt, dx, dxt, bool param_grads);
//     };
//   };
//
// requires: x has as many columns as the layer's input width; y, dx, dxt are sized by the
//           network before the call.
// ensures:  backward *adds* to the parameter gradients (Network::zero_grad clears them).
#pragma once
#include <concepts>
#include <string>

#include "random.hpp"
#include "tensor.hpp"

namespace gan {

/// What a pass needs besides its tensors.
template <class T, class B>
struct Context {
  bool training = true;                      // BatchNorm batch statistics, Dropout masks
  Rng* rng = nullptr;                        // Dropout draws masks from it
  bool reuse_noise = false;                  // Dropout keeps its last mask (tangent passes)
  const Tensor<T, B>* condition = nullptr;   // Concat appends it (conditional GANs)
};

/// The compile-time half of the concept, checked on every spec a Sequential is given.
template <class S>
concept LayerSpec = requires(index_t n) {
  { S::output_size(n) } -> std::convertible_to<index_t>;
  { S::name() } -> std::convertible_to<std::string>;
};

namespace detail {
template <class S>
constexpr bool accepts(index_t in) {
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
template <class L>
constexpr bool has_tangent() {
  if constexpr (requires { L::has_tangent; })
    return L::has_tangent;
  else
    return false;
}
}  // namespace detail

}  // namespace gan
