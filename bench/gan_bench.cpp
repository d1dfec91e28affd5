// bench/gan_bench.cpp: one full GAN step (critic update + generator update) on the shapes of
// bench/README.md, and the dense layers' GEMM rate. bench/peers/compare.py runs the same shapes in
// PyTorch and prints the ratio.
// Under nvcc (gan_bench_cuda) the same steps also run on gan::Gpu: BM_ToyStep_gpu and so on.
//
// `gan_bench --tabular_layout=PATH` writes the encoded layout of Adult (the widths, the output
// heads' spans and the condition's blocks, from our transformer) as JSON and exits: the PyTorch
// peer builds its tabular networks from it (bench/peers/compare.py runs this).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(GAN_WITH_GPU)
#include <gan/gan_gpu.hpp>
#else
#include <gan/gan.hpp>
#endif
#include <gan/tabular.hpp>

#ifndef GAN_DATA_DIR
#define GAN_DATA_DIR "data"
#endif

namespace {

// False (and the benchmark reported as skipped) when the backend has no device to run on.
template <class B>
bool usable(benchmark::State& state) {
#if defined(GAN_WITH_GPU)
  if constexpr (std::is_same_v<B, gan::Gpu>) {
    std::string why;
    if (!gan::Gpu::available(&why)) {
      state.SkipWithError(("gan::Gpu: " + why).c_str());
      return false;
    }
  }
#endif
  (void)state;
  return true;
}

// (a) The toy ring MLP: batch 256, z = 2, three hidden layers of 128.
using ToyG = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::ReLU, gan::Dense<128>, gan::ReLU, gan::Dense<128>,
                             gan::ReLU, gan::Dense<2>>;
using ToyD = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::LeakyReLU<0.2f>, gan::Dense<128>,
                             gan::LeakyReLU<0.2f>, gan::Dense<128>, gan::LeakyReLU<0.2f>, gan::Dense<1>>;

template <class B>
void BM_ToyStep(benchmark::State& state) {
  if (!usable<B>(state)) return;
  gan::Rng init(1);
  gan::Network<ToyG, B> g(init);
  gan::Network<ToyD, B> d(init);
  gan::Trainer trainer(g, d, gan::Objective<gan::NonSaturating>{}, gan::Adam(2e-4, 0.5, 0.999),
                       gan::Adam(2e-4, 0.5, 0.999), gan::TrainerOptions{.batch = 256, .seed = 1});
  const gan::data::RingOfGaussians ring;
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(ring));
}

// (b, c) A CTGAN-sized WGAN: G takes z (128) and a one-hot condition (100); the critic sees
// pac-10 groups of 150 features, i.e. (50, 1500) inputs.
using CtganG = gan::Sequential<gan::Input<128>, gan::Concat<100>, gan::Dense<256>, gan::BatchNorm, gan::ReLU,
                               gan::Dense<256>, gan::BatchNorm, gan::ReLU, gan::Dense<150>>;
using CtganD = gan::Sequential<gan::Input<1500>, gan::Dense<256>, gan::LeakyReLU<0.2f>, gan::Dropout<0.5f>,
                               gan::Dense<256>, gan::LeakyReLU<0.2f>, gan::Dropout<0.5f>, gan::Dense<1>>;

template <class B, class Obj>
void ctgan_step(benchmark::State& state, Obj objective) {
  if (!usable<B>(state)) return;
  gan::Rng init(1);
  gan::Network<CtganG, B> g(init);
  gan::Network<CtganD, B> d(init);
  gan::Trainer trainer(g, d, objective, gan::Adam(2e-4, 0.5, 0.9), gan::Adam(2e-4, 0.5, 0.9),
                       gan::TrainerOptions{.batch = 500, .pac = 10, .seed = 1});
  // Fixed real rows and one-hot conditions: data loading is not what is measured.
  gan::Tensor<float, B> rows(500, 150), onehot;
  gan::ops::fill_normal(rows, init);
  std::vector<float> h(500 * 100, 0.f);
  for (std::size_t i = 0; i < 500; ++i) h[i * 100 + init.below(100)] = 1.f;
  onehot.from_host(h, 500, 100);
  auto sampler = [&](gan::Tensor<float, B>& batch, gan::Tensor<float, B>& cond, gan::Rng&) {
    gan::ops::copy(rows, batch);
    gan::ops::copy(onehot, cond);
  };
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(sampler));
}
template <class B>
void BM_CtganStep(benchmark::State& state) { ctgan_step<B>(state, gan::Objective<gan::Wasserstein>{}); }
template <class B>
void BM_CtganGpStep(benchmark::State& state) {
  ctgan_step<B>(state, gan::Objective<gan::Wasserstein, gan::GradientPenalty>{gan::Wasserstein{}, gan::GradientPenalty{.lambda = 10}});
}

