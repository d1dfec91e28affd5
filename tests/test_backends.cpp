// CPU (Eigen) against Thrust (built here with Thrust's OpenMP device system, or CUDA under nvcc):
// every layer, loss, penalty and optimiser gives the same values and gradients, whole training
// steps agree, a step makes no hidden host/device transfers, and models move between backends.
//
// Tolerance: float32, relative 2e-5 per value for single passes (the backends sum GEMM products
// in different orders: an error of a few ulps per accumulation over up to ~100 terms); the GEMM
// against a double reference with a rounding bound; after up to 20 training steps 1e-4 on every
// weight and 2e-3 on losses (differences of rounding grow through the training dynamics; the
// reasons are given at weight_tol below).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>
#include <gan/gan_gpu.hpp>
#include <gan/losses/auxiliary_classifier.hpp>
#include <gan/tabular.hpp>

using namespace gan;

namespace {

using Tc = Tensor<float, Cpu>;
using Tg = Tensor<float, Gpu>;

// (`what` as a std::string: doctest prints a const char* as a pointer)
void check_close(const std::vector<float>& a, const std::vector<float>& b, double tol, const std::string& what) {
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

template <class Net>
std::vector<std::vector<float>> params_of(Net& net) {
  std::vector<std::vector<float>> out;
  net.visit_params([&](auto& p, auto&) { out.push_back(p.to_host()); });
  return out;
}
template <class Net>
std::vector<std::vector<float>> grads_of(Net& net) {
  std::vector<std::vector<float>> out;
  net.visit_params([&](auto&, auto& d) { out.push_back(d.to_host()); });
  return out;
}
template <class Net>
std::vector<std::vector<float>> buffers_of(Net& net) {
  std::vector<std::vector<float>> out;
  net.visit_buffers([&](auto& b) { out.push_back(b.to_host()); });
  return out;
}
void check_all_close(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b, double tol,
                     const std::string& what) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(what << ", tensor " << i);
    check_close(a[i], b[i], tol, what);
  }
}
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
  return m;
}

enum class Mode { training, eval };

