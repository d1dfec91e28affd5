// gan/layers/residual.hpp: a residual block (He et al. 2016), y = x + f(x), f a Chain whose
// output has the input's shape.
//   backward:  dx = dy + J_f^T dy                 tangent:  yt = xt + J_f xt
// so it works inside a penalised critic whenever f's layers have tangent passes.
#pragma once
#include <string>

#include "chain.hpp"

namespace gan {

template <class F>
struct Residual {
  using body = typename detail::as_chain<F>::type;

  /// f must map the input's shape to itself.
  static constexpr bool accepts(Shape in) {
    return body::accepts(in) && (in.size() == Dynamic || body::output_shape(in).compatible(in));
  }
  static constexpr Shape output_shape(Shape in) { return in; }
  static constexpr std::size_t runtime_sizes = body::runtime_sizes;
  static constexpr bool uses_condition = body::uses_condition;
  static std::string name() { return "Residual<" + body::name() + ">"; }

  template <class T, class B>
  struct Layer : detail::WrapsBody<typename body::template Layer<T, B>> {
    using Tn = Tensor<T, B>;
    using detail::WrapsBody<typename body::template Layer<T, B>>::f;
    Tn fx, fxt, dfx, dfxt;  // f(x), its tangent, and f's input gradients (kept apart: no aliasing)

    Shape setup_composite(const Shape& in, Rng& init, detail::SizeList& sizes) {
      const Shape out = f.setup_composite(in, init, sizes);
      if (out.size() != in.size())
        throw ShapeError(sizes.owner + ": " + name() + ": f(x) has shape " + out.str() + ", x has " + in.str() +
                         "; a residual block needs f to keep the shape");
      return in;
    }
    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      f.forward(ctx, x, fx);
      add(x, fx, y);
    }
    void backward(Context<T, B>& ctx, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool params) {
      f.backward(ctx, x, fx, dy.view(dy.rows(), fx.shape()), dx ? &dfx : nullptr, params);
      if (dx) add(dy, dfx, *dx);
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      f.forward_tangent(ctx, x, xt, fx, fxt);
      add(x, fx, y);
      add(xt, fxt, yt);
    }
    void backward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool params) {
      f.backward_tangent(ctx, x, xt, fx, fxt, dy.view(dy.rows(), fx.shape()), dyt.view(dyt.rows(), fx.shape()),
                         dx ? &dfx : nullptr, dxt ? &dfxt : nullptr, params);
      if (dx) add(dy, dfx, *dx);
      if (dxt) add(dyt, dfxt, *dxt);
    }
    // out = a + b, values in order (the shapes have the same size). (public: nvcc device lambdas)
    static void add(const Tn& a, const Tn& b, Tn& out) {
      const T *ap = a.data(), *bp = b.data();
      T* op = out.data();
      B::for_each(out.size(), [=] GAN_HD(index_t i) { op[i] = ap[i] + bp[i]; });
    }
  };
};

}  // namespace gan
