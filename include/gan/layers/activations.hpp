// gan/layers/activations.hpp: point-wise activations. Each is a small math struct with
//   value(x)      f(x)
//   d1(x, y)      f'(x)   (y = f(x) is passed in: tanh' = 1 - y^2 needs no exp)
//   d2(x, y)      f''(x)  (needed only by the tangent pass of gradient penalties)
// wrapped by `Activation<Math>` into a layer:
//   forward  y = f(x)           backward  dx = f'(x) dy
//   tangent  yt = f'(x) xt      its reverse  dx = f'(x) dy + f''(x) xt dyt,  dxt = f'(x) dyt
#pragma once
#include <cmath>
#include <string>

#include "../core/layer.hpp"

namespace gan {

namespace math {

struct ReLU {
  static std::string name() { return "ReLU"; }
  template <class T>
  GAN_HD static T value(T x) { return x > T(0) ? x : T(0); }
  template <class T>
  GAN_HD static T d1(T x, T) { return x > T(0) ? T(1) : T(0); }
  template <class T>
  GAN_HD static T d2(T, T) { return T(0); }
};

template <float Slope>
struct LeakyReLU {
  static std::string name() { return "LeakyReLU<" + std::to_string(Slope) + ">"; }
  template <class T>
  GAN_HD static T value(T x) { return x > T(0) ? x : T(Slope) * x; }
  template <class T>
  GAN_HD static T d1(T x, T) { return x > T(0) ? T(1) : T(Slope); }
  template <class T>
  GAN_HD static T d2(T, T) { return T(0); }
};

struct Tanh {
  static std::string name() { return "Tanh"; }
  template <class T>
  GAN_HD static T value(T x) { return std::tanh(x); }
  template <class T>
  GAN_HD static T d1(T, T y) { return T(1) - y * y; }
  template <class T>
  GAN_HD static T d2(T, T y) { return T(-2) * y * (T(1) - y * y); }
};

struct Sigmoid {
  static std::string name() { return "Sigmoid"; }
  template <class T>
  GAN_HD static T value(T x) {  // stable for large |x|
    return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
  }
  template <class T>
  GAN_HD static T d1(T, T y) { return y * (T(1) - y); }
  template <class T>
  GAN_HD static T d2(T, T y) { return y * (T(1) - y) * (T(1) - T(2) * y); }
};

}  // namespace math

/// A point-wise activation layer built from a math struct (see above).
template <class Math>
struct Activation {
  static constexpr Shape output_shape(Shape in) { return in; }
  static std::string name() { return Math::name(); }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = true;

    void setup(const Shape&, const Shape&, Rng&) {}

    void forward(Context<T, B>&, const Tn& x, Tn& y) {
      const T* xp = x.data();
      T* yp = y.data();
      B::for_each(x.size(), [=] GAN_HD(index_t i) { yp[i] = Math::value(xp[i]); });
    }
    void backward(Context<T, B>&, const Tn& x, const Tn& y, const Tn& dy, Tn* dx, bool) {
      if (!dx) return;
      const T *xp = x.data(), *yp = y.data(), *dyp = dy.data();
      T* dxp = dx->data();
      B::for_each(x.size(), [=] GAN_HD(index_t i) { dxp[i] = Math::d1(xp[i], yp[i]) * dyp[i]; });
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      forward(ctx, x, y);
      const T *xp = x.data(), *yp = y.data(), *xtp = xt.data();
      T* ytp = yt.data();
      B::for_each(x.size(), [=] GAN_HD(index_t i) { ytp[i] = Math::d1(xp[i], yp[i]) * xtp[i]; });
    }
    void backward_tangent(Context<T, B>&, const Tn& x, const Tn& xt, const Tn& y, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool) {
      const T *xp = x.data(), *yp = y.data(), *xtp = xt.data(), *dyp = dy.data(), *dytp = dyt.data();
      T* dxp = dx ? dx->data() : nullptr;
      T* dxtp = dxt ? dxt->data() : nullptr;
      B::for_each(x.size(), [=] GAN_HD(index_t i) {
        const T d1 = Math::d1(xp[i], yp[i]);
        if (dxp) dxp[i] = d1 * dyp[i] + Math::d2(xp[i], yp[i]) * xtp[i] * dytp[i];
        if (dxtp) dxtp[i] = d1 * dytp[i];
      });
    }
    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}
  };
};

using ReLU = Activation<math::ReLU>;
template <float Slope = 0.2f>
using LeakyReLU = Activation<math::LeakyReLU<Slope>>;
using Tanh = Activation<math::Tanh>;
using Sigmoid = Activation<math::Sigmoid>;

}  // namespace gan
