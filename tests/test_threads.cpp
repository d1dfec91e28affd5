// Threads (gan/core/threads.hpp) and the CPU backend's parallel pieces: every chunk runs once,
// errors reach the caller, nested calls are serial, and products, reductions, whole training
// steps and tabular samples are bit-identical for 1, 2, 3 and 5 threads.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <gan/core/threads.hpp>
#include <gan/gan.hpp>
#include <gan/layers/conv2d.hpp>
#include <gan/tabular.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace gan;

namespace {

/// Restores the thread count a test found.
struct ThreadsGuard {
  int saved = num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};

const int counts[] = {1, 2, 3, 5};

std::vector<float> wave(index_t n, float f) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) v[std::size_t(i)] = std::sin(f * float(i) + 0.3f) * (1.0f + float(i % 7) * 0.01f);
  return v;
}

}  // namespace

TEST_CASE("parallel_for runs every chunk exactly once, for any thread count") {
  ThreadsGuard guard;
  for (int t : counts) {
    set_num_threads(t);
    CHECK(num_threads() == t);
    for (index_t chunks : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(chunks));
      parallel_for(chunks, [&](index_t c) { hits[std::size_t(c)].fetch_add(1); });
      for (auto& h : hits) CHECK(h.load() == 1);
    }
  }
}

TEST_CASE("parallel_for: an exception in a chunk reaches the caller; the pool stays usable") {
  ThreadsGuard guard;
  set_num_threads(3);
  std::atomic<int> ran{0};
  CHECK_THROWS_WITH_AS(parallel_for(50,
                                    [&](index_t c) {
                                      ran.fetch_add(1);
                                      if (c == 17) throw std::runtime_error("chunk 17 failed");
                                    }),
                       "chunk 17 failed", std::runtime_error);
  CHECK(ran.load() == 50);  // the other chunks still ran: no chunk is left half-claimed
  std::atomic<int> after{0};
  parallel_for(10, [&](index_t) { after.fetch_add(1); });
  CHECK(after.load() == 10);
}

TEST_CASE("parallel_for: a call inside a chunk, or from a second thread, runs serially and completes") {
  ThreadsGuard guard;
  set_num_threads(2);
  std::atomic<int> inner{0};
  parallel_for(4, [&](index_t) { parallel_for(5, [&](index_t) { inner.fetch_add(1); }); });
  CHECK(inner.load() == 20);
  std::atomic<int> total{0};
  std::thread other([&] {
    for (int i = 0; i < 200; ++i) parallel_for(3, [&](index_t) { total.fetch_add(1); });
  });
  for (int i = 0; i < 200; ++i) parallel_for(3, [&](index_t) { total.fetch_add(1); });
  other.join();
  CHECK(total.load() == 1200);
}

TEST_CASE("set_num_threads rejects a count below 1") {
  ThreadsGuard guard;
  CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("at least 1"), std::invalid_argument);
  CHECK(num_threads() == guard.saved);
}

TEST_CASE("Cpu::gemm: bit-identical for every thread count, every transpose, and equal to the definition") {
  ThreadsGuard guard;
  struct Case {
    index_t m, n, k;
  };
  // CTGAN's and the tabular critic's shapes, a tall-thin and a wide-short one, and sizes that
  // are no multiple of any register block.
  // The long thin ones leave a rest of one row or column after the cuts (Eigen's matrix-vector
  // path, if such a rest were a piece of its own), and results of one row or column.
  const Case cases[] = {{500, 256, 256}, {50, 256, 2840}, {256, 2840, 50}, {500, 180, 744}, {333, 77, 129},
                        {37, 611, 300},  {9, 9, 50000},   {17, 16, 30000}, {40, 97, 3000},  {33, 32, 9500},
                        {3000, 1, 2000}, {1, 3000, 2000}, {2000, 2, 3000}};
  for (const auto& c : cases)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        const auto A = wave(c.m * c.k, 0.37f), B = wave(c.k * c.n, 0.11f), C0 = wave(c.m * c.n, 0.05f);
        std::vector<float> ref;
        for (int t : counts) {
          set_num_threads(t);
          auto C = C0;
          Cpu::gemm<float>(ta, tb, c.m, c.n, c.k, 0.5f, A.data(), B.data(), 0.25f, C.data());
          if (ref.empty()) {
            ref = C;
            // spot-check entries against the definition (double accumulation)
            for (index_t i : {index_t(0), c.m / 2, c.m - 1})
              for (index_t j : {index_t(0), c.n / 3, c.n - 1}) {
                double s = 0;
                for (index_t p = 0; p < c.k; ++p)
                  s += double(ta ? A[std::size_t(p * c.m + i)] : A[std::size_t(i * c.k + p)]) *
                       double(tb ? B[std::size_t(j * c.k + p)] : B[std::size_t(p * c.n + j)]);
                const double want = 0.5 * s + 0.25 * double(C0[std::size_t(i * c.n + j)]);
                CHECK(double(C[std::size_t(i * c.n + j)]) == doctest::Approx(want).epsilon(1e-4));
              }
          } else {
            INFO("m ", c.m, " n ", c.n, " k ", c.k, " ta ", ta, " tb ", tb, " threads ", t);
            CHECK(C == ref);
          }
        }
      }
}

