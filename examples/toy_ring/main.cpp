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
// sharp its modes get and how often a mode is dropped. The WGAN variants update the critic 5
// times per step, so their runs take about 5x longer. `--backend gpu` runs the same code on the Thrust backend
// (toy_ring_cuda: CUDA; toy_ring_thrust: Thrust's OpenMP host system).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

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

struct Options {
  std::string loss = "ns";
  std::string backend = "cpu";
  long steps = 6000;
  std::uint64_t seed = 1;
  std::string out = "toy_ring.png";
  int snapshots = 4;
  long samples = 2000;
  double ema = 0.999;
  gan::index_t pac = 1;
};

template <class Backend, class Objective, class Rule>
int train(const Options& o, Objective objective, Rule g_rule, Rule d_rule, int n_critic) {
  const auto start = std::chrono::steady_clock::now();
  gan::Rng init(o.seed);
  gan::Network<Generator, Backend> g(init);  // the backend is one word: gan::Cpu or gan::Gpu
  gan::Network<Critic, Backend> d(init, {2 * o.pac});  // the Dynamic input width
  const gan::data::RingOfGaussians ring;  // 8 modes, radius 2, stddev 0.02
  // Samples come from an exponential moving average of G's weights (ema_decay): GAN training
  // oscillates around a solution, and the average sits closer to it than the last iterate.
  gan::TrainerOptions topt{.batch = 256, .n_critic = n_critic, .pac = o.pac, .seed = o.seed, .ema_decay = o.ema};
  gan::Trainer trainer(g, d, objective, g_rule, d_rule, topt);

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
  std::printf("loss %s on %s: %d of 8 modes covered, %.1f%% high-quality samples, %.1f s; picture in %s\n",
              o.loss.c_str(), Backend::name, m.modes, 100 * m.high_quality, secs, o.out.c_str());
  std::printf("{\"example\": \"toy_ring\", \"backend\": \"%s\", \"loss\": \"%s\", \"pac\": %ld, \"steps\": %ld, \"modes\": %d, \"high_quality\": %.4f, "
              "\"d_loss\": %.4f, \"g_loss\": %.4f, \"seconds\": %.2f}\n",
              Backend::name, o.loss.c_str(), long(o.pac), o.steps, m.modes, m.high_quality, double(last.d_loss + last.penalty),
              double(last.g_loss), secs);
  return 0;
}

// The backend chosen on the command line.
template <class Objective, class Rule>
int run(const Options& o, Objective objective, Rule g_rule, Rule d_rule, int n_critic) {
  if (o.backend == "cpu") return train<gan::Cpu>(o, objective, g_rule, d_rule, n_critic);
#if defined(GAN_WITH_GPU)
  if (o.backend == "gpu") {
    if (std::string why; !gan::Gpu::available(&why)) throw std::runtime_error("--backend gpu: " + why);
    return train<gan::Gpu>(o, objective, g_rule, d_rule, n_critic);
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
            "                [--seed S] [--pac N (1, 2, 4, 8, ...)] [--ema DECAY (0: sample the last generator)]\n"
            "                [--out FILE.png]");
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
      else if (a == "--seed") o.seed = std::stoull(v);
      else if (a == "--ema") o.ema = std::stod(v);
      else if (a == "--pac") o.pac = std::stol(v);
      else if (a == "--out") o.out = v;
      else return usage(), std::fprintf(stderr, "toy_ring: unknown option %s\n", a.c_str()), 2;
    } catch (const std::exception&) {
      return std::fprintf(stderr, "toy_ring: %s: '%s' is not a number\n", a.c_str(), v.c_str()), 2;
    }
  }
  if (o.steps <= 0) return std::fprintf(stderr, "toy_ring: --steps must be > 0\n"), 2;
  try {
    // Adam with the betas GANs use; WGAN-GP's (0.5, 0.9) and the original WGAN's RMSProp.
    const gan::Adam adam(1e-3, 0.5, 0.999), adam_wgan(1e-3, 0.5, 0.9);
    if (o.loss == "ns") return run(o, gan::Objective<gan::NonSaturating>{}, adam, adam, 1);
    if (o.loss == "minimax") return run(o, gan::Objective<gan::Minimax>{}, adam, adam, 1);
    if (o.loss == "lsgan") return run(o, gan::Objective<gan::LeastSquares>{}, adam, adam, 1);
    if (o.loss == "hinge") return run(o, gan::Objective<gan::Hinge>{}, adam, adam, 1);
    if (o.loss == "r1")
      return run(o, gan::Objective<gan::NonSaturating, gan::R1>{gan::NonSaturating{}, gan::R1{.gamma = 0.1}}, adam, adam, 1);
    if (o.loss == "wgan-gp")
      return run(o, gan::Objective<gan::Wasserstein, gan::GradientPenalty>{gan::Wasserstein{}, gan::GradientPenalty{.lambda = 0.1}}, adam_wgan, adam_wgan, 5);
    if (o.loss == "wgan-clip")
      return run(o, gan::Objective<gan::Wasserstein, gan::WeightClipping>{}, gan::RMSProp{.lr = 5e-4}, gan::RMSProp{.lr = 5e-4}, 5);
    usage();
    std::fprintf(stderr, "toy_ring: unknown loss '%s'\n", o.loss.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "toy_ring: %s\n", e.what());
    return 1;
  }
}
