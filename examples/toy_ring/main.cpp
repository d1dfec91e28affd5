// toy_ring: a GAN learns a ring of 8 Gaussians, the classic picture of mode collapse.
//
// What you will see: a small MLP generator turns 2-D noise into points; a small MLP critic tells
// them from samples of 8 tight Gaussians on a circle. Every few thousand steps the example draws
// real points (grey) and generated points (red) side by side into toy_ring.png. At the end it
// prints how many of the 8 modes the generator covers and which fraction of its samples land
// within 3 standard deviations of a mode ("high quality"), then one line of JSON.
//
// Try the losses:  toy_ring --loss ns | minimax | lsgan | hinge | wgan-gp | wgan-clip | r1
// and other seeds (--seed): the losses differ in how fast the generator finds the ring, how
// sharp its modes get and how often a mode is dropped. Each loss trains with the settings of its
// own paper (the table `recipes` below; docs/toy_ring.md has the sources and measured figures),
// so a comparison is fair to each. The WGAN variants update the critic 5 times per step, so
// their steps take about 5x longer (wgan-gp's default run, about 3 minutes, is the longest). `--backend gpu` runs the same code on the Thrust backend
// (toy_ring_cuda: CUDA; toy_ring_thrust: Thrust's OpenMP host system).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>

#if defined(GAN_WITH_GPU)
#include <gan/gan_gpu.hpp>
#else
#include <gan/gan.hpp>
#endif