TEST_CASE("Cpu reductions and point-wise passes: bit-identical for every thread count") {
  ThreadsGuard guard;
  const index_t rows = 700, cols = 301;
  const auto x = wave(rows * cols, 0.013f);
  const float* xp = x.data();
  std::vector<float> cols_ref, rows_ref, each_ref;
  for (int t : counts) {
    set_num_threads(t);
    std::vector<float> cs(static_cast<std::size_t>(cols), 1.0f), rs(static_cast<std::size_t>(rows)), each(x.size());
    Cpu::reduce_cols(rows, cols, [=](index_t i, index_t j) { return xp[i * cols + j] * xp[i * cols + j]; }, cs.data(), 0.5f);
    Cpu::reduce_rows(rows, cols, [=](index_t i, index_t j) { return xp[i * cols + j]; }, rs.data());
    float* ep = each.data();
    Cpu::for_each(index_t(x.size()), [=](index_t i) { ep[i] = std::tanh(xp[i]); });
    Cpu::for_each_2d(rows, cols, [=](index_t i, index_t j) { ep[i * cols + j] += float(j); });
    if (t == 1) {
      cols_ref = cs, rows_ref = rs, each_ref = each;
      double s = 0.5;  // column 3 by the definition
      for (index_t i = 0; i < rows; ++i) s += double(xp[i * cols + 3]) * double(xp[i * cols + 3]);
      CHECK(double(cs[3]) == doctest::Approx(s).epsilon(1e-5));
    } else {
      CHECK(cs == cols_ref);
      CHECK(rs == rows_ref);
      CHECK(each == each_ref);
    }
  }
}

TEST_CASE("Whole training steps are bit-identical for every thread count (dense WGAN-GP with pac, and a conv critic)") {
  ThreadsGuard guard;
  using G = Sequential<Input<64>, Dense<256>, BatchNorm, ReLU, Dense<256>, BatchNorm, ReLU, Dense<32>>;
  using D = Sequential<Input<320>, Dense<256>, LeakyReLU<>, Dropout<>, Dense<256>, LeakyReLU<>, Dense<1>>;
  using CG = Sequential<Input<16>, Dense<8 * 7 * 7>, ReLU, Reshape<8, 7, 7>, Conv2d<16, 3, 1, 1>, ReLU, Flatten, Dense<2>>;
  using CD = Sequential<Input<2>, Dense<64>, LeakyReLU<>, Dense<1>>;
  const data::RingOfGaussians ring;
  std::vector<std::vector<float>> ref;
  for (int t : counts) {
    set_num_threads(t);
    std::vector<std::vector<float>> out;
    {
      Rng init(3);
      Network<G, Cpu> g(init);
      Network<D, Cpu> d(init);
      Trainer tr(g, d, Objective<Wasserstein, GradientPenalty>{}, Adam(2e-4, 0.5, 0.9), Adam(2e-4, 0.5, 0.9),
                 TrainerOptions{.batch = 500, .pac = 10, .seed = 9});
      auto real = [](Tensor<float, Cpu>& batch, Rng& r) {  // any rows will do: only equality is checked
        const index_t n = batch.rows();
        batch.resize(n, 32);
        float* p = batch.data();
        const RandomDraw draw = r.draw(std::uint64_t(n * 32));
        Cpu::for_each(n * 32, [=](index_t i) { p[i] = draw.normal<float>(std::uint64_t(i)) + float(i % 32) * 0.1f; });
      };
      for (int i = 0; i < 3; ++i) {
        const auto l = tr.step(real);
        out.push_back({l.d_loss, l.g_loss});
      }
      g.visit_params([&](auto& p, auto&) { out.push_back(p.to_host()); });
      d.visit_params([&](auto& p, auto&) { out.push_back(p.to_host()); });
    }
    {
      Rng init(4);
      Network<CG, Cpu> g(init);
      Network<CD, Cpu> d(init);
      Trainer tr(g, d, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                 TrainerOptions{.batch = 256, .seed = 2});
      for (int i = 0; i < 3; ++i) tr.step(ring);
      g.visit_params([&](auto& p, auto&) { out.push_back(p.to_host()); });
    }
    if (ref.empty())
      ref = out;
    else {
      INFO("threads ", t);
      CHECK(out == ref);
    }
  }
}

TEST_CASE("Tabular synthesizer: the same seed gives the same rows for every thread count") {
  ThreadsGuard guard;
  tabular::Table table;
  Rng rng(11);
  tabular::Column c, x;
  c.name = "c", c.kind = tabular::ColumnKind::Categorical;
  x.name = "x", x.kind = tabular::ColumnKind::Continuous, x.decimals = 6;
  for (int i = 0; i < 1200; ++i) {
    const bool b = rng.uniform() < 0.3;
    c.push_category(b ? "b" : "a");
    x.numbers.push_back((b ? 3.0 : -1.0) + rng.normal());
  }
  table.columns = {c, x};
  std::vector<double> ref;
  for (int t : counts) {
    set_num_threads(t);
    tabular::SynthesizerOptions opt;
    opt.epochs = 2, opt.batch = 400, opt.seed = 5, opt.progress = false;
    tabular::Synthesizer<> s(opt);
    s.fit(table);
    const auto g = s.sample(300);
    if (ref.empty())
      ref = g.columns[1].numbers;
    else {
      INFO("threads ", t);
      CHECK(g.columns[1].numbers == ref);
    }
  }
}
