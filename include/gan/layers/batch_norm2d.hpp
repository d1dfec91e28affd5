// gan/layers/batch_norm2d.hpp: batch normalisation of images, per channel (PyTorch's BatchNorm2d).
// The statistics of channel c run over the batch and every pixel: m = N*H*W values x[s, c, p].
//   training:  mu_c = mean x[., c, .],  var_c = mean (x - mu_c)^2,  xh = (x - mu_c) / sqrt(var_c + eps),
//              y = gamma_c xh + beta_c;  running stats move by `momentum` (unbiased var, m / (m-1))
//   eval:      the same with the running mean and variance
//   backward (training):  dx = gamma_c / sqrt(var_c+eps) (dy - (sum dy + xh sum dy xh) / m),
//                         the sums over the m values of channel c
// Per-channel sums are ops::channel_sums: two deterministic passes, one sum per (sample, channel),
// then one per channel.
// Like BatchNorm it mixes the samples of a batch: no per-sample tangent pass, so GradientPenalty
// and R1 reject it at compile time.
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <float Momentum = 0.1f, float Eps = 1e-5f>
struct BatchNorm2dWith {
  /// An image (rank 3): the channels are the features normalised.
  static constexpr bool accepts(Shape in) { return in.rank == 3; }
  static constexpr Shape output_shape(Shape in) { return in; }
  /// "BatchNorm2d" with PyTorch's defaults, else "BatchNorm2dWith<momentum, eps>".
  static std::string name() {
    if (Momentum == 0.1f && Eps == 1e-5f) return "BatchNorm2d";
    return "BatchNorm2dWith<" + std::to_string(Momentum) + ", " + std::to_string(Eps) + ">";
  }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    Tn gamma, beta, dgamma, dbeta;   // trained, (1, C)
    Tn running_mean, running_var;    // state, (1, C)
    Tn mean, invstd, s1, s2;         // scratch of the last training forward / backward, (1, C)
    Tn part;                         // (N, C) partial sums of ops::channel_sums
    index_t C = 0, HW = 0;

    static constexpr bool per_sample = false;   // statistics over the batch
    static constexpr bool has_tangent = false;

    void setup(const Shape& in, const Shape&, Rng&) {
      C = in.c;
      HW = in.h * in.w;
      for (Tn* t : {&gamma, &beta, &dgamma, &dbeta, &running_mean, &running_var, &mean, &invstd, &s1, &s2})
        t->resize(1, C);
      ops::fill(gamma, T(1));
      ops::fill(beta, T(0));
      ops::fill(dgamma, T(0));
      ops::fill(dbeta, T(0));
      ops::fill(running_mean, T(0));
      ops::fill(running_var, T(1));
    }

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      const index_t n = x.rows(), c_ = C, hw = HW;
      const T *xp = x.data(), *g = gamma.data(), *bt = beta.data();
      T* yp = y.data();
      if (!ctx.training) {
        const T *rm = running_mean.data(), *rv = running_var.data();
        B::for_each_2d(n * c_, hw, [=] GAN_HD(index_t r, index_t p) {
          const index_t j = r % c_;
          yp[r * hw + p] = g[j] * (xp[r * hw + p] - rm[j]) / std::sqrt(rv[j] + T(Eps)) + bt[j];
        });
        return;
      }
      const index_t m = n * hw;
      if (m < 2)
        throw ShapeError("BatchNorm2d: training needs at least 2 values per channel (batch * H * W), got " +
                         std::to_string(m));
      T *mu = mean.data(), *is = invstd.data(), *rm = running_mean.data(), *rv = running_var.data();
      const T inv_m = T(1) / T(m);
      ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) { return xp[r * hw + p]; }, part, mu, T(0), inv_m);
      ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) {
        const T d = xp[r * hw + p] - mu[r % c_];
        return d * d;
      }, part, is, T(0), inv_m);  // the variance, for now
      const T mo = T(Momentum), unbias = T(m) / T(m - 1);
      B::for_each(c_, [=] GAN_HD(index_t j) {
        rm[j] = (T(1) - mo) * rm[j] + mo * mu[j];
        rv[j] = (T(1) - mo) * rv[j] + mo * is[j] * unbias;
        is[j] = T(1) / std::sqrt(is[j] + T(Eps));
      });
      B::for_each_2d(n * c_, hw, [=] GAN_HD(index_t r, index_t p) {
        const index_t j = r % c_;
        yp[r * hw + p] = g[j] * (xp[r * hw + p] - mu[j]) * is[j] + bt[j];
      });
    }

    void backward(Context<T, B>& ctx, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool param_grads) {
      const index_t n = x.rows(), c_ = C, hw = HW;
      const T *xp = x.data(), *dyp = dy.data(), *g = gamma.data();
      if (!ctx.training) {  // an affine map with the running statistics
        const T *rm = running_mean.data(), *rv = running_var.data();
        if (param_grads) {
          ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) { return dyp[r * hw + p]; }, part,
                            dbeta.data(), T(1));
          ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) {
            const index_t j = r % c_;
            return dyp[r * hw + p] * (xp[r * hw + p] - rm[j]) / std::sqrt(rv[j] + T(Eps));
          }, part, dgamma.data(), T(1));
        }
        if (dx) {
          T* dxp = dx->data();
          B::for_each_2d(n * c_, hw, [=] GAN_HD(index_t r, index_t p) {
            const index_t j = r % c_;
            dxp[r * hw + p] = dyp[r * hw + p] * g[j] / std::sqrt(rv[j] + T(Eps));
          });
        }
        return;
      }
      const T *mu = mean.data(), *is = invstd.data();
      T *a = s1.data(), *c = s2.data();
      ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) { return dyp[r * hw + p]; }, part, a);
      ops::channel_sums(n, c_, hw, [=] GAN_HD(index_t r, index_t p) {
        const index_t j = r % c_;
        return dyp[r * hw + p] * (xp[r * hw + p] - mu[j]) * is[j];
      }, part, c);
      if (param_grads) {
        T *dg = dgamma.data(), *db = dbeta.data();
        B::for_each(c_, [=] GAN_HD(index_t j) {
          dg[j] += c[j];
          db[j] += a[j];
        });
      }
      if (dx) {
        T* dxp = dx->data();
        const T inv_m = T(1) / T(n * hw);
        B::for_each_2d(n * c_, hw, [=] GAN_HD(index_t r, index_t p) {
          const index_t j = r % c_, i = r * hw + p;
          const T xh = (xp[i] - mu[j]) * is[j];
          dxp[i] = g[j] * is[j] * (dyp[i] - inv_m * (a[j] + xh * c[j]));
        });
      }
    }

    template <class F>
    void visit_params(F fn) {
      fn(gamma, dgamma);
      fn(beta, dbeta);
    }
    template <class F>
    void visit_buffers(F fn) {
      fn(running_mean);
      fn(running_var);
    }
  };
};

/// Per-channel batch normalisation of images with PyTorch's defaults (momentum 0.1, eps 1e-5).
using BatchNorm2d = BatchNorm2dWith<>;

}  // namespace gan
