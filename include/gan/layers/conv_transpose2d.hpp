// gan/layers/conv_transpose2d.hpp: the transposed 2-D convolution (PyTorch's ConvTranspose2d:
// square kernel, zero padding, no output padding), the adjoint of Conv2d<.., K, Stride, Pad>, as
// used by DCGAN's generator to double the image size: 7x7 -> 14x14 with K 4, stride 2, pad 1.
//   y[s, o, oy, ox] = b[o] + sum over (c, iy, ix, ky, kx) with oy = iy*S - P + ky, ox = ix*S - P + kx
//                     of W[c, o, ky, kx] x[s, c, iy, ix];   Hout = (H - 1) S - 2P + K, likewise Wout.
// Every input value spreads a K x K patch into the output. As products, with the conv geometry of
// the output image read at the H x W input positions (im2col.hpp):
//   forward:   xr = rows(x);  y = col2im(xr W) + b
//   backward:  dcols = im2col(dy);  dW += xr^T dcols;  db += sums of dy per channel;
//              dx = nchw(dcols W^T)
//   tangent:   yt = convT(xt) without the bias; its reverse adds rows(xt)^T im2col(dyt) to dW.
// W is (C, OutC*K*K) row-major (PyTorch's (C, OutC, K, K) flattened), b is (1, OutC).
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"
#include "affine.hpp"
#include "im2col.hpp"

namespace gan {

template <index_t OutC, index_t K, index_t Stride = 1, index_t Pad = 0>
struct ConvTranspose2d {
  static_assert(OutC > 0, "gan::ConvTranspose2d<OutC, K, Stride, Pad>: OutC (output channels) must be > 0");
  static_assert(K > 0, "gan::ConvTranspose2d<OutC, K, Stride, Pad>: K (kernel size) must be > 0");
  static_assert(Stride > 0, "gan::ConvTranspose2d<OutC, K, Stride, Pad>: Stride must be > 0");
  static_assert(Pad >= 0, "gan::ConvTranspose2d<OutC, K, Stride, Pad>: Pad must be >= 0");

  /// Output size along one spatial dimension of n (Dynamic stays Dynamic).
  static constexpr index_t out_dim(index_t n) {
    if constexpr (Stride <= 0) return Dynamic;  // the static_assert above has said why
    else return n == Dynamic ? Dynamic : (n - 1) * Stride - 2 * Pad + K;
  }
  /// An image (rank 3) whose output keeps at least one row and column; a Dynamic input is checked
  /// again at construction, when its shape is known.
  static constexpr bool accepts(Shape in) {
    if (in.rank != 3) return in.size() == Dynamic && in.rank == 1 && in.c == Dynamic;
    auto fits = [](index_t n) { return n == Dynamic || (n >= 1 && out_dim(n) >= 1); };
    return fits(in.h) && fits(in.w);
  }
  static constexpr Shape output_shape(Shape in) {
    if (in.rank != 3) return Shape::image(OutC, Dynamic, Dynamic);
    return Shape::image(OutC, out_dim(in.h), out_dim(in.w));
  }
  static std::string name() {
    return "ConvTranspose2d<" + std::to_string(OutC) + ", " + std::to_string(K) + ", " + std::to_string(Stride) +
           ", " + std::to_string(Pad) + ">";
  }

  template <class T, class B>
  struct Layer : detail::AffineLayer<Layer<T, B>, T, B> {
    using Tn = Tensor<T, B>;
    using Affine = detail::AffineLayer<Layer, T, B>;
    using Affine::W, Affine::b, Affine::dW, Affine::db;
    Tn xr;    // (batch*H*W, C): the input (or its tangent), one row per position
    Tn cols;  // (batch*H*W, OutC*K*K): the spread patches, or im2col of the output gradient
    Tn part;  // (batch, OutC): per-sample bias-gradient sums
    index_t C = 0, H = 0, Wd = 0, Ho = 0, Wo = 0;

    /// PyTorch's default initialisation: U(-1/sqrt(OutC*K*K), 1/sqrt(OutC*K*K)) for W and b.
    void setup(const Shape& in, const Shape& out, Rng& init) {
      C = in.c;
      H = in.h;
      Wd = in.w;
      Ho = out.h;
      Wo = out.w;
      this->init_params(C, OutC * K * K, OutC, T(1) / std::sqrt(T(OutC * K * K)), init);
    }

    /// The output image read at the input's positions.
    detail::ConvGeometry geometry() const { return {OutC, Ho, Wo, H, Wd}; }

    /// y = convT(x) (+ b).
    void apply(const Tn& x, Tn& y, bool with_bias) {
      detail::to_rows(x, C, H * Wd, xr);
      cols.resize(xr.rows(), OutC * K * K);
      ops::matmul(false, false, T(1), xr, W, T(0), cols);  // (n*HW, C) (C, OutC*K*K)
      detail::col2im<K, Stride, Pad>(geometry(), cols, y, with_bias ? b.data() : nullptr);
    }

    /// The reverse of apply for the gradient dy at input x.
    void apply_backward(const Tn& x, const Tn& dy, Tn* dx, bool param_grads, bool with_bias) {
      detail::im2col<K, Stride, Pad>(geometry(), dy, cols);
      if (param_grads) {
        detail::to_rows(x, C, H * Wd, xr);
        ops::matmul(true, false, T(1), xr, cols, T(1), dW);  // (C, n*HW) (n*HW, OutC*K*K)
        if (with_bias) {
          const T* dp = dy.data();
          const index_t hw = Ho * Wo;
          ops::channel_sums(dy.rows(), OutC, hw, [=] GAN_HD(index_t r, index_t p) { return dp[r * hw + p]; }, part,
                            db.data(), T(1));
        }
      }
      if (dx) {
        xr.resize(dy.rows() * H * Wd, C);
        ops::matmul(false, true, T(1), cols, W, T(0), xr);  // (n*HW, OutC*K*K) (OutC*K*K, C)
        detail::from_rows(xr, C, H * Wd, *dx);
      }
    }
  };
};

}  // namespace gan