/// Forward, backward (input and parameter gradients) and, where every layer has one, the tangent
/// pass and its reverse, on both backends. In Mode::eval both networks first take three training
/// forward passes on shifted batches (so BatchNorm's running statistics move away from 0 and 1),
/// the running statistics are compared, and then the checks run in eval mode.
template <class Seq>
void check_layer_parity(std::initializer_list<index_t> dyn = {}, index_t cond_width = 0, Mode mode = Mode::training) {
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

  if (mode == Mode::eval) {
    const auto initial = buffers_of(c);
    std::vector<float> y_train;
    for (int b = 0; b < 3; ++b) {
      auto h = host_normal(n * in, 40 + std::uint64_t(b));
      for (float& v : h) v = 3.0f * v + 0.7f * float(b + 1);  // mean and spread unlike N(0, 1)
      if (b == 2) h = x;  // the last training batch is the one checked in eval mode below
      Tc bc = on<Tc>(h, n, in);
      Tg bg = on<Tg>(h, n, in);
      y_train = c.forward(bc, pcc).to_host();
      g.forward(bg, pcg);
    }
    check_all_close(buffers_of(c), buffers_of(g), 2e-5, "running statistics");
    const auto moved = buffers_of(c);
    for (std::size_t i = 0; i < moved.size(); ++i) CHECK(max_abs_diff(moved[i], initial[i]) > 0.05);
    c.eval();
    g.eval();
    // Eval mode really takes another path: the same batch gives another output than in training
    // (BatchNorm: running instead of batch statistics; Dropout: no mask).
    CHECK(max_abs_diff(c.forward(xc, pcc).to_host(), y_train) > 1e-2);
  }

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
TEST_CASE("thrust parity: BatchNorm in training mode") {
  check_layer_parity<Sequential<Input<7>, Dense<6>, BatchNorm, ReLU, Dense<2>>>();
}
TEST_CASE("thrust parity: BatchNorm in eval mode, after the running statistics moved") {
  check_layer_parity<Sequential<Input<7>, Dense<6>, BatchNorm, ReLU, Dense<2>>>({}, 0, Mode::eval);
}
TEST_CASE("thrust parity: Dropout in eval mode") {
  check_layer_parity<Sequential<Input<7>, Dense<16>, Dropout<0.5f>, Dense<2>>>({}, 0, Mode::eval);
}
TEST_CASE("thrust parity: Dynamic sizes") { check_layer_parity<Sequential<Input<Dynamic>, Dense<Dynamic>, Tanh>>({5, 4}); }
TEST_CASE("thrust parity: LayerNorm (tangent and its reverse)") {
  check_layer_parity<Sequential<Input<7>, Dense<6>, LayerNorm, Tanh, Dense<2>>>();
}
TEST_CASE("thrust parity: Projection") {
  check_layer_parity<Sequential<Input<7>, Dense<6>, LeakyReLU<0.2f>, Projection<3>>>({}, 3);
  check_layer_parity<Sequential<Input<7>, Dense<5>, Projection<Dynamic>>>({4}, 4);
}
TEST_CASE("thrust parity: Flatten and Reshape views") {
  check_layer_parity<Sequential<Input<2, 2, 3>, Flatten, Dense<8>, Reshape<2, 2, 2>, Tanh, Flatten, Dense<3>>>();
}
TEST_CASE("thrust parity: Chain, Residual, SkipConcat") {
  check_layer_parity<Sequential<Input<6>, Residual<Chain<Dense<6>, LayerNorm, Tanh>>, SkipConcat<Chain<Dense<4>, LeakyReLU<>>>,
                                Dense<2>>>();
}
TEST_CASE("thrust parity: Conv2d (im2col, col2im gather, tangent and its reverse)") {
  check_layer_parity<Sequential<Input<2, 6, 6>, Conv2d<3, 3, 2, 1>, LeakyReLU<>, Flatten, Dense<2>>>();
}
TEST_CASE("thrust parity: ConvTranspose2d (rows, spread by col2im, bias sums, tangent and its reverse)") {
  check_layer_parity<Sequential<Input<3, 3, 3>, ConvTranspose2d<2, 4, 2, 1>, LeakyReLU<>, Flatten, Dense<2>>>();
}
TEST_CASE("thrust parity: BatchNorm2d in training mode (per-channel sums in two passes)") {
  check_layer_parity<Sequential<Input<2, 4, 4>, BatchNorm2d, LeakyReLU<>, Flatten, Dense<2>>>();
}
TEST_CASE("thrust parity: BatchNorm2d in eval mode, after the running statistics moved") {
  check_layer_parity<Sequential<Input<2, 4, 4>, BatchNorm2d, LeakyReLU<>, Flatten, Dense<2>>>({}, 0, Mode::eval);
}
TEST_CASE("thrust parity: Upsample and AvgPool (gathers, tangent and its reverse)") {
  check_layer_parity<Sequential<Input<2, 4, 4>, Upsample<2>, AvgPool<2>, Flatten, Dense<2>>>();
}
TEST_CASE("thrust parity: SpectralNorm (power step, sigma term of the weight gradient, tangent and its reverse)") {
  check_layer_parity<Sequential<Input<2, 6, 6>, SpectralNorm<Conv2d<3, 3, 2, 1>>, LeakyReLU<>, Flatten, SpectralNorm<Dense<2>>>>();
  check_layer_parity<Sequential<Input<7>, SpectralNorm<Dense<Dynamic>>, Tanh, SpectralNorm<Projection<3>>>>({5}, 3);
}
TEST_CASE("thrust parity: SpectralNorm in eval mode (the stored u, v), beside BatchNorm2d") {
  // Three training passes move u, v (compared as state) and the running statistics; eval then
  // computes sigma from the stored u, v.
  check_layer_parity<Sequential<Input<2, 4, 4>, SpectralNorm<Conv2d<3, 3, 1, 1>>, BatchNorm2d, LeakyReLU<>, Flatten, Dense<2>>>(
      {}, 0, Mode::eval);
}
TEST_CASE("thrust parity: MinibatchStdDev (group statistics, tangent and its reverse)") {
  // A batch of 12: three groups of 4, four groups of 3, one group of 12 (Group 16 > 12).
  check_layer_parity<Sequential<Input<2, 4, 4>, MinibatchStdDev<4>, Conv2d<2, 3, 1, 1>, Flatten, Dense<2>>>();
  check_layer_parity<Sequential<Input<5>, Dense<6>, Tanh, MinibatchStdDev<3>, Dense<2>>>();
  check_layer_parity<Sequential<Input<1, 3, 3>, MinibatchStdDev<16>, Flatten, Dense<2>>>();
}

// The backend GEMM behind every Dense pass: C = alpha op(A) op(B) + beta C for all four transpose
// cases, odd non-square shapes (and one large enough for the blocked kernels), alpha != 1, and
// beta = 0 (C overwritten, never read: it starts as NaN), 1 and -0.5 (C accumulated). Both backends
// are checked against a double-precision reference of the formula, not only against each other,
// so a transpose handled wrongly the same way on both would still fail. Bound: a float dot product
// of k terms errs by at most about k ulps of the sum of the terms' magnitudes (Higham, gamma_k), plus
// one rounding each for alpha and beta; 2 (k + 3) 2^-24 sum|terms| leaves a factor 2 of margin.
TEST_CASE("thrust parity: reductions add in the same blocks, to the same bits") {
  // Shapes with one block and with many (backend/reduction_order.hpp), including a WGAN-like
  // column of +1 and -1 terms whose exact sum is 0: any other order gives another rounding.
  const index_t shapes[][2] = {{12, 5}, {500, 3}, {3000, 40}, {40, 3000}, {70000, 1}};
  for (const auto& shape : shapes) {
    const index_t rows = shape[0], cols = shape[1];
    auto h = host_normal(rows * cols, std::uint64_t(rows + cols));
    for (index_t i = 0; i < rows; ++i) h[std::size_t(i * cols)] = (i % 2 ? -1.f : 1.f) * (1.f + 1e-3f * float(i % 7));
    const Tc xc = on<Tc>(h, rows, cols);
    const Tg xg = on<Tg>(h, rows, cols);
    Tc cc(1, cols), rc(rows, 1);
    Tg cg(1, cols), rg(rows, 1);
    ops::fill(cc, 0.5f), ops::fill(cg, 0.5f);
    const float *pc = xc.data(), *pg = xg.data();
    Cpu::reduce_cols(rows, cols, [=](index_t i, index_t j) { return pc[i * cols + j] * pc[i * cols + j] - 0.25f; }, cc.data(), 0.75f);
    Gpu::reduce_cols(rows, cols, [=] GAN_HD(index_t i, index_t j) { return pg[i * cols + j] * pg[i * cols + j] - 0.25f; }, cg.data(), 0.75f);
    Cpu::reduce_rows(rows, cols, [=](index_t i, index_t j) { return pc[i * cols + j]; }, rc.data());
    Gpu::reduce_rows(rows, cols, [=] GAN_HD(index_t i, index_t j) { return pg[i * cols + j]; }, rg.data());
    const float sc = Cpu::reduce_sum<float>(rows * cols, [=](index_t i) { return pc[i]; });
    const float sg = Gpu::reduce_sum<float>(rows * cols, [=] GAN_HD(index_t i) { return pg[i]; });
    INFO("rows ", rows, " cols ", cols);
#if defined(__CUDACC__)  // nvcc contracts x * x - 0.25 into one FMA where g++ may not: close, not equal
    check_close(cc.to_host(), cg.to_host(), 1e-5, "column sums");
    check_close(rc.to_host(), rg.to_host(), 1e-5, "row sums");
    CHECK(double(sc) == doctest::Approx(double(sg)).epsilon(1e-5));
#else
    CHECK(cc.to_host() == cg.to_host());
    CHECK(rc.to_host() == rg.to_host());
    CHECK(sc == sg);
#endif
    double want = 0;  // the sum by the definition, in double
    for (float v : h) want += v;
    CHECK(double(sc) == doctest::Approx(want).epsilon(1e-4).scale(double(rows * cols)));
  }
}

TEST_CASE("thrust parity: GEMM, every transpose case, alpha and beta") {
  struct Shape {
    index_t m, n, k;
  };
  struct Coef {
    float alpha, beta;
  };
  int cases = 0;
  for (const Shape sh : {Shape{7, 5, 3}, Shape{1, 9, 4}, Shape{5, 1, 6}, Shape{33, 17, 65}})
    for (const bool ta : {false, true})
      for (const bool tb : {false, true})
        for (const Coef cf : {Coef{1.f, 0.f}, Coef{-0.75f, 0.f}, Coef{1.f, 1.f}, Coef{1.5f, -0.5f}}) {
          const index_t m = sh.m, n = sh.n, k = sh.k;
          const auto a = host_normal(m * k, 100 + std::uint64_t(cases)), b = host_normal(k * n, 200 + std::uint64_t(cases));
          auto c0 = host_normal(m * n, 300 + std::uint64_t(cases));
          if (cf.beta == 0.f) std::fill(c0.begin(), c0.end(), std::nanf(""));
          // op(A) is (m, k): A is stored (k, m) when transposed; op(B) is (k, n).
          auto opa = [&](index_t i, index_t p) { return double(ta ? a[std::size_t(p * m + i)] : a[std::size_t(i * k + p)]); };
          auto opb = [&](index_t p, index_t j) { return double(tb ? b[std::size_t(j * k + p)] : b[std::size_t(p * n + j)]); };
          std::vector<double> ref(std::size_t(m * n)), bound(std::size_t(m * n));
          for (index_t i = 0; i < m; ++i)
            for (index_t j = 0; j < n; ++j) {
              double s = 0, mag = 0;
              for (index_t p = 0; p < k; ++p) {
                s += opa(i, p) * opb(p, j);
                mag += std::abs(opa(i, p) * opb(p, j));
              }
              const double c = cf.beta == 0.f ? 0.0 : double(cf.beta) * c0[std::size_t(i * n + j)];
              ref[std::size_t(i * n + j)] = double(cf.alpha) * s + c;
              bound[std::size_t(i * n + j)] = 2.0 * double(k + 3) * std::ldexp(1.0, -24) * (std::abs(double(cf.alpha)) * mag + std::abs(c));
            }
          Tc ac = on<Tc>(a, ta ? k : m, ta ? m : k), bc = on<Tc>(b, tb ? n : k, tb ? k : n), cc = on<Tc>(c0, m, n);
          Tg ag = on<Tg>(a, ta ? k : m, ta ? m : k), bg = on<Tg>(b, tb ? n : k, tb ? k : n), cg = on<Tg>(c0, m, n);
          ops::matmul(ta, tb, cf.alpha, ac, bc, cf.beta, cc);
          ops::matmul(ta, tb, cf.alpha, ag, bg, cf.beta, cg);
          INFO("m=" << m << " n=" << n << " k=" << k << " ta=" << ta << " tb=" << tb << " alpha=" << cf.alpha
                    << " beta=" << cf.beta);
          CHECK(cc.rows() == m);
          CHECK(cc.cols() == n);
          CHECK(cg.rows() == m);
          CHECK(cg.cols() == n);
          const auto hc = cc.to_host(), hg = cg.to_host();
          double worst_c = 0, worst_g = 0;  // error / bound; <= 1 passes (NaN fails)
          for (std::size_t i = 0; i < ref.size(); ++i) {
            const double fl = std::max(bound[i], 1e-30);
            worst_c = std::max(worst_c, std::isfinite(hc[i]) ? std::abs(hc[i] - ref[i]) / fl : HUGE_VAL);
            worst_g = std::max(worst_g, std::isfinite(hg[i]) ? std::abs(hg[i] - ref[i]) / fl : HUGE_VAL);
          }
          CHECK(worst_c <= 1.0);
          CHECK(worst_g <= 1.0);
          ++cases;
        }
}

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

TEST_CASE("thrust parity: AuxiliaryClassifier (its training steps and the generator term)") {
  // Rows of 9 values, a 4-class one-hot target in columns 3..6.
  const index_t n = 20, w = 9;
  std::vector<float> real = host_normal(n * w, 21);
  for (index_t r = 0; r < n; ++r)
    for (index_t k = 0; k < 4; ++k) real[std::size_t(r * w + 3 + k)] = k == r % 4 ? 1.0f : 0.0f;
  Rng ic(4), ig(4);
  AuxiliaryClassifier<Cpu> ac(ic, w, 3, 4, 0.5, 1e-3);
  AuxiliaryClassifier<Gpu> ag(ig, w, 3, 4, 0.5, 1e-3);
  const Tc rc = on<Tc>(real, n, w);
  const Tg rg = on<Tg>(real, n, w);
  for (int s = 0; s < 3; ++s) CHECK(ac.train_on(rc) == doctest::Approx(ag.train_on(rg)).epsilon(1e-5));
  const auto pc = params_of(ac.network()), pg = params_of(ag.network());
  for (std::size_t i = 0; i < pc.size(); ++i) check_close(pc[i], pg[i], 1e-5, "classifier weights");
  const auto fake = host_normal(n * w, 22);
  Tc fc = on<Tc>(fake, n, w), dc(n, w);
  Tg fg = on<Tg>(fake, n, w), dg(n, w);
  ops::fill(dc, 0.0f);
  ops::fill(dg, 0.0f);
  CHECK(ac(fc, nullptr, dc) == doctest::Approx(ag(fg, nullptr, dg)).epsilon(1e-5));
  check_close(dc.to_host(), dg.to_host(), 2e-5, "dfake");
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

// Networks for the other training paths: BatchNorm in both (the critic then takes real and fake
// batches in two passes, and the generator's running statistics reach sample()), and Dropout in
// a critic trained with R1 (masks drawn by the trainer, reused by the penalty's tangent pass).
using BnG = Sequential<Input<2>, Dense<32>, BatchNorm, ReLU, Dense<32>, ReLU, Dense<2>>;
using BnD = Sequential<Input<2>, Dense<32>, BatchNorm, LeakyReLU<>, Dense<1>>;
using DropD = Sequential<Input<2>, Dense<32>, LeakyReLU<>, Dropout<0.25f>, Dense<32>, LeakyReLU<>, Dense<1>>;

/// What a short training run leaves behind: its losses, every parameter tensor of the generator,
/// the critic and the generator's EMA, every state tensor (running statistics), and samples.
struct Run {
  std::vector<float> losses, samples;
  std::vector<std::vector<float>> g, d, ema, buffers;
};

template <class B, class GS, class DS, class Obj, class Rule>
Run toy_run(Obj obj, Rule rule, int steps, int n_critic) {
  Rng init(6);
  Network<GS, B> g(init);
  Network<DS, B> d(init);
  Trainer t(g, d, obj, rule, rule, TrainerOptions{.batch = 64, .n_critic = n_critic, .seed = 6, .ema_decay = 0.9});
  const data::RingOfGaussians ring;
  Run out;
  for (int i = 0; i < steps; ++i) {
    const auto l = t.step(ring);
    out.losses.push_back(l.d_loss);
    out.losses.push_back(l.penalty);
    out.losses.push_back(l.g_loss);
  }
  out.g = params_of(g);
  out.d = params_of(d);
  out.ema = params_of(t.ema()->network());
  out.buffers = buffers_of(g);
  for (auto& b : buffers_of(d)) out.buffers.push_back(b);
  for (auto& b : buffers_of(t.ema()->network())) out.buffers.push_back(b);
  out.samples = t.sample(64).to_host();
  return out;
}

// Tolerances after a few training steps. The backends round GEMM sums in different orders
// (a few ulps), and training carries such differences on: each step's gradients depend on the
// weights. Measured on the runs below (Thrust on OpenMP against Eigen/OpenBLAS, float): the
// largest difference of any weight, EMA weight or running statistic is 1.2e-7 for the runs without
// BatchNorm and 7.5e-7 with it. The weights are of order 0.01 (clipped) to 1, and one update moves
// a weight by about lr = 5e-4..1e-3 (Adam's and RMSProp's normalised steps) or lr |g| (SGD). A
// tolerance of 1e-4 (absolute below 1, relative above) keeps a margin of more than 100 over the
// measured noise, for other GEMMs (cuBLAS under nvcc) and CPUs, and still sits below one optimiser
// step: a wrong update on one backend (a missed or doubled step, a sign, a wrong optimiser slot,
// an EMA update or a clipping skipped) moves some weight by a step or more and fails. Losses keep
// the earlier 2e-3 (they are also compared step by step, where a single bad step shows).
constexpr double weight_tol = 1e-4, loss_tol = 2e-3;

void check_runs(const Run& a, const Run& b, const std::string& what) {
  INFO("run: " << what);
  check_close(a.losses, b.losses, loss_tol, "losses");
  check_all_close(a.g, b.g, weight_tol, "generator weights");
  check_all_close(a.d, b.d, weight_tol, "critic weights");
  check_all_close(a.ema, b.ema, weight_tol, "generator EMA weights");
  check_all_close(a.buffers, b.buffers, weight_tol, "running statistics");
  check_close(a.samples, b.samples, weight_tol, "samples (EMA generator, eval mode)");
}

template <class GS, class DS, class Obj, class Rule>
void check_training(Obj obj, Rule rule, int steps, int n_critic, const std::string& what) {
  check_runs(toy_run<Cpu, GS, DS>(obj, rule, steps, n_critic), toy_run<Gpu, GS, DS>(obj, rule, steps, n_critic), what);
}
}  // namespace

TEST_CASE("thrust parity: whole training steps agree: losses, every weight, EMA, running statistics, samples") {
  check_training<ToyG, ToyD>(Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), 20, 1, "NS + Adam");
  check_training<ToyG, ToyD>(Objective<Wasserstein, GradientPenalty>{}, RMSProp{.lr = 1e-3}, 10, 2, "WGAN-GP + RMSProp");
  check_training<ToyG, ToyD>(Objective<Hinge>{}, Sgd{.lr = 0.01, .momentum = 0.9}, 20, 1, "hinge + SGD");
  check_training<ToyG, ToyD>(Objective<LeastSquares>{}, Sgd{.lr = 0.01}, 20, 1, "least squares + plain SGD");
  check_training<ToyG, ToyD>(Objective<Wasserstein, WeightClipping>{}, RMSProp{.lr = 5e-4}, 5, 5,
                             "WGAN with weight clipping + RMSProp");
  check_training<ToyG, DropD>(Objective<NonSaturating, R1>{}, Adam(1e-3, 0.5, 0.9), 15, 1, "NS + R1, Dropout critic");
  // SGD, not Adam, with BatchNorm: some gradients here are zero in exact arithmetic (the bias of a
  // Dense before a BatchNorm; and, with a BatchNorm critic, every direction that shifts the whole
  // fake batch, such as G's last bias), so each backend holds only its own rounding noise there.
  // Adam divides by the root of that noise's square and turns it into steps of +-lr with random
  // signs: measured, weights then differ by up to 1e-2 after 15 steps. SGD keeps noise at noise scale.
  check_training<BnG, BnD>(Objective<Minimax>{}, Sgd{.lr = 0.01, .momentum = 0.5}, 15, 1,
                           "minimax + SGD, BatchNorm in G and D");
}

