// gan/layers/resample.hpp: parameter-free changes of image resolution by an integer factor F.
//   Upsample<F>:  nearest neighbour, C x H x W -> C x FH x FW,
//                 y[s, c, oy, ox] = x[s, c, oy / F, ox / F]
//   AvgPool<F>:   average over F x F windows, stride F, no padding, C x H x W -> C x H/F x W/F,
//                 y[s, c, oy, ox] = (1 / F^2) sum_{ky, kx < F} x[s, c, oy*F + ky, ox*F + kx]
// Both maps are linear, so
//   tangent:   yt = f(xt)                       (no second-order term)
//   reverse:   dx = f^T(dy), dxt = f^T(dyt)
// and each adjoint is written as a gather (one thread per input value, no atomics):
//   Upsample:  dx[s, c, iy, ix] = sum_{ky, kx < F} dy[s, c, iy*F + ky, ix*F + kx]
//   AvgPool:   dx[s, c, iy, ix] = dy[s, c, iy / F, ix / F] / F^2
// The two are adjoint to each other up to the factor F^2: AvgPool<F> = Upsample<F>^T / F^2.
#pragma once
#include <string>

#include "../core/layer.hpp"

namespace gan {

namespace detail {
/// What Upsample and AvgPool share: the spec's name and the Layer's passes around two maps,
/// `apply` (y = f(x)) and `adjoint` (dx = f^T(dy)), which the Layer provides.
template <class Derived, class T, class B>
struct LinearImageLayer {
  using Tn = Tensor<T, B>;
  static constexpr bool per_sample = true;
  static constexpr bool has_tangent = true;
  index_t C = 0, H = 0, W = 0;  // the input image

  void setup(const Shape& in, const Shape&, Rng&) {
    C = in.c;
    H = in.h;
    W = in.w;
  }
  Derived& self() { return static_cast<Derived&>(*this); }

  void forward(Context<T, B>&, const Tn& x, Tn& y) { self().apply(x, y); }
  void backward(Context<T, B>&, const Tn&, const Tn&, const Tn& dy, Tn* dx, bool) {
    if (dx) self().adjoint(dy, *dx);
  }
  void forward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
    self().apply(x, y);
    self().apply(xt, yt);
  }
  void backward_tangent(Context<T, B>&, const Tn&, const Tn&, const Tn&, const Tn&, const Tn& dy, const Tn& dyt,
                        Tn* dx, Tn* dxt, bool) {
    if (dx) self().adjoint(dy, *dx);
    if (dxt) self().adjoint(dyt, *dxt);
  }
  template <class Fn>
  void visit_params(Fn) {}
  template <class Fn>
  void visit_buffers(Fn) {}
};

/// An image (rank 3), or the features of Input<Dynamic>, which are checked again at construction.
constexpr bool image_or_unknown(Shape in) {
  return in.rank == 3 || (in.size() == Dynamic && in.rank == 1 && in.c == Dynamic);
}
}  // namespace detail

/// Nearest-neighbour upsampling by an integer factor F: C x H x W -> C x FH x FW.
template <index_t F = 2>
struct Upsample {
  static_assert(F > 0, "gan::Upsample<F>: the factor F must be > 0");

  static constexpr index_t out_dim(index_t n) { return n == Dynamic ? Dynamic : n * F; }
  static constexpr bool accepts(Shape in) { return detail::image_or_unknown(in); }
  static constexpr Shape output_shape(Shape in) {
    if (in.rank != 3) return Shape::image(Dynamic, Dynamic, Dynamic);
    return Shape::image(in.c, out_dim(in.h), out_dim(in.w));
  }
  static std::string name() { return "Upsample<" + std::to_string(F) + ">"; }

  template <class T, class B>
  struct Layer : detail::LinearImageLayer<Layer<T, B>, T, B> {
    using Tn = Tensor<T, B>;

