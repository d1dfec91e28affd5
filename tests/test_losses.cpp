// Losses and regularisers: every term against central differences, numerical stability on
// extreme logits, and the gradient penalties' parameter gradients (a derivative of a derivative)
// against a numerical derivative of an independent per-sample reference, in double precision.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

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
  // Extreme logits give finite values and gradients (softplus, never log(sigmoid)). Each term's
  // gradient is looked at right after its own evaluation (they share the output tensor).
  Tensor<float, Cpu> x, g;
  x.from_host(std::vector<float>{-1e4f, -80.f, 0.f, 80.f, 1e4f}, 5, 1);
  auto finite = [&](float v, const char* term) {
    INFO(Loss::name() << ", term " << std::string(term));
    CHECK(std::isfinite(v));
    for (float d : g.to_host()) CHECK(std::isfinite(d));
  };
  finite(evaluate<Term::real>(Loss{}, x, g), "real");
  finite(evaluate<Term::fake>(Loss{}, x, g), "fake");
  finite(evaluate<Term::gen>(Loss{}, x, g), "gen");
}

/// The three terms' values against the formulas in the loss's header, written here
/// independently (the gradient check alone would pass a term swapped with another loss's).
template <class Loss, class Real, class Fake, class Gen>
void check_values(Real real, Fake fake, Gen gen) {
  Tensor<double, Cpu> x, g;
  const std::vector<double> v{-2.5, -0.3, 0.4, 1.7};
  x.from_host(v, 4, 1);
  double r = 0, f = 0, n = 0;
  for (double a : v) {
    r += real(a) / 4;
    f += fake(a) / 4;
    n += gen(a) / 4;
  }
  INFO(Loss::name());
  CHECK(evaluate<Term::real>(Loss{}, x, g) == doctest::Approx(r).epsilon(1e-12));
  CHECK(evaluate<Term::fake>(Loss{}, x, g) == doctest::Approx(f).epsilon(1e-12));
  CHECK(evaluate<Term::gen>(Loss{}, x, g) == doctest::Approx(n).epsilon(1e-12));
}
double log_sigmoid(double a) { return -std::log1p(std::exp(-a)); }

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

TEST_CASE("every loss's terms have the values of its paper's formula") {
  // D(x) = sigmoid(a): -log D(r), -log(1 - D(f)); NS: G minimises -log D(f); minimax: log(1 - D(f)).
  check_values<NonSaturating>([](double a) { return -log_sigmoid(a); }, [](double a) { return -log_sigmoid(-a); },
                              [](double a) { return -log_sigmoid(a); });
  check_values<Minimax>([](double a) { return -log_sigmoid(a); }, [](double a) { return -log_sigmoid(-a); },
                        [](double a) { return log_sigmoid(-a); });
  check_values<LeastSquares>([](double a) { return 0.5 * (a - 1) * (a - 1); }, [](double a) { return 0.5 * a * a; },
                             [](double a) { return 0.5 * (a - 1) * (a - 1); });
  check_values<Wasserstein>([](double a) { return -a; }, [](double a) { return a; }, [](double a) { return -a; });
  check_values<Hinge>([](double a) { return std::max(0.0, 1 - a); }, [](double a) { return std::max(0.0, 1 + a); },
                      [](double a) { return -a; });
}

namespace {

using Critic = Sequential<Input<3>, Dense<5>, Tanh, Dense<4>, LeakyReLU<0.2f>, Dense<1>>;
using CriticNet = Network<Critic, Cpu, double>;


}  // namespace

