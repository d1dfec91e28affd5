// CPU (Eigen) against Thrust (built here with Thrust's OpenMP device system, or CUDA under nvcc):
// every layer, loss, penalty and optimiser gives the same values and gradients, whole training
// steps agree, a step makes no hidden host/device transfers, and models move between backends.
//
// Tolerance: float32, relative 2e-5 per value for single passes (the backends sum GEMM products
// in different orders: an error of a few ulps per accumulation over up to ~100 terms), and 2e-3
// on losses after 20 training steps (differences of rounding grow through the training dynamics).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <gan/gan_gpu.hpp>

using namespace gan;

namespace {

using Tc = Tensor<float, Cpu>;
using Tg = Tensor<float, Gpu>;

void check_close(const std::vector<float>& a, const std::vector<float>& b, double tol, const char* what) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / std::max(1.0, std::abs(double(a[i]))));
  INFO(what << ": worst relative difference " << worst);
  CHECK(worst <= tol);
}

template <class T>
T on(const std::vector<float>& h, index_t r, index_t c) {
  T t;
  t.from_host(h, r, c);
  return t;
}

std::vector<float> host_normal(index_t n, std::uint64_t seed) {
  Rng rng(seed);
  Tc t(n, 1);
  ops::fill_normal(t, rng);
  return t.to_host();
}

template <class Seq>
void check_layer_parity(std::initializer_list<index_t> dyn = {}, index_t cond_width = 0) {
  Rng ic(3), ig(3);
  Network<Seq, Cpu> c(ic, dyn);
  Network<Seq, Gpu> g(ig, dyn);
  const index_t n = 12, in = c.input_size(), out = c.output_size();
  const auto x = host_normal(n * in, 1), w = host_normal(n * out, 2), xt = host_normal(n * in, 3),
             wt = host_normal(n * out, 4), cond = host_normal(n * std::max<index_t>(cond_width, 1), 5);
  Tc xc = on<Tc>(x, n, in), wc = on<Tc>(w, n, out), xtc = on<Tc>(xt, n, in), wtc = on<Tc>(wt, n, out);
  Tg xg = on<Tg>(x, n, in), wg = on<Tg>(w, n, out), xtg = on<Tg>(xt, n, in), wtg = on<Tg>(wt, n, out);
  Tc cc = on<Tc>(cond, n, cond_width ? cond_width : 1);
  Tg cg = on<Tg>(cond, n, cond_width ? cond_width : 1);
  const Tc* pcc = cond_width ? &cc : nullptr;
  const Tg* pcg = cond_width ? &cg : nullptr;

  check_close(c.forward(xc, pcc).to_host(), g.forward(xg, pcg).to_host(), 2e-5, "forward");
  c.zero_grad();
  g.zero_grad();
  check_close(c.backward(wc, Grads{.params = true, .input = true}).to_host(),
              g.backward(wg, Grads{.params = true, .input = true}).to_host(), 2e-5, "backward dx");
  std::vector<std::vector<float>> gc, gg;
  c.visit_params([&](Tc&, Tc& d) { gc.push_back(d.to_host()); });
  g.visit_params([&](Tg&, Tg& d) { gg.push_back(d.to_host()); });
  REQUIRE(gc.size() == gg.size());
  for (std::size_t i = 0; i < gc.size(); ++i) check_close(gc[i], gg[i], 2e-5, "parameter gradient");

  if constexpr (Network<Seq, Cpu>::all_tangent()) {
    check_close(c.forward_tangent(xc, xtc, pcc).to_host(), g.forward_tangent(xg, xtg, pcg).to_host(), 2e-5, "tangent");
    c.zero_grad();
    g.zero_grad();
    check_close(c.backward_tangent(wc, wtc, Grads{.params = true, .input = true}).to_host(),
                g.backward_tangent(wg, wtg, Grads{.params = true, .input = true}).to_host(), 2e-5, "tangent dx");
    gc.clear();
    gg.clear();
    c.visit_params([&](Tc&, Tc& d) { gc.push_back(d.to_host()); });
    g.visit_params([&](Tg&, Tg& d) { gg.push_back(d.to_host()); });
    for (std::size_t i = 0; i < gc.size(); ++i) check_close(gc[i], gg[i], 2e-5, "tangent parameter gradient");
  }
}

}  // namespace

