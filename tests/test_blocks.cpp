// Composite blocks (Chain, Residual, SkipConcat), conditional critics (Concat and Projection)
// under gradient penalties, the generator's extra terms, and conditional training.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gradcheck.hpp"
#include <gan/core/small_array.hpp>
#include <gan/layers/chain.hpp>
#include <gan/layers/skip_concat.hpp>
#include <gan/layers/residual.hpp>
#include <gan/losses/auxiliary_classifier.hpp>
#include <gan/losses/generator_terms.hpp>

using namespace gan;
using gantest::check_layer_gradients;
using gantest::Td;

using Block = Chain<Dense<6>, LayerNorm, Tanh>;
static_assert(Sequential<Input<6>, Residual<Block>>::output_shape == Shape::flat(6));
static_assert(Sequential<Input<4>, SkipConcat<Chain<Dense<5>, ReLU>>>::output_shape == Shape::flat(9));
static_assert(Network<Sequential<Input<6>, Residual<Block>>, Cpu>::all_tangent());
static_assert(!Network<Sequential<Input<6>, Residual<Chain<Dense<6>, BatchNorm>>>, Cpu>::all_tangent());
static_assert(!Network<Sequential<Input<6>, Residual<Chain<Dense<6>, BatchNorm>>>, Cpu>::per_sample());
static_assert(Network<Sequential<Input<6>, Dense<3>, Projection<2>>, Cpu>::conditional());

TEST_CASE("Chain, Residual and SkipConcat: gradients and tangent passes, nested") {
  check_layer_gradients<Sequential<Input<5>, Chain<Dense<4>, Tanh>, Dense<2>>>();
  check_layer_gradients<Sequential<Input<6>, Residual<Block>, Dense<3>>>();
  check_layer_gradients<Sequential<Input<4>, SkipConcat<Chain<Dense<5>, LeakyReLU<>>>, SkipConcat<Chain<Dense<3>, Tanh>>, Dense<2>>>();
  check_layer_gradients<Sequential<Input<6>, Residual<Chain<Dense<6>, Tanh, Residual<Chain<Dense<6>, Sigmoid>>>>, Dense<2>>>();
  check_layer_gradients<Sequential<Input<6>, Residual<Dense<6>>, SkipConcat<Chain<Dense<Dynamic>, Tanh>>>>({3});
}

TEST_CASE("Blocks: values, Dynamic sizes in order, names, and a shape-changing residual body") {
  using Seq = Sequential<Input<3>, Residual<Chain<Dense<3>>>, SkipConcat<Chain<Dense<Dynamic>>>>;
  Rng rng(1);
  Network<Seq, Cpu, double> net(rng, {2});
  CHECK(net.output_size() == 5);
  Td x = gantest::random_tensor(4, 3, rng);
  const auto y = net.forward(x).to_host();
  auto& res = net.layer<0>().f.body.template layer<0>();
  auto& skip = net.layer<1>().f.body.template layer<0>();
  for (index_t r = 0; r < 4; ++r) {
    double h[3];
    for (int j = 0; j < 3; ++j) {
      double s = res.b.data()[j];
      for (int k = 0; k < 3; ++k) s += res.W.data()[j * 3 + k] * x.data()[r * 3 + k];
      h[j] = x.data()[r * 3 + j] + s;  // residual: x + f(x)
    }
    for (int j = 0; j < 2; ++j) {
      double s = skip.b.data()[j];
      for (int k = 0; k < 3; ++k) s += skip.W.data()[j * 3 + k] * h[k];
      CHECK(y[std::size_t(r * 5 + j)] == doctest::Approx(s));  // [f(h), h]
    }
    for (int j = 0; j < 3; ++j) CHECK(y[std::size_t(r * 5 + 2 + j)] == doctest::Approx(h[j]));
  }
  std::vector<std::string> names;
  net.visit_named([&](const std::string& n, Td&) { names.push_back(n); });
  CHECK(names.front() == "1:Residual<Chain<Dense<3>>>/1:Dense<3>.param0");
  CHECK(names.back() == "2:SkipConcat<Chain<Dense<Dynamic>>>/1:Dense<Dynamic>.param1");
  using Bad = Sequential<Input<Dynamic>, Residual<Chain<Dense<4>>>>;
  CHECK_THROWS_WITH_AS((Network<Bad, Cpu>(rng, {3})), doctest::Contains("a residual block needs f to keep the shape"),
                       ShapeError);
}