namespace {

// Generator: z (batch, 2) -> three hidden layers of 128 -> a point (batch, 2).
using Generator = gan::Sequential<gan::Input<2>,
                                  gan::Dense<128>, gan::ReLU,
                                  gan::Dense<128>, gan::ReLU,
                                  gan::Dense<128>, gan::ReLU,
                                  gan::Dense<2>>;
// Critic: a point (batch, 2) -> three hidden layers of 128 -> one logit (batch, 1). Its input
// width is Dynamic: with --pac N it sees N points at once (PacGAN, Lin et al. 2018), a
// (batch / N, 2N) input, which makes a generator that drops modes easier to catch.
using Critic = gan::Sequential<gan::Input<gan::Dynamic>,
                               gan::Dense<128>, gan::LeakyReLU<0.2f>,
                               gan::Dense<128>, gan::LeakyReLU<0.2f>,
                               gan::Dense<128>, gan::LeakyReLU<0.2f>,
                               gan::Dense<1>>;
// The settings each loss is trained with: those of its paper, or of the paper's published code
// for 2-D toys; where neither gives one, the comment says what we chose and why. Options on the
// command line (--steps, --lr, --n-critic) override them. Sources and measured figures:
// docs/toy_ring.md.
struct Recipe {
  long steps;               // generator updates in a default run (about 1 min on one core; wgan-gp 3)
  int n_critic;             // critic updates per generator update
  double lr, beta1, beta2;  // Adam for both networks (RMSProp: lr only)
  double weight;            // WGAN-GP's lambda, R1's gamma, WGAN's clip; unused otherwise
};
const std::map<std::string, Recipe> recipes = {
    // Goodfellow et al. 2014 give no toy setting (nor Adam): DCGAN's Adam (Radford et al. 2016).
    {"ns", {12000, 1, 2e-4, 0.5, 0.999, 0}},
    {"minimax", {12000, 1, 2e-4, 0.5, 0.999, 0}},
    // LSGAN (Mao et al. 2017): Adam with beta1 0.5 as in its experiments; DCGAN's lr.
    {"lsgan", {12000, 1, 2e-4, 0.5, 0.999, 0}},
    // Hinge (Lim & Ye 2017; Miyato et al. 2018): no toy setting; DCGAN's Adam.
    {"hinge", {12000, 1, 2e-4, 0.5, 0.999, 0}},
    // R1 (Mescheder et al. 2018): their published code's defaults, RMSProp lr 1e-4 for both
    // networks, gamma 10, one critic update per step, an EMA of G (as here).
    {"r1", {10000, 1, 1e-4, 0, 0, 10}},
    // WGAN-GP (Gulrajani et al. 2017): Adam 1e-4, betas (0.5, 0.9), 5 critic updates, lambda 10,
    // the paper's value for all its experiments. Its toy script differs: lambda 0.1, 512-wide
    // ReLU nets, 100k steps. We keep the 128-wide critic: a 256-wide one costs 3.5x per step
    // here and, in the same minute, did worse. At lr 1e-4 it needs 10000 steps (about 3 minutes;
    // after 3000 it is still spread between the modes).
    {"wgan-gp", {10000, 5, 1e-4, 0.5, 0.9, 10}},
    // WGAN (Arjovsky et al. 2017, Algorithm 1; the same in Gulrajani et al.'s toy script):
    // RMSProp 5e-5, clip 0.01, 5 critic updates.
    {"wgan-clip", {5000, 5, 5e-5, 0, 0, 0.01}},
};

struct Options {
  std::string loss = "ns";
  std::string backend = "cpu";
  long steps = -1;    // -1: the loss's recipe
  double lr = -1;     // -1: the loss's recipe
  int n_critic = -1;  // -1: the loss's recipe
  std::uint64_t seed = 1;
  std::string out = "toy_ring.png";
  int snapshots = 4;
  long samples = 2000;
  double ema = 0.999;
  gan::index_t pac = 1;
};

template <class Backend, class CriticSpec, class Objective, class Rule>
int train(const Options& o, Objective objective, Rule rule) {
  const auto start = std::chrono::steady_clock::now();
  gan::Rng init(o.seed);
  gan::Network<Generator, Backend> g(init);  // the backend is one word: gan::Cpu or gan::Gpu
  gan::Network<CriticSpec, Backend> d(init, {2 * o.pac});  // the Dynamic input width
  const gan::data::RingOfGaussians ring;  // 8 modes, radius 2, stddev 0.02
  // Samples come from an exponential moving average of G's weights (ema_decay): GAN training
  // oscillates around a solution, and the average sits closer to it than the last iterate.
  gan::TrainerOptions topt{.batch = 256, .n_critic = o.n_critic, .pac = o.pac, .seed = o.seed, .ema_decay = o.ema};
  gan::Trainer trainer(g, d, objective, rule, rule, topt);

  // Pictures: real data once, then the generator's samples every steps/snapshots steps.
  gan::Tensor<float, Backend> real(long(o.samples), 2);
  gan::Rng data_rng(o.seed + 1000);
  ring(real, data_rng);
  std::vector<gan::io::Canvas> panels;
  auto snapshot = [&] {
    gan::io::Canvas c(320, 320, 3.0);
    const auto r = real.to_host();
    for (std::size_t i = 0; i + 1 < r.size(); i += 2) c.dot(r[i], r[i + 1], {170, 170, 170});
    const auto f = trainer.sample(long(o.samples)).to_host();
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) c.dot(f[i], f[i + 1], {220, 40, 40});
    panels.push_back(c);
  };
  snapshot();
  trainer.every(std::max(1L, o.steps / o.snapshots), [&](const auto&) { snapshot(); });

  const auto last = trainer.fit(o.steps, ring);
  gan::io::save_panels(o.out, panels);

  // Figures on fresh samples.
  const auto f = trainer.sample(long(o.samples)).to_host();
  const gan::metrics::ModeCoverage m =
      gan::metrics::mode_coverage(std::vector<double>(f.begin(), f.end()), ring.centres(), ring.stddev);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int threads = std::is_same_v<Backend, gan::Cpu> ? gan::num_threads() : 0;  // 0: not the CPU backend
  std::printf("loss %s on %s (%d threads): %d of 8 modes covered, %.1f%% high-quality samples, %.1f s; picture in %s\n",
              o.loss.c_str(), Backend::name, threads, m.modes, 100 * m.high_quality, secs, o.out.c_str());
  std::printf("{\"example\": \"toy_ring\", \"backend\": \"%s\", \"threads\": %d, \"loss\": \"%s\", \"seed\": %llu, \"pac\": %ld, "
              "\"steps\": %ld, \"n_critic\": %d, \"lr\": %g, \"modes\": %d, \"high_quality\": %.4f, "
              "\"d_loss\": %.4f, \"g_loss\": %.4f, \"seconds\": %.2f}\n",
              Backend::name, threads, o.loss.c_str(), static_cast<unsigned long long>(o.seed), long(o.pac), o.steps,
              o.n_critic, o.lr, m.modes, m.high_quality, double(last.d_loss + last.penalty), double(last.g_loss), secs);
  return 0;
}