TEST_CASE("thrust parity: Dense") { check_layer_parity<Sequential<Input<7>, Dense<5>>>(); }
TEST_CASE("thrust parity: activations") {
  check_layer_parity<Sequential<Input<7>, Dense<9>, ReLU, Dense<8>, LeakyReLU<0.2f>, Dense<6>, Tanh, Dense<3>, Sigmoid>>();
}
TEST_CASE("thrust parity: Dropout draws the same masks") { check_layer_parity<Sequential<Input<7>, Dense<16>, Dropout<0.5f>, Dense<2>>>(); }
TEST_CASE("thrust parity: Concat") { check_layer_parity<Sequential<Input<7>, Concat<3>, Dense<4>>>({}, 3); }
TEST_CASE("thrust parity: BatchNorm (training and eval)") {
  check_layer_parity<Sequential<Input<7>, Dense<6>, BatchNorm, ReLU, Dense<2>>>();
}
TEST_CASE("thrust parity: Dynamic sizes") { check_layer_parity<Sequential<Input<Dynamic>, Dense<Dynamic>, Tanh>>({5, 4}); }

TEST_CASE("thrust parity: losses") {
  const auto x = host_normal(50, 9);
  Tc xc = on<Tc>(x, 50, 1), dc;
  Tg xg = on<Tg>(x, 50, 1), dg;
  auto each = [&](auto loss) {
    CHECK(evaluate<Term::real>(loss, xc, dc) == doctest::Approx(evaluate<Term::real>(loss, xg, dg)).epsilon(1e-5));
    check_close(dc.to_host(), dg.to_host(), 1e-6, "real grad");
    CHECK(evaluate<Term::fake>(loss, xc, dc) == doctest::Approx(evaluate<Term::fake>(loss, xg, dg)).epsilon(1e-5));
    check_close(dc.to_host(), dg.to_host(), 1e-6, "fake grad");
    CHECK(evaluate<Term::gen>(loss, xc, dc) == doctest::Approx(evaluate<Term::gen>(loss, xg, dg)).epsilon(1e-5));
    check_close(dc.to_host(), dg.to_host(), 1e-6, "gen grad");
  };
  each(NonSaturating{});
  each(Minimax{});
  each(LeastSquares{});
  each(Wasserstein{});
  each(Hinge{});
}

TEST_CASE("thrust parity: gradient penalty and R1") {
  using Critic = Sequential<Input<6>, Dense<16>, Tanh, Dense<8>, LeakyReLU<>, Dense<1>>;
  Rng ic(4), ig(4);
  Network<Critic, Cpu> c(ic);
  Network<Critic, Gpu> g(ig);
  const auto r = host_normal(60, 1), f = host_normal(60, 2);
  Tc rc = on<Tc>(r, 10, 6), fc = on<Tc>(f, 10, 6);
  Tg rg = on<Tg>(r, 10, 6), fg = on<Tg>(f, 10, 6);
  GradientPenalty::State<float, Cpu> sc;
  GradientPenalty::State<float, Gpu> sg;
  Rng a(1), b(1);
  c.zero_grad();
  g.zero_grad();
  CHECK(sc.penalty(GradientPenalty{}, c, rc, fc, a) == doctest::Approx(sg.penalty(GradientPenalty{}, g, rg, fg, b)).epsilon(1e-4));
  R1::State<float, Cpu> rc1;
  R1::State<float, Gpu> rg1;
  CHECK(rc1.penalty(R1{}, c, rc, fc, a) == doctest::Approx(rg1.penalty(R1{}, g, rg, fg, b)).epsilon(1e-4));
  std::vector<std::vector<float>> gc, gg;
  c.visit_params([&](Tc&, Tc& d) { gc.push_back(d.to_host()); });
  g.visit_params([&](Tg&, Tg& d) { gg.push_back(d.to_host()); });
  for (std::size_t i = 0; i < gc.size(); ++i) check_close(gc[i], gg[i], 1e-4, "penalty parameter gradient");
}