namespace {


template <class Critic, class Reg>
void check_conditional_penalty(Reg cfg, index_t classes, std::initializer_list<index_t> dyn = {}) {
  Rng init(21);
  Network<Critic, Cpu, double> d(init, dyn);
  const index_t n = 5, f = d.input_size();
  Td real = gantest::random_tensor(n, f, init), fake = gantest::random_tensor(n, f, init);
  Td cond(n, classes);
  ops::fill(cond, 0.0);
  for (index_t i = 0; i < n; ++i) cond.data()[i * classes + i % classes] = 1.0;  // one-hot labels

  // The input gradient the penalty uses is d D / d x with the condition held: check it against
  // central differences of D(x, c) in x alone.
  d.forward(real, &cond);
  Td ones(n, 1);
  ops::fill(ones, 1.0);
  const auto gx = d.backward(ones, Grads{.params = false, .input = true}).to_host();
  CHECK(gantest::max_grad_error(real, gx, [&] { return ops::sum(d.forward(real, &cond)); }) < 1e-7);

  typename Reg::template State<double, Cpu> st;
  Rng rng(5), rng_copy(5);
  d.zero_grad();
  const double p = st.penalty(cfg, d, real, fake, rng, &cond);
  // The points it penalised: R1 uses the real batch; WGAN-GP the interpolates of the same draw.
  Td at = real;
  if constexpr (std::is_same_v<Reg, GradientPenalty>) {
    Td eps(n, 1);
    ops::fill_uniform(eps, rng_copy);
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < f; ++j)
        at.data()[i * f + j] = eps.data()[i] * real.data()[i * f + j] + (1 - eps.data()[i]) * fake.data()[i * f + j];
  }
  auto phi = [&](double nrm) {
    if constexpr (std::is_same_v<Reg, GradientPenalty>) return cfg.lambda * (nrm - 1) * (nrm - 1);
    else return 0.5 * cfg.gamma * nrm * nrm;
  };
  CHECK(p == doctest::Approx(gantest::reference_penalty(d, at, &cond, phi)).epsilon(1e-9));
  std::vector<std::vector<double>> grads;
  d.visit_params([&](Td&, Td& g) { grads.push_back(g.to_host()); });
  std::size_t k = 0;
  d.visit_params([&](Td& param, Td&) {
    INFO("parameter " << k << " of " << Critic::describe());
    CHECK(gantest::max_grad_error(param, grads[k++], [&] { return gantest::reference_penalty(d, at, &cond, phi); }) < 1e-6);
  });
}

}  // namespace

TEST_CASE("WGAN-GP through a residual, conditional, layer-normalised critic: the exact parameter gradient") {
  using Critic = Sequential<Input<3>, Concat<2>, Dense<6>, Residual<Chain<Dense<6>, LayerNorm, Tanh>>, Dense<1>>;
  check_conditional_penalty<Critic>(GradientPenalty{.lambda = 10.0}, 2);
}

TEST_CASE("R1 and WGAN-GP on a projection discriminator D(x, y) = psi(phi(x)) + <embed(y), phi(x)>") {
  using Critic = Sequential<Input<4>, Dense<6>, LeakyReLU<>, Residual<Chain<Dense<6>, Tanh>>, Projection<3>>;
  check_conditional_penalty<Critic>(R1{.gamma = 2.0}, 3);
  check_conditional_penalty<Critic>(GradientPenalty{}, 3);
}

TEST_CASE("SpanCrossEntropy: value by hand, gradient by central differences, unconditioned rows add nothing") {
  SpanCrossEntropy term{.spans = {{1, 3, 0}, {4, 2, 3}}};
  Rng rng(3);
  Td fake = gantest::random_tensor(4, 6, rng), cond(4, 5);
  ops::fill(cond, 0.0);
  cond.data()[0 * 5 + 2] = 1;  // row 0: category 2 of the first column
  cond.data()[1 * 5 + 4] = 1;  // row 1: category 1 of the second
  cond.data()[3 * 5 + 0] = 1;  // row 3: category 0 of the first; row 2: no condition
  Td grad(4, 6);
  ops::fill(grad, 0.0);
  const double v = term(fake, &cond, grad);
  auto ce = [&](index_t r, index_t a, index_t w, index_t k) {
    double m = -1e300, s = 0;
    for (index_t j = 0; j < w; ++j) m = std::max(m, fake.data()[r * 6 + a + j]);
    for (index_t j = 0; j < w; ++j) s += std::exp(fake.data()[r * 6 + a + j] - m);
    return m + std::log(s) - fake.data()[r * 6 + a + k];
  };
  CHECK(v == doctest::Approx((ce(0, 1, 3, 2) + ce(1, 4, 2, 1) + ce(3, 1, 3, 0)) / 4));
  for (index_t j = 0; j < 6; ++j) CHECK(grad.data()[2 * 6 + j] == 0.0);
  Td scratch(4, 6);
  CHECK(gantest::max_grad_error(fake, grad.to_host(), [&] {
          ops::fill(scratch, 0.0);
          return term(fake, &cond, scratch);
        }) < 1e-8);
  SpanCrossEntropy bad{.spans = {{5, 3, 0}}};
  CHECK_THROWS_WITH_AS(bad(fake, &cond, grad), doctest::Contains("does not fit an output of 6"), ShapeError);
}

