// BatchNorm2d: per-channel statistics over batch and pixels, running statistics against a hand
// computation, numerical gradient checks in training and eval mode, and its errors.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "gradcheck.hpp"
#include <gan/layers/batch_norm2d.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

static_assert(Sequential<Input<3, 4, 5>, BatchNorm2d>::output_shape == Shape::image(3, 4, 5));
static_assert(Sequential<Input<1, 8, 8>, Conv2d<4, 4, 2, 1>, BatchNorm2d>::output_shape == Shape::image(4, 4, 4));
static_assert(BatchNorm2d::accepts(Shape::image(2, 1, 1)));
static_assert(!BatchNorm2d::accepts(Shape::flat(9)));  // features are not an image: use BatchNorm
static_assert(!BatchNorm2d::Layer<double, Cpu>::per_sample && !BatchNorm2d::Layer<double, Cpu>::has_tangent);
static_assert(!Network<Sequential<Input<2, 3, 3>, Conv2d<2, 3, 1, 1>, BatchNorm2d>, Cpu>::all_tangent());
static_assert(!Network<Sequential<Input<2, 3, 3>, Conv2d<2, 3, 1, 1>, BatchNorm2d>, Cpu>::per_sample());

TEST_CASE("BatchNorm2d: name and per-channel parameters") {
  CHECK(BatchNorm2d::name() == "BatchNorm2d");
  CHECK(BatchNorm2dWith<0.2f>::name() == "BatchNorm2dWith<" + std::to_string(0.2f) + ", " + std::to_string(1e-5f) + ">");
  CHECK(BatchNorm2dWith<0.1f, 1e-3f>::name() != BatchNorm2d::name());
  Rng rng(1);
  Network<Sequential<Input<3, 4, 5>, BatchNorm2d>, Cpu, double> net(rng);
  auto& bn = net.layer<0>();
  for (Td* t : {&bn.gamma, &bn.beta, &bn.running_mean, &bn.running_var}) {
    CHECK(t->rows() == 1);
    CHECK(t->cols() == 3);
  }
  for (double v : bn.gamma.to_host()) CHECK(v == 1.0);
  for (double v : bn.beta.to_host()) CHECK(v == 0.0);
  for (double v : bn.running_mean.to_host()) CHECK(v == 0.0);
  for (double v : bn.running_var.to_host()) CHECK(v == 1.0);
}

TEST_CASE("BatchNorm2d: per-channel mean 0 and variance ~1 over N, H, W; running stats by hand") {
  const index_t n = 3, C = 2, H = 2, W = 3, hw = H * W, m = n * hw;
  Rng rng(2);
  Network<Sequential<Input<2, 2, 3>, BatchNorm2d>, Cpu, double> net(rng);
  Td x(n, C * hw);
  // Channel c has its own offset and scale, so a per-sample or per-feature normalisation would fail.
  for (index_t s = 0; s < n; ++s)
    for (index_t c = 0; c < C; ++c)
      for (index_t p = 0; p < hw; ++p)
        x.data()[(s * C + c) * hw + p] = (c == 0 ? 5.0 : -2.0) + (c == 0 ? 1.0 : 7.0) * std::sin(double(1 + s * 13 + p * 3 + c));
  const auto y = net.forward(x).to_host();
  auto& bn = net.layer<0>();
  const auto rm = bn.running_mean.to_host(), rv = bn.running_var.to_host();
  const double mo = double(0.1f);  // the layer's momentum is a float
  for (index_t c = 0; c < C; ++c) {
    double mx = 0, vx = 0, my = 0, vy = 0;
    for (index_t s = 0; s < n; ++s)
      for (index_t p = 0; p < hw; ++p) {
        mx += x.data()[(s * C + c) * hw + p] / m;
        my += y[std::size_t((s * C + c) * hw + p)] / m;
      }
    for (index_t s = 0; s < n; ++s)
      for (index_t p = 0; p < hw; ++p) {
        const double dx = x.data()[(s * C + c) * hw + p] - mx, dy = y[std::size_t((s * C + c) * hw + p)] - my;
        vx += dx * dx / m;
        vy += dy * dy / m;
      }
    INFO("channel " << c);
    CHECK(std::abs(my) < 1e-12);
    CHECK(vy == doctest::Approx(vx / (vx + double(1e-5f))).epsilon(1e-9));
    CHECK(rm[std::size_t(c)] == doctest::Approx(mo * mx).epsilon(1e-12));
    CHECK(rv[std::size_t(c)] == doctest::Approx((1 - mo) + mo * vx * m / (m - 1)).epsilon(1e-12));  // unbiased
  }
  // Eval uses the running statistics: y = (x - rm) / sqrt(rv + eps).
  net.eval();
  const auto ye = net.forward(x).to_host();
  for (index_t s = 0; s < n; ++s)
    for (index_t c = 0; c < C; ++c)
      for (index_t p = 0; p < hw; ++p) {
        const index_t i = (s * C + c) * hw + p;
        CHECK(ye[std::size_t(i)] ==
              doctest::Approx((x.data()[i] - rm[std::size_t(c)]) / std::sqrt(rv[std::size_t(c)] + double(1e-5f))).epsilon(1e-12));
      }
}

