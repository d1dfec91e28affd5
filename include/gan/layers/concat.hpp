// gan/layers/concat.hpp: appends the condition vector of a conditional GAN to every sample.
//   y = [x, c]   (batch, in + N);   dx = dy[:, :in]   (the condition gets no gradient)
// The condition is handed to Network::forward and reaches the layer through the Context.
// Concat<Dynamic> takes its width N at construction.
#pragma once
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <index_t N>
struct Concat {
  static_assert(N > 0 || N == Dynamic, "gan::Concat<N>: the condition width N must be > 0 or gan::Dynamic");
  static constexpr bool takes_runtime_size = (N == Dynamic);
  static constexpr index_t output_size(index_t in) { return (in == Dynamic || N == Dynamic) ? Dynamic : in + N; }
  /// For Concat<Dynamic> the run-time size given at construction is the condition's width.
  static constexpr Shape runtime_output_shape(Shape in, index_t given) { return Shape::flat(in.size() + given); }
  static constexpr bool uses_condition = true;
  static std::string name() { return "Concat<" + detail::size_name(N) + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = true;
    index_t in_ = 0, width_ = 0;

    void setup(const Shape& in, const Shape& out, Rng&) {
      in_ = in.size();
      width_ = out.size() - in.size();
    }

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      const Tn* c = ctx.condition;
      if (!c)
        throw ShapeError(name() + ": no condition given; pass one to Network::forward(x, condition)");
      if (c->cols() != width_ || c->rows() != x.rows())
        throw ShapeError(name() + ": condition is (" + std::to_string(c->rows()) + ", " + std::to_string(c->cols()) +
                         "), expected (" + std::to_string(x.rows()) + ", " + std::to_string(width_) + ")");
      const T *xp = x.data(), *cp = c->data();
      T* yp = y.data();
      const index_t in = in_, w = width_, out = in_ + width_;
      B::for_each_2d(y.rows(), out, [=] GAN_HD(index_t r, index_t j) {
        yp[r * out + j] = j < in ? xp[r * in + j] : cp[r * w + (j - in)];
      });
    }
    void backward(Context<T, B>&, const Tn&, const Tn&, const Tn& dy, Tn* dx, bool) {
      if (dx) take_first(dy, *dx);
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      const T* xtp = xt.data();
      T* ytp = yt.data();
      const index_t in = in_, out = in_ + width_;
      B::for_each_2d(yt.rows(), out, [=] GAN_HD(index_t r, index_t j) {
        ytp[r * out + j] = j < in ? xtp[r * in + j] : T(0);
      });
    }
    void backward_tangent(Context<T, B>&, const Tn&, const Tn&, const Tn&, const Tn&, const Tn& dy, const Tn& dyt,
                          Tn* dx, Tn* dxt, bool) {
      if (dx) take_first(dy, *dx);
      if (dxt) take_first(dyt, *dxt);
    }
    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}

    // (public: nvcc's device lambdas may not live in private member functions)
    void take_first(const Tn& dy, Tn& dx) {
      const T* dyp = dy.data();
      T* dxp = dx.data();
      const index_t in = in_, out = in_ + width_;
      B::for_each_2d(dx.rows(), in, [=] GAN_HD(index_t r, index_t j) { dxp[r * in + j] = dyp[r * out + j]; });
    }
  };
};

}  // namespace gan
