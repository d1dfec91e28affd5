// gan/losses/hinge.hpp: the hinge loss (Lim & Ye 2017; used by SAGAN and BigGAN).
//   L_D = E_r max(0, 1 - r) + E_f max(0, 1 + f)       L_G = -E_f f
#pragma once
#include <string>

#include "objective_terms.hpp"

namespace gan {

struct Hinge {
  static std::string name() { return "hinge"; }
  template <class T> GAN_HD static T real(T x) { return x < T(1) ? T(1) - x : T(0); }
  template <class T> GAN_HD static T real_grad(T x) { return x < T(1) ? T(-1) : T(0); }
  template <class T> GAN_HD static T fake(T x) { return x > T(-1) ? T(1) + x : T(0); }
  template <class T> GAN_HD static T fake_grad(T x) { return x > T(-1) ? T(1) : T(0); }
  template <class T> GAN_HD static T gen(T x) { return -x; }
  template <class T> GAN_HD static T gen_grad(T) { return T(-1); }
};

}  // namespace gan
