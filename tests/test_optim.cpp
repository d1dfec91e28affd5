// Optimisers against hand-computed updates, and the EMA of weights.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"

using namespace gan;
using gantest::Td;
using OneParam = Network<Sequential<Input<1>, Dense<1>>, Cpu, double>;

namespace {
// A network whose two parameters (w, b) start at 1 and 2, with gradients set by hand.
OneParam make() {
  Rng rng(0);
  OneParam net(rng);
  auto& l = net.layer<0>();
  l.W.data()[0] = 1.0;
  l.b.data()[0] = 2.0;
  return net;
}
void set_grads(OneParam& net, double gw, double gb) {
  net.layer<0>().dW.data()[0] = gw;
  net.layer<0>().db.data()[0] = gb;
}
double w(OneParam& n) { return n.layer<0>().W.data()[0]; }
double b(OneParam& n) { return n.layer<0>().b.data()[0]; }
}  // namespace

TEST_CASE("SGD with momentum") {
  OneParam net = make();
  Optimizer<Sgd, double, Cpu> opt(Sgd{.lr = 0.1, .momentum = 0.9});
  set_grads(net, 0.5, -1.0);
  opt.step(net);  // v = 0.5, w = 1 - 0.05
  CHECK(w(net) == doctest::Approx(0.95));
  CHECK(b(net) == doctest::Approx(2.1));
  set_grads(net, 0.5, -1.0);
  opt.step(net);  // v = 0.9 * 0.5 + 0.5 = 0.95, w = 0.95 - 0.095
  CHECK(w(net) == doctest::Approx(0.855));
  CHECK(b(net) == doctest::Approx(2.1 + 0.19));
}

TEST_CASE("Adam with bias correction") {
  OneParam net = make();
  Optimizer<Adam, double, Cpu> opt(Adam(0.01, 0.5, 0.9));
  set_grads(net, 2.0, -0.5);
  opt.step(net);  // first step moves each parameter by lr against the gradient's sign
  CHECK(w(net) == doctest::Approx(1.0 - 0.01).epsilon(1e-9));
  CHECK(b(net) == doctest::Approx(2.0 + 0.01).epsilon(1e-9));
  set_grads(net, 1.0, -0.5);
  opt.step(net);
  // m1 = 0.5 * 2 = 1, v1 = 0.1 * 4 = 0.4;  m2 = 0.5 * 1 + 0.5 * 1 = 1, v2 = 0.9 * 0.4 + 0.1 * 1 = 0.46;
  // mhat = 1 / (1 - 0.25), vhat = 0.46 / (1 - 0.81)
  const double step = 0.01 * (1.0 / 0.75) / (std::sqrt(0.46 / 0.19) + 1e-8);
  CHECK(w(net) == doctest::Approx(0.99 - step).epsilon(1e-9));
  CHECK(opt.steps() == 2);
  CHECK_THROWS_AS(Adam(0.01, 1.0, 0.9), std::invalid_argument);
}

TEST_CASE("RMSProp") {
  OneParam net = make();
  Optimizer<RMSProp, double, Cpu> opt(RMSProp{.lr = 0.01, .alpha = 0.9, .eps = 1e-8});
  set_grads(net, 2.0, 0.0);
  opt.step(net);  // s = 0.1 * 4 = 0.4; w -= 0.01 * 2 / sqrt(0.4)
  CHECK(w(net) == doctest::Approx(1.0 - 0.02 / std::sqrt(0.4)));
  CHECK(b(net) == doctest::Approx(2.0));
}

TEST_CASE("EMA of weights, without and with warm-up") {
  OneParam net = make();
  Ema<OneParam> plain(net, 0.9, /*warmup=*/false);
  net.layer<0>().W.data()[0] = 3.0;
  plain.update(net);  // 0.9 * 1 + 0.1 * 3
  CHECK(plain.network().layer<0>().W.data()[0] == doctest::Approx(1.2));
  CHECK_FALSE(plain.network().training());

  // Warm-up: d_t = min(decay, (1 + t) / (10 + t)); the first update keeps only 2/11 of the start.
  net.layer<0>().W.data()[0] = 1.0;
  Ema<OneParam> warm(net, 0.999), cold(net, 0.999, /*warmup=*/false);
  net.layer<0>().W.data()[0] = 3.0;
  warm.update(net);
  cold.update(net);
  CHECK(warm.network().layer<0>().W.data()[0] == doctest::Approx(2.0 / 11 * 1 + 9.0 / 11 * 3));
  CHECK(warm.decay_at(1) == doctest::Approx(2.0 / 11));
  CHECK(warm.decay_at(100000) == doctest::Approx(0.999));
  // After 100 updates towards 3, a 0.999 average without warm-up is still mostly the start
  // (3 - 2 * 0.999^100 = 1.19); with warm-up it has followed the network.
  for (int t = 1; t < 100; ++t) {
    warm.update(net);
    cold.update(net);
  }
  CHECK(warm.network().layer<0>().W.data()[0] > 2.99);
  CHECK(cold.network().layer<0>().W.data()[0] == doctest::Approx(3 - 2 * std::pow(0.999, 100)));
  CHECK_THROWS_AS(Ema<OneParam>(net, 1.0), std::invalid_argument);
}
