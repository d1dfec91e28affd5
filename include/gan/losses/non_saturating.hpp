// gan/losses/non_saturating.hpp: the standard GAN loss with the non-saturating generator
// objective (Goodfellow et al. 2014, section 3). On logits x = D(.):
//   L_D = E_r softplus(-r) + E_f softplus(f)      (= -log sigmoid(r) - log(1 - sigmoid(f)))
//   L_G = E_f softplus(-f)                         (= -log sigmoid(f): strong gradients early on)
#pragma once
#include <string>

#include "objective_terms.hpp"

namespace gan {

struct NonSaturating {
  static std::string name() { return "non-saturating"; }
  template <class T> GAN_HD static T real(T x) { return math::softplus(-x); }
  template <class T> GAN_HD static T real_grad(T x) { return -math::sigmoid(-x); }
  template <class T> GAN_HD static T fake(T x) { return math::softplus(x); }
  template <class T> GAN_HD static T fake_grad(T x) { return math::sigmoid(x); }
  template <class T> GAN_HD static T gen(T x) { return math::softplus(-x); }
  template <class T> GAN_HD static T gen_grad(T x) { return -math::sigmoid(-x); }
};

}  // namespace gan
