// Composition, shapes and the random generator.
#include <doctest/doctest.h>

#include "gradcheck.hpp"

using namespace gan;

using Mlp = Sequential<Input<4>, Dense<16>, ReLU, Dense<8>, Tanh, Dense<2>>;
static_assert(Mlp::sizes == std::array<index_t, 6>{4, 16, 16, 8, 8, 2});
static_assert(Mlp::output_size == 2);
using Dyn = Sequential<Input<Dynamic>, Dense<32>, LeakyReLU<>, Dense<Dynamic>>;
static_assert(Dyn::sizes[0] == Dynamic && Dyn::sizes[1] == 32 && Dyn::output_size == Dynamic);
static_assert(Dyn::runtime_sizes == 2);
static_assert(Sequential<Input<3>, Concat<2>, Dense<1>>::sizes[1] == 5);

TEST_CASE("Philox-4x32-10 matches the published known-answer vectors") {
  const auto a = philox::generate(0, 0, 0);
  CHECK(a.v[0] == 0x6627e8d5u);
  CHECK(a.v[1] == 0xe169c58du);
  CHECK(a.v[2] == 0xbc57ac4cu);
  CHECK(a.v[3] == 0x9b00dbd8u);
  const auto b = philox::generate(~0ull, ~0ull, ~0ull);
  CHECK(b.v[0] == 0x408f276du);
  CHECK(b.v[1] == 0x41c83b0eu);
  CHECK(b.v[2] == 0xa20bc7c6u);
  CHECK(b.v[3] == 0x6d5451fdu);
}

TEST_CASE("Random draws: reproducible, normal moments") {
  Rng a(42), b(42);
  Tensor<double, Cpu> x(100, 100), y(100, 100);
  ops::fill_normal(x, a);
  ops::fill_normal(y, b);
  CHECK(x.to_host() == y.to_host());
  double m = 0, v = 0;
  for (double e : x.to_host()) m += e / 1e4;
  for (double e : x.to_host()) v += (e - m) * (e - m) / 1e4;
  CHECK(std::abs(m) < 0.03);
  CHECK(v == doctest::Approx(1.0).epsilon(0.05));
  ops::fill_normal(y, b);
  CHECK(x.to_host() != y.to_host());  // the counter moved on
}

TEST_CASE("Dynamic sizes are taken at construction and checked") {
  Rng rng(1);
  Network<Dyn, Cpu> net(rng, {7, 3});
  CHECK(net.input_size() == 7);
  CHECK(net.output_size() == 3);
  CHECK_THROWS_AS((Network<Dyn, Cpu>(rng, {7})), ShapeError);
  CHECK_THROWS_WITH_AS((Network<Dyn, Cpu>(rng, {7, 0})), doctest::Contains("layer 3 (Dense<Dynamic>)"), ShapeError);
}

TEST_CASE("A batch of the wrong width is rejected with both sizes named") {
  Rng rng(1);
  Network<Mlp, Cpu> net(rng);
  Tensor<float, Cpu> x(3, 5);
  ops::fill(x, 0.f);
  CHECK_THROWS_WITH_AS(net.forward(x), doctest::Contains("input has 5 features per sample, the network takes 4"),
                       ShapeError);
  Tensor<float, Cpu> ok(3, 4);
  ops::fill(ok, 0.f);
  net.forward(ok);
  Tensor<float, Cpu> dy(3, 3);
  CHECK_THROWS_AS(net.backward(dy), ShapeError);
}

TEST_CASE("Concat without a condition says how to pass one") {
  Rng rng(1);
  Network<Sequential<Input<2>, Concat<3>, Dense<1>>, Cpu> net(rng);
  Tensor<float, Cpu> x(2, 2);
  ops::fill(x, 1.f);
  CHECK_THROWS_WITH_AS(net.forward(x), doctest::Contains("Network::forward(x, condition)"), ShapeError);
  Tensor<float, Cpu> c(2, 2);
  CHECK_THROWS_WITH_AS(net.forward(x, &c), doctest::Contains("expected (2, 3)"), ShapeError);
}

TEST_CASE("Same seed, same network; describe() names the layers") {
  Rng a(9), b(9);
  Network<Mlp, Cpu> n1(a), n2(b);
  std::vector<std::vector<float>> p1, p2;
  n1.visit_params([&](auto& p, auto&) { p1.push_back(p.to_host()); });
  n2.visit_params([&](auto& p, auto&) { p2.push_back(p.to_host()); });
  CHECK(p1 == p2);
  CHECK(Mlp::describe() == "Input<4> -> Dense<16> -> ReLU -> Dense<8> -> Tanh -> Dense<2>");
  CHECK(n1.parameter_count() == 4 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
}

TEST_CASE("Tensor reshape keeps the block and rejects other sizes") {
  Tensor<float, Cpu> t(10, 6);
  t.reshape(2, 30);
  CHECK(t.rows() == 2);
  CHECK_THROWS_AS(t.reshape(7, 7), ShapeError);
}

TEST_CASE("Uniform draws are strictly inside (0, 1) in float and double, at the extreme inputs too") {
  for (std::uint32_t u : {0u, 1u, 127u, 0xFFFFFF7Fu, 0xFFFFFF80u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    const float f = philox::to_unit<float>(u);
    const double d = philox::to_unit<double>(u);
    CHECK(f > 0.0f);
    CHECK(f < 1.0f);
    CHECK(d > 0.0);
    CHECK(d < 1.0);
    CHECK(std::isfinite(-std::log(-std::log(f))));  // Gumbel noise
  }
  // Monotone and evenly spread: the float grid is (k + 1/2) / 2^23.
  CHECK(philox::to_unit<float>(0xFFFFFFFFu) == 1.0f - 0x1p-24f);
  CHECK(philox::to_unit<float>(0u) == 0x1p-24f);
}

TEST_CASE("A trainer never repeats the draws of an Rng made with its seed") {
  using G = Sequential<Input<2>, Dense<2>>;
  using D = Sequential<Input<2>, Dense<1>>;
  Rng init(42);
  Network<G, Cpu> g(init);
  Network<D, Cpu> d(init);
  Trainer trainer(g, d, Objective<NonSaturating>{}, Sgd{}, Sgd{}, TrainerOptions{.batch = 4, .seed = 42});
  Rng user(42);  // what `Rng init(42)` draws first: the initial weights
  Tensor<double, Cpu> a(1, 64), b(1, 64), c(1, 64);
  ops::fill_uniform(a, user);
  ops::fill_uniform(b, trainer.rng());
  const auto ha = a.to_host(), hb = b.to_host();
  int equal = 0;
  for (std::size_t i = 0; i < ha.size(); ++i) equal += ha[i] == hb[i];
  CHECK(equal == 0);
  // Same seed, same trainer stream: reproducible.
  Trainer again(g, d, Objective<NonSaturating>{}, Sgd{}, Sgd{}, TrainerOptions{.batch = 4, .seed = 42});
  ops::fill_uniform(c, again.rng());
  CHECK(c.to_host() == hb);
}
