// gan/layers/im2col.hpp: the data movement shared by Conv2d and ConvTranspose2d.
// A convolution of an image (C, H, W) with a K x K kernel, stride S and padding P reads, at output
// position (oy, ox) of Ho x Wo, the patch x[c, oy*S - P + ky, ox*S - P + kx] (0 outside).
//   im2col:  cols[(s, oy, ox), (c, ky, kx)] = that patch value   ((n*Ho*Wo) x (C*K*K), row-major)
//   col2im:  its adjoint, img[s, c, iy, ix] = sum of the cols entries that read (c, iy, ix); written
//            as a gather (one thread per image value, no atomics), so it is deterministic.
//   to_rows / from_rows: NCHW <-> one row per (sample, position), one column per channel.
// Conv2d is cols W^T after im2col; ConvTranspose2d is its adjoint, col2im after rows W.
#pragma once
#include "../core/layer.hpp"

namespace gan::detail {

/// The geometry of one convolution: an image of C x H x W read at Ho x Wo positions.
struct ConvGeometry {
  index_t C = 0, H = 0, W = 0, Ho = 0, Wo = 0;
  index_t positions() const { return Ho * Wo; }
};

template <index_t K, index_t S, index_t P, class T, class B>
void im2col(const ConvGeometry& g, const Tensor<T, B>& img, Tensor<T, B>& cols) {
  const index_t n = img.rows(), np = g.Ho * g.Wo, ckk = g.C * K * K;
  cols.resize(n * np, ckk);
  const T* xp = img.data();
  T* cp = cols.data();
  const index_t c_ = g.C, h_ = g.H, w_ = g.W, wo = g.Wo;
  // One thread per (position, channel, kernel row): K contiguous values each.
  B::for_each_2d(n * np, c_ * K, [=] GAN_HD(index_t r, index_t q) {
    const index_t s = r / np, p = r % np, oy = p / wo, ox = p % wo;
    const index_t c = q / K, ky = q % K;
    const index_t iy = oy * S - P + ky, ix0 = ox * S - P;
    T* out = cp + r * ckk + q * K;
    if (iy < 0 || iy >= h_) {
      for (index_t kx = 0; kx < K; ++kx) out[kx] = T(0);
      return;
    }
    const T* row = xp + ((s * c_ + c) * h_ + iy) * w_;
    for (index_t kx = 0; kx < K; ++kx) {
      const index_t ix = ix0 + kx;
      out[kx] = ix >= 0 && ix < w_ ? row[ix] : T(0);
    }
  });
}

/// img (already sized: n rows of C x H x W) = col2im(cols); with_bias adds bias[c] (bias may be null).
template <index_t K, index_t S, index_t P, class T, class B>
void col2im(const ConvGeometry& g, const Tensor<T, B>& cols, Tensor<T, B>& img, const T* bias = nullptr) {
  const index_t n = img.rows(), np = g.Ho * g.Wo, ckk = g.C * K * K, chw = g.C * g.H * g.W;
  const T* cp = cols.data();
  T* dp = img.data();
  const index_t h_ = g.H, w_ = g.W, ho = g.Ho, wo = g.Wo;
  B::for_each_2d(n, chw, [=] GAN_HD(index_t s, index_t e) {
    const index_t c = e / (h_ * w_), iy = (e / w_) % h_, ix = e % w_;
    T acc = bias ? bias[c] : T(0);
    // Only the kernel rows ky with iy + P - ky a multiple of S read (c, iy, ix): every S-th one.
    for (index_t ky = (iy + P) % S; ky < K; ky += S) {
      const index_t oy = (iy + P - ky) / S;
      if (oy < 0) break;  // iy + P - ky < 0 for this ky and every later one
      if (oy >= ho) continue;
      for (index_t kx = (ix + P) % S; kx < K; kx += S) {
        const index_t ox = (ix + P - kx) / S;
        if (ox < 0) break;
        if (ox >= wo) continue;
        acc += cp[(s * np + oy * wo + ox) * ckk + (c * K + ky) * K + kx];
      }
    }
    dp[s * chw + e] = acc;
  });
}

/// rows[s*HW + p, c] = img[s, c, p]: rows is (n*HW, C).
template <class T, class B>
void to_rows(const Tensor<T, B>& img, index_t C, index_t HW, Tensor<T, B>& rows) {
  const index_t n = img.rows();
  rows.resize(n * HW, C);
  const T* ip = img.data();
  T* rp = rows.data();
  B::for_each_2d(n * HW, C, [=] GAN_HD(index_t r, index_t c) {
    const index_t s = r / HW, p = r % HW;
    rp[r * C + c] = ip[(s * C + c) * HW + p];
  });
}

/// img[s, c, p] = rows[s*HW + p, c] (+ bias[c] when bias is not null); img already sized.
template <class T, class B>
void from_rows(const Tensor<T, B>& rows, index_t C, index_t HW, Tensor<T, B>& img, const T* bias = nullptr) {
  const index_t n = img.rows();
  const T* rp = rows.data();
  T* ip = img.data();
  B::for_each_2d(n * C, HW, [=] GAN_HD(index_t i, index_t p) {
    const index_t s = i / C, c = i % C;
    ip[i * HW + p] = rp[(s * HW + p) * C + c] + (bias ? bias[c] : T(0));
  });
}

}  // namespace gan::detail