namespace {
// A conditional GAN: G reads the class through Concat, the critic is a residual, layer-normalised
// projection discriminator trained with WGAN-GP, and G's two outputs are also the logits of a
// SpanCrossEntropy term that asks for the class (a stand-in for CTGAN's conditional loss).
using CondG = Sequential<Input<2>, Concat<2>, Dense<16>, ReLU, Dense<2>>;
using CondD = Sequential<Input<2>, Dense<16>, LeakyReLU<>, Residual<Chain<Dense<16>, LayerNorm, LeakyReLU<>>>, Projection<2>>;

template <class B>
std::vector<float> conditional_run() {
  Rng init(8);
  Network<CondG, B> g(init);
  Network<CondD, B> d(init);
  Trainer t(g, d, Objective<Wasserstein, GradientPenalty>{}, Adam(1e-3, 0.5, 0.9), Adam(1e-3, 0.5, 0.9),
            TrainerOptions{.batch = 32, .n_critic = 2, .seed = 8});
  t.add_generator_term(SpanCrossEntropy{.spans = {{0, 2, 0}}});
  const data::RingOfGaussians ring;
  auto sampler = [&](Tensor<float, B>& x, Tensor<float, B>& c, Rng& rng) {
    ring(x, rng);
    std::vector<float> h(std::size_t(2 * x.rows()), 0.f);
    for (index_t i = 0; i < x.rows(); ++i) h[std::size_t(2 * i + rng.below(2))] = 1.f;
    c.from_host(h, x.rows(), 2);
  };
  std::vector<float> out;
  for (int i = 0; i < 10; ++i) {
    const auto l = t.step(sampler);
    out.insert(out.end(), {l.d_loss, l.penalty, l.g_loss, l.g_extra});
  }
  for (auto& p : params_of(g)) out.insert(out.end(), p.begin(), p.end());
  for (auto& p : params_of(d)) out.insert(out.end(), p.begin(), p.end());
  return out;
}
}  // namespace

