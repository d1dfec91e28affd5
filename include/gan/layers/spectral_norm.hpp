// gan/layers/spectral_norm.hpp: spectral normalisation of a layer's weight (Miyato et al. 2018).
//   W_sn = W / sigma,   sigma = u^T W v ~ the largest singular value of W
//   power iteration (one step per training forward):  v = W^T u / |W^T u|,  u = W v / |W v|
//   the wrapped layer L computes with W_sn; the trained parameter stays W. With u, v held
//   constant (as PyTorch does) and G = dL/dW_sn:
//     dL/dW = (G - <G, W_sn> u v^T) / sigma
// W is L's *first* visited parameter, read as the matrix it is stored as, rows x cols:
// Dense (out, in), Conv2d (OutC, C*K*K), ConvTranspose2d (C, OutC*K*K), Projection's w (1, in).
// u (1, rows) and v (1, cols) are state (visit_buffers: checkpoints keep them, Ema copies them).
//   training forward, ctx.reuse_noise unset:  one power step, then sigma and W_sn
//   eval, reuse_noise, tangent passes:         sigma and W_sn from the stored u, v
// so a tangent pass (and a gradient check) sees the same function as the forward pass before it.
// Backward: L's own gradient of W (G, accumulated by L into its weight gradient, cleared by this
// layer before each of L's backward passes) is mapped by the formula above and *added* to dW.
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"
#include "../core/stack.hpp"

namespace gan {

template <class L>
struct SpectralNorm {
  static_assert(LayerSpec<L>,
                "gan::SpectralNorm<L>: L is not a layer spec (it needs static name() and output_shape(Shape) or "
                "output_size(index_t); see gan/core/layer.hpp)");
  static_assert(!detail::is_view<L>(),
                "gan::SpectralNorm<L>: L must be a layer with a weight (Dense, Conv2d, ...), not a view");