// The backend chosen on the command line.
template <class CriticSpec, class Objective, class Rule>
int run(const Options& o, Objective objective, Rule rule) {
  if (o.backend == "cpu") return train<gan::Cpu, CriticSpec>(o, objective, rule);
#if defined(GAN_WITH_GPU)
  if (o.backend == "gpu") {
    if (std::string why; !gan::Gpu::available(&why)) throw std::runtime_error("--backend gpu: " + why);
    return train<gan::Gpu, CriticSpec>(o, objective, rule);
  }
#endif
  throw std::invalid_argument("backend '" + o.backend + "' is not in this build (cpu" +
#if defined(GAN_WITH_GPU)
                              std::string(", gpu") +
#else
                              std::string("; gpu: build toy_ring_thrust or toy_ring_cuda") +
#endif
                              ")");
}

void usage() {
  std::puts("usage: toy_ring [--loss ns|minimax|lsgan|hinge|wgan-gp|wgan-clip|r1] [--backend cpu|gpu] [--steps N]\n"
            "                [--lr RATE] [--n-critic N] [--seed S] [--pac N (1, 2, 4, 8, ...)]\n"
            "                [--ema DECAY (0: sample the last generator)] [--out FILE.png]\n"
            "  --steps, --lr and --n-critic default to the loss's own settings (the table in main.cpp).");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(), 0;
    if (i + 1 >= argc) return usage(), std::fprintf(stderr, "toy_ring: %s needs a value\n", a.c_str()), 2;
    const std::string v = argv[++i];
    try {
      if (a == "--loss") o.loss = v;
      else if (a == "--backend") o.backend = v;
      else if (a == "--steps") o.steps = std::stol(v);
      else if (a == "--lr") o.lr = std::stod(v);
      else if (a == "--n-critic") o.n_critic = std::stoi(v);
      else if (a == "--seed") o.seed = std::stoull(v);
      else if (a == "--ema") o.ema = std::stod(v);
      else if (a == "--pac") o.pac = std::stol(v);
      else if (a == "--out") o.out = v;
      else return usage(), std::fprintf(stderr, "toy_ring: unknown option %s\n", a.c_str()), 2;
    } catch (const std::exception&) {
      return std::fprintf(stderr, "toy_ring: %s: '%s' is not a number\n", a.c_str(), v.c_str()), 2;
    }
  }
  const auto it = recipes.find(o.loss);
  if (it == recipes.end()) return usage(), std::fprintf(stderr, "toy_ring: unknown loss '%s'\n", o.loss.c_str()), 2;
  const Recipe& r = it->second;  // the loss's own settings, where the command line gave none
  if (o.steps == -1) o.steps = r.steps;
  if (o.lr == -1) o.lr = r.lr;
  if (o.n_critic == -1) o.n_critic = r.n_critic;
  if (o.steps <= 0 || !(o.lr > 0) || o.n_critic <= 0)
    return std::fprintf(stderr, "toy_ring: --steps, --lr and --n-critic must be > 0\n"), 2;
  try {
    using namespace gan;
    const Adam adam(o.lr, r.beta1, r.beta2);
    if (o.loss == "ns") return run<Critic>(o, Objective<NonSaturating>{}, adam);
    if (o.loss == "minimax") return run<Critic>(o, Objective<Minimax>{}, adam);
    if (o.loss == "lsgan") return run<Critic>(o, Objective<LeastSquares>{}, adam);
    if (o.loss == "hinge") return run<Critic>(o, Objective<Hinge>{}, adam);
    if (o.loss == "r1")
      return run<Critic>(o, Objective<NonSaturating, R1>{{}, {.gamma = r.weight}}, RMSProp{.lr = o.lr});
    if (o.loss == "wgan-gp")
      return run<Critic>(o, Objective<Wasserstein, GradientPenalty>{{}, {.lambda = r.weight}}, adam);
    return run<Critic>(o, Objective<Wasserstein, WeightClipping>{{}, {.clip = r.weight}}, RMSProp{.lr = o.lr});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "toy_ring: %s\n", e.what());
    return 1;
  }
}