TEST_CASE("thrust parity: a conditional WGAN-GP with a projection critic and a generator term") {
  check_close(conditional_run<Cpu>(), conditional_run<Gpu>(), loss_tol, "losses and weights");
}

TEST_CASE("thrust parity: training with a SpectralNorm + MinibatchStdDev critic (and SpectralNorm in G)") {
  // The critic is not per-sample (real and fake in separate passes) and takes WGAN-GP through the
  // minibatch statistic's tangent pass; G's u, v reach the EMA generator as state.
  using SnG = Sequential<Input<2>, SpectralNorm<Dense<32>>, ReLU, Dense<32>, ReLU, Dense<2>>;
  using SnD = Sequential<Input<2>, SpectralNorm<Dense<32>>, LeakyReLU<>, MinibatchStdDev<4>, SpectralNorm<Dense<32>>,
                         LeakyReLU<>, SpectralNorm<Dense<1>>>;
  // WGAN-GP with SGD, not Adam: under the Wasserstein (and, while |D| < 1, the hinge) loss the
  // bias of a hidden unit that is active on every real and fake sample gets dL/db = w (1/n) (sum of
  // -1 over real + sum of +1 over fake) = 0 exactly, and the penalty does not depend on that bias
  // either (with LeakyReLU, grad_x D is piecewise constant in it). Adam would turn each backend's
  // rounding noise there into steps of +-lr with random signs (measured: 1.5e-3 after 10 steps).
  check_training<SnG, SnD>(Objective<Wasserstein, GradientPenalty>{}, Sgd{.lr = 0.01, .momentum = 0.9}, 10, 2,
                           "WGAN-GP + SGD, spectral norm and minibatch stddev");
  check_training<SnG, SnD>(Objective<NonSaturating>{}, Adam(2e-4, 0.0, 0.9), 15, 1, "NS + Adam(beta1 = 0)");
}

