// gan/layers/affine.hpp: what Dense, Conv2d and ConvTranspose2d share. Each is y = A(x) + b with
// A linear in x and its weight W; the layer gives
//   apply(x, y, with_bias)                          y = A(x) (+ b)
//   apply_backward(x, dy, dx, param_grads, with_bias)
//       dW += the weight gradient of <dy, A(x)>, db += the bias gradient (with_bias), *dx = A^T(dy)
// and AffineLayer derives the passes from them. The tangent of an affine map is its linear part,
// yt = A(xt), so the reverse of (y, yt) is the same backward twice: at (x, dy) with the bias and at
// (xt, dyt) without it.
#pragma once
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan::detail {

template <class Derived, class T, class B>
struct AffineLayer {
  using Tn = Tensor<T, B>;
  Tn W, b, dW, db;
  static constexpr bool per_sample = true;
  static constexpr bool has_tangent = true;

  /// PyTorch's default initialisation: W (rows, cols) and b (1, bias) from U(-bound, bound);
  /// gradients zero.
  void init_params(index_t rows, index_t cols, index_t bias, T bound, Rng& init) {
    W.resize(rows, cols);
    b.resize(1, bias);
    ops::fill_uniform(W, init, -bound, bound);
    ops::fill_uniform(b, init, -bound, bound);
    dW.resize(rows, cols);
    db.resize(1, bias);
    ops::fill(dW, T(0));
    ops::fill(db, T(0));
  }

  void forward(Context<T, B>&, const Tn& x, Tn& y) { self().apply(x, y, true); }
  void backward(Context<T, B>&, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool param_grads) {
    self().apply_backward(x, dy, dx, param_grads, true);
  }
  void forward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
    self().apply(x, y, true);
    self().apply(xt, yt, false);
  }
  void backward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, const Tn&, const Tn&, const Tn& dy, const Tn& dyt,
                        Tn* dx, Tn* dxt, bool param_grads) {
    self().apply_backward(x, dy, dx, param_grads, true);
    self().apply_backward(xt, dyt, dxt, param_grads, false);
  }

  template <class F>
  void visit_params(F f) {
    f(W, dW);
    f(b, db);
  }
  template <class F>
  void visit_buffers(F) {}

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace gan::detail
