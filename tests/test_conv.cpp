// Conv2d: shapes at compile time, values against a direct convolution loop, numerical gradient
// checks (backward, tangent and its reverse), and the exact parameter gradient of a gradient
// penalty on a convolutional critic.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"
#include <gan/layers/conv2d.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

// The DCGAN critic's first layer: 1x28x28 -> 64x14x14.
static_assert(Sequential<Input<1, 28, 28>, Conv2d<64, 4, 2, 1>>::output_shape == Shape::image(64, 14, 14));
static_assert(Sequential<Input<3, 7, 9>, Conv2d<5, 3>>::output_shape == Shape::image(5, 5, 7));
static_assert(Sequential<Input<2, 6, 6>, Conv2d<3, 3, 2, 1>, Conv2d<4, 1>>::output_shape == Shape::image(4, 3, 3));
static_assert(Conv2d<2, 3>::output_shape(Shape::image(1, Dynamic, 5)) == Shape::image(2, Dynamic, 3));
static_assert(Conv2d<2, 5>::accepts(Shape::image(1, 5, 5)));
static_assert(!Conv2d<2, 5>::accepts(Shape::image(1, 4, 5)));    // no room for one kernel
static_assert(Conv2d<2, 5, 1, 1>::accepts(Shape::image(1, 3, 3)));  // padding makes room
static_assert(!Conv2d<2, 3>::accepts(Shape::flat(9)));            // features are not an image
static_assert(Network<Sequential<Input<2, 5, 5>, Conv2d<3, 3>>, Cpu>::all_tangent());
static_assert(Network<Sequential<Input<2, 5, 5>, Conv2d<3, 3>>, Cpu>::per_sample());

TEST_CASE("Conv2d: name, parameter shapes and PyTorch's initialisation bound") {
  CHECK(Conv2d<64, 4, 2, 1>::name() == "Conv2d<64, 4, 2, 1>");
  CHECK(Conv2d<8, 3>::name() == "Conv2d<8, 3, 1, 0>");
  Rng rng(2);
  Network<Sequential<Input<3, 8, 8>, Conv2d<16, 3, 1, 1>>, Cpu, double> net(rng);
  auto& conv = net.layer<0>();
  CHECK(conv.W.rows() == 16);
  CHECK(conv.W.cols() == 27);
  CHECK(conv.b.cols() == 16);
  const double bound = 1.0 / std::sqrt(27.0);
  double lo = 1, hi = -1;
  for (double v : conv.W.to_host()) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo >= -bound);
  CHECK(hi <= bound);
  CHECK(hi - lo > bound);  // spread over the range, not all zero
  for (double v : conv.b.to_host()) CHECK(std::abs(v) <= bound);
}

namespace {
/// y by the definition: a direct loop over outputs, channels and kernel positions.
template <class Layer>
std::vector<double> direct_conv(const Layer& L, const Td& x, index_t C, index_t H, index_t W, index_t O, index_t K,
                                index_t S, index_t P) {
  const index_t Ho = (H + 2 * P - K) / S + 1, Wo = (W + 2 * P - K) / S + 1;
  std::vector<double> y;
  for (index_t s = 0; s < x.rows(); ++s)
    for (index_t o = 0; o < O; ++o)
      for (index_t oy = 0; oy < Ho; ++oy)
        for (index_t ox = 0; ox < Wo; ++ox) {
          double acc = L.b.data()[o];
          for (index_t c = 0; c < C; ++c)
            for (index_t ky = 0; ky < K; ++ky)
              for (index_t kx = 0; kx < K; ++kx) {
                const index_t iy = oy * S - P + ky, ix = ox * S - P + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += L.W.data()[((o * C + c) * K + ky) * K + kx] * x.data()[((s * C + c) * H + iy) * W + ix];
              }
          y.push_back(acc);
        }
  return y;
}
}  // namespace

TEST_CASE("Conv2d: values equal a direct convolution (stride, padding, non-square images)") {
  Rng rng(4);
  {
    Network<Sequential<Input<2, 5, 6>, Conv2d<3, 3, 2, 1>>, Cpu, double> net(rng);
    CHECK(net.output_size() == 3 * 3 * 3);
    Td x = gantest::random_tensor(4, 60, rng);
    const auto y = net.forward(x).to_host();
    const auto ref = direct_conv(net.layer<0>(), x, 2, 5, 6, 3, 3, 2, 1);
    REQUIRE(y.size() == ref.size());
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-12));
  }
  {
    Network<Sequential<Input<3, 7, 5>, Conv2d<2, 4, 3, 2>>, Cpu, double> net(rng);
    Td x = gantest::random_tensor(3, 105, rng);
    const auto y = net.forward(x).to_host();
    const auto ref = direct_conv(net.layer<0>(), x, 3, 7, 5, 2, 4, 3, 2);
    REQUIRE(y.size() == ref.size());
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-12));
  }
}