TEST_CASE("thrust: a step with SpectralNorm and MinibatchStdDev transfers only the scalars it reports") {
#if defined(GAN_COUNT_TRANSFERS)
  using SnD = Sequential<Input<2>, SpectralNorm<Dense<32>>, LeakyReLU<>, MinibatchStdDev<4>, SpectralNorm<Dense<1>>>;
  Rng init(1);
  Network<ToyG, Gpu> g(init);
  Network<SnD, Gpu> d(init);
  Trainer t(g, d, Objective<Wasserstein, GradientPenalty>{}, Adam(1e-3, 0.5, 0.9), Adam(1e-3, 0.5, 0.9),
            TrainerOptions{.batch = 64, .n_critic = 2, .seed = 1});
  const data::RingOfGaussians ring;
  t.step(ring);
  const long before = Gpu::transfers().load();
  t.step(ring);
  // sigma, the norms of u and v and the group statistics stay on the device.
  CHECK(Gpu::transfers().load() - before == 2 * 3 + 1);
#else
  MESSAGE("built without GAN_COUNT_TRANSFERS: transfer counting not checked");
#endif
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
  // Every tensor and count of the checkpoint arrived exactly (the Thrust trainer started from
  // other weights: init seed 99), not only the first layer's weights.
  std::vector<std::pair<std::string, std::vector<float>>> tensors_c, tensors_g;
  std::vector<std::pair<std::string, std::uint64_t>> counts_c, counts_g;
  tc.visit_checkpoint([&](const std::string& n, Tc& t) { tensors_c.emplace_back(n, t.to_host()); },
                      [&](const std::string& n, std::uint64_t& v) { counts_c.emplace_back(n, v); });
  tg.visit_checkpoint([&](const std::string& n, Tg& t) { tensors_g.emplace_back(n, t.to_host()); },
                      [&](const std::string& n, std::uint64_t& v) { counts_g.emplace_back(n, v); });
  REQUIRE(tensors_c.size() == tensors_g.size());
  for (std::size_t i = 0; i < tensors_c.size(); ++i) {
    INFO(tensors_c[i].first);
    CHECK(tensors_g[i] == tensors_c[i]);
  }
  CHECK(counts_g == counts_c);
  std::vector<float> a, b;
  for (int i = 0; i < 5; ++i) {
    a.push_back(tc.step(ring).g_loss);
    b.push_back(tg.step(ring).g_loss);
  }
  check_close(a, b, 1e-4, "losses after the move");
  std::filesystem::remove(path);
}

