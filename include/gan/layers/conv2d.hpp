// gan/layers/conv2d.hpp: the 2-D convolution (PyTorch's Conv2d: square kernel, zero padding).
//   y[s, o, oy, ox] = b[o] + sum_{c, ky, kx} W[o, c, ky, kx] x[s, c, oy*S - P + ky, ox*S - P + kx]
//   (x read as 0 outside the image); Hout = (H + 2P - K) / S + 1, likewise Wout.
// As products: cols = im2col(x), one row per output position (s, oy, ox) and one column per
// (c, ky, kx); then rows = cols W^T, a (batch*Hout*Wout, OutC) block, stored into y as NCHW:
//   forward:   rows = cols W^T;  y = nchw(rows) + b
//   backward:  drows = rows(dy);  dW += drows^T cols;  db += column sums of drows;
//              dcols = drows W;  dx = col2im(dcols)  (a gather: each input value sums the
//              column entries that read it, one thread per value, no atomics)
//   tangent:   yt = conv(xt) without the bias, and its reverse adds drows(dyt)^T im2col(xt) to dW.
// W is (OutC, C*K*K) row-major (PyTorch's (OutC, C, K, K) flattened), b is (1, OutC).
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
struct Conv2d {
  static_assert(OutC > 0, "gan::Conv2d<OutC, K, Stride, Pad>: OutC (output channels) must be > 0");
  static_assert(K > 0, "gan::Conv2d<OutC, K, Stride, Pad>: K (kernel size) must be > 0");
  static_assert(Stride > 0, "gan::Conv2d<OutC, K, Stride, Pad>: Stride must be > 0");
  static_assert(Pad >= 0, "gan::Conv2d<OutC, K, Stride, Pad>: Pad must be >= 0");

  /// Output size along one spatial dimension of n (Dynamic stays Dynamic).
  static constexpr index_t out_dim(index_t n) {
    if constexpr (Stride <= 0) return Dynamic;  // the static_assert above has said why
    else return n == Dynamic ? Dynamic : (n + 2 * Pad - K) / Stride + 1;
  }
  /// An image (rank 3) whose padded height and width hold at least one kernel; a Dynamic
  /// input is checked again at construction, when its shape is known.
  static constexpr bool accepts(Shape in) {
    if (in.rank != 3) return in.size() == Dynamic && in.rank == 1 && in.c == Dynamic;
    auto fits = [](index_t n) { return n == Dynamic || n + 2 * Pad >= K; };
    return fits(in.h) && fits(in.w);
  }
  static constexpr Shape output_shape(Shape in) {
    if (in.rank != 3) return Shape::image(OutC, Dynamic, Dynamic);
    return Shape::image(OutC, out_dim(in.h), out_dim(in.w));
  }
  static std::string name() {
    return "Conv2d<" + std::to_string(OutC) + ", " + std::to_string(K) + ", " + std::to_string(Stride) + ", " +
           std::to_string(Pad) + ">";
  }

  template <class T, class B>
  struct Layer : detail::AffineLayer<Layer<T, B>, T, B> {
    using Tn = Tensor<T, B>;
    using Affine = detail::AffineLayer<Layer, T, B>;
    using Affine::W, Affine::b, Affine::dW, Affine::db;
    Tn cols;  // (batch*Hout*Wout, C*K*K): im2col of x (or xt), then the column gradient
    Tn rows;  // (batch*Hout*Wout, OutC): the product before (or the gradient after) the NCHW pass
    index_t C = 0, H = 0, Wd = 0, Ho = 0, Wo = 0;

    /// PyTorch's default initialisation: U(-1/sqrt(C*K*K), 1/sqrt(C*K*K)) for W and b.
    void setup(const Shape& in, const Shape& out, Rng& init) {
      C = in.c;
      H = in.h;
      Wd = in.w;
      Ho = out.h;
      Wo = out.w;
      this->init_params(OutC, C * K * K, OutC, T(1) / std::sqrt(T(C * K * K)), init);
    }

    detail::ConvGeometry geometry() const { return {C, H, Wd, Ho, Wo}; }

    /// y = conv(x) (+ b).
    void apply(const Tn& x, Tn& y, bool with_bias) {
      detail::im2col<K, Stride, Pad>(geometry(), x, cols);
      ops::matmul(false, true, T(1), cols, W, T(0), rows);  // (n*P, ckk) (ckk, OutC)
      detail::from_rows(rows, OutC, Ho * Wo, y, with_bias ? b.data() : nullptr);
    }

    /// The reverse of apply for the gradient dy at input x: dW += drows^T cols, db += sums
    /// (with_bias), dx = col2im(drows W).
    void apply_backward(const Tn& x, const Tn& dy, Tn* dx, bool param_grads, bool with_bias) {
      detail::to_rows(dy, OutC, Ho * Wo, rows);
      if (param_grads) {
        detail::im2col<K, Stride, Pad>(geometry(), x, cols);
        ops::matmul(true, false, T(1), rows, cols, T(1), dW);  // (OutC, n*P) (n*P, ckk)
        if (with_bias) ops::col_sum(rows, db, T(1));
      }
      if (dx) {
        ops::matmul(false, false, T(1), rows, W, T(0), cols);  // (n*P, OutC) (OutC, ckk)
        detail::col2im<K, Stride, Pad>(geometry(), cols, *dx);
      }
    }
  };
};

}  // namespace gan
