// gan/losses/gradient_penalty.hpp: the WGAN-GP gradient penalty (Gulrajani et al. 2017).
//   P = lambda * mean_b (|| grad_x D(xh_b) || - 1)^2,   xh_b = e_b r_b + (1 - e_b) f_b,  e_b ~ U(0, 1)
// one interpolate per critic input row (per pac group under PacGAN), the norm per row over all
// features (the condition of a conditional critic held fixed, the same for both ends of the
// interpolation). Default lambda = 10 as in the paper. See input_gradient_penalty.hpp for how the
// penalty reaches the critic's parameters.
#pragma once
#include <string>

#include "input_gradient_penalty.hpp"

namespace gan {

struct GradientPenalty {
  double lambda = 10.0;
  double target = 1.0;  // the norm the critic's gradient is pulled to

  static std::string name() { return "gradient-penalty"; }

  template <class T>
  struct Phi {
    T lambda, target;
    GAN_HD T value(T n) const { return lambda * (n - target) * (n - target); }
    GAN_HD T slope_over_n(T n) const { return T(2) * lambda * (n - target) / n; }
  };

  template <class T, class B>
  struct State {
    detail::InputGradientPenalty<T, B> pen;
    Tensor<T, B> eps, mixed;

    /// Adds dP/dtheta to the critic's gradients; returns P.
    template <class Net>
    T penalty(const GradientPenalty& cfg, Net& critic, const Tensor<T, B>& real, const Tensor<T, B>& fake, Rng& rng,
              const Tensor<T, B>* condition = nullptr) {
      const index_t n = real.rows(), f = real.cols();
      eps.resize(n, 1);
      ops::fill_uniform(eps, rng);
      mixed.resize(n, real.shape());
      const T *r = real.data(), *fk = fake.data(), *e = eps.data();
      T* m = mixed.data();
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
        const index_t k = i * f + j;
        m[k] = e[i] * r[k] + (T(1) - e[i]) * fk[k];
      });
      return pen.apply(critic, mixed, Phi<T>{T(cfg.lambda), T(cfg.target)}, condition);
    }
    template <class Net>
    void after_step(const GradientPenalty&, Net&) {}
  };
};

}  // namespace gan