namespace {
// A small mixed table: a category (the target), a continuous column with a point mass at 0, an
// integer column with missing values, and a category that depends on the first.
tabular::Table small_table(std::size_t n) {
  Rng rng(21);
  tabular::Table t;
  t.columns.resize(4);
  t.columns[0].name = "label", t.columns[0].kind = tabular::ColumnKind::Categorical;
  t.columns[1].name = "x", t.columns[1].kind = tabular::ColumnKind::Continuous, t.columns[1].decimals = 4;
  t.columns[2].name = "k", t.columns[2].kind = tabular::ColumnKind::Integer;
  t.columns[3].name = "kind", t.columns[3].kind = tabular::ColumnKind::Categorical;
  for (std::size_t i = 0; i < n; ++i) {
    const bool yes = rng.uniform() < 0.3;
    t.columns[0].push_category(yes ? "yes" : "no");
    t.columns[1].numbers.push_back(rng.uniform() < 0.4 ? 0.0 : std::round((yes ? 5 : -2) + 10000 * rng.normal()) / 10000);
    t.columns[2].numbers.push_back(rng.uniform() < 0.1 ? std::nan("") : std::round(20 + 50 * rng.uniform()));
    t.columns[3].push_category(std::string(1, char('p' + (yes ? rng.below(2) : 2 + rng.below(3)))));
  }
  return t;
}
}  // namespace

