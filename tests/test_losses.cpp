// Losses and regularisers: every term against central differences, numerical stability on
// extreme logits, and the gradient penalties' parameter gradients (a derivative of a derivative)
// against a numerical derivative of an independent per-sample reference, in double precision.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"

using namespace gan;
using gantest::Td;

namespace {

template <class Loss, Term term>
void check_term() {
  Rng rng(11);
  Td x = gantest::random_tensor(7, 1, rng, 3.0);
  Td g;
  evaluate<term>(Loss{}, x, g);
  Td scratch;
  auto f = [&] { return evaluate<term>(Loss{}, x, scratch); };
  CHECK(gantest::max_grad_error(x, g.to_host(), f) < 1e-7);
}

template <class Loss>
void check_loss() {
  check_term<Loss, Term::real>();
  check_term<Loss, Term::fake>();
  check_term<Loss, Term::gen>();
  // Extreme logits give finite values and gradients (softplus, never log(sigmoid)).
  Tensor<float, Cpu> x, g;
  x.from_host(std::vector<float>{-1e4f, -80.f, 0.f, 80.f, 1e4f}, 5, 1);
  for (float v : {evaluate<Term::real>(Loss{}, x, g), evaluate<Term::fake>(Loss{}, x, g), evaluate<Term::gen>(Loss{}, x, g)}) {
    CHECK(std::isfinite(v));
    for (float d : g.to_host()) CHECK(std::isfinite(d));
  }
}

}  // namespace

TEST_CASE("NonSaturating: gradients, stability, values") {
  check_loss<NonSaturating>();
  Tensor<double, Cpu> x, g;
  x.from_host(std::vector<double>{0.0}, 1, 1);
  CHECK(evaluate<Term::real>(NonSaturating{}, x, g) == doctest::Approx(std::log(2.0)));
  x.from_host(std::vector<double>{100.0}, 1, 1);
  CHECK(evaluate<Term::fake>(NonSaturating{}, x, g) == doctest::Approx(100.0));  // log(1+e^100) without overflow
}
TEST_CASE("Minimax") { check_loss<Minimax>(); }
TEST_CASE("LeastSquares") { check_loss<LeastSquares>(); }
TEST_CASE("Wasserstein") { check_loss<Wasserstein>(); }
TEST_CASE("Hinge") { check_loss<Hinge>(); }

namespace {

using Critic = Sequential<Input<3>, Dense<5>, Tanh, Dense<4>, LeakyReLU<0.2f>, Dense<1>>;
using CriticNet = Network<Critic, Cpu, double>;

/// Reference penalty, written independently of the tangent machinery: per-sample input
/// gradients by ordinary backprop, then phi of each row's norm, averaged.
template <class Phi>
double reference_penalty(CriticNet& d, const Td& x, Phi phi) {
  d.forward(x);
  Td ones(x.rows(), 1);
  ops::fill(ones, 1.0);
  const auto g = d.backward(ones, Grads{.params = false, .input = true}).to_host();
  double p = 0;
  for (index_t i = 0; i < x.rows(); ++i) {
    double s = 0;
    for (index_t j = 0; j < x.cols(); ++j) s += g[std::size_t(i * x.cols() + j)] * g[std::size_t(i * x.cols() + j)];
    p += phi(std::sqrt(s));
  }
  return p / double(x.rows());
}

}  // namespace

