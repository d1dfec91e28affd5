// gan/layers/skip_concat.hpp: y = [f(x), x] per sample, the block of CTGAN's generator (Xu et
// al. 2019): every block sees the raw input and everything earlier blocks made. f is a Chain.
//   y: (batch, |f(x)| + |x|)      dx = J_f^T dy[:, :|f(x)|] + dy[:, |f(x)|:]
//   tangent: yt = [J_f xt, xt]
#pragma once
#include <string>

#include "chain.hpp"

namespace gan {

template <class F>
struct SkipConcat {
  using body = typename detail::as_chain<F>::type;

  static constexpr bool accepts(Shape in) { return body::accepts(in); }
  static constexpr Shape output_shape(Shape in) {
    const index_t a = body::output_shape(in).size(), b = in.size();
    return Shape::flat(a == Dynamic || b == Dynamic ? Dynamic : a + b);
  }
  static constexpr std::size_t runtime_sizes = body::runtime_sizes;
  static constexpr bool uses_condition = body::uses_condition;
  static std::string name() { return "SkipConcat<" + body::name() + ">"; }

  template <class T, class B>
  struct Layer : detail::WrapsBody<typename body::template Layer<T, B>> {
    using Tn = Tensor<T, B>;
    using detail::WrapsBody<typename body::template Layer<T, B>>::f;
    Tn fx, fxt, dfy, dfyt, dfx, dfxt;  // f(x) and its tangent; f's part of dy; f's input gradients

    Shape setup_composite(const Shape& in, Rng& init, detail::SizeList& sizes) {
      const Shape out = f.setup_composite(in, init, sizes);
      return Shape::flat(out.size() + in.size());
    }
    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      f.forward(ctx, x, fx);
      join(fx, x, y);
    }
    void backward(Context<T, B>& ctx, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool params) {
      split_first(dy, dfy);
      f.backward(ctx, x, fx, dfy, dx ? &dfx : nullptr, params);
      if (dx) add_last(dfx, dy, *dx);
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      f.forward_tangent(ctx, x, xt, fx, fxt);
      join(fx, x, y);
      join(fxt, xt, yt);
    }
    void backward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool params) {
      split_first(dy, dfy);
      split_first(dyt, dfyt);
      f.backward_tangent(ctx, x, xt, fx, fxt, dfy, dfyt, dx ? &dfx : nullptr, dxt ? &dfxt : nullptr, params);
      if (dx) add_last(dfx, dy, *dx);
      if (dxt) add_last(dfxt, dyt, *dxt);
    }
    // (public: nvcc's device lambdas may not live in private member functions)
    // y = [a, b] row by row.
    static void join(const Tn& a, const Tn& b, Tn& y) {
      const T *ap = a.data(), *bp = b.data();
      T* yp = y.data();
      const index_t na = a.cols(), nb = b.cols(), ny = na + nb;
      B::for_each_2d(y.rows(), ny, [=] GAN_HD(index_t r, index_t j) {
        yp[r * ny + j] = j < na ? ap[r * na + j] : bp[r * nb + (j - na)];
      });
    }
    // f's columns of dy, contiguous (f's backward takes a tensor of f's output shape).
    void split_first(const Tn& dy, Tn& part) {
      detail::ready(part, dy.rows(), fx.shape());
      const T* dp = dy.data();
      T* pp = part.data();
      const index_t na = fx.cols(), ny = dy.cols();
      B::for_each_2d(dy.rows(), na, [=] GAN_HD(index_t r, index_t j) { pp[r * na + j] = dp[r * ny + j]; });
    }
    // dx = df + dy[:, |f(x)|:]
    void add_last(const Tn& df, const Tn& dy, Tn& dx) {
      const T *fp = df.data(), *dp = dy.data();
      T* xp = dx.data();
      const index_t na = fx.cols(), nx = dx.cols(), ny = dy.cols();
      B::for_each_2d(dx.rows(), nx, [=] GAN_HD(index_t r, index_t j) { xp[r * nx + j] = fp[r * nx + j] + dp[r * ny + na + j]; });
    }
  };
};

}  // namespace gan