TEST_CASE("AuxiliaryClassifier: gradient by central differences outside the target span, none inside") {
  // Rows of 6 values, the target's 3-class one-hot in columns 2..4.
  Rng rng(5);
  AuxiliaryClassifier<Cpu, double> aux(rng, 6, 2, 3, /*weight=*/2.0);
  aux.network().eval();  // one function of the input (no dropout masks) for the differences
  Td fake = gantest::random_tensor(5, 6, rng), grad(5, 6), scratch(5, 6);
  ops::fill(grad, 0.0);
  const double v = aux(fake, nullptr, grad);
  // The value by hand: 2 x the mean cross-entropy of the logits of the masked rows against
  // the argmax of each row's span.
  Td masked = fake;
  for (index_t r = 0; r < 5; ++r)
    for (index_t c = 2; c < 5; ++c) masked.data()[r * 6 + c] = 0;
  const Td logits = aux.network().forward(masked);
  double want = 0;
  for (index_t r = 0; r < 5; ++r) {
    const double* f = fake.data() + r * 6 + 2;
    const index_t y = index_t(std::max_element(f, f + 3) - f);
    const double* l = logits.data() + r * 3;
    const double m = *std::max_element(l, l + 3);
    want += m + std::log(std::exp(l[0] - m) + std::exp(l[1] - m) + std::exp(l[2] - m)) - l[y];
  }
  CHECK(v == doctest::Approx(2 * want / 5));
  for (index_t r = 0; r < 5; ++r)
    for (index_t c = 2; c < 5; ++c) CHECK(grad.data()[r * 6 + c] == 0.0);
  double outside = 0;
  for (index_t i = 0; i < grad.size(); ++i) outside += std::abs(grad.data()[i]);
  CHECK(outside > 1e-3);
  // The span's values move the label only, a step function: the differences there are 0 too.
  CHECK(gantest::max_grad_error(fake, grad.to_host(), [&] {
          ops::fill(scratch, 0.0);
          return aux(fake, nullptr, scratch);
        }) < 1e-7);
  Td narrow(5, 5);
  CHECK_THROWS_WITH_AS(aux(narrow, nullptr, grad), doctest::Contains("built for 6"), ShapeError);
  CHECK_THROWS_WITH_AS(AuxiliaryClassifier<Cpu>(rng, 6, 4, 3), doctest::Contains("does not fit rows of 6"), ShapeError);
}

