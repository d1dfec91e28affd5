// gan/layers/batch_norm.hpp: batch normalisation over the batch, per feature (Ioffe & Szegedy 2015).
//   training:  mu = mean_i x,  var = mean_i (x - mu)^2,  xh = (x - mu) / sqrt(var + eps),
//              y = gamma xh + beta;  running stats move by `momentum` (unbiased var, as PyTorch)
//   eval:      the same with the running mean and variance
//   backward (training):  dx = gamma / (N sqrt(var+eps)) (N dy - sum_i dy - xh sum_i dy xh)
// BatchNorm mixes the samples of a batch, so it has no per-sample tangent pass: a critic trained
// with a gradient penalty must not use it (GradientPenalty and R1 reject it at compile time).
#pragma once
#include <cmath>
#include <string>

#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <float Momentum = 0.1f, float Eps = 1e-5f>
struct BatchNormWith {
  static constexpr Shape output_shape(Shape in) { return in; }
  /// "BatchNorm" with PyTorch's defaults, else "BatchNormWith<momentum, eps>": checkpoints of
  /// differently configured layers never share names.
  static std::string name() {
    if (Momentum == 0.1f && Eps == 1e-5f) return "BatchNorm";
    return "BatchNormWith<" + std::to_string(Momentum) + ", " + std::to_string(Eps) + ">";
  }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    Tn gamma, beta, dgamma, dbeta;   // trained
    Tn running_mean, running_var;    // state
    Tn mean, invstd, s1, s2;         // scratch of the last training forward / backward

    static constexpr bool per_sample = false;   // statistics over the batch
    static constexpr bool has_tangent = false;

    void setup(const Shape&, const Shape& out, Rng&) {
      for (Tn* t : {&gamma, &beta, &dgamma, &dbeta, &running_mean, &running_var, &mean, &invstd, &s1, &s2})
        t->resize(1, out.size());
      ops::fill(gamma, T(1));
      ops::fill(beta, T(0));
      ops::fill(dgamma, T(0));
      ops::fill(dbeta, T(0));
      ops::fill(running_mean, T(0));
      ops::fill(running_var, T(1));
    }

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      const index_t n = x.rows(), f = x.cols();
      const T *xp = x.data(), *g = gamma.data(), *bt = beta.data();
      T* yp = y.data();
      if (!ctx.training) {
        const T *rm = running_mean.data(), *rv = running_var.data();
        B::for_each_2d(n, f, [=] GAN_HD(index_t r, index_t j) {
          const index_t i = r * f + j;
          yp[i] = g[j] * (xp[i] - rm[j]) / std::sqrt(rv[j] + T(Eps)) + bt[j];
        });
        return;
      }
      if (n < 2) throw ShapeError("BatchNorm: training needs a batch of at least 2 samples, got " + std::to_string(n));
      T *mu = mean.data(), *is = invstd.data(), *rm = running_mean.data(), *rv = running_var.data();
      const T inv_n = T(1) / T(n);
      B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) { return xp[i * f + j] * inv_n; }, mu);
      B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) {
        const T d = xp[i * f + j] - mu[j];
        return d * d * inv_n;
      }, is);  // is = var for now
      const T m = T(Momentum), unbias = T(n) / T(n - 1);
      B::for_each(f, [=] GAN_HD(index_t j) {
        rm[j] = (T(1) - m) * rm[j] + m * mu[j];
        rv[j] = (T(1) - m) * rv[j] + m * is[j] * unbias;
        is[j] = T(1) / std::sqrt(is[j] + T(Eps));
      });
      B::for_each_2d(n, f, [=] GAN_HD(index_t r, index_t j) {
        const index_t i = r * f + j;
        yp[i] = g[j] * (xp[i] - mu[j]) * is[j] + bt[j];
      });
    }

    void backward(Context<T, B>& ctx, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool param_grads) {
      const index_t n = x.rows(), f = x.cols();
      const T *xp = x.data(), *dyp = dy.data(), *g = gamma.data();
      T *a = s1.data(), *c = s2.data();
      if (!ctx.training) {  // an affine map with the running statistics
        const T *rm = running_mean.data(), *rv = running_var.data();
        if (param_grads) {
          B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) { return dyp[i * f + j]; }, dbeta.data(), T(1));
          B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) {
            return dyp[i * f + j] * (xp[i * f + j] - rm[j]) / std::sqrt(rv[j] + T(Eps));
          }, dgamma.data(), T(1));
        }
        if (dx) {
          T* dxp = dx->data();
          B::for_each_2d(n, f, [=] GAN_HD(index_t r, index_t j) {
            const index_t i = r * f + j;
            dxp[i] = dyp[i] * g[j] / std::sqrt(rv[j] + T(Eps));
          });
        }
        return;
      }
      const T *mu = mean.data(), *is = invstd.data();
      B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) { return dyp[i * f + j]; }, a);
      B::reduce_cols(n, f, [=] GAN_HD(index_t i, index_t j) {
        return dyp[i * f + j] * (xp[i * f + j] - mu[j]) * is[j];
      }, c);
      if (param_grads) {
        T *dg = dgamma.data(), *db = dbeta.data();
        B::for_each(f, [=] GAN_HD(index_t j) {
          dg[j] += c[j];
          db[j] += a[j];
        });
      }
      if (dx) {
        T* dxp = dx->data();
        const T inv_n = T(1) / T(n);
        B::for_each_2d(n, f, [=] GAN_HD(index_t r, index_t j) {
          const index_t i = r * f + j;
          const T xh = (xp[i] - mu[j]) * is[j];
          dxp[i] = g[j] * is[j] * (dyp[i] - inv_n * (a[j] + xh * c[j]));
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

/// Batch normalisation with PyTorch's defaults (momentum 0.1, eps 1e-5).
using BatchNorm = BatchNormWith<>;

}  // namespace gan
