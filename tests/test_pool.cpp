// Upsample and AvgPool: shapes at compile time, values by hand and against direct loops, the
// adjoint relation between them, and numerical gradient checks (backward, tangent and its
// reverse), alone and around Conv2d.
#include <doctest/doctest.h>

#include <vector>

#include "gradcheck.hpp"
#include <gan/layers/resample.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

static_assert(Sequential<Input<64, 7, 7>, Upsample<2>>::output_shape == Shape::image(64, 14, 14));
static_assert(Sequential<Input<3, 8, 8>, AvgPool<2>>::output_shape == Shape::image(3, 4, 4));
static_assert(Sequential<Input<2, 3, 5>, Upsample<3>>::output_shape == Shape::image(2, 9, 15));
static_assert(Sequential<Input<2, 6, 9>, AvgPool<3>>::output_shape == Shape::image(2, 2, 3));
static_assert(Sequential<Input<1, 4, 4>, Upsample<2>, AvgPool<4>>::output_shape == Shape::image(1, 2, 2));
static_assert(Sequential<Input<1, 28, 28>, Conv2d<8, 3, 1, 1>, AvgPool<2>>::output_shape == Shape::image(8, 14, 14));
static_assert(Upsample<2>::output_shape(Shape::image(3, Dynamic, 4)) == Shape::image(3, Dynamic, 8));
static_assert(AvgPool<2>::output_shape(Shape::image(Dynamic, 6, Dynamic)) == Shape::image(Dynamic, 3, Dynamic));
static_assert(AvgPool<2>::accepts(Shape::image(1, 4, 6)));
static_assert(!AvgPool<2>::accepts(Shape::image(1, 5, 4)));  // H not a multiple of F
static_assert(!AvgPool<2>::accepts(Shape::image(1, 4, 5)));  // W not a multiple of F
static_assert(AvgPool<2>::accepts(Shape::image(1, Dynamic, 4)));
static_assert(AvgPool<1>::accepts(Shape::image(1, 5, 3)));
static_assert(!AvgPool<2>::accepts(Shape::flat(16)));  // features are not an image
static_assert(!Upsample<2>::accepts(Shape::flat(16)));
static_assert(Upsample<2>::accepts(Shape::image(1, 1, 1)));
static_assert(Network<Sequential<Input<2, 4, 4>, Upsample<2>, AvgPool<2>>, Cpu>::all_tangent());
static_assert(Network<Sequential<Input<2, 4, 4>, Upsample<2>, AvgPool<2>>, Cpu>::per_sample());

TEST_CASE("Upsample and AvgPool: names") {
  CHECK(Upsample<2>::name() == "Upsample<2>");
  CHECK(Upsample<>::name() == "Upsample<2>");
  CHECK(Upsample<3>::name() == "Upsample<3>");
  CHECK(AvgPool<2>::name() == "AvgPool<2>");
  CHECK(AvgPool<>::name() == "AvgPool<2>");
  CHECK(AvgPool<4>::name() == "AvgPool<4>");
  CHECK(Sequential<Input<1, 2, 2>, Upsample<2>, AvgPool<2>>::describe().find("Upsample<2>") != std::string::npos);
}

TEST_CASE("Upsample: values by hand") {
  Rng rng(1);
  Network<Sequential<Input<1, 2, 2>, Upsample<2>>, Cpu, double> net(rng);
  REQUIRE(net.output_size() == 16);
  Td x(1, 4);
  const double xv[] = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i) x.data()[i] = xv[i];
  const std::vector<double> expect = {1, 1, 2, 2,  //
                                      1, 1, 2, 2,  //
                                      3, 3, 4, 4,  //
                                      3, 3, 4, 4};
  CHECK(net.forward(x).to_host() == expect);
  // Backward: each input gets the sum of its 2x2 block of output gradients.
  Td dy(1, 16);
  for (int i = 0; i < 16; ++i) dy.data()[i] = double(i);
  const std::vector<double> dx = net.backward(dy, Grads{.params = false, .input = true}).to_host();
  CHECK(dx == std::vector<double>{0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15});
}

TEST_CASE("AvgPool: values by hand") {
  Rng rng(1);
  Network<Sequential<Input<1, 2, 4>, AvgPool<2>>, Cpu, double> net(rng);
  REQUIRE(net.output_size() == 2);
  Td x(1, 8);
  const double xv[] = {1, 2, 3, 4,  //
                       5, 6, 7, 9};
  for (int i = 0; i < 8; ++i) x.data()[i] = xv[i];
  CHECK(net.forward(x).to_host() == std::vector<double>{(1 + 2 + 5 + 6) / 4.0, (3 + 4 + 7 + 9) / 4.0});
  Td dy(1, 2);
  dy.data()[0] = 4;
  dy.data()[1] = -8;
  const std::vector<double> dx = net.backward(dy, Grads{.params = false, .input = true}).to_host();
  CHECK(dx == std::vector<double>{1, 1, -2, -2, 1, 1, -2, -2});
}