TEST_CASE("thrust parity: tabular::Synthesizer (training-by-sampling, heads, auxiliary classifier, target classifier, sampling)") {
  const tabular::Table table = small_table(400);
  const tabular::SynthesizerOptions opt{.batch = 80, .pac = 8, .seed = 5, .target = "label", .target_weight = 0.1, .progress = false};
  tabular::Synthesizer<Cpu> c(opt);
  tabular::Synthesizer<Gpu> g(opt);
  c.prepare(table);
  g.prepare(table);
  std::vector<float> lc, lg;
  for (int i = 0; i < 6; ++i) {
    const auto a = c.train_step(), b = g.train_step();
    lc.insert(lc.end(), {a.d_loss, a.penalty, a.g_loss, a.g_extra});
    lg.insert(lg.end(), {b.d_loss, b.penalty, b.g_loss, b.g_extra});
  }
  check_close(lc, lg, loss_tol, "losses");
  REQUIRE(c.target_classifier() != nullptr);
  REQUIRE(g.target_classifier() != nullptr);
  CHECK(g.target_classifier()->holdout_loss() == doctest::Approx(c.target_classifier()->holdout_loss()).epsilon(1e-3));
  // The generator's weights only up to the Dense biases before its BatchNorms: their gradient is 0
  // in exact arithmetic, and Adam turns each backend's rounding noise there into steps of +-lr
  // (see check_training). The samples, which BatchNorm makes blind to those biases, must agree.
  const tabular::Table sc = c.sample(200), sg = g.sample(200);
  for (std::size_t j = 0; j < sc.cols(); ++j) {
    const tabular::Column &a = sc.columns[j], &b = sg.columns[j];
    INFO("column " << a.name);
    std::size_t same = 0;
    for (std::size_t i = 0; i < sc.rows(); ++i)
      if (a.categorical() ? a.categories[std::size_t(a.codes[i])] == b.categories[std::size_t(b.codes[i])]
                          : (std::isnan(a.numbers[i]) ? std::isnan(b.numbers[i])
                                                       : std::abs(a.numbers[i] - b.numbers[i]) <= 1e-3 * (1 + std::abs(a.numbers[i]))))
        ++same;
    CHECK(same >= sc.rows() * 98 / 100);  // a value near a mode's or category's boundary may flip
  }
}

