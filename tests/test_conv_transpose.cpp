// ConvTranspose2d: shapes at compile time, values against the definition (each input value spreads
// a weighted kernel into the output), the adjoint identity with Conv2d, numerical gradient checks
// (backward, tangent and its reverse) and no allocation after the first step.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"
#include <gan/layers/conv2d.hpp>
#include <gan/layers/conv_transpose2d.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

// DCGAN's generator: 128x7x7 -> 64x14x14 -> 1x28x28.
static_assert(Sequential<Input<128, 7, 7>, ConvTranspose2d<64, 4, 2, 1>, ConvTranspose2d<1, 4, 2, 1>>::output_shape ==
              Shape::image(1, 28, 28));
static_assert(Sequential<Input<3, 5, 4>, ConvTranspose2d<2, 3>>::output_shape == Shape::image(2, 7, 6));
static_assert(ConvTranspose2d<2, 3, 2, 1>::output_shape(Shape::image(1, Dynamic, 4)) == Shape::image(2, Dynamic, 7));
static_assert(ConvTranspose2d<2, 1, 1, 0>::accepts(Shape::image(1, 1, 1)));
static_assert(!ConvTranspose2d<2, 2, 1, 1>::accepts(Shape::image(1, 1, 1)));  // (1-1)*1 - 2 + 2 = 0 rows
static_assert(!ConvTranspose2d<2, 3>::accepts(Shape::flat(9)));
static_assert(Network<Sequential<Input<2, 3, 3>, ConvTranspose2d<3, 3, 2, 1>>, Cpu>::all_tangent());

TEST_CASE("ConvTranspose2d: name, parameter shapes and PyTorch's initialisation bound") {
  CHECK(ConvTranspose2d<64, 4, 2, 1>::name() == "ConvTranspose2d<64, 4, 2, 1>");
  Rng rng(2);
  Network<Sequential<Input<3, 4, 4>, ConvTranspose2d<5, 3, 2, 1>>, Cpu, double> net(rng);
  auto& L = net.layer<0>();
  CHECK(L.W.rows() == 3);
  CHECK(L.W.cols() == 5 * 9);
  CHECK(L.b.cols() == 5);
  const double bound = 1.0 / std::sqrt(45.0);
  double lo = 1, hi = -1;
  for (double v : L.W.to_host()) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo >= -bound);
  CHECK(hi <= bound);
  CHECK(hi - lo > bound);
}

namespace {
/// y by the definition: every input value adds W[c, o, ky, kx] x to output (iy*S - P + ky, ix*S - P + kx).
template <class Layer>
std::vector<double> direct_conv_transpose(const Layer& L, const Td& x, index_t C, index_t H, index_t W, index_t O,
                                          index_t K, index_t S, index_t P) {
  const index_t Ho = (H - 1) * S - 2 * P + K, Wo = (W - 1) * S - 2 * P + K;
  std::vector<double> y(std::size_t(x.rows() * O * Ho * Wo));
  for (index_t s = 0; s < x.rows(); ++s)
    for (index_t o = 0; o < O; ++o)
      for (index_t p = 0; p < Ho * Wo; ++p) y[std::size_t((s * O + o) * Ho * Wo + p)] = L.b.data()[o];
  for (index_t s = 0; s < x.rows(); ++s)
    for (index_t c = 0; c < C; ++c)
      for (index_t iy = 0; iy < H; ++iy)
        for (index_t ix = 0; ix < W; ++ix)
          for (index_t o = 0; o < O; ++o)
            for (index_t ky = 0; ky < K; ++ky)
              for (index_t kx = 0; kx < K; ++kx) {
                const index_t oy = iy * S - P + ky, ox = ix * S - P + kx;
                if (oy < 0 || oy >= Ho || ox < 0 || ox >= Wo) continue;
                y[std::size_t(((s * O + o) * Ho + oy) * Wo + ox)] +=
                    L.W.data()[((c * O + o) * K + ky) * K + kx] * x.data()[((s * C + c) * H + iy) * W + ix];
              }
  return y;
}
}  // namespace

