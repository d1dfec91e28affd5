// gan/layers/layer_norm.hpp: layer normalisation, each sample over all its features (Ba et al. 2016).
//   per row:  mu = mean_j x_j,  s = 1/sqrt(mean_j (x_j - mu)^2 + eps),  xh = (x - mu) s,  y = gamma xh + beta
//   backward  dx = s (g - mean(g) - xh mean(g xh))  with g = gamma dy   (J^T g; J is symmetric)
//   tangent   xht = s (xt - mean(xt) - xh c),  c = mean(xh xt),  yt = gamma xht
//   its reverse, with u = gamma dyt:  dxt = J^T u,  dx = J^T (gamma dy) - (s/F)(<u,xht> xh + <u,xh> xht) - s c dxt
// Unlike BatchNorm it treats each sample on its own, so a critic trained with a gradient penalty
// may use it (the usual choice in WGAN-GP critics). Normalises over every non-batch dimension
// (C·H·W for images), with one gamma and beta per feature, as PyTorch's LayerNorm(sample shape).
#pragma once
#include <cmath>
#include <string>

#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <float Eps = 1e-5f>
struct LayerNormWith {
  static_assert(Eps > 0.0f, "gan::LayerNormWith<Eps>: Eps must be > 0");
  static constexpr Shape output_shape(Shape in) { return in; }
  static std::string name() { return "LayerNorm"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool has_tangent = true;
    static constexpr bool per_sample = true;
    Tn gamma, beta, dgamma, dbeta;  // trained, (1, F)
    // Per-row scratch (batch, 1), sized on the first pass and reused:
    // mean, invstd of the last forward; mean(xt), c = mean(xh xt) of the last tangent pass;
    // r1..r5 the row sums of backward_tangent.
    Tn mean, invstd, tmean, c, r1, r2, r3, r4, r5;

    void setup(const Shape&, const Shape& out, Rng&) {
      for (Tn* t : {&gamma, &beta, &dgamma, &dbeta}) t->resize(1, out.size());
      ops::fill(gamma, T(1));
      ops::fill(beta, T(0));
      ops::fill(dgamma, T(0));
      ops::fill(dbeta, T(0));
    }

    void forward(Context<T, B>&, const Tn& x, Tn& y) {
      const index_t n = x.rows(), f = x.cols();
      for (Tn* t : {&mean, &invstd}) t->resize(n, 1);
      const T *xp = x.data(), *g = gamma.data(), *bt = beta.data();
      T *mu = mean.data(), *s = invstd.data(), *yp = y.data();
      const T inv_f = T(1) / T(f);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return xp[i * f + j] * inv_f; }, mu);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        const T d = xp[i * f + j] - mu[i];
        return d * d * inv_f;
      }, s);  // the variance for now
      B::for_each(n, [=] GAN_HD(index_t i) { s[i] = T(1) / std::sqrt(s[i] + T(Eps)); });
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        yp[k] = g[j] * (xp[k] - mu[i]) * s[i] + bt[j];
      });
    }

    // dx = s (g - mean(g) - xh mean(g xh)), g = gamma dy;  dgamma += sum_rows dy xh,  dbeta += sum_rows dy.
    void backward(Context<T, B>&, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool param_grads) {
      const index_t n = x.rows(), f = x.cols();
      const T *xp = x.data(), *dyp = dy.data(), *g = gamma.data(), *mu = mean.data(), *s = invstd.data();
      if (param_grads) {
        B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) {
          return dyp[i * f + j] * (xp[i * f + j] - mu[i]) * s[i];
        }, dgamma.data(), T(1));
        B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) { return dyp[i * f + j]; }, dbeta.data(), T(1));
      }
      if (!dx) return;
      for (Tn* t : {&r1, &r2}) t->resize(n, 1);
      T *a = r1.data(), *b = r2.data(), *dxp = dx->data();
      const T inv_f = T(1) / T(f);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return g[j] * dyp[i * f + j] * inv_f; }, a);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        return g[j] * dyp[i * f + j] * (xp[i * f + j] - mu[i]) * s[i] * inv_f;
      }, b);
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        const T xh = (xp[k] - mu[i]) * s[i];
        dxp[k] = s[i] * (g[j] * dyp[k] - a[i] - xh * b[i]);
      });
    }

    // yt = gamma xht,  xht = s (xt - mean(xt) - xh c),  c = mean(xh xt).
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      const index_t n = x.rows(), f = x.cols();
      for (Tn* t : {&tmean, &c}) t->resize(n, 1);
      const T *xp = x.data(), *xtp = xt.data(), *g = gamma.data(), *mu = mean.data(), *s = invstd.data();
      T *mt = tmean.data(), *cp = c.data(), *ytp = yt.data();
      const T inv_f = T(1) / T(f);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return xtp[i * f + j] * inv_f; }, mt);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        return (xp[i * f + j] - mu[i]) * s[i] * xtp[i * f + j] * inv_f;
      }, cp);
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        const T xh = (xp[k] - mu[i]) * s[i];
        ytp[k] = g[j] * s[i] * (xtp[k] - mt[i] - xh * cp[i]);
      });
    }

    // Reverse of (y, yt) for L = <dy, y> + <dyt, yt>, per row with u = gamma dyt and F features:
    //   dxt = J^T u = s (u - mean(u) - xh mean(u xh))
    //   dx  = J^T (gamma dy) + d<u, xht>/dx,  where (ds/dx = -s^2 xh / F, dc/dx = xht / F, d<u,xh>/dx = dxt)
    //         d<u, xht>/dx = -(s/F) (<u, xht> xh + <u, xh> xht) - s c dxt
    //   dgamma += sum_rows (dy xh + dyt xht),  dbeta += sum_rows dy
    void backward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool param_grads) {
      const index_t n = x.rows(), f = x.cols();
      const T *xp = x.data(), *xtp = xt.data(), *dyp = dy.data(), *dytp = dyt.data(), *g = gamma.data();
      const T *mu = mean.data(), *s = invstd.data(), *mt = tmean.data(), *cp = c.data();
      if (param_grads) {
        B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) {
          const index_t k = i * f + j;
          const T xh = (xp[k] - mu[i]) * s[i];
          const T xht = s[i] * (xtp[k] - mt[i] - xh * cp[i]);
          return dyp[k] * xh + dytp[k] * xht;
        }, dgamma.data(), T(1));
        B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) { return dyp[i * f + j]; }, dbeta.data(), T(1));
      }
      if (!dx && !dxt) return;
      for (Tn* t : {&r1, &r2, &r3, &r4, &r5}) t->resize(n, 1);
      T *a = r1.data(), *b = r2.data(), *mu_u = r3.data(), *m_uxh = r4.data(), *q = r5.data();
      const T inv_f = T(1) / T(f);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return g[j] * dyp[i * f + j] * inv_f; }, a);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        return g[j] * dyp[i * f + j] * (xp[i * f + j] - mu[i]) * s[i] * inv_f;
      }, b);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return g[j] * dytp[i * f + j] * inv_f; }, mu_u);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        return g[j] * dytp[i * f + j] * (xp[i * f + j] - mu[i]) * s[i] * inv_f;
      }, m_uxh);
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        const T xh = (xp[k] - mu[i]) * s[i];
        return g[j] * dytp[k] * s[i] * (xtp[k] - mt[i] - xh * cp[i]) * inv_f;
      }, q);  // mean(u xht)
      T* dxp = dx ? dx->data() : nullptr;
      T* dxtp = dxt ? dxt->data() : nullptr;
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        const T xh = (xp[k] - mu[i]) * s[i];
        const T xht = s[i] * (xtp[k] - mt[i] - xh * cp[i]);
        const T jtu = s[i] * (g[j] * dytp[k] - mu_u[i] - xh * m_uxh[i]);  // J^T u
        if (dxtp) dxtp[k] = jtu;
        if (dxp)
          dxp[k] = s[i] * (g[j] * dyp[k] - a[i] - xh * b[i]) - s[i] * (q[i] * xh + m_uxh[i] * xht) - s[i] * cp[i] * jtu;
      });
    }

    template <class F>
    void visit_params(F fn) {
      fn(gamma, dgamma);
      fn(beta, dbeta);
    }
    template <class F>
    void visit_buffers(F) {}
  };
};

/// Layer normalisation with PyTorch's default eps (1e-5).
using LayerNorm = LayerNormWith<>;

}  // namespace gan