  static constexpr bool accepts(Shape in) { return detail::accepts<L>(in); }
  static constexpr Shape output_shape(Shape in) { return detail::output_shape<L>(in); }
  static constexpr bool takes_runtime_size = detail::takes_runtime_size<L>();
  static constexpr bool uses_condition = detail::uses_condition<L>();
  static constexpr Shape runtime_output_shape(Shape in, index_t given)
    requires requires { L::runtime_output_shape(in, given); }
  {
    return L::runtime_output_shape(in, given);
  }
  static std::string name() { return "SpectralNorm<" + L::name() + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    using Inner = typename L::template Layer<T, B>;
    static_assert(!detail::CompositeLayer<Inner>,
                  "gan::SpectralNorm<L>: L is a block (Chain, Residual, ...); wrap the layer that holds the weight, "
                  "e.g. Chain<SpectralNorm<Dense<64>>, ReLU>");
    static constexpr bool per_sample = detail::per_sample<Inner>();
    static constexpr bool has_tangent = detail::has_tangent<Inner>();

    Inner inner;  // computes with W_sn, held in its own weight tensor
    Tn W, dW;     // the trained weight (rows, cols) and its gradient
    Tn u, v;      // state: (1, rows), (1, cols), unit vectors
    Tn sigma;     // (1, 1): u^T W v of the last pass
    Tn wv, dot;   // scratch: (W v)^T (1, rows); a (1, 1) product

    void take_runtime_size(index_t given)
      requires detail::TakesRuntimeSize<Inner>
    {
      inner.take_runtime_size(given);
    }

    /// L's first parameter and its gradient: W_sn and G.
    Tn& inner_weight() { return *first_param(false); }
    Tn& inner_grad() { return *first_param(true); }
    Tn* first_param(bool grad) {
      Tn* found = nullptr;
      inner.visit_params([&](Tn& p, Tn& g) {
        if (!found) found = grad ? &g : &p;
      });
      return found;
    }

    /// L as it sets itself up (its weight drawn first from `init`), then u ~ N(0, I) normalised,
    /// v = W^T u normalised, and W_sn from them.
    void setup(const Shape& in, const Shape& out, Rng& init) {
      inner.setup(in, out, init);
      Tn* w = first_param(false);
      if (!w || w->size() == 0)
        throw ShapeError(name() + ": the wrapped layer has no weight to normalise (its first parameter)");
      ops::copy(*w, W);  // (rows, cols) as L stores it
      dW.resize(W.rows(), W.cols());
      ops::fill(dW, T(0));
      u.resize(1, W.rows());
      v.resize(1, W.cols());
      sigma.resize(1, 1);
      dot.resize(1, 1);
      ops::fill_normal(u, init);
      normalize(u);
      ops::matmul(false, false, T(1), u, W, T(0), v);  // (1, rows) (rows, cols)
      normalize(v);
      normalize_weight(false);
    }

    // t /= max(|t|, 1e-12), |t| by a (1, n) (n, 1) product (no host transfer).
    void normalize(Tn& t) {
      ops::matmul(false, true, T(1), t, t, T(0), dot);
      const T* d = dot.data();
      T* p = t.data();
      B::for_each(t.size(), [=] GAN_HD(index_t i) {
        const T nrm = std::sqrt(d[0]);
        p[i] = p[i] / (nrm > T(1e-12) ? nrm : T(1e-12));
      });
    }

    /// With `step`, one power iteration moves u and v; then sigma = u^T W v and W_sn = W / sigma
    /// goes into L's weight.
    void normalize_weight(bool step) {
      if (step) {
        ops::matmul(false, false, T(1), u, W, T(0), v);  // v = W^T u
        normalize(v);
      }
      ops::matmul(false, true, T(1), v, W, T(0), wv);  // (W v)^T: (1, cols) (cols, rows)
      if (step) {
        B::copy(wv.data(), wv.size(), u.data());  // u = W v / |W v|
        normalize(u);
      }
      ops::matmul(false, true, T(1), u, wv, T(0), sigma);  // u^T W v
      const T* s = sigma.data();
      const T* wp = W.data();
      T* wsn = inner_weight().data();
      B::for_each(W.size(), [=] GAN_HD(index_t i) { wsn[i] = wp[i] / s[0]; });
    }

    /// dW += (G - <G, W_sn> u v^T) / sigma, with G = L's weight gradient of the last pass.
    void accumulate_weight_grad() {
      Tn& g = inner_grad();
      const index_t n = W.size(), cols = W.cols();
      ops::matmul(false, true, T(1), g.view(1, n), inner_weight().view(1, n), T(0), dot);  // <G, W_sn>
      const T *gp = g.data(), *up = u.data(), *vp = v.data(), *s = sigma.data(), *k = dot.data();
      T* dwp = dW.data();
      B::for_each_2d(W.rows(), cols, [=] GAN_HD(index_t i, index_t j) {
        dwp[i * cols + j] += (gp[i * cols + j] - k[0] * up[i] * vp[j]) / s[0];
      });
    }

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      normalize_weight(ctx.training && !ctx.reuse_noise);
      inner.forward(ctx, x, y);
    }

    void backward(Context<T, B>& ctx, const Tn& x, const Tn& y, const Tn& dy, Tn* dx, bool param_grads) {
      if (param_grads) ops::fill(inner_grad(), T(0));
      inner.backward(ctx, x, y, dy, dx, param_grads);
      if (param_grads) accumulate_weight_grad();
    }

    // Tangent passes replay the last forward's u, v (never a power step), so the penalty's
    // tangent differentiates the function its forward and backward passes saw.
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt)
      requires has_tangent
    {
      normalize_weight(false);
      inner.forward_tangent(ctx, x, xt, y, yt);
    }
    void backward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, const Tn& y, const Tn& yt, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool param_grads)
      requires has_tangent
    {
      if (param_grads) ops::fill(inner_grad(), T(0));
      inner.backward_tangent(ctx, x, xt, y, yt, dy, dyt, dx, dxt, param_grads);
      if (param_grads) accumulate_weight_grad();
    }

    /// W in place of L's first parameter (W_sn, which is not trained), then L's others.
    template <class F>
    void visit_params(F f) {
      bool first = true;
      inner.visit_params([&](Tn& p, Tn& g) {
        if (first) {
          first = false;
          f(W, dW);
        } else {
          f(p, g);
        }
      });
    }
    /// L's state, then u and v.
    template <class F>
    void visit_buffers(F f) {
      inner.visit_buffers(f);
      f(u);
      f(v);
    }

    /// sigma of the last pass, copied to the host (for tests and logs; one scalar transfer).
    T sigma_value() const { return sigma.to_host()[0]; }
  };
};

}  // namespace gan
