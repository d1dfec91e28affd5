// SpectralNorm and MinibatchStdDev: shapes and traits at compile time; the power iteration against
// Eigen's SVD; numerical gradient checks (backward, tangent and its reverse) with u, v held fixed,
// and proof that the sigma term of SpectralNorm's gradient is needed; the minibatch standard
// deviation by hand, its batch-size error, and exact gradient penalties on critics with either
// layer; u and v through a checkpoint.
// GCC 12 warns "'__Y' may be used uninitialized" inside its own avx512fintrin.h when Eigen's
// double-precision SVD and products are compiled with -march=native (GCC bug 105593, fixed in
// GCC 13): a false positive in the compiler's headers, silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>
#include <filesystem>
#include <vector>

#include "gradcheck.hpp"
#include <gan/layers/minibatch_stddev.hpp>
#include <gan/layers/spectral_norm.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

namespace {
using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
Mat as_matrix(const Td& t) { return Eigen::Map<const Mat>(t.data(), t.rows(), t.cols()); }
double spectral_norm(const Td& t) { return Eigen::JacobiSVD<Mat>(as_matrix(t)).singularValues()(0); }
}  // namespace

// ---- SpectralNorm: the spec forwards the wrapped layer's shapes and traits ---------------------
static_assert(Sequential<Input<7>, SpectralNorm<Dense<64>>>::output_shape == Shape::flat(64));
static_assert(Sequential<Input<1, 28, 28>, SpectralNorm<Conv2d<64, 4, 2, 1>>>::output_shape == Shape::image(64, 14, 14));
static_assert(!SpectralNorm<Conv2d<2, 5>>::accepts(Shape::image(1, 4, 5)));  // Conv2d's own check
static_assert(!SpectralNorm<Conv2d<2, 3>>::accepts(Shape::flat(9)));
static_assert(SpectralNorm<Dense<Dynamic>>::takes_runtime_size && !SpectralNorm<Dense<3>>::takes_runtime_size);
static_assert(SpectralNorm<Projection<3>>::uses_condition);
static_assert(SpectralNorm<Dense<4>>::Layer<double, Cpu>::per_sample && SpectralNorm<Dense<4>>::Layer<double, Cpu>::has_tangent);
static_assert(Network<Sequential<Input<2, 5, 5>, SpectralNorm<Conv2d<3, 3>>, Flatten, SpectralNorm<Dense<1>>>, Cpu>::all_tangent());
static_assert(Network<Sequential<Input<2, 5, 5>, SpectralNorm<Conv2d<3, 3>>, Flatten, SpectralNorm<Dense<1>>>, Cpu>::per_sample());

TEST_CASE("SpectralNorm: name, the trained W in place of the wrapped weight, u and v as state") {
  CHECK(SpectralNorm<Dense<64>>::name() == "SpectralNorm<Dense<64>>");
  CHECK(SpectralNorm<Conv2d<8, 3, 1, 1>>::name() == "SpectralNorm<Conv2d<8, 3, 1, 1>>");
  Rng a(3), b(3);
  Network<Sequential<Input<5>, SpectralNorm<Dense<4>>>, Cpu, double> sn(a);
  Network<Sequential<Input<5>, Dense<4>>, Cpu, double> plain(b);
  auto& l = sn.layer<0>();
  // The wrapped layer draws its weight first, from the same generator: W is Dense's W.
  CHECK(l.W.to_host() == plain.layer<0>().W.to_host());
  CHECK(l.inner.b.to_host() == plain.layer<0>().b.to_host());
  CHECK(l.u.cols() == 4);
  CHECK(l.v.cols() == 5);
  for (const Td* t : {&l.u, &l.v}) CHECK(gantest::dot(*t, *t) == doctest::Approx(1.0).epsilon(1e-12));
  std::vector<const Td*> params, states;
  sn.visit_params([&](Td& p, Td&) { params.push_back(&p); });
  sn.visit_buffers([&](Td& s) { states.push_back(&s); });
  REQUIRE(params.size() == 2);
  CHECK(params[0] == &l.W);  // not the wrapped layer's W (W_sn)
  CHECK(params[1] == &l.inner.b);
  REQUIRE(states.size() == 2);
  CHECK(states[0] == &l.u);
  CHECK(states[1] == &l.v);
  std::vector<std::string> names;
  sn.visit_named([&](const std::string& n, Td&) { names.push_back(n); });
  CHECK(names == std::vector<std::string>{"1:SpectralNorm<Dense<4>>.param0", "1:SpectralNorm<Dense<4>>.param1",
                                          "1:SpectralNorm<Dense<4>>.state0", "1:SpectralNorm<Dense<4>>.state1"});

  // y = x (W / sigma)^T + b: the plain layer with its weight divided by the sigma of the pass.
  Td x = gantest::random_tensor(3, 5, a);
  const auto y = sn.forward(x).to_host();
  const double sigma = l.sigma_value();
  double* pw = plain.layer<0>().W.data();
  for (index_t i = 0; i < plain.layer<0>().W.size(); ++i) pw[i] /= sigma;
  const auto ref = plain.forward(x).to_host();
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-12));
}

