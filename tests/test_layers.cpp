// Gradient checks for every layer: backward against central differences of the forward pass,
// and the tangent pass (used by gradient penalties) against directional differences.
#include <doctest/doctest.h>

#include "gradcheck.hpp"
#include <gan/layers/layer_norm.hpp>
#include <gan/layers/projection.hpp>

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

// --- LayerNorm ---------------------------------------------------------------------------------

TEST_CASE("LayerNorm: gradients and tangent (its reverse has second-order terms)") {
  check_layer_gradients<Sequential<Input<5>, Dense<6>, LayerNorm, Tanh, Dense<3>>>();
}
TEST_CASE("LayerNorm with gamma and beta away from their initial values") {
  // gamma = 1 and beta = 0 at init would hide a gamma the reverse pass forgets: set them first.
  using Seq = Sequential<Input<5>, Dense<6>, LayerNorm, Tanh, Dense<3>>;
  Rng rng(11);
  Network<Seq, Cpu, double> net(rng);
  auto& ln = net.layer<1>();
  ops::fill_uniform(ln.gamma, rng, 0.5, 2.0);
  ops::fill_uniform(ln.beta, rng, -1.0, 1.0);
  Td x = gantest::random_tensor(4, 5, rng), xt = gantest::random_tensor(4, 5, rng);
  Td w = gantest::random_tensor(4, 3, rng), wt = gantest::random_tensor(4, 3, rng);
  auto loss2 = [&] {
    const double a = gantest::dot(wt, net.forward_tangent(x, xt));
    return a + gantest::dot(w, net.output());
  };
  net.zero_grad();
  loss2();
  const auto dx = net.backward_tangent(w, wt, Grads{.params = true, .input = true}).to_host();
  const auto dxt = net.input_tangent_grad().to_host();
  CHECK(gantest::max_grad_error(x, dx, loss2) < 1e-6);
  CHECK(gantest::max_grad_error(xt, dxt, loss2) < 1e-6);
  net.visit_params([&](Td& p, Td& g) { CHECK(gantest::max_grad_error(p, g.to_host(), loss2) < 1e-6); });
}
TEST_CASE("LayerNorm on a Dynamic width") {
  check_layer_gradients<Sequential<Input<Dynamic>, LayerNorm, Dense<2>>>({7});
}

TEST_CASE("LayerNorm: each row has mean 0 and variance var/(var+eps) before the affine part") {
  using Seq = Sequential<Input<4>, LayerNorm>;
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng);
  Td x;
  x.from_host({1, 2, 3, 6, -10, 0, 10, 20, 5, 5, 5, 5}, 3, 4);  // the last row is constant
  const auto y = net.forward(x).to_host();
  const double var[3] = {3.5, 125.0, 0.0};  // biased variances of the rows
  for (int r = 0; r < 3; ++r) {
    double m = 0, v = 0;
    for (int j = 0; j < 4; ++j) m += y[std::size_t(4 * r + j)] / 4;
    for (int j = 0; j < 4; ++j) v += (y[std::size_t(4 * r + j)] - m) * (y[std::size_t(4 * r + j)] - m) / 4;
    CHECK(m == doctest::Approx(0).epsilon(1e-12));
    CHECK(v == doctest::Approx(var[r] / (var[r] + 1e-5)).epsilon(1e-9));
  }
  CHECK(y[0] == doctest::Approx((1 - 3.0) / std::sqrt(3.5 + 1e-5)));
  // The affine part: y = gamma xh + beta per feature.
  auto& ln = net.layer<0>();
  ln.gamma.from_host({2, 2, 2, 2}, 1, 4);
  ln.beta.from_host({0, 1, 0, 0}, 1, 4);
  const auto y2 = net.forward(x).to_host();
  CHECK(y2[0] == doctest::Approx(2 * y[0]));
  CHECK(y2[1] == doctest::Approx(2 * y[1] + 1));
  CHECK(y2[9] == doctest::Approx(1.0));  // a constant row normalises to 0: only beta is left
}

TEST_CASE("LayerNorm is per-sample: a row's output does not depend on the other rows") {
  using Seq = Sequential<Input<6>, LayerNorm>;
  Rng rng(2);
  Network<Seq, Cpu, double> net(rng);
  Td both = gantest::random_tensor(4, 6, rng, 3.0), one;
  const auto all = net.forward(both).to_host();
  const auto xs = both.to_host();
  one.from_host(std::vector<double>(xs.begin() + 12, xs.begin() + 18), 1, 6);  // row 2 on its own
  const auto alone = net.forward(one).to_host();
  for (int j = 0; j < 6; ++j) CHECK(alone[std::size_t(j)] == doctest::Approx(all[std::size_t(12 + j)]).epsilon(1e-14));
  static_assert(LayerNorm::Layer<double, Cpu>::per_sample && LayerNorm::Layer<double, Cpu>::has_tangent);
}

