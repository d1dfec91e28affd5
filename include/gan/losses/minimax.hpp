// gan/losses/minimax.hpp: the original minimax GAN game (Goodfellow et al. 2014, eq. 1).
//   L_D = E_r softplus(-r) + E_f softplus(f)
//   L_G = -E_f softplus(f)            (= E_f log(1 - sigmoid(f)), which G minimises;
//                                      it saturates when D rejects fakes confidently)
#pragma once
#include <string>

#include "objective_terms.hpp"

namespace gan {

struct Minimax {
  static std::string name() { return "minimax"; }
  template <class T> GAN_HD static T real(T x) { return math::softplus(-x); }
  template <class T> GAN_HD static T real_grad(T x) { return -math::sigmoid(-x); }
  template <class T> GAN_HD static T fake(T x) { return math::softplus(x); }
  template <class T> GAN_HD static T fake_grad(T x) { return math::sigmoid(x); }
  template <class T> GAN_HD static T gen(T x) { return -math::softplus(x); }
  template <class T> GAN_HD static T gen_grad(T x) { return -math::sigmoid(x); }
};

}  // namespace gan