TEST_CASE("thrust: a tabular step launches as many kernels for 14 columns as for 4, and transfers the same") {
#if defined(GAN_COUNT_TRANSFERS)
  // The output heads and the conditional cross-entropy handle every span of a row in one launch,
  // so a wider table costs larger kernels, not more of them (on a GPU a small kernel costs about
  // its launch). Transfers: the batch and its condition, and the reported scalars.
  tabular::Table wide = small_table(400);
  Rng rng(7);
  for (int c = 0; c < 5; ++c) {
    tabular::Column cat, num;
    cat.name = "c" + std::to_string(c), cat.kind = tabular::ColumnKind::Categorical;
    num.name = "v" + std::to_string(c), num.kind = tabular::ColumnKind::Continuous, num.decimals = 3;
    for (std::size_t i = 0; i < wide.rows(); ++i) {
      cat.push_category(std::string(1, char('a' + rng.below(std::size_t(3 + c)))));
      num.numbers.push_back(std::round(1000 * (rng.uniform() < 0.2 ? 0.0 : 10 * c + rng.normal())) / 1000);
    }
    wide.columns.push_back(std::move(cat));
    wide.columns.push_back(std::move(num));
  }
  auto per_step = [](const tabular::Table& t) {
    tabular::Synthesizer<Gpu> s({.batch = 80, .pac = 8, .seed = 5, .target = "label", .target_weight = 0.1, .progress = false});
    s.prepare(t);
    s.train_step();  // sizes the buffers
    const long k0 = Gpu::launches().load(), t0 = Gpu::transfers().load();
    s.train_step();
    return std::pair{Gpu::launches().load() - k0, Gpu::transfers().load() - t0};
  };
  const auto [k4, t4] = per_step(small_table(400));
  const auto [k14, t14] = per_step(wide);
  MESSAGE("tabular step: " << k4 << " kernels, " << t4 << " transfers (4 columns); " << k14 << " kernels, " << t14
                           << " transfers (14 columns)");
  CHECK(k14 == k4);
  CHECK(t14 == t4);
  // The two batch copies, the critic's real and fake terms and penalty, the generator's term, the
  // conditional cross-entropy, and the auxiliary classifier's two losses (its own and G's term).
  CHECK(t4 == 2 + 3 + 1 + 1 + 2);
#else
  MESSAGE("built without GAN_COUNT_TRANSFERS: launches not counted");
#endif
}