TEST_CASE("SpectralNorm: one power step per training forward; eval, reuse_noise and tangent passes keep u, v") {
  Rng rng(5);
  Network<Sequential<Input<6>, SpectralNorm<Dense<4>>>, Cpu, double> net(rng);
  auto& l = net.layer<0>();
  const std::vector<double> W = l.W.to_host(), u0 = l.u.to_host();  // W (4, 6)
  Td x = gantest::random_tensor(2, 6, rng), xt = gantest::random_tensor(2, 6, rng);
  net.forward(x);
  // By hand: v = W^T u / |W^T u|, u = W v / |W v|, sigma = u^T W v.
  auto normalized = [](std::vector<double> a) {
    double s = 0;
    for (double e : a) s += e * e;
    for (double& e : a) e /= std::sqrt(s);
    return a;
  };
  std::vector<double> v1(6, 0.0), u1(4, 0.0);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) v1[j] += W[i * 6 + j] * u0[i];
  v1 = normalized(v1);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) u1[i] += W[i * 6 + j] * v1[j];
  u1 = normalized(u1);
  double sigma = 0;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) sigma += u1[i] * W[i * 6 + j] * v1[j];
  const auto u = l.u.to_host(), v = l.v.to_host();
  for (std::size_t i = 0; i < 4; ++i) CHECK(u[i] == doctest::Approx(u1[i]).epsilon(1e-12));
  for (std::size_t j = 0; j < 6; ++j) CHECK(v[j] == doctest::Approx(v1[j]).epsilon(1e-12));
  CHECK(l.sigma_value() == doctest::Approx(sigma).epsilon(1e-12));

  auto unchanged = [&](const char* what) {
    INFO(what);
    CHECK(l.u.to_host() == u);
    CHECK(l.v.to_host() == v);
  };
  net.forward_tangent(x, xt);
  unchanged("forward_tangent");
  net.context().reuse_noise = true;
  net.forward(x);
  unchanged("reuse_noise");
  net.context().reuse_noise = false;
  net.eval();
  net.forward(x);
  unchanged("eval");
  net.train();
  net.forward(x);
  CHECK(l.u.to_host() != u);  // training moves them again
}

TEST_CASE("SpectralNorm: sigma converges to the largest singular value; W_sn has spectral norm 1") {
  Rng rng(7);
  {
    Network<Sequential<Input<5>, SpectralNorm<Dense<8>>>, Cpu, double> net(rng);
    auto& l = net.layer<0>();
    Td x = gantest::random_tensor(2, 5, rng);
    const Eigen::JacobiSVD<Mat> svd(as_matrix(l.W), Eigen::ComputeThinU | Eigen::ComputeThinV);
    const auto s = svd.singularValues();
    INFO("singular values " << s.transpose());
    REQUIRE(s(1) < 0.95 * s(0));  // a gap, so that 300 steps converge far below the tolerance
    for (int k = 0; k < 300; ++k) net.forward(x);
    CHECK(l.sigma_value() == doctest::Approx(s(0)).epsilon(1e-10));
    CHECK(spectral_norm(l.inner.W) == doctest::Approx(1.0).epsilon(1e-10));
    // u and v are the top singular vectors (up to a common sign).
    double cu = 0, cv = 0;
    for (index_t i = 0; i < 8; ++i) cu += l.u.data()[i] * svd.matrixU()(i, 0);
    for (index_t j = 0; j < 5; ++j) cv += l.v.data()[j] * svd.matrixV()(j, 0);
    CHECK(std::abs(cu) == doctest::Approx(1.0).epsilon(1e-8));
    CHECK(cu * cv > 0);
  }
  {  // A convolution's weight, read as stored: (OutC, C*K*K).
    Network<Sequential<Input<3, 6, 6>, SpectralNorm<Conv2d<4, 3, 1, 1>>>, Cpu, double> net(rng);
    auto& l = net.layer<0>();
    CHECK(l.u.cols() == 4);
    CHECK(l.v.cols() == 27);
    Td x = gantest::random_tensor(2, 108, rng);
    const auto s = Eigen::JacobiSVD<Mat>(as_matrix(l.W)).singularValues();
    INFO("singular values " << s.transpose());
    REQUIRE(s(1) < 0.95 * s(0));
    for (int k = 0; k < 300; ++k) net.forward(x);
    CHECK(l.sigma_value() == doctest::Approx(s(0)).epsilon(1e-10));
    CHECK(spectral_norm(l.inner.W) == doctest::Approx(1.0).epsilon(1e-10));
  }
}

