// gan/losses/wasserstein.hpp: the Wasserstein GAN critic loss (Arjovsky et al. 2017).
//   L_D = E_f f - E_r r          L_G = -E_f f
// The critic must be kept (roughly) 1-Lipschitz: combine with GradientPenalty (WGAN-GP) or
// WeightClipping (the original WGAN), e.g. Objective<Wasserstein, GradientPenalty>.
#pragma once
#include <string>

#include "objective_terms.hpp"

namespace gan {

struct Wasserstein {
  static std::string name() { return "wasserstein"; }
  template <class T> GAN_HD static T real(T x) { return -x; }
  template <class T> GAN_HD static T real_grad(T) { return T(-1); }
  template <class T> GAN_HD static T fake(T x) { return x; }
  template <class T> GAN_HD static T fake_grad(T) { return T(1); }
  template <class T> GAN_HD static T gen(T x) { return -x; }
  template <class T> GAN_HD static T gen_grad(T) { return T(-1); }
};

}  // namespace gan