TEST_CASE("GradientPenalty reaches the critic's parameters: per-sample norm, exact derivative") {
  Rng init(21);
  CriticNet d(init);
  Td real = gantest::random_tensor(6, 3, init), fake = gantest::random_tensor(6, 3, init);
  GradientPenalty cfg{.lambda = 10.0};
  GradientPenalty::State<double, Cpu> st;
  Rng rng(5);
  Rng rng_copy = rng;
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, fake, rng);
  CHECK(p > 0);

  // The interpolates it used: the same draw from a copy of the generator.
  Td eps(6, 1);
  ops::fill_uniform(eps, rng_copy);
  Td mixed(6, 3);
  for (index_t i = 0; i < 6; ++i)
    for (index_t j = 0; j < 3; ++j) {
      const double e = eps.data()[i];
      mixed.data()[i * 3 + j] = e * real.data()[i * 3 + j] + (1 - e) * fake.data()[i * 3 + j];
    }
  auto phi = [](double n) { return 10.0 * (n - 1) * (n - 1); };
  CHECK(p == doctest::Approx(reference_penalty(d, mixed, phi)).epsilon(1e-9));

  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return reference_penalty(d, mixed, phi); }) < 1e-6);
  });
  // A batch-wide norm would give another value: the per-sample norm is what is computed.
  auto batch_norm_penalty = [&] {
    d.forward(mixed);
    Td ones(6, 1);
    ops::fill(ones, 1.0);
    double s = 0;
    for (double v : d.backward(ones, Grads{.params = false, .input = true}).to_host()) s += v * v;
    return 10.0 * (std::sqrt(s) - 1) * (std::sqrt(s) - 1);
  };
  CHECK(std::abs(p - batch_norm_penalty()) > 1e-3);
}

TEST_CASE("R1 penalty: value and parameter gradients") {
  Rng init(8);
  CriticNet d(init);
  Td real = gantest::random_tensor(5, 3, init);
  R1 cfg{.gamma = 4.0};
  R1::State<double, Cpu> st;
  Rng rng(1);
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, real, rng);
  auto phi = [](double n) { return 0.5 * 4.0 * n * n; };
  CHECK(p == doctest::Approx(reference_penalty(d, real, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return reference_penalty(d, real, phi); }) < 1e-6);
  });
}

TEST_CASE("GradientPenalty with Dropout in the critic uses one mask for the gradient and its derivative") {
  using DCritic = Sequential<Input<4>, Dense<8>, LeakyReLU<0.2f>, Dropout<0.5f>, Dense<1>>;
  Rng init(3);
  Network<DCritic, Cpu, double> d(init);
  Td x = gantest::random_tensor(4, 4, init);
  R1 cfg{.gamma = 2.0};
  R1::State<double, Cpu> st;
  Rng rng(0);
  d.zero_grad();
  st.penalty(cfg, d, x, x, rng);
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  d.context().reuse_noise = true;  // freeze the mask the penalty drew, then differentiate numerically
  auto ref = [&] {
    d.forward(x);
    Td ones(4, 1);
    ops::fill(ones, 1.0);
    double p = 0;
    const auto g = d.backward(ones, Grads{.params = false, .input = true}).to_host();
    for (double v : g) p += v * v;
    return 0.5 * 2.0 * p / 4.0;
  };
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) { CHECK(gantest::max_grad_error(param, grads[k++], ref) < 1e-6); });
}

TEST_CASE("Objective sums the loss and its penalties; WeightClipping clamps after a step") {
  Rng init(2);
  CriticNet d(init);
  Td real = gantest::random_tensor(6, 3, init), fake = gantest::random_tensor(6, 3, init);
  Objective<Wasserstein, WeightClipping> obj{Wasserstein{}, WeightClipping{.clip = 0.05}};
  Objective<Wasserstein, WeightClipping>::State<double, Cpu> st;
  Rng rng(1);
  d.zero_grad();
  const auto l = st.critic_gradients(obj, d, real, fake, rng);
  const double mean_r = ops::sum(d.forward(real)) / 6, mean_f = ops::sum(d.forward(fake)) / 6;
  CHECK(l.loss == doctest::Approx(mean_f - mean_r));
  CHECK(l.penalty == 0.0);
  st.after_critic_step(obj, d);
  d.visit_params([](Td& p, Td&) {
    for (double v : p.to_host()) CHECK(std::abs(v) <= 0.05);
  });
}
