// gan/layers/dropout.hpp: inverted dropout. In training each value is kept with probability
// 1 - P and scaled by 1 / (1 - P); in eval mode the layer is the identity.
//   y = m * x,  dx = m * dy,   m_i = [u_i >= P] / (1 - P),  u_i ~ U(0, 1) from the context's Rng
// The mask is kept so that a gradient penalty's tangent pass sees the same network as the
// forward pass it differentiates (Context::reuse_noise).
#pragma once
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <float P = 0.5f>
struct Dropout {
  static_assert(P >= 0.0f && P < 1.0f, "gan::Dropout<P>: the drop probability P must be in [0, 1)");
  static constexpr Shape output_shape(Shape in) { return in; }
  static std::string name() { return "Dropout<" + std::to_string(P) + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = true;
    Tn mask;

    void setup(const Shape&, const Shape&, Rng&) {}

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      const T* xp = x.data();
      T* yp = y.data();
      if (!ctx.training) {
        B::copy(xp, x.size(), yp);
        return;
      }
      if (!ctx.reuse_noise) {
        if (!ctx.rng) throw std::logic_error(name() + ": training mode needs Context::rng for the masks");
        mask.resize(x.rows(), x.shape());
        ops::fill_uniform(mask, *ctx.rng);
        T* mp = mask.data();
        const T keep = T(1) / (T(1) - T(P));
        B::for_each(x.size(), [=] GAN_HD(index_t i) { mp[i] = mp[i] >= T(P) ? keep : T(0); });
      } else if (mask.size() != x.size()) {
        throw ShapeError(name() + ": reuse_noise asked for a mask of " + std::to_string(x.size()) +
                         " values, the last forward pass drew " + std::to_string(mask.size()));
      }
      const T* mp = mask.data();
      B::for_each(x.size(), [=] GAN_HD(index_t i) { yp[i] = xp[i] * mp[i]; });
    }
    void backward(Context<T, B>& ctx, const Tn&, const Tn&, const Tn& dy, Tn* dx, bool) {
      if (dx) apply(ctx, dy, *dx);
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      apply(ctx, xt, yt);
    }
    void backward_tangent(Context<T, B>& ctx, const Tn&, const Tn&, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool) {
      if (dx) apply(ctx, dy, *dx);
      if (dxt) apply(ctx, dyt, *dxt);
    }
    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}

    // (public: nvcc's device lambdas may not live in private member functions)
    // out = m * in (the same mask as the forward pass), or a copy in eval mode.
    void apply(Context<T, B>& ctx, const Tn& in, Tn& out) {
      const T* ip = in.data();
      T* op = out.data();
      if (!ctx.training) {
        B::copy(ip, in.size(), op);
        return;
      }
      const T* mp = mask.data();
      B::for_each(in.size(), [=] GAN_HD(index_t i) { op[i] = ip[i] * mp[i]; });
    }
  };
};

}  // namespace gan
