// gan/optim/sgd.hpp: stochastic gradient descent with momentum (PyTorch's convention):
//   v = momentum v + g,   p -= lr v        (momentum = 0: plain SGD)
#pragma once
#include <string>

#include "../core/config.hpp"

namespace gan {

struct Sgd {
  double lr = 0.01;
  double momentum = 0.0;

  static std::string name() { return "sgd"; }
  static constexpr int slots = 1;
  template <class T>
  struct Coefficients {
    T lr, momentum;
  };
  template <class T>
  Coefficients<T> coefficients(std::uint64_t) const { return {T(lr), T(momentum)}; }
  template <class T>
  GAN_HD static void update(T& p, T g, T& v, T&, const Coefficients<T>& k) {
    v = k.momentum * v + g;
    p -= k.lr * v;
  }
};

}  // namespace gan