namespace {
using ToyG = Sequential<Input<2>, Dense<32>, ReLU, Dense<32>, ReLU, Dense<2>>;
using ToyD = Sequential<Input<2>, Dense<32>, LeakyReLU<>, Dense<32>, LeakyReLU<>, Dense<1>>;

template <class B, class Obj, class Rule>
auto toy_losses(Obj obj, Rule rule, int steps, int n_critic) {
  Rng init(6);
  Network<ToyG, B> g(init);
  Network<ToyD, B> d(init);
  Trainer t(g, d, obj, rule, rule, TrainerOptions{.batch = 64, .n_critic = n_critic, .seed = 6, .ema_decay = 0.9});
  const data::RingOfGaussians ring;
  std::vector<float> out;
  for (int i = 0; i < steps; ++i) {
    const auto l = t.step(ring);
    out.push_back(l.d_loss);
    out.push_back(l.penalty);
    out.push_back(l.g_loss);
  }
  return out;
}
}  // namespace

TEST_CASE("thrust parity: whole training steps agree (every optimiser, with and without a penalty)") {
  check_close(toy_losses<Cpu>(Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), 20, 1),
              toy_losses<Gpu>(Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), 20, 1), 2e-3, "NS + Adam losses");
  check_close(toy_losses<Cpu>(Objective<Wasserstein, GradientPenalty>{}, RMSProp{.lr = 1e-3}, 10, 2),
              toy_losses<Gpu>(Objective<Wasserstein, GradientPenalty>{}, RMSProp{.lr = 1e-3}, 10, 2), 2e-3,
              "WGAN-GP + RMSProp losses");
  check_close(toy_losses<Cpu>(Objective<Hinge>{}, Sgd{.lr = 0.01, .momentum = 0.9}, 20, 1),
              toy_losses<Gpu>(Objective<Hinge>{}, Sgd{.lr = 0.01, .momentum = 0.9}, 20, 1), 2e-3, "hinge + SGD losses");
}

TEST_CASE("thrust: a training step transfers only the scalars it reports") {
#if defined(GAN_COUNT_TRANSFERS)
  Rng init(1);
  Network<ToyG, Gpu> g(init);
  Network<ToyD, Gpu> d(init);
  Trainer t(g, d, Objective<Wasserstein, GradientPenalty>{}, Adam(1e-3, 0.5, 0.9), Adam(1e-3, 0.5, 0.9),
            TrainerOptions{.batch = 64, .n_critic = 2, .seed = 1, .ema_decay = 0.99});
  const data::RingOfGaussians ring;  // samples on the device
  t.step(ring);                      // first step sizes the buffers
  const long before = Gpu::transfers().load();
  t.step(ring);
  // Per critic update: the real term, the fake term, the penalty; then the generator term.
  CHECK(Gpu::transfers().load() - before == 2 * 3 + 1);
#else
  MESSAGE("built without GAN_COUNT_TRANSFERS: transfer counting not checked");
#endif
}

TEST_CASE("thrust: a model trained on one backend resumes on the other") {
  const std::string path = (std::filesystem::temp_directory_path() / "gan_test_cross.ckpt").string();
  const data::RingOfGaussians ring;
  Rng i1(2), i2(99);
  Network<ToyG, Cpu> gc(i1);
  Network<ToyD, Cpu> dc(i1);
  Network<ToyG, Gpu> gg(i2);
  Network<ToyD, Gpu> dg(i2);
  Trainer tc(gc, dc, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999), TrainerOptions{.batch = 64, .seed = 2});
  Trainer tg(gg, dg, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999), TrainerOptions{.batch = 64, .seed = 2});
  for (int i = 0; i < 10; ++i) tc.step(ring);
  save_checkpoint(tc, path);
  load_checkpoint(tg, path);
  CHECK(gg.layer<0>().W.to_host() == gc.layer<0>().W.to_host());
  std::vector<float> a, b;
  for (int i = 0; i < 5; ++i) {
    a.push_back(tc.step(ring).g_loss);
    b.push_back(tg.step(ring).g_loss);
  }
  check_close(a, b, 1e-4, "losses after the move");
  std::filesystem::remove(path);
}