    /// y[s, c, oy, ox] = x[s, c, oy / F, ox / F]: one thread per output value.
    void apply(const Tn& x, Tn& y) const {
      const index_t cn = this->C, h = this->H, w = this->W, ho = h * F, wo = w * F, out = cn * ho * wo;
      const T* xp = x.data();
      T* yp = y.data();
      B::for_each_2d(x.rows(), out, [=] GAN_HD(index_t s, index_t e) {
        const index_t cc = e / (ho * wo), oy = (e / wo) % ho, ox = e % wo;
        yp[s * out + e] = xp[((s * cn + cc) * h + oy / F) * w + ox / F];
      });
    }
    /// dx[s, c, iy, ix] = the sum of the F x F gradients it was copied to: one thread per input.
    void adjoint(const Tn& dy, Tn& dx) const {
      const index_t cn = this->C, h = this->H, w = this->W, ho = h * F, wo = w * F, in = cn * h * w;
      const T* dyp = dy.data();
      T* dxp = dx.data();
      B::for_each_2d(dx.rows(), in, [=] GAN_HD(index_t s, index_t e) {
        const index_t cc = e / (h * w), iy = (e / w) % h, ix = e % w;
        const T* row = dyp + ((s * cn + cc) * ho + iy * F) * wo + ix * F;
        T acc = T(0);
        for (index_t ky = 0; ky < F; ++ky)
          for (index_t kx = 0; kx < F; ++kx) acc += row[ky * wo + kx];
        dxp[s * in + e] = acc;
      });
    }
  };
};

/// Average pooling over F x F windows with stride F and no padding: C x H x W -> C x H/F x W/F.
template <index_t F = 2>
struct AvgPool {
  static_assert(F > 0, "gan::AvgPool<F>: the window (and stride) F must be > 0");

  static constexpr index_t out_dim(index_t n) {
    if constexpr (F <= 0) return Dynamic;  // the static_assert above has said why
    else return n == Dynamic ? Dynamic : n / F;
  }
  /// An image whose height and width are multiples of F (or Dynamic: checked at construction).
  static constexpr bool accepts(Shape in) {
    if (in.rank != 3) return detail::image_or_unknown(in);
    auto fits = [](index_t n) {
      if constexpr (F <= 0) return true;  // the static_assert above has said why
      else return n == Dynamic || (n > 0 && n % F == 0);
    };
    return fits(in.h) && fits(in.w);
  }
  static constexpr Shape output_shape(Shape in) {
    if (in.rank != 3) return Shape::image(Dynamic, Dynamic, Dynamic);
    return Shape::image(in.c, out_dim(in.h), out_dim(in.w));
  }
  static std::string name() { return "AvgPool<" + std::to_string(F) + ">"; }

  template <class T, class B>
  struct Layer : detail::LinearImageLayer<Layer<T, B>, T, B> {
    using Tn = Tensor<T, B>;

    /// y[s, c, oy, ox] = the mean of its F x F window: one thread per output value.
    void apply(const Tn& x, Tn& y) const {
      const index_t cn = this->C, h = this->H, w = this->W, ho = h / F, wo = w / F, out = cn * ho * wo;
      const T* xp = x.data();
      T* yp = y.data();
      B::for_each_2d(x.rows(), out, [=] GAN_HD(index_t s, index_t e) {
        const index_t cc = e / (ho * wo), oy = (e / wo) % ho, ox = e % wo;
        const T* win = xp + ((s * cn + cc) * h + oy * F) * w + ox * F;
        T acc = T(0);
        for (index_t ky = 0; ky < F; ++ky)
          for (index_t kx = 0; kx < F; ++kx) acc += win[ky * w + kx];
        yp[s * out + e] = acc / T(F * F);
      });
    }
    /// dx[s, c, iy, ix] = dy[s, c, iy / F, ix / F] / F^2: one thread per input value.
    void adjoint(const Tn& dy, Tn& dx) const {
      const index_t cn = this->C, h = this->H, w = this->W, ho = h / F, wo = w / F, in = cn * h * w;
      const T* dyp = dy.data();
      T* dxp = dx.data();
      B::for_each_2d(dx.rows(), in, [=] GAN_HD(index_t s, index_t e) {
        const index_t cc = e / (h * w), iy = (e / w) % h, ix = e % w;
        dxp[s * in + e] = dyp[((s * cn + cc) * ho + iy / F) * wo + ix / F] / T(F * F);
      });
    }
  };
};

}  // namespace gan