TEST_CASE("AuxiliaryClassifier learns a rule from real rows, and the generator term leaves its weights alone") {
  // The class is x0 < -0.5, |x0| <= 0.5 or x0 > 0.5; x1 is noise; the one-hot in columns 2..4.
  Rng rng(9), data(10);
  AuxiliaryClassifier<Cpu> aux(rng, 5, 2, 3, 1.0, 1e-3);
  auto batch = [&](index_t n) {
    Tensor<float, Cpu> x(n, 5);
    ops::fill(x, 0.0f);
    for (index_t r = 0; r < n; ++r) {
      const float x0 = float(2 * data.uniform() - 1) * 1.5f;
      x.data()[r * 5] = x0;
      x.data()[r * 5 + 1] = float(data.normal());
      x.data()[r * 5 + 2 + (x0 < -0.5f ? 0 : x0 > 0.5f ? 2 : 1)] = 1;
    }
    return x;
  };
  const Tensor<float, Cpu> test = batch(400);
  Tensor<float, Cpu> g(400, 5);
  ops::fill(g, 0.0f);
  aux.network().eval();
  const float before = aux(test, nullptr, g);
  for (int s = 0; s < 400; ++s) aux.train_on(batch(64));
  aux.network().eval();
  auto params = [&] {
    std::vector<float> all;
    aux.network().visit_params([&](Tensor<float, Cpu>& p, Tensor<float, Cpu>&) {
      const std::vector<float> h = p.to_host();
      all.insert(all.end(), h.begin(), h.end());
    });
    return all;
  };
  const std::vector<float> w0 = params();
  ops::fill(g, 0.0f);
  const float after = aux(test, nullptr, g);
  CHECK(params() == w0);
  CHECK(before > 0.9f);  // about log 3 untrained
  CHECK(after < 0.25f);
  // loss() is the same cross-entropy in evaluation mode, and leaves the mode as it was;
  // logits() do not depend on the target span.
  aux.network().train();
  CHECK(aux.loss(test) == doctest::Approx(after));
  CHECK(aux.network().training());
  const std::vector<float> l0 = aux.logits(test).to_host();
  Tensor<float, Cpu> moved = test;
  for (index_t r = 0; r < moved.rows(); ++r) moved.data()[r * 5 + 2 + r % 3] += 3;
  CHECK(aux.logits(moved).to_host() == l0);
}

TEST_CASE("A conditional GAN learns one mode per class, and the generator update sees the critic's condition") {
  // Class 0: N(-2, 0.3); class 1: N(+2, 0.3). Both networks read the one-hot class.
  using G = Sequential<Input<2>, Concat<2>, Dense<32>, LeakyReLU<>, Dense<32>, LeakyReLU<>, Dense<1>>;
  using D = Sequential<Input<1>, Concat<2>, Dense<32>, LeakyReLU<>, Dense<32>, LeakyReLU<>, Dense<1>>;
  Rng init(1);
  Network<G, Cpu> g(init);
  Network<D, Cpu> d(init);
  Trainer trainer(g, d, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                  TrainerOptions{.batch = 64, .seed = 1});
  std::vector<float> last_condition;
  auto sampler = [&](Tensor<float, Cpu>& x, Tensor<float, Cpu>& c, Rng& rng) {
    c.resize(x.rows(), 2);
    for (index_t i = 0; i < x.rows(); ++i) {
      const int k = int(rng.below(2));
      c.data()[2 * i] = float(k == 0);
      c.data()[2 * i + 1] = float(k == 1);
      x.data()[i] = (k ? 2.f : -2.f) + 0.3f * rng.normal<float>();
    }
    last_condition = c.to_host();
  };
  int mismatched = 0;
  trainer.add_generator_term([&](const Tensor<float, Cpu>&, const Tensor<float, Cpu>* c, Tensor<float, Cpu>&) {
    mismatched += !(c && c->to_host() == last_condition);
    return 0.f;
  });
  trainer.fit(1500, sampler, false);
  CHECK(mismatched == 0);
  for (int k = 0; k < 2; ++k) {
    Tensor<float, Cpu> c(1000, 2);
    ops::fill(c, 0.f);
    for (index_t i = 0; i < 1000; ++i) c.data()[2 * i + k] = 1.f;
    const auto s = trainer.sample(1000, &c).to_host();
    double m = 0;
    for (float v : s) m += v / 1000.0;
    MESSAGE("class " << k << ": mean " << m);
    CHECK(m == doctest::Approx(k ? 2.0 : -2.0).epsilon(0.15));
  }
}

TEST_CASE("for_each_row_record: every (row, record) once, past one launch's capacity; small_array's chunks") {
  struct Rec {
    index_t a, b;
  };
  std::vector<Rec> list;
  for (index_t i = 0; i < 70; ++i) list.push_back({i, 3 * i + 1});  // three launches of at most 32
  const SmallArray<Rec> tail = small_array(list, 64);
  CHECK(tail.size == 6);
  CHECK(tail[5].b == 3 * 69 + 1);
  CHECK(small_array(list, 70).size == 0);
  const index_t rows = 5;
  std::vector<int> seen(std::size_t(rows * 70), 0);
  int* sp = seen.data();
  for_each_row_record<Cpu>(rows, list, [=](index_t r, index_t i, const Rec& rec) {
    sp[r * 70 + i] += rec.a == i && rec.b == 3 * i + 1 ? 1 : 100;  // a wrong record shows as 100
  });
  CHECK(std::count(seen.begin(), seen.end(), 1) == rows * 70);
}
