// gan/layers/dense.hpp: the fully connected layer (PyTorch's Linear).
//   y = x W^T + b        x: (batch, in), W: (out, in), b: (out)
//   dW += dy^T x,  db += sum_rows dy,  dx = dy W
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <index_t Out>
struct Dense {
  static_assert(Out > 0 || Out == Dynamic, "gan::Dense<Out>: Out must be > 0 or gan::Dynamic");
  static constexpr bool takes_runtime_size = (Out == Dynamic);
  static constexpr index_t output_size(index_t) { return Out; }
  static std::string name() { return "Dense<" + detail::size_name(Out) + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    Tn W, b, dW, db;
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = true;

    /// PyTorch's default initialisation: U(-1/sqrt(in), 1/sqrt(in)) for W and b.
    void setup(const Shape& in_shape, const Shape& out_shape, Rng& init) {
      const index_t in = in_shape.size(), out = out_shape.size();
      const T bound = T(1) / std::sqrt(T(in));
      W.resize(out, in);
      b.resize(1, out);
      ops::fill_uniform(W, init, -bound, bound);
      ops::fill_uniform(b, init, -bound, bound);
      dW.resize(out, in);
      db.resize(1, out);
      ops::fill(dW, T(0));
      ops::fill(db, T(0));
    }

    void forward(Context<T, B>&, const Tn& x, Tn& y) {
      // y = broadcast(b), then y += x W^T: the bias costs one write, no extra pass.
      const T* bp = b.data();
      T* yp = y.data();
      const index_t out = y.cols();
      B::for_each_2d(y.rows(), out, [=] GAN_HD(index_t i, index_t j) { yp[i * out + j] = bp[j]; });
      ops::matmul(false, true, T(1), x, W, T(1), y);
    }

    void backward(Context<T, B>&, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool param_grads) {
      if (param_grads) {
        ops::matmul(true, false, T(1), dy, x, T(1), dW);  // (out, batch) (batch, in)
        ops::col_sum(dy, db, T(1));
      }
      if (dx) ops::matmul(false, false, T(1), dy, W, T(0), *dx);  // (batch, out) (out, in)
    }

    // Tangent: yt = xt W^T (the bias is constant).
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      ops::matmul(false, true, T(1), xt, W, T(0), yt);
    }
    // Reverse of (y, yt): dW += dy^T x + dyt^T xt, db += sum dy, dx = dy W, dxt = dyt W.
    void backward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, const Tn& y, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool param_grads) {
      backward(ctx, x, y, dy, dx, param_grads);
      if (param_grads) ops::matmul(true, false, T(1), dyt, xt, T(1), dW);
      if (dxt) ops::matmul(false, false, T(1), dyt, W, T(0), *dxt);
    }

    template <class F>
    void visit_params(F f) {
      f(W, dW);
      f(b, db);
    }
    template <class F>
    void visit_buffers(F) {}
  };
};

}  // namespace gan
