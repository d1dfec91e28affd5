// gan/optim/rmsprop.hpp: RMSProp (Tieleman & Hinton 2012), PyTorch's form, as the original WGAN used:
//   s = alpha s + (1 - alpha) g^2,   p -= lr g / (sqrt(s) + eps)
#pragma once
#include <cmath>
#include <string>

#include "../core/config.hpp"

namespace gan {

struct RMSProp {
  double lr = 5e-5;
  double alpha = 0.99;
  double eps = 1e-8;

  static std::string name() { return "rmsprop"; }
  static constexpr int slots = 1;
  template <class T>
  struct Coefficients {
    T lr, alpha, eps;
  };
  template <class T>
  Coefficients<T> coefficients(std::uint64_t) const { return {T(lr), T(alpha), T(eps)}; }
  template <class T>
  GAN_HD static void update(T& p, T g, T& s, T&, const Coefficients<T>& k) {
    s = k.alpha * s + (T(1) - k.alpha) * g * g;
    p -= k.lr * g / (std::sqrt(s) + k.eps);
  }
};

}  // namespace gan
