// gan/layers/minibatch_stddev.hpp: the minibatch standard deviation of ProGAN (Karras et al. 2018),
// which lets a critic see how varied a batch is. The batch is split into groups of g = min(G, N)
// consecutive samples (N must be a multiple of g); for group q, every feature j of the F = C*H*W:
//   mu_j = mean_k x[k, j],  d[k, j] = x[k, j] - mu_j,  sd_j = sqrt(mean_k d[k, j]^2 + 1e-8)
//   s_q = mean_j sd_j,      y[k] = [x[k], s_q]   (one more channel, H x W copies of s_q)
// so C x H x W -> (C+1) x H x W (a flat sample of F features gets one more feature).
// With a_q = sum of dy over the extra channel of group q's samples (N.B. the mean's term cancels):
//   backward:  dx[k, j] = dy[k, j] + a_q d[k, j] / (F g sd_j)
//   tangent:   sdt_j = sum_k d[k, j] xt[k, j] / (g sd_j),  st_q = mean_j sdt_j,  yt[k] = [xt[k], st_q]
//   its reverse, with b_q the same sum of dyt:
//     dxt[k, j] = dyt[k, j] + b_q d[k, j] / (F g sd_j)
//     dx[k, j]  = dy[k, j] + (a_q d[k, j] + b_q (xt[k, j] - mean_k xt[., j] - sdt_j d[k, j] / sd_j)) / (F g sd_j)
// It mixes the samples of a group, so it is not per-sample: a critic with it sees real and fake
// batches in separate passes. It has an exact tangent pass of the whole batch map, so GradientPenalty
// and R1 accept it; their per-sample gradient is then that of the summed critic output,
// d(sum_b D_b)/dx_a, as PyTorch's autograd.grad(D(x).sum(), x) gives (ProGAN: WGAN-GP with this layer).
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <index_t Group = 4>
struct MinibatchStdDev {
  static_assert(Group > 0, "gan::MinibatchStdDev<Group>: Group (samples per group) must be > 0");
  /// One more channel (feature, for a flat sample); H and W unchanged.
  static constexpr Shape output_shape(Shape in) {
    return Shape{in.c == Dynamic ? Dynamic : in.c + 1, in.h, in.w, in.rank};
  }
  static std::string name() { return "MinibatchStdDev<" + std::to_string(Group) + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool per_sample = false;  // a sample's extra channel depends on its group
    static constexpr bool has_tangent = true;  // of the whole batch map (see above)
    index_t CHW = 0, HW = 0;                   // input values per sample; pixels per channel
    Tn mu, sd, mut, sdt;                       // (groups, F) of the last forward / tangent pass
    Tn s, st, a, b;                            // (groups, 1)

    void setup(const Shape& in, const Shape&, Rng&) {
      CHW = in.size();
      HW = in.h * in.w;
    }

    /// Samples per group for a batch of n: min(Group, n), which must divide n.
    static index_t group_size(index_t n) {
      const index_t g = std::min(Group, n);
      if (n % g != 0)
        throw ShapeError(name() + ": a batch of " + std::to_string(n) + " samples does not split into groups of " +
                         std::to_string(g) + "; use a batch that is a multiple of " + std::to_string(g) +
                         " (or at most " + std::to_string(Group) + ": one group)");
      return g;
    }

    void forward(Context<T, B>&, const Tn& x, Tn& y) {
      const index_t n = x.rows(), g = group_size(n), ng = n / g, f = CHW, hw = HW;
      for (Tn* t : {&mu, &sd}) t->resize(ng, f);
      s.resize(ng, 1);
      const T* xp = x.data();
      T *mp = mu.data(), *sp = sd.data(), *qp = s.data(), *yp = y.data();
      B::for_each_2d(ng, f, [=] GAN_HD(index_t q, index_t j) {
        const T* col = xp + q * g * f + j;  // x[q*g + k, j] = col[k * f]
        T m = T(0);
        for (index_t k = 0; k < g; ++k) m += col[k * f];
        m /= T(g);
        T var = T(0);
        for (index_t k = 0; k < g; ++k) var += (col[k * f] - m) * (col[k * f] - m);
        mp[q * f + j] = m;
        sp[q * f + j] = std::sqrt(var / T(g) + T(1e-8));
      });
      const T inv_f = T(1) / T(f);
      B::reduce_rows(ng, f, [=] GAN_HD(index_t q, index_t j) { return sp[q * f + j] * inv_f; }, qp);
      const index_t fo = f + hw;
      B::for_each_2d(n, fo, [=] GAN_HD(index_t i, index_t j) {
        yp[i * fo + j] = j < f ? xp[i * f + j] : qp[i / g];
      });
    }

    /// out[q] = the sum of `grad` over the extra channel of group q's samples.
    void extra_sums(const Tn& grad, Tn& out, index_t g) const {
      const index_t ng = grad.rows() / g, f = CHW, hw = HW, fo = CHW + HW;
      out.resize(ng, 1);
      const T* dp = grad.data();
      B::reduce_rows(ng, g * hw, [=] GAN_HD(index_t q, index_t r) {
        return dp[(q * g + r / hw) * fo + f + r % hw];
      }, out.data());
    }

    void backward(Context<T, B>&, const Tn& x, const Tn&, const Tn& dy, Tn* dx, bool) {
      if (!dx) return;
      const index_t n = x.rows(), g = group_size(n), f = CHW, fo = CHW + HW;
      extra_sums(dy, a, g);
      const T *xp = x.data(), *dyp = dy.data(), *mp = mu.data(), *sp = sd.data(), *ap = a.data();
      T* dxp = dx->data();
      const T c = T(1) / (T(f) * T(g));
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t q = i / g, e = q * f + j;
        dxp[i * f + j] = dyp[i * fo + j] + ap[q] * c * (xp[i * f + j] - mp[e]) / sp[e];
      });
    }

    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      const index_t n = x.rows(), g = group_size(n), ng = n / g, f = CHW, hw = HW;
      for (Tn* t : {&mut, &sdt}) t->resize(ng, f);
      st.resize(ng, 1);
      const T *xp = x.data(), *xtp = xt.data(), *mp = mu.data(), *sp = sd.data();
      T *mtp = mut.data(), *stp = sdt.data(), *qp = st.data(), *ytp = yt.data();
      B::for_each_2d(ng, f, [=] GAN_HD(index_t q, index_t j) {
        const index_t e = q * f + j;
        T mt = T(0), acc = T(0);
        for (index_t k = 0; k < g; ++k) {
          const index_t i = (q * g + k) * f + j;
          mt += xtp[i];
          acc += (xp[i] - mp[e]) * xtp[i];
        }
        mtp[e] = mt / T(g);
        stp[e] = acc / (T(g) * sp[e]);
      });
      const T inv_f = T(1) / T(f);
      B::reduce_rows(ng, f, [=] GAN_HD(index_t q, index_t j) { return stp[q * f + j] * inv_f; }, qp);
      const index_t fo = f + hw;
      B::for_each_2d(n, fo, [=] GAN_HD(index_t i, index_t j) {
        ytp[i * fo + j] = j < f ? xtp[i * f + j] : qp[i / g];
      });
    }

    void backward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool) {
      if (!dx && !dxt) return;
      const index_t n = x.rows(), g = group_size(n), f = CHW, fo = CHW + HW;
      extra_sums(dy, a, g);
      extra_sums(dyt, b, g);
      const T *xp = x.data(), *xtp = xt.data(), *dyp = dy.data(), *dytp = dyt.data();
      const T *mp = mu.data(), *sp = sd.data(), *mtp = mut.data(), *stp = sdt.data(), *ap = a.data(), *bp = b.data();
      T* dxp = dx ? dx->data() : nullptr;
      T* dxtp = dxt ? dxt->data() : nullptr;
      const T c = T(1) / (T(f) * T(g));
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t q = i / g, e = q * f + j, k = i * f + j;
        const T d = xp[k] - mp[e], w = c / sp[e];
        if (dxtp) dxtp[k] = dytp[i * fo + j] + bp[q] * d * w;
        if (dxp) dxp[k] = dyp[i * fo + j] + w * (ap[q] * d + bp[q] * (xtp[k] - mtp[e] - stp[e] * d / sp[e]));
      });
    }

    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}
  };
};

}  // namespace gan
