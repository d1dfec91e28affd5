// gan/losses/weight_clipping.hpp: the original WGAN's Lipschitz constraint (Arjovsky et al. 2017):
// after every critic update each critic parameter is clamped to [-clip, clip] (0.01 in the paper).
// A constraint, not a penalty: it adds nothing to the loss. Objective<Wasserstein, WeightClipping>.
#pragma once
#include <string>

#include "../core/ops.hpp"

namespace gan {

struct WeightClipping {
  double clip = 0.01;

  static std::string name() { return "weight-clipping"; }

  template <class T, class B>
  struct State {
    template <class Net>
    T penalty(const WeightClipping&, Net&, const Tensor<T, B>&, const Tensor<T, B>&, Rng&,
              const Tensor<T, B>* = nullptr) {
      return T(0);  // a constraint, not a penalty
    }
    template <class Net>
    void after_step(const WeightClipping& cfg, Net& critic) {
      const T c = T(cfg.clip);
      critic.visit_params([&](Tensor<T, B>& p, Tensor<T, B>&) {
        T* pp = p.data();
        B::for_each(p.size(), [=] GAN_HD(index_t i) { pp[i] = pp[i] > c ? c : (pp[i] < -c ? -c : pp[i]); });
      });
    }
  };
};

}  // namespace gan
