// gan/losses/r1.hpp: the R1 penalty on real data (Mescheder et al. 2018, eq. 9).
//   P = gamma / 2 * mean_b || grad_x D(r_b) ||^2
// Pairs with the non-saturating loss: Objective<NonSaturating, R1>. gamma = 10 by default.
#pragma once
#include <string>

#include "input_gradient_penalty.hpp"

namespace gan {

struct R1 {
  double gamma = 10.0;

  static std::string name() { return "r1"; }

  template <class T>
  struct Phi {
    T gamma;
    GAN_HD T value(T n) const { return T(0.5) * gamma * n * n; }
    GAN_HD T slope_over_n(T) const { return gamma; }
  };

  template <class T, class B>
  struct State {
    detail::InputGradientPenalty<T, B> pen;

    template <class Net>
    T penalty(const R1& cfg, Net& critic, const Tensor<T, B>& real, const Tensor<T, B>&, Rng&,
              const Tensor<T, B>* condition = nullptr) {
      return pen.apply(critic, real, Phi<T>{T(cfg.gamma)}, condition);
    }
    template <class Net>
    void after_step(const R1&, Net&) {}
  };
};

}  // namespace gan
