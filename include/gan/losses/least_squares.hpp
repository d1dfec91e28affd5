// gan/losses/least_squares.hpp: LSGAN (Mao et al. 2017) with targets a = 0 (fake), b = 1 (real),
// c = 1 (what G wants D to say):
//   L_D = 1/2 E_r (r - 1)^2 + 1/2 E_f f^2        L_G = 1/2 E_f (f - 1)^2
#pragma once
#include <string>

#include "objective_terms.hpp"

namespace gan {

struct LeastSquares {
  static std::string name() { return "least-squares"; }
  template <class T> GAN_HD static T real(T x) { return T(0.5) * (x - T(1)) * (x - T(1)); }
  template <class T> GAN_HD static T real_grad(T x) { return x - T(1); }
  template <class T> GAN_HD static T fake(T x) { return T(0.5) * x * x; }
  template <class T> GAN_HD static T fake_grad(T x) { return x; }
  template <class T> GAN_HD static T gen(T x) { return T(0.5) * (x - T(1)) * (x - T(1)); }
  template <class T> GAN_HD static T gen_grad(T x) { return x - T(1); }
};

}  // namespace gan