TEST_CASE("SpectralNorm: gradients, tangent pass and its reverse against central differences (u, v fixed)") {
  // check_layer_gradients runs one training forward (a power step), then sets reuse_noise: every
  // later pass, and so the function differentiated, uses those u and v.
  check_layer_gradients<Sequential<Input<5>, SpectralNorm<Dense<4>>, Tanh, Dense<2>>>();
  check_layer_gradients<Sequential<Input<4>, SpectralNorm<Dense<6>>, LeakyReLU<>, SpectralNorm<Dense<3>>>>();
  check_layer_gradients<Sequential<Input<2, 5, 5>, SpectralNorm<Conv2d<3, 3, 2, 1>>, Tanh, Flatten, SpectralNorm<Dense<2>>>>();
  check_layer_gradients<Sequential<Input<Dynamic>, SpectralNorm<Dense<Dynamic>>, Sigmoid>>({4, 3});
  check_layer_gradients<Sequential<Input<5>, SpectralNorm<Dense<6>>, Tanh, SpectralNorm<Projection<3>>>>({}, 3);
  check_layer_gradients<Sequential<Input<6>, Residual<Chain<SpectralNorm<Dense<6>>, LayerNorm, Tanh>>, Dense<1>>>();
}

TEST_CASE("SpectralNorm: the sigma term of the gradient is needed (G / sigma alone is wrong)") {
  Rng rng(9);
  Network<Sequential<Input<5>, SpectralNorm<Dense<4>>, Tanh, Dense<2>>, Cpu, double> net(rng);
  Td x = gantest::random_tensor(6, 5, rng), w = gantest::random_tensor(6, 2, rng);
  net.forward(x);
  net.context().reuse_noise = true;  // u, v fixed from here on
  auto loss = [&] { return gantest::dot(w, net.forward(x)); };
  net.zero_grad();
  loss();
  net.backward(w);
  auto& l = net.layer<0>();
  const double sigma = l.sigma_value();
  std::vector<double> naive = l.inner.dW.to_host();  // G = dL/dW_sn of this pass
  for (double& g : naive) g /= sigma;
  CHECK(gantest::max_grad_error(l.W, l.dW.to_host(), loss) < 1e-6);
  CHECK(gantest::max_grad_error(l.W, naive, loss) > 1e-3);

  // Accumulation: a second backward adds the same gradient again (the wrapped layer's G is
  // cleared before each of its passes, never carried over).
  const auto once = l.dW.to_host();
  loss();
  net.backward(w);
  const auto twice = l.dW.to_host();
  for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == doctest::Approx(2 * once[i]).epsilon(1e-12));
}

