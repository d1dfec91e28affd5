// gan/layers/dense.hpp: the fully connected layer (PyTorch's Linear).
//   y = x W^T + b        x: (batch, in), W: (out, in), b: (out)
//   dW += dy^T x,  db += sum_rows dy,  dx = dy W
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"
#include "affine.hpp"

namespace gan {

template <index_t Out>
struct Dense {
  static_assert(Out > 0 || Out == Dynamic, "gan::Dense<Out>: Out must be > 0 or gan::Dynamic");
  static constexpr bool takes_runtime_size = (Out == Dynamic);
  static constexpr index_t output_size(index_t) { return Out; }
  static std::string name() { return "Dense<" + detail::size_name(Out) + ">"; }

  template <class T, class B>
  struct Layer : detail::AffineLayer<Layer<T, B>, T, B> {
    using Tn = Tensor<T, B>;
    using Affine = detail::AffineLayer<Layer, T, B>;
    using Affine::W, Affine::b, Affine::dW, Affine::db;

    /// PyTorch's default initialisation: U(-1/sqrt(in), 1/sqrt(in)) for W and b.
    void setup(const Shape& in_shape, const Shape& out_shape, Rng& init) {
      const index_t in = in_shape.size(), out = out_shape.size();
      this->init_params(out, in, out, T(1) / std::sqrt(T(in)), init);
    }

    /// y = x W^T (+ b): with the bias, y = broadcast(b) first, so it costs one write, no extra pass.
    void apply(const Tn& x, Tn& y, bool with_bias) {
      if (with_bias) {
        const T* bp = b.data();
        T* yp = y.data();
        const index_t out = y.cols();
        B::for_each_2d(y.rows(), out, [=] GAN_HD(index_t i, index_t j) { yp[i * out + j] = bp[j]; });
      }
      ops::matmul(false, true, T(1), x, W, with_bias ? T(1) : T(0), y);
    }

    void apply_backward(const Tn& x, const Tn& dy, Tn* dx, bool param_grads, bool with_bias) {
      if (param_grads) {
        ops::matmul(true, false, T(1), dy, x, T(1), dW);  // (out, batch) (batch, in)
        if (with_bias) ops::col_sum(dy, db, T(1));
      }
      if (dx) ops::matmul(false, false, T(1), dy, W, T(0), *dx);  // (batch, out) (out, in)
    }
  };
};

}  // namespace gan
