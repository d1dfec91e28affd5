// conditional_ring: a class-conditional GAN. You ask for a mode of the ring of 8 Gaussians and
// the generator draws points there.
//
// What you will see: the class of a point is which of the 8 modes it comes from. The generator
// reads the class as a one-hot vector (Concat) and is built from residual blocks; the critic is a
// projection discriminator, D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, with LayerNorm inside a
// residual block, trained with WGAN-GP: the penalty is taken with respect to the point, the class
// held fixed. conditional_ring.png shows, for every class, the points generated for it in that
// class's colour. At the end it prints the class accuracy (the fraction of samples whose nearest
// mode is the one asked for), the high-quality fraction (within 3 standard deviations of that
// mode) and one line of JSON. Seed 1 on an AMD EPYC: accuracy 100%, high quality 39%: every
// class is in its place, and WGAN-GP's modes are wider than the data's after 3000 steps.
#include <chrono>
#include <cstdio>
#include <string>

#include <gan/gan.hpp>

namespace {

constexpr gan::index_t classes = 8;

// Generator: noise (batch, 2) and class (batch, 8) -> a point (batch, 2).
using Generator = gan::Sequential<gan::Input<2>, gan::Concat<classes>,          // (batch, 10)
                                  gan::Dense<128>, gan::ReLU,                   // (batch, 128)
                                  gan::Residual<gan::Chain<gan::Dense<128>, gan::ReLU>>,
                                  gan::Residual<gan::Chain<gan::Dense<128>, gan::ReLU>>,
                                  gan::Dense<2>>;                               // (batch, 2)
// Critic: phi(x) is a residual MLP with LayerNorm (a BatchNorm here would not compile with the
// penalty); the Projection head adds <embed(y), phi(x)> to a plain linear logit.
using Critic = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::LeakyReLU<0.2f>,
                               gan::Residual<gan::Chain<gan::Dense<128>, gan::LayerNorm, gan::LeakyReLU<0.2f>>>,
                               gan::Projection<classes>>;                      // (batch, 1)

// Real data with its class: mode k of the ring, as a one-hot row.
struct LabelledRing {
  gan::data::RingOfGaussians ring;
  void operator()(gan::Tensor<float, gan::Cpu>& x, gan::Tensor<float, gan::Cpu>& y, gan::Rng& rng) const {
    const auto centres = ring.centres();
    y.resize(x.rows(), classes);
    gan::ops::fill(y, 0.f);
    for (gan::index_t i = 0; i < x.rows(); ++i) {
      const auto k = gan::index_t(rng.below(classes));
      y.data()[i * classes + k] = 1.f;
      x.data()[2 * i] = float(centres[std::size_t(k)][0] + ring.stddev * rng.normal());
      x.data()[2 * i + 1] = float(centres[std::size_t(k)][1] + ring.stddev * rng.normal());
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  long steps = 3000;
  std::uint64_t seed = 1;
  std::string out = "conditional_ring.png";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--steps") steps = std::stol(v);
    else if (a == "--seed") seed = std::stoull(v);
    else if (a == "--out") out = v;
    else return std::fprintf(stderr, "usage: conditional_ring [--steps N] [--seed S] [--out FILE.png]\n"), 2;
  }
  const auto start = std::chrono::steady_clock::now();
  gan::Rng init(seed);
  gan::Network<Generator, gan::Cpu> g(init);
  gan::Network<Critic, gan::Cpu> d(init);
  // WGAN-GP as in Gulrajani et al. (2017): lambda 10, 5 critic updates, Adam(1e-4, 0.5, 0.9).
  gan::Trainer trainer(g, d, gan::Objective<gan::Wasserstein, gan::GradientPenalty>{},
                       gan::Adam(1e-4, 0.5, 0.9), gan::Adam(1e-4, 0.5, 0.9),
                       {.batch = 256, .n_critic = 5, .seed = seed, .ema_decay = 0.999});
  const LabelledRing data;
  trainer.fit(steps, data);  // the sampler gives (points, classes): a conditional GAN

  // Ask for every class and check where the points land.
  const gan::index_t per_class = 250;
  gan::Tensor<float, gan::Cpu> want(per_class * classes, classes);
  gan::ops::fill(want, 0.f);
  for (gan::index_t i = 0; i < want.rows(); ++i) want.data()[i * classes + i / per_class] = 1.f;
  const auto xy = trainer.sample(want.rows(), &want).to_host();
  const auto centres = data.ring.centres();
  gan::io::Canvas canvas(400, 400, 3.0);
  long right = 0, sharp = 0;
  for (gan::index_t i = 0; i < want.rows(); ++i) {
    const auto k = std::size_t(i / per_class);
    const double x = xy[std::size_t(2 * i)], y = xy[std::size_t(2 * i + 1)];
    std::size_t nearest = 0;
    auto dist2 = [&](std::size_t c) {
      return (x - centres[c][0]) * (x - centres[c][0]) + (y - centres[c][1]) * (y - centres[c][1]);
    };
    for (std::size_t c = 1; c < centres.size(); ++c) nearest = dist2(c) < dist2(nearest) ? c : nearest;
    right += nearest == k;
    sharp += dist2(k) <= 9 * data.ring.stddev * data.ring.stddev;  // within 3 sd of its mode
    const double hue = double(k) / classes;
    canvas.dot(x, y, {std::uint8_t(127 + 127 * std::cos(6.2832 * hue)), std::uint8_t(127 + 127 * std::cos(6.2832 * (hue - 1.0 / 3))),
                      std::uint8_t(127 + 127 * std::cos(6.2832 * (hue - 2.0 / 3)))});
  }
  canvas.save(out);
  const double accuracy = double(right) / double(want.rows()), quality = double(sharp) / double(want.rows());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("class accuracy %.1f%% (nearest mode is the one asked for), %.1f%% high quality (within 3 sd of "
              "it), %.1f s; picture in %s\n", 100 * accuracy, 100 * quality, secs, out.c_str());
  std::printf("{\"example\": \"conditional_ring\", \"steps\": %ld, \"seed\": %llu, \"class_accuracy\": %.4f, "
              "\"high_quality\": %.4f, \"seconds\": %.2f}\n", steps, (unsigned long long)seed, accuracy, quality, secs);
  return 0;
}