// --- Projection --------------------------------------------------------------------------------

TEST_CASE("Projection: gradients and tangent along h (the condition held fixed)") {
  check_layer_gradients<Sequential<Input<5>, Dense<4>, LeakyReLU<0.2f>, Projection<3>>>({}, 3);
}
TEST_CASE("Projection<Dynamic>: K given at construction") {
  check_layer_gradients<Sequential<Input<5>, Dense<4>, Tanh, Projection<Dynamic>>>({2}, 2);
  using Seq = Sequential<Input<5>, Projection<Dynamic>>;
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng, {7});
  CHECK(net.output_size() == 1);
  CHECK(net.layer<0>().E.rows() == 7);
  CHECK(net.layer<0>().E.cols() == 5);
  CHECK(net.parameter_count() == 5 + 1 + 7 * 5);
}

TEST_CASE("Projection: value against a hand computation") {
  using Seq = Sequential<Input<3>, Projection<2>>;
  static_assert(Projection<2>::uses_condition && Projection<2>::Layer<double, Cpu>::per_sample);
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng);
  auto& p = net.layer<0>();
  p.w.from_host({1, -2, 0.5}, 1, 3);
  p.b.from_host({0.25}, 1, 1);
  p.E.from_host({1, 0, 2,     // class 0
                 0, 3, -1},   // class 1
                2, 3);
  Td h, c;
  h.from_host({1, 2, 3,  //
               -1, 0, 4,  //
               2, 1, 1},
              3, 3);
  c.from_host({1, 0,  // class 0
               0, 1,  // class 1
               0.5, 0.5},  // soft: half of each
              3, 2);
  const auto y = net.forward(h, &c).to_host();
  REQUIRE(y.size() == 3);
  // row 0: h.w = 1 - 4 + 1.5 = -1.5;  h.E0 = 1 + 0 + 6 = 7       -> -1.5 + 0.25 + 7   = 5.75
  // row 1: h.w = -1 + 0 + 2 = 1;      h.E1 = 0 + 0 - 4 = -4      ->  1 + 0.25 - 4     = -2.75
  // row 2: h.w = 2 - 2 + 0.5 = 0.5;   h.(E0+E1)/2 = (4 + 2)/2 = 3 -> 0.5 + 0.25 + 3    = 3.75
  CHECK(y[0] == doctest::Approx(5.75));
  CHECK(y[1] == doctest::Approx(-2.75));
  CHECK(y[2] == doctest::Approx(3.75));
  // Gradients of sum(y): dw = sum_rows h, db = 3, dE = c^T h, dh = w + c E.
  Td ones(3, 1);
  ops::fill(ones, 1.0);
  net.zero_grad();
  const auto dh = net.backward(ones, Grads{.params = true, .input = true}).to_host();
  CHECK(dh[0] == doctest::Approx(1 + 1));
  CHECK(dh[4] == doctest::Approx(-2 + 3));
  CHECK(dh[8] == doctest::Approx(0.5 + 0.5));
  const auto dw = p.dw.to_host(), db = p.db.to_host(), dE = p.dE.to_host();
  CHECK(dw[0] == doctest::Approx(2));
  CHECK(db[0] == doctest::Approx(3));
  CHECK(dE[0] == doctest::Approx(1 + 1));     // class 0: row 0 + half of row 2
  CHECK(dE[5] == doctest::Approx(4 + 0.5));   // class 1: row 1 + half of row 2
}

TEST_CASE("Projection: a missing or misshapen condition is a ShapeError naming the layer and the fix") {
  using Seq = Sequential<Input<3>, Projection<2>>;
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng);
  Td h = gantest::random_tensor(4, 3, rng), c3 = gantest::random_tensor(4, 3, rng), c5 = gantest::random_tensor(5, 2, rng);
  CHECK_THROWS_WITH_AS(net.forward(h), "Projection<2>: no condition given; pass the class labels (batch, 2), one-hot "
                                       "or soft, to Network::forward(x, condition)", ShapeError);
  CHECK_THROWS_WITH_AS(net.forward(h, &c3), "Projection<2>: condition is (4, 3), expected (4, 2)", ShapeError);
  CHECK_THROWS_WITH_AS(net.forward(h, &c5), "Projection<2>: condition is (5, 2), expected (4, 2)", ShapeError);
}