TEST_CASE("ConvTranspose2d: values equal the definition (stride, padding, non-square images)") {
  Rng rng(4);
  {
    Network<Sequential<Input<2, 3, 4>, ConvTranspose2d<3, 4, 2, 1>>, Cpu, double> net(rng);
    CHECK(net.output_shape() == Shape::image(3, 6, 8));
    Td x = gantest::random_tensor(4, 24, rng);
    const auto y = net.forward(x).to_host();
    const auto ref = direct_conv_transpose(net.layer<0>(), x, 2, 3, 4, 3, 4, 2, 1);
    REQUIRE(y.size() == ref.size());
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-12));
  }
  {
    Network<Sequential<Input<3, 2, 3>, ConvTranspose2d<2, 2, 3, 0>>, Cpu, double> net(rng);  // stride > K: gaps
    Td x = gantest::random_tensor(3, 18, rng);
    const auto y = net.forward(x).to_host();
    const auto ref = direct_conv_transpose(net.layer<0>(), x, 3, 2, 3, 2, 2, 3, 0);
    REQUIRE(y.size() == ref.size());
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-12));
  }
}

TEST_CASE("ConvTranspose2d is the adjoint of Conv2d: <convT(x), y> = <x, conv(y)> with shared weights") {
  Rng rng(9);
  Network<Sequential<Input<3, 5, 5>, ConvTranspose2d<2, 4, 2, 1>>, Cpu, double> up(rng);    // 3x5x5 -> 2x10x10
  Network<Sequential<Input<2, 10, 10>, Conv2d<3, 4, 2, 1>>, Cpu, double> down(rng);         // 2x10x10 -> 3x5x5
  // Conv2d's W is (3, 2*4*4) as (o, c, ky, kx); ConvTranspose2d's is (3, 2*4*4) as (c, o, ky, kx): the same.
  down.layer<0>().W = up.layer<0>().W;
  ops::fill(up.layer<0>().b, 0.0);
  ops::fill(down.layer<0>().b, 0.0);
  Td x = gantest::random_tensor(2, 75, rng), y = gantest::random_tensor(2, 200, rng);
  const auto ux = up.forward(x).to_host();
  const auto dy = down.forward(y).to_host();
  double lhs = 0, rhs = 0;
  for (std::size_t i = 0; i < ux.size(); ++i) lhs += ux[i] * y.data()[i];
  for (std::size_t i = 0; i < dy.size(); ++i) rhs += x.data()[i] * dy[i];
  CHECK(lhs == doctest::Approx(rhs).epsilon(1e-12));
}

TEST_CASE("ConvTranspose2d: gradients, tangent pass and its reverse against central differences") {
  check_layer_gradients<Sequential<Input<2, 3, 3>, ConvTranspose2d<3, 4, 2, 1>, Tanh, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<2, 3, 2>, ConvTranspose2d<2, 3>>>();            // stride 1, no padding
  check_layer_gradients<Sequential<Input<1, 2, 3>, ConvTranspose2d<2, 2, 3, 0>>>();      // stride > kernel
  check_layer_gradients<Sequential<Input<3, 3, 3>, ConvTranspose2d<2, 1>, Sigmoid>>();   // K = 1: a per-pixel Dense
  check_layer_gradients<Sequential<Input<4>, Dense<18>, Reshape<2, 3, 3>, ConvTranspose2d<2, 4, 2, 1>, LeakyReLU<>,
                                   ConvTranspose2d<1, 3, 1, 1>, Flatten, Dense<1>>>();
  check_layer_gradients<Sequential<Input<Dynamic, 3, 3>, ConvTranspose2d<2, 3, 2, 1>, Flatten, Dense<1>>>({2});
}

TEST_CASE("ConvTranspose2d: no allocation after the first step for a fixed batch") {
  Rng rng(8);
  Network<Sequential<Input<2, 3, 3>, ConvTranspose2d<3, 4, 2, 1>, Tanh, Flatten, Dense<1>>, Cpu> net(rng);
  Tensor<float, Cpu> x(5, 18), xt(5, 18), w(5, 1);
  ops::fill_normal(x, rng);
  ops::fill_normal(xt, rng);
  ops::fill_normal(w, rng);
  auto& L = net.layer<0>();
  net.forward_tangent(x, xt);
  net.backward_tangent(w, w, Grads{.params = true, .input = true});
  const float *c0 = L.cols.data(), *r0 = L.xr.data(), *p0 = L.part.data();
  for (int k = 0; k < 3; ++k) {
    net.forward(x);
    net.backward(w, Grads{.params = true, .input = true});
    net.forward_tangent(x, xt);
    net.backward_tangent(w, w, Grads{.params = true, .input = true});
  }
  CHECK(L.cols.data() == c0);
  CHECK(L.xr.data() == r0);
  CHECK(L.part.data() == p0);
}