TEST_CASE("GradientPenalty reaches the critic's parameters: per-sample norm, exact derivative") {
  Rng init(21);
  CriticNet d(init);
  Td real = gantest::random_tensor(6, 3, init), fake = gantest::random_tensor(6, 3, init);
  GradientPenalty cfg{.lambda = 10.0};
  GradientPenalty::State<double, Cpu> st;
  Rng rng(5);
  Rng rng_copy = rng;
  // The critic already holds gradients (from the loss, in a training step): the penalty must add
  // to them, not replace them, so start from random ones and compare the increments below.
  std::vector<std::vector<double>> before;
  d.visit_params([&](Td&, Td& g) {
    ops::fill_normal(g, init);
    before.push_back(g.to_host());
  });
  const double p = st.penalty(cfg, d, real, fake, rng);

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
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, mixed, nullptr, phi)).epsilon(1e-9));

  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) {
    auto h = g.to_host();
    for (std::size_t i = 0; i < h.size(); ++i) h[i] -= before[grads.size()][i];
    grads.push_back(h);
  });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, mixed, nullptr, phi); }) < 1e-6);
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
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, real, nullptr, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, real, nullptr, phi); }) < 1e-6);
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
  const double penalty = st.penalty(cfg, d, x, x, rng);
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
  CHECK(penalty == doctest::Approx(ref()).epsilon(1e-9));  // the value was taken with the same mask
  // and that mask drops something: without it (eval mode) the penalty is another number.
  d.eval();
  const double no_mask = ref();
  d.train();
  CHECK(std::abs(no_mask - penalty) > 1e-3 * std::abs(penalty));
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) { CHECK(gantest::max_grad_error(param, grads[k++], ref) < 1e-6); });
}

TEST_CASE("Objective sums the loss and its penalties, in value and in the critic's gradients") {
  Rng init(2);
  CriticNet d(init);
  Td real = gantest::random_tensor(6, 3, init), fake = gantest::random_tensor(6, 3, init);
  using Obj = Objective<Wasserstein, GradientPenalty, R1>;
  Obj obj{Wasserstein{}, GradientPenalty{.lambda = 3.0}, R1{.gamma = 2.0}};
  Obj::State<double, Cpu> st;
  Rng rng(1);
  Rng rng_copy = rng;  // GradientPenalty's interpolation draw, replayed below
  d.zero_grad();
  const auto l = st.critic_gradients(obj, d, real, fake, rng);
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });

  // Independent pieces: the Wasserstein loss from plain forward passes, each penalty from the
  // per-sample reference on its own points.
  Td eps(6, 1);
  ops::fill_uniform(eps, rng_copy);
  Td mixed(6, 3);
  for (index_t i = 0; i < 6; ++i)
    for (index_t j = 0; j < 3; ++j)
      mixed.data()[i * 3 + j] = eps.data()[i] * real.data()[i * 3 + j] + (1 - eps.data()[i]) * fake.data()[i * 3 + j];
  auto loss = [&] { return ops::sum(d.forward(fake)) / 6 - ops::sum(d.forward(real)) / 6; };
  auto gp = [&] { return gantest::reference_penalty(d, mixed, nullptr, [](double n) { return 3.0 * (n - 1) * (n - 1); }); };
  auto r1 = [&] { return gantest::reference_penalty(d, real, nullptr, [](double n) { return 0.5 * 2.0 * n * n; }); };
  CHECK(l.loss == doctest::Approx(loss()).epsilon(1e-12));
  CHECK(l.penalty == doctest::Approx(gp() + r1()).epsilon(1e-9));
  CHECK(gp() > 1e-3);  // both penalties contribute, so a dropped one would show
  CHECK(r1() > 1e-3);
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return loss() + gp() + r1(); }) < 1e-6);
  });
}

TEST_CASE("WeightClipping clamps every critic parameter after a step and leaves the others") {
  Rng init(2);
  CriticNet d(init);  // Dense weights drawn from U(-1/sqrt(in), 1/sqrt(in)): many beyond 0.05
  Objective<Wasserstein, WeightClipping> obj{Wasserstein{}, WeightClipping{.clip = 0.05}};
  Objective<Wasserstein, WeightClipping>::State<double, Cpu> st;
  std::vector<std::vector<double>> before;
  d.visit_params([&](Td& p, Td&) { before.push_back(p.to_host()); });
  st.after_critic_step(obj, d);
  std::size_t k = 0, inside = 0, outside = 0;
  d.visit_params([&](Td& p, Td&) {
    const auto after = p.to_host();
    for (std::size_t i = 0; i < after.size(); ++i) {
      const double b = before[k][i];
      (std::abs(b) <= 0.05 ? inside : outside) += 1;
      CHECK(after[i] == std::clamp(b, -0.05, 0.05));  // exact: a clamp does no arithmetic
    }
    ++k;
  });
  CHECK(inside > 0);  // both branches of the clamp were exercised
  CHECK(outside > 0);
}
