// gan/optim/ema.hpp: an exponential moving average of a network's weights (Yazici et al. 2019):
//   p_ema = decay p_ema + (1 - decay) p      after every generator update
// Sampling from the averaged generator usually gives steadier, better samples. The average
// keeps its own copy of the network (running statistics are copied, not averaged).
#pragma once
#include <vector>

#include "../core/ops.hpp"

namespace gan {

template <class Net>
class Ema {
 public:
  using T = typename Net::scalar;
  using B = typename Net::backend;
  using Tn = Tensor<T, B>;

  Ema(const Net& net, double decay = 0.999) : avg_(net), decay_(decay) { avg_.eval(); }

  void update(Net& net) {
    src_.clear();  // keeps its capacity: no allocation after the first update
    net.visit_params([&](Tn& p, Tn&) { src_.push_back(&p); });
    std::size_t i = 0;
    const T d = T(decay_);
    avg_.visit_params([&](Tn& a, Tn&) {
      const T* s = src_[i++]->data();
      T* ap = a.data();
      B::for_each(a.size(), [=] GAN_HD(index_t j) { ap[j] = d * ap[j] + (T(1) - d) * s[j]; });
    });
    src_.clear();
    net.visit_buffers([&](Tn& b) { src_.push_back(&b); });
    i = 0;
    avg_.visit_buffers([&](Tn& b) { ops::copy(*src_[i++], b); });
  }

  /// The averaged network, in eval mode: sample from it.
  Net& network() { return avg_; }
  double decay() const { return decay_; }

 private:
  Net avg_;
  double decay_;
  std::vector<const Tn*> src_;
};

}  // namespace gan