TEST_CASE("Conv2d: gradients, tangent pass and its reverse against central differences") {
  check_layer_gradients<Sequential<Input<2, 5, 5>, Conv2d<3, 3, 1, 1>, Tanh, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<1, 6, 6>, Conv2d<2, 4, 2, 1>>>();
  check_layer_gradients<Sequential<Input<2, 7, 7>, Conv2d<3, 3, 2, 0>>>();     // stride 2, no padding
  check_layer_gradients<Sequential<Input<3, 4, 5>, Conv2d<2, 1>, Sigmoid>>();  // K = 1: a per-pixel Dense
  check_layer_gradients<Sequential<Input<2, 5, 4>, Conv2d<2, 2, 3, 2>>>();     // stride > kernel: skipped pixels
  check_layer_gradients<Sequential<Input<1, 6, 6>, Conv2d<3, 3, 1, 1>, LeakyReLU<>, Conv2d<2, 3, 2, 1>, Flatten, Dense<1>>>();
}

TEST_CASE("Conv2d: a Dynamic channel count is given at construction; a flat input is refused") {
  Rng rng(6);
  Network<Sequential<Input<Dynamic, 6, 6>, Conv2d<2, 3>, Flatten, Dense<1>>, Cpu, double> net(rng, {3});
  CHECK(net.input_size() == 3 * 36);
  CHECK(net.layer<0>().W.cols() == 27);
  check_layer_gradients<Sequential<Input<Dynamic, 5, 5>, Conv2d<2, 3, 2, 1>, Tanh, Flatten, Dense<1>>>({2});
  CHECK_THROWS_AS((Network<Sequential<Input<Dynamic>, Conv2d<2, 3>, Flatten>, Cpu>(rng, {9})), ShapeError);
}

TEST_CASE("Conv2d: no allocation after the first step for a fixed batch") {
  Rng rng(8);
  Network<Sequential<Input<2, 6, 6>, Conv2d<3, 3, 2, 1>, Tanh, Flatten, Dense<1>>, Cpu> net(rng);
  Tensor<float, Cpu> x(5, 72), xt(5, 72), w(5, 1);
  ops::fill_normal(x, rng);
  ops::fill_normal(xt, rng);
  ops::fill_normal(w, rng);
  auto& conv = net.layer<0>();
  net.forward_tangent(x, xt);
  net.backward_tangent(w, w, Grads{.params = true, .input = true});
  const float *c0 = conv.cols.data(), *r0 = conv.rows.data();
  for (int k = 0; k < 3; ++k) {
    net.forward(x);
    net.backward(w, Grads{.params = true, .input = true});
    net.forward_tangent(x, xt);
    net.backward_tangent(w, w, Grads{.params = true, .input = true});
  }
  CHECK(conv.cols.data() == c0);
  CHECK(conv.rows.data() == r0);
}

TEST_CASE("WGAN-GP on a convolutional critic: the exact parameter gradient") {
  using Critic = Sequential<Input<2, 5, 5>, Conv2d<3, 3, 2, 1>, Tanh, Conv2d<2, 2>, LeakyReLU<>, Flatten, Dense<1>>;
  const GradientPenalty cfg{.lambda = 10.0};
  Rng init(21);
  Network<Critic, Cpu, double> d(init);
  const index_t n = 5, f = d.input_size();
  Td real = gantest::random_tensor(n, f, init), fake = gantest::random_tensor(n, f, init);

  GradientPenalty::State<double, Cpu> st;
  Rng rng(5), rng_copy(5);
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, fake, rng);
  Td at = real, eps(n, 1);  // the interpolates of the same draw
  ops::fill_uniform(eps, rng_copy);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < f; ++j)
      at.data()[i * f + j] = eps.data()[i] * real.data()[i * f + j] + (1 - eps.data()[i]) * fake.data()[i * f + j];
  auto phi = [&](double nrm) { return cfg.lambda * (nrm - 1) * (nrm - 1); };
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, at, nullptr, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  REQUIRE(grads.size() == 6);
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    INFO("parameter " << k << " of " << Critic::describe());
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, at, nullptr, phi); }) < 1e-6);
  });
}