TEST_CASE("WGAN-GP on a spectrally normalised convolutional critic: the exact parameter gradient") {
  using Critic = Sequential<Input<2, 5, 5>, SpectralNorm<Conv2d<3, 3, 2, 1>>, LeakyReLU<>, Flatten, SpectralNorm<Dense<1>>>;
  const GradientPenalty cfg{.lambda = 10.0};
  Rng init(21);
  Network<Critic, Cpu, double> d(init);
  const index_t n = 4, f = d.input_size();
  Td real = gantest::random_tensor(n, f, init), fake = gantest::random_tensor(n, f, init);
  d.forward(real);                 // one power step ...
  d.context().reuse_noise = true;  // ... then u, v fixed, for the penalty and its numerical check

  GradientPenalty::State<double, Cpu> st;
  Rng rng(5), rng_copy(5);
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, fake, rng);
  Td at = real, eps(n, 1);
  ops::fill_uniform(eps, rng_copy);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < f; ++j)
      at.data()[i * f + j] = eps.data()[i] * real.data()[i * f + j] + (1 - eps.data()[i]) * fake.data()[i * f + j];
  auto phi = [&](double nrm) { return cfg.lambda * (nrm - 1) * (nrm - 1); };
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, at, nullptr, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  REQUIRE(grads.size() == 4);
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    INFO("parameter " << k << " of " << Critic::describe());
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, at, nullptr, phi); }) < 1e-6);
  });
}

TEST_CASE("SpectralNorm: u and v are saved in a checkpoint and training resumes bit-identically") {
  using G = Sequential<Input<2>, Dense<16>, ReLU, Dense<2>>;
  using D = Sequential<Input<2>, SpectralNorm<Dense<16>>, LeakyReLU<>, SpectralNorm<Dense<1>>>;
  auto make = [](Network<G, Cpu>& g, Network<D, Cpu>& d) {
    return Trainer(g, d, Objective<Hinge>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                   TrainerOptions{.batch = 32, .seed = 4});
  };
  const data::RingOfGaussians ring;
  const std::string path = (std::filesystem::temp_directory_path() / "gan_test_sn.ckpt").string();
  Rng i1(4);
  Network<G, Cpu> g1(i1);
  Network<D, Cpu> d1(i1);
  auto t1 = make(g1, d1);
  std::vector<float> straight;
  for (int i = 0; i < 10; ++i) straight.push_back(t1.step(ring).d_loss);
  std::vector<float> u5, v5;
  {
    Rng i2(4);
    Network<G, Cpu> g2(i2);
    Network<D, Cpu> d2(i2);
    auto t2 = make(g2, d2);
    for (int i = 0; i < 5; ++i) t2.step(ring);
    u5 = d2.layer<0>().u.to_host();
    v5 = d2.layer<0>().v.to_host();
    save_checkpoint(t2, path);
  }
  Rng i3(77);  // another seed: other weights and another u
  Network<G, Cpu> g3(i3);
  Network<D, Cpu> d3(i3);
  auto t3 = make(g3, d3);
  CHECK(d3.layer<0>().u.to_host() != u5);
  load_checkpoint(t3, path);
  CHECK(d3.layer<0>().u.to_host() == u5);
  CHECK(d3.layer<0>().v.to_host() == v5);
  std::vector<float> resumed(straight.begin(), straight.begin() + 5);
  for (int i = 0; i < 5; ++i) resumed.push_back(t3.step(ring).d_loss);
  CHECK(resumed == straight);
  CHECK(d3.layer<2>().u.to_host() == d1.layer<2>().u.to_host());
  std::filesystem::remove(path);
}

// ---- MinibatchStdDev ---------------------------------------------------------------------------
static_assert(Sequential<Input<3, 4, 4>, MinibatchStdDev<>>::output_shape == Shape::image(4, 4, 4));
static_assert(Sequential<Input<5>, MinibatchStdDev<2>>::output_shape == Shape::flat(6));
static_assert(MinibatchStdDev<>::output_shape(Shape::image(Dynamic, 4, 4)) == Shape::image(Dynamic, 4, 4));
static_assert(!MinibatchStdDev<>::Layer<double, Cpu>::per_sample && MinibatchStdDev<>::Layer<double, Cpu>::has_tangent);
// A critic with it runs real and fake batches in separate passes, and may carry a gradient penalty.
static_assert(!Network<Sequential<Input<2, 4, 4>, MinibatchStdDev<>, Flatten, Dense<1>>, Cpu>::per_sample());
static_assert(Network<Sequential<Input<2, 4, 4>, MinibatchStdDev<>, Flatten, Dense<1>>, Cpu>::all_tangent());