// Sampling throughput of the CTGAN-sized generator: 10000 rows in eval mode (fresh z, fixed
// one-hot conditions), rows/s counter.
template <class B>
void BM_CtganSample(benchmark::State& state) {
  if (!usable<B>(state)) return;
  constexpr gan::index_t n = 10000;
  gan::Rng init(1);
  gan::Network<CtganG, B> g(init);
  g.eval();
  gan::Tensor<float, B> z(n, 128), onehot;
  std::vector<float> h(n * 100, 0.f);
  for (std::size_t i = 0; i < std::size_t(n); ++i) h[i * 100 + init.below(100)] = 1.f;
  onehot.from_host(h, n, 100);
  for (auto _ : state) {
    gan::ops::fill_normal(z, init);
    benchmark::DoNotOptimize(g.forward(z, &onehot).data());
  }
  state.counters["rows/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}

// (d) DCGAN on 28x28 images, the networks of examples/dcgan_fashion: batch 64, z = 100.
using DcganG = gan::Sequential<gan::Input<100>, gan::Dense<128 * 7 * 7>, gan::Reshape<128, 7, 7>, gan::BatchNorm2d,
                               gan::ReLU, gan::ConvTranspose2d<64, 4, 2, 1>, gan::BatchNorm2d, gan::ReLU,
                               gan::ConvTranspose2d<1, 4, 2, 1>, gan::Tanh>;
using DcganD = gan::Sequential<gan::Input<1, 28, 28>, gan::Conv2d<64, 4, 2, 1>, gan::LeakyReLU<0.2f>,
                               gan::Conv2d<128, 4, 2, 1>, gan::LeakyReLU<0.2f>, gan::Flatten, gan::Dense<1>>;

template <class B>
void BM_DcganStep(benchmark::State& state) {
  if (!usable<B>(state)) return;
  gan::Rng init(1);
  gan::Network<DcganG, B> g(init);
  gan::Network<DcganD, B> d(init);
  gan::Trainer trainer(g, d, gan::Objective<gan::NonSaturating>{}, gan::Adam(2e-4, 0.5, 0.999),
                       gan::Adam(2e-4, 0.5, 0.999), gan::TrainerOptions{.batch = 64, .seed = 1});
  gan::Tensor<float, B> images(64, gan::Shape::image(1, 28, 28));  // fixed "real" images
  gan::ops::fill_uniform(images, init, -1.f, 1.f);
  auto sampler = [&](gan::Tensor<float, B>& batch, gan::Rng&) { gan::ops::copy(images, batch); };
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(sampler));
}

// Sampling throughput: 256 images from the DCGAN generator in eval mode (images/s counter).
template <class B>
void BM_DcganSample(benchmark::State& state) {
  if (!usable<B>(state)) return;
  gan::Rng init(1);
  gan::Network<DcganG, B> g(init);
  g.eval();
  gan::Tensor<float, B> z(256, 100);
  for (auto _ : state) {
    gan::ops::fill_normal(z, init);
    benchmark::DoNotOptimize(g.forward(z).data());
  }
  state.counters["images/s"] = benchmark::Counter(256.0, benchmark::Counter::kIsIterationInvariantRate);
}

// The dense layer's product y = x W^T on CTGAN shapes (500 x 256 -> 256, ...; 50 x 2840 -> 256 and
// 500 x 744 -> 180 are the tabular Adult critic's first and generator's last layers), in GFLOP/s.
void BM_DenseGemm(benchmark::State& state) {
  const gan::index_t n = state.range(0), in = state.range(1), out = state.range(2);
  gan::Rng rng(1);
  gan::Tensor<float, gan::Cpu> x(n, in), w(out, in), y(n, out);
  gan::ops::fill_normal(x, rng);
  gan::ops::fill_normal(w, rng);
  for (auto _ : state) {
    gan::ops::matmul(false, true, 1.f, x, w, 0.f, y);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * double(n * in * out), benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

// (e) The tabular synthesizer on Adult (26048 rows, 15 columns): one training step of
// gan::tabular::Synthesizer with its default options (batch 500, pac 10, CTGAN's networks,
// WGAN-GP, training-by-sampling and the conditional cross-entropy). The table is read and encoded
// outside the timed loop; each step draws its conditions and real rows (training-by-sampling,
// encode_rows) inside it, as fit() does.
// The data folder: $GAN_DATA_DIR, else the source tree's data/ (compiled in).
const char* const data_dir = std::getenv("GAN_DATA_DIR");
const std::string adult_csv = std::string(data_dir ? data_dir : GAN_DATA_DIR) + "/adult/adult_train.csv";

template <class B>
void BM_TabularAdultStep(benchmark::State& state) {
  if (!usable<B>(state)) return;
  const gan::tabular::Table table = gan::tabular::read_csv(adult_csv);
  gan::tabular::Synthesizer<B> synth({.seed = 1, .progress = false});
  synth.prepare(table);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(synth.train_step());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double steps = double(synth.steps_per_epoch());
  state.counters["steps_per_epoch"] = steps;
  state.counters["s_per_epoch"] = steps * s / double(state.iterations());
}

// Unconditional sampling: rows per second of sample(10000) (the generator in eval mode and the
// decoding into a Table), after a fit of 0 epochs (untrained weights cost the same).
template <class B>
void BM_TabularAdultSample(benchmark::State& state) {
  if (!usable<B>(state)) return;
  const gan::tabular::Table table = gan::tabular::read_csv(adult_csv);
  gan::tabular::Synthesizer<B> synth({.epochs = 0, .seed = 1, .progress = false});
  synth.fit(table);
  const std::size_t n = 10000;
  for (auto _ : state) benchmark::DoNotOptimize(synth.sample(n).rows());
  state.counters["rows/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}

// The layout the PyTorch peer needs to build the same networks: JSON to `path`.
int write_tabular_layout(const std::string& path) {
  const gan::tabular::Table table = gan::tabular::read_csv(adult_csv);
  gan::tabular::Synthesizer<> synth({.epochs = 0, .seed = 1, .progress = false});
  synth.prepare(table);
  const auto& tf = synth.transformer();
  const auto& cond = synth.conditions();
  std::string j = "{\"table\": \"data/adult/adult_train.csv\", \"rows\": " + std::to_string(table.rows()) +
                  ", \"batch\": " + std::to_string(synth.options().batch) + ", \"pac\": " +
                  std::to_string(synth.options().pac) + ", \"z\": " + std::to_string(synth.z_dim) +
                  ", \"width\": " + std::to_string(tf.width()) + ", \"cond_width\": " + std::to_string(cond.width()) +
                  ",\n \"spans\": [";
  const char* sep = "";
  for (const auto& sp : tf.spans()) {
    j += std::string(sep) + "{\"kind\": \"" + (sp.kind == gan::tabular::OutputSpan::Scalar ? "tanh" : "softmax") +
         "\", \"start\": " + std::to_string(sp.start) + ", \"width\": " + std::to_string(sp.width) + "}";
    sep = ", ";
  }
  j += "],\n \"cond_spans\": [";
  sep = "";
  for (const auto& c : cond.cross_entropy_spans()) {
    j += std::string(sep) + "{\"output\": " + std::to_string(c.output) + ", \"width\": " + std::to_string(c.width) +
         ", \"condition\": " + std::to_string(c.condition) + "}";
    sep = ", ";
  }
  j += "]}\n";
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f || std::fputs(j.c_str(), f) < 0 || std::fclose(f) != 0) {
    std::fprintf(stderr, "gan_bench: cannot write %s\n", path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

BENCHMARK(BM_ToyStep<gan::Cpu>)->Name("BM_ToyStep")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CtganStep<gan::Cpu>)->Name("BM_CtganStep")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CtganGpStep<gan::Cpu>)->Name("BM_CtganGpStep")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CtganSample<gan::Cpu>)->Name("BM_CtganSample")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DcganStep<gan::Cpu>)->Name("BM_DcganStep")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DcganSample<gan::Cpu>)->Name("BM_DcganSample")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TabularAdultStep<gan::Cpu>)->Name("BM_TabularAdultStep")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_TabularAdultSample<gan::Cpu>)->Name("BM_TabularAdultSample")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
#if defined(GAN_WITH_GPU)
BENCHMARK(BM_DcganStep<gan::Gpu>)->Name("BM_DcganStep_gpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DcganSample<gan::Gpu>)->Name("BM_DcganSample_gpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ToyStep<gan::Gpu>)->Name("BM_ToyStep_gpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CtganStep<gan::Gpu>)->Name("BM_CtganStep_gpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CtganGpStep<gan::Gpu>)->Name("BM_CtganGpStep_gpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TabularAdultStep<gan::Gpu>)->Name("BM_TabularAdultStep_gpu")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_TabularAdultSample<gan::Gpu>)->Name("BM_TabularAdultSample_gpu")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
#endif
BENCHMARK(BM_DenseGemm)->Args({500, 256, 256})->Args({500, 1500, 256})->Args({256, 128, 128})->Args({50, 2840, 256})->Args({500, 744, 180})->UseRealTime();

// "AMD EPYC (family 25, model 17)": what a figure was measured on.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, name = "unknown CPU", family, model;
  auto value = [](const std::string& l) { return l.substr(l.find(':') + 2); };
  while (std::getline(in, line) && !line.empty()) {  // the first processor's block
    if (line.rfind("model name", 0) == 0) name = value(line);
    else if (line.rfind("cpu family", 0) == 0) family = value(line);
    else if (line.rfind("model\t", 0) == 0) model = value(line);
  }
  return family.empty() ? name : name + " (family " + family + ", model " + model + ")";
}

int main(int argc, char** argv) {
  constexpr std::string_view flag = "--tabular_layout=";
  for (int i = 1; i < argc; ++i)
    if (std::string_view a = argv[i]; a.starts_with(flag)) return write_tabular_layout(std::string(a.substr(flag.size())));
  benchmark::AddCustomContext("gan_cpu", cpu_model());
  benchmark::AddCustomContext("gan_isa", gan::detail::compiled_isa());
  benchmark::AddCustomContext("gan_gemm", gan::Cpu::gemm_name());
  benchmark::AddCustomContext("gan_threads", std::to_string(gan::num_threads()));
#if defined(__CUDACC__)
  if (int dev = 0; cudaGetDevice(&dev) == cudaSuccess) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, dev) == cudaSuccess) benchmark::AddCustomContext("gan_gpu", p.name);
  }
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
