// gan/optim/adam.hpp: Adam (Kingma & Ba 2015) with bias correction.
//   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2,
//   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// GANs use other betas than the paper's defaults (DCGAN: 0.5/0.999; WGAN-GP and CTGAN: 0.5/0.9),
// so the constructor takes them explicitly: gan::Adam(2e-4, 0.5, 0.999).
#pragma once
#include <cmath>
#include <stdexcept>
#include <string>

#include "../core/config.hpp"

namespace gan {

struct Adam {
  double lr, beta1, beta2, eps;

  Adam(double lr_, double beta1_, double beta2_, double eps_ = 1e-8) : lr(lr_), beta1(beta1_), beta2(beta2_), eps(eps_) {
    if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0))
      throw std::invalid_argument("gan::Adam: need lr > 0, 0 <= beta1, beta2 < 1 and eps > 0");
  }

  static std::string name() { return "adam"; }
  static constexpr int slots = 2;
  template <class T>
  struct Coefficients {
    T b1, b2, step, c2, eps;  // step = lr / (1 - b1^t), c2 = 1 / (1 - b2^t)
  };
  template <class T>
  Coefficients<T> coefficients(std::uint64_t t) const {
    const double c1 = 1 - std::pow(beta1, double(t)), c2 = 1 - std::pow(beta2, double(t));
    return {T(beta1), T(beta2), T(lr / c1), T(1 / c2), T(eps)};
  }
  template <class T>
  GAN_HD static void update(T& p, T g, T& m, T& v, const Coefficients<T>& k) {
    m = k.b1 * m + (T(1) - k.b1) * g;
    v = k.b2 * v + (T(1) - k.b2) * g * g;
    p -= k.step * m / (std::sqrt(v * k.c2) + k.eps);
  }
};

}  // namespace gan
