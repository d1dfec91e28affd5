// gan/optim/ema.hpp: an exponential moving average of a network's weights (Yazici et al. 2019):
//   p_ema = d_t p_ema + (1 - d_t) p      after the t-th generator update (t = 1, 2, ...)
//   d_t   = min(decay, (1 + t) / (10 + t))     warm-up: 0.18, 0.25, 0.31, ... rising to `decay`
// Without the warm-up an average with decay 0.999 would still be 37% (0.999^1000) the random
// initial weights after 1000 updates; with it, early snapshots follow the generator and the average
// settles to `decay` after about 10 / (1 - decay) updates. Sampling from the averaged generator
// usually gives steadier, better samples. The average keeps its own copy of the network (running
// statistics are copied, not averaged). The update count is part of a checkpoint.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "../core/ops.hpp"

namespace gan {

template <class Net>
class Ema {
 public:
  using T = typename Net::scalar;
  using B = typename Net::backend;
  using Tn = Tensor<T, B>;

  /// `warmup = false` uses `decay` from the first update on.
  Ema(const Net& net, double decay = 0.999, bool warmup = true) : avg_(net), decay_(decay), warmup_(warmup) {
    if (!(decay >= 0 && decay < 1)) throw std::invalid_argument("gan::Ema: decay must be in [0, 1)");
    avg_.eval();
  }

  /// The decay used by update number t (1-based).
  double decay_at(std::uint64_t t) const {
    return warmup_ ? std::min(decay_, (1.0 + double(t)) / (10.0 + double(t))) : decay_;
  }

  void update(Net& net) {
    ++updates_;
    src_.clear();  // keeps its capacity: no allocation after the first update
    net.visit_params([&](Tn& p, Tn&) { src_.push_back(&p); });
    std::size_t i = 0;
    const T d = T(decay_at(updates_));
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
  std::uint64_t updates() const { return updates_; }
  void set_updates(std::uint64_t t) { updates_ = t; }

 private:
  Net avg_;
  double decay_;
  bool warmup_;
  std::uint64_t updates_ = 0;
  std::vector<const Tn*> src_;
};

}  // namespace gan