TEST_CASE("MinibatchStdDev: name and values by hand") {
  CHECK(MinibatchStdDev<>::name() == "MinibatchStdDev<4>");
  CHECK(MinibatchStdDev<2>::name() == "MinibatchStdDev<2>");
  const index_t n = 4, C = 2, HW = 3, f = C * HW, g = 2;
  Rng rng(1);
  Network<Sequential<Input<2, 1, 3>, MinibatchStdDev<2>>, Cpu, double> net(rng);
  CHECK(net.output_shape() == Shape::image(3, 1, 3));
  Td x = gantest::random_tensor(n, f, rng);
  const auto y = net.forward(x).to_host();
  for (index_t q = 0; q < n / g; ++q) {
    double s = 0;
    for (index_t j = 0; j < f; ++j) {
      double m = 0, v = 0;
      for (index_t k = 0; k < g; ++k) m += x.data()[(q * g + k) * f + j] / g;
      for (index_t k = 0; k < g; ++k) v += std::pow(x.data()[(q * g + k) * f + j] - m, 2) / g;
      s += std::sqrt(v + 1e-8) / f;
    }
    for (index_t k = 0; k < g; ++k) {
      const index_t i = q * g + k;
      for (index_t j = 0; j < f; ++j) CHECK(y[std::size_t(i * (f + HW) + j)] == x.data()[i * f + j]);
      for (index_t p = 0; p < HW; ++p) CHECK(y[std::size_t(i * (f + HW) + f + p)] == doctest::Approx(s).epsilon(1e-12));
    }
  }
  // Two equal samples have no spread: sqrt(1e-8).
  Td same(2, f);
  ops::fill(same, 0.5);
  const auto z = net.forward(same).to_host();
  CHECK(z[std::size_t(f)] == doctest::Approx(1e-4).epsilon(1e-9));
}

TEST_CASE("MinibatchStdDev: gradients, tangent pass and its reverse against central differences") {
  // check_layer_gradients uses a batch of 6: groups of 2 and 3, one group of 6, and Group 8 > 6
  // (one group of the whole batch).
  check_layer_gradients<Sequential<Input<2, 3, 3>, MinibatchStdDev<2>, Conv2d<2, 3, 1, 1>, Tanh, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<2, 3, 3>, MinibatchStdDev<3>, Flatten, Dense<2>>>();
  check_layer_gradients<Sequential<Input<1, 4, 4>, Conv2d<2, 3, 1, 1>, LeakyReLU<>, MinibatchStdDev<6>, Conv2d<2, 4>, Flatten, Dense<1>>>();
  check_layer_gradients<Sequential<Input<4>, Dense<5>, Tanh, MinibatchStdDev<8>, Dense<2>>>();
  check_layer_gradients<Sequential<Input<3>, MinibatchStdDev<2>>>();
}

TEST_CASE("MinibatchStdDev: a batch that does not split into groups is a ShapeError naming the layer") {
  Rng rng(2);
  Network<Sequential<Input<2, 2, 2>, MinibatchStdDev<4>>, Cpu, double> net(rng);
  Td six = gantest::random_tensor(6, 8, rng);
  CHECK_THROWS_WITH_AS(net.forward(six), doctest::Contains("MinibatchStdDev<4>: a batch of 6 samples"), ShapeError);
  Td eight = gantest::random_tensor(8, 8, rng), three = gantest::random_tensor(3, 8, rng);
  CHECK_NOTHROW(net.forward(eight));
  CHECK_NOTHROW(net.forward(three));  // fewer than Group: one group of 3
}

TEST_CASE("R1 on a critic with MinibatchStdDev: the exact parameter gradient of the summed critic's penalty") {
  using Critic = Sequential<Input<1, 4, 4>, SpectralNorm<Conv2d<2, 3, 2, 1>>, LeakyReLU<>, MinibatchStdDev<2>, Flatten, Dense<1>>;
  const R1 cfg{.gamma = 4.0};
  Rng init(12);
  Network<Critic, Cpu, double> d(init);
  const index_t n = 6, f = d.input_size();
  Td real = gantest::random_tensor(n, f, init);
  d.forward(real);
  d.context().reuse_noise = true;
  R1::State<double, Cpu> st;
  Rng rng(0);
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, real, rng);
  // The reference differentiates sum_b D_b by ordinary backprop: a sample's gradient includes
  // its effect on the other samples of its group through the statistic.
  auto phi = [&](double nrm) { return 0.5 * cfg.gamma * nrm * nrm; };
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, real, nullptr, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    INFO("parameter " << k << " of " << Critic::describe());
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, real, nullptr, phi); }) < 1e-6);
  });
}