TEST_CASE("BatchNorm2d: a second step moves the running statistics by the momentum") {
  Rng rng(3);
  Network<Sequential<Input<1, 2, 2>, BatchNorm2dWith<0.25f>>, Cpu, double> net(rng);
  Td a, b;
  a.from_host({1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);          // mean 4.5, biased var 5.25
  b.from_host({0, 0, 0, 0, 2, 2, 2, 2}, 2, 4);          // mean 1, biased var 1
  net.forward(a);
  net.forward(b);
  const auto rm = net.layer<0>().running_mean.to_host(), rv = net.layer<0>().running_var.to_host();
  const double mo = double(0.25f);
  CHECK(rm[0] == doctest::Approx((1 - mo) * (mo * 4.5) + mo * 1.0).epsilon(1e-12));
  CHECK(rv[0] == doctest::Approx((1 - mo) * ((1 - mo) + mo * 5.25 * 8 / 7) + mo * 1.0 * 8 / 7).epsilon(1e-12));
}

TEST_CASE("BatchNorm2d in training mode: gradients against central differences") {
  check_layer_gradients<Sequential<Input<3, 4, 4>, BatchNorm2d, Tanh, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<2, 5, 5>, Conv2d<3, 3, 2, 1>, BatchNorm2d, LeakyReLU<>, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<2, 1, 1>, BatchNorm2d, Sigmoid, Flatten, Dense<1>>>();  // 1x1: per feature
  check_layer_gradients<Sequential<Input<1, 3, 2>, Conv2d<2, 1>, BatchNorm2dWith<0.3f, 1e-3f>, Tanh, Conv2d<2, 2>, Flatten, Dense<1>>>();
}

TEST_CASE("BatchNorm2d in eval mode: gradients after the running statistics moved") {
  using Seq = Sequential<Input<2, 3, 3>, Conv2d<3, 2, 1, 1>, BatchNorm2d, Tanh, Flatten, Dense<2>>;
  Rng rng(4);
  Network<Seq, Cpu, double> net(rng);
  Td x = gantest::random_tensor(5, net.input_size(), rng, 2.0);
  for (int i = 0; i < 5; ++i) net.forward(x);  // move the running statistics
  const auto rm = net.layer<1>().running_mean.to_host();
  CHECK(std::abs(rm[0]) + std::abs(rm[1]) + std::abs(rm[2]) > 1e-3);
  net.eval();
  Td w = gantest::random_tensor(5, 2, rng);
  auto loss = [&] { return gantest::dot(w, net.forward(x)); };
  net.zero_grad();
  loss();
  const auto dx = net.backward(w, Grads{.params = true, .input = true}).to_host();
  CHECK(gantest::max_grad_error(x, dx, loss) < 1e-6);
  int k = 0;
  net.visit_params([&](Td& p, Td& g) {
    INFO("parameter " << k++);
    CHECK(gantest::max_grad_error(p, g.to_host(), loss) < 1e-6);
  });
}

TEST_CASE("BatchNorm2d: training needs N*H*W >= 2; eval takes a single 1x1 sample") {
  Rng rng(5);
  Network<Sequential<Input<2, 1, 1>, BatchNorm2d>, Cpu, double> net(rng);
  Td one = gantest::random_tensor(1, 2, rng);
  CHECK_THROWS_AS(net.forward(one), ShapeError);
  net.eval();
  CHECK_NOTHROW(net.forward(one));
  // One sample of 2x2 pixels is 4 values per channel: enough.
  Network<Sequential<Input<2, 2, 2>, BatchNorm2d>, Cpu, double> img(rng);
  Td x = gantest::random_tensor(1, 8, rng);
  CHECK_NOTHROW(img.forward(x));
}

TEST_CASE("BatchNorm2d: no allocation after the first step for a fixed batch") {
  Rng rng(6);
  Network<Sequential<Input<2, 4, 4>, BatchNorm2d, Tanh, Flatten, Dense<1>>, Cpu> net(rng);
  Tensor<float, Cpu> x(5, 32), w(5, 1);
  ops::fill_normal(x, rng);
  ops::fill_normal(w, rng);
  net.forward(x);
  net.backward(w, Grads{.params = true, .input = true});
  const float* p0 = net.layer<0>().part.data();
  for (int k = 0; k < 3; ++k) {
    net.forward(x);
    net.backward(w, Grads{.params = true, .input = true});
  }
  CHECK(net.layer<0>().part.data() == p0);
}