namespace {
double at(const Td& t, index_t s, index_t c, index_t y, index_t x, index_t C, index_t H, index_t W) {
  return t.data()[((s * C + c) * H + y) * W + x];
}
}  // namespace

TEST_CASE("Upsample and AvgPool: values equal direct loops (several channels and samples, F = 3)") {
  Rng rng(3);
  const index_t n = 3, C = 2, H = 3, W = 2, F = 3;
  {
    Network<Sequential<Input<2, 3, 2>, Upsample<3>>, Cpu, double> net(rng);
    Td x = gantest::random_tensor(n, C * H * W, rng);
    const auto y = net.forward(x).to_host();
    REQUIRE(y.size() == std::size_t(n * C * H * F * W * F));
    std::size_t k = 0;
    for (index_t s = 0; s < n; ++s)
      for (index_t c = 0; c < C; ++c)
        for (index_t oy = 0; oy < H * F; ++oy)
          for (index_t ox = 0; ox < W * F; ++ox) CHECK(y[k++] == at(x, s, c, oy / F, ox / F, C, H, W));
  }
  {
    const index_t Hi = 6, Wi = 9;
    Network<Sequential<Input<2, 6, 9>, AvgPool<3>>, Cpu, double> net(rng);
    Td x = gantest::random_tensor(n, C * Hi * Wi, rng);
    const auto y = net.forward(x).to_host();
    REQUIRE(y.size() == std::size_t(n * C * 2 * 3));
    std::size_t k = 0;
    for (index_t s = 0; s < n; ++s)
      for (index_t c = 0; c < C; ++c)
        for (index_t oy = 0; oy < 2; ++oy)
          for (index_t ox = 0; ox < 3; ++ox) {
            double acc = 0;
            for (index_t ky = 0; ky < F; ++ky)
              for (index_t kx = 0; kx < F; ++kx) acc += at(x, s, c, oy * F + ky, ox * F + kx, C, Hi, Wi);
            CHECK(y[k++] == doctest::Approx(acc / 9.0).epsilon(1e-12));
          }
  }
}

TEST_CASE("AvgPool after Upsample by the same factor is the identity") {
  Rng rng(5);
  Network<Sequential<Input<3, 4, 5>, Upsample<2>, AvgPool<2>>, Cpu, double> net(rng);
  Td x = gantest::random_tensor(4, 60, rng);
  const auto y = net.forward(x).to_host();
  REQUIRE(y.size() == 240);
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(x.data()[i]).epsilon(1e-14));
}

TEST_CASE("Upsample and AvgPool: gradients, tangent pass and its reverse against central differences") {
  check_layer_gradients<Sequential<Input<2, 3, 3>, Upsample<2>, Tanh, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<2, 4, 6>, AvgPool<2>, Flatten, Dense<3>>>();
  check_layer_gradients<Sequential<Input<1, 2, 3>, Upsample<3>, Sigmoid>>();
  check_layer_gradients<Sequential<Input<2, 6, 3>, AvgPool<3>, Tanh>>();
  check_layer_gradients<Sequential<Input<1, 3, 3>, Upsample<1>, AvgPool<1>, Tanh, Flatten, Dense<1>>>();
  // Around convolutions: a generator-like upsampling block and a critic-like downsampling one.
  check_layer_gradients<Sequential<Input<2, 3, 3>, Upsample<2>, Conv2d<3, 3, 1, 1>, LeakyReLU<>, AvgPool<2>, Flatten,
                                   Dense<2>>>();
  check_layer_gradients<Sequential<Input<1, 6, 6>, Conv2d<2, 3, 1, 1>, Tanh, AvgPool<2>, Conv2d<2, 3>, Flatten, Dense<1>>>();
}

TEST_CASE("Upsample and AvgPool: Dynamic dimensions are given at construction; bad shapes throw") {
  Rng rng(6);
  Network<Sequential<Input<Dynamic, 4, 4>, AvgPool<2>, Upsample<3>, Flatten, Dense<1>>, Cpu, double> net(rng, {3});
  CHECK(net.input_size() == 3 * 16);
  check_layer_gradients<Sequential<Input<Dynamic, 4, 2>, AvgPool<2>, Upsample<2>, Tanh, Flatten, Dense<1>>>({2});
  CHECK_THROWS_AS((Network<Sequential<Input<Dynamic>, AvgPool<2>, Flatten>, Cpu>(rng, {16})), ShapeError);
  CHECK_THROWS_AS((Network<Sequential<Input<Dynamic>, Upsample<2>, Flatten>, Cpu>(rng, {16})), ShapeError);
}
