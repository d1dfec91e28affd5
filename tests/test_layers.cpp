// Gradient checks for every layer: backward against central differences of the forward pass,
// and the tangent pass (used by gradient penalties) against directional differences.
#include <doctest/doctest.h>

#include "gradcheck.hpp"

using namespace gan;
using gantest::Td;
using gantest::check_layer_gradients;

TEST_CASE("Dense: gradients and tangent") { check_layer_gradients<Sequential<Input<5>, Dense<3>>>(); }
TEST_CASE("Dense<Dynamic>: gradients") { check_layer_gradients<Sequential<Input<Dynamic>, Dense<Dynamic>>>({5, 4}); }
TEST_CASE("ReLU") { check_layer_gradients<Sequential<Input<5>, Dense<4>, ReLU, Dense<3>>>(); }
TEST_CASE("LeakyReLU") { check_layer_gradients<Sequential<Input<5>, Dense<4>, LeakyReLU<0.2f>, Dense<3>>>(); }
TEST_CASE("Tanh") { check_layer_gradients<Sequential<Input<5>, Dense<4>, Tanh, Dense<3>>>(); }
TEST_CASE("Sigmoid") { check_layer_gradients<Sequential<Input<5>, Dense<4>, Sigmoid, Dense<3>>>(); }
TEST_CASE("Dropout (mask kept)") { check_layer_gradients<Sequential<Input<5>, Dense<8>, Dropout<0.5f>, Dense<3>>>(); }
TEST_CASE("Concat of a condition") { check_layer_gradients<Sequential<Input<5>, Concat<3>, Dense<4>, Tanh>>({}, 3); }
TEST_CASE("Concat<Dynamic>") { check_layer_gradients<Sequential<Input<5>, Concat<Dynamic>, Dense<4>>>({2}, 2); }
TEST_CASE("BatchNorm in training mode") { check_layer_gradients<Sequential<Input<5>, Dense<4>, BatchNorm, Tanh, Dense<3>>>(); }

TEST_CASE("BatchNorm in eval mode") {
  using Seq = Sequential<Input<4>, BatchNorm, Dense<2>>;
  Rng rng(3);
  Network<Seq, Cpu, double> net(rng);
  Td x = gantest::random_tensor(8, 4, rng, 2.0);
  for (int i = 0; i < 5; ++i) net.forward(x);  // move the running statistics
  net.eval();
  Td w = gantest::random_tensor(8, 2, rng);
  auto loss = [&] { return gantest::dot(w, net.forward(x)); };
  net.zero_grad();
  loss();
  const auto dx = net.backward(w, Grads{.params = true, .input = true}).to_host();
  CHECK(gantest::max_grad_error(x, dx, loss) < 1e-6);
  net.visit_params([&](Td& p, Td& g) { CHECK(gantest::max_grad_error(p, g.to_host(), loss) < 1e-6); });
}

TEST_CASE("BatchNorm normalises and tracks running statistics like PyTorch") {
  using Seq = Sequential<Input<2>, BatchNorm>;
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng);
  Td x;
  x.from_host({1, 10, 2, 20, 3, 30, 6, 60}, 4, 2);
  const auto y = net.forward(x).to_host();
  double mean0 = 0, var0 = 0;
  for (int i = 0; i < 4; ++i) mean0 += y[std::size_t(2 * i)] / 4;
  for (int i = 0; i < 4; ++i) var0 += (y[std::size_t(2 * i)] - mean0) * (y[std::size_t(2 * i)] - mean0) / 4;
  CHECK(mean0 == doctest::Approx(0).epsilon(1e-12));
  CHECK(var0 == doctest::Approx(1.0 * 3.5 / (3.5 + 1e-5)).epsilon(1e-9));  // biased var of (1,2,3,6) is 3.5
  auto& bn = net.layer<0>();
  const auto rm = bn.running_mean.to_host(), rv = bn.running_var.to_host();
  CHECK(rm[0] == doctest::Approx(0.1 * 3.0));
  CHECK(rv[0] == doctest::Approx(0.9 + 0.1 * 3.5 * 4.0 / 3.0));  // unbiased variance
}

TEST_CASE("Dropout: eval is the identity, training keeps about 1-P and rescales") {
  using Seq = Sequential<Input<1000>, Dropout<0.25f>>;
  Rng rng(5);
  Network<Seq, Cpu, double> net(rng);
  Td x(4, 1000);
  ops::fill(x, 1.0);
  const auto y = net.forward(x).to_host();
  int kept = 0;
  for (double v : y) {
    CHECK((v == 0.0 || v == doctest::Approx(1 / 0.75)));
    kept += v != 0.0;
  }
  CHECK(kept / 4000.0 == doctest::Approx(0.75).epsilon(0.05));
  net.eval();
  for (double v : net.forward(x).to_host()) CHECK(v == 1.0);
}
