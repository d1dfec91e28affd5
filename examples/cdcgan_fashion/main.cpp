// cdcgan_fashion: a class-conditional DCGAN. You ask for a sandal and it draws a sandal.
//
// What you will see: the generator of dcgan_fashion, with the class as a one-hot vector
// concatenated to the noise (the first Dense layer learns one embedding per class); the critic
// of dcgan_fashion with a projection head (Miyato & Koyama 2018): D(x, y) = psi(phi(x)) +
// <embed(y), phi(x)>, so it judges "a real image of this class", not only "a real image".
// out/grid.png has one row per class (Fashion-MNIST: T-shirt/top, Trouser, Pullover, Dress,
// Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot), the same noise in every column. At the end, on
// Fashion-MNIST, the metrics' classifier checks that each generated image is of the class it was
// asked for (chance: 10%), beside FD, KID and precision/recall. With --data DIR, the class is the
// subfolder (any number of classes).
//
//   cdcgan_fashion                           # Fashion-MNIST, the default budget (docs/image_gans.md)
//   cdcgan_fashion --data my_pictures/       # one subfolder per class
#include <cstdio>
#include <string>

#include "../image_common.hpp"

namespace {

constexpr gan::index_t z_dim = 100;

// Generator: z (batch, 100) and the class (batch, K) -> an image (batch, C x 28 x 28).
template <gan::index_t C>
using Generator = gan::Sequential<gan::Input<z_dim>, gan::Concat<gan::Dynamic>,              // 100 + K
                                  gan::Dense<128 * 7 * 7>, gan::Reshape<128, 7, 7>,          // 128 x 7 x 7
                                  gan::BatchNorm2d, gan::ReLU,
                                  gan::ConvTranspose2d<64, 4, 2, 1>,                         // 64 x 14 x 14
                                  gan::BatchNorm2d, gan::ReLU,
                                  gan::ConvTranspose2d<C, 4, 2, 1>, gan::Tanh>;              // C x 28 x 28
// Critic: phi(x) is dcgan_fashion's convolutions; the Projection head reads the class.
template <gan::index_t C>
using Critic = gan::Sequential<gan::Input<C, 28, 28>,
                               gan::Conv2d<64, 4, 2, 1>, gan::LeakyReLU<0.2f>,               // 64 x 14 x 14
                               gan::Conv2d<128, 4, 2, 1>, gan::LeakyReLU<0.2f>,              // 128 x 7 x 7
                               gan::Flatten, gan::Projection<gan::Dynamic>>;                 // 1

/// One-hot rows for the classes label(first), ..., label(first + rows - 1).
void one_hot(gan::Tensor<float, gan::Cpu>& y, long rows, long first, int classes, const example::LabelFn& label) {
  y.resize(rows, classes);
  gan::ops::fill(y, 0.f);
  for (long r = 0; r < rows; ++r) y.data()[r * classes + label(first + r)] = 1.f;
}

template <gan::index_t C, class Objective, class Rule>
int train(const example::ImageOptions& o, const example::ImageData& data, Objective objective, Rule rule) {
  const int classes = data.classes();
  if (classes < 2) throw std::invalid_argument("a conditional GAN needs at least 2 classes (subfolders)");
  gan::Rng init(o.seed);
  gan::Network<Generator<C>, gan::Cpu> g(init, {classes});
  gan::Network<Critic<C>, gan::Cpu> d(init, {classes});
  gan::Trainer trainer(g, d, objective, rule, rule,
                       {.batch = o.batch, .n_critic = o.n_critic, .seed = o.seed, .ema_decay = o.ema});
  // The grid: one row per class (at most 10 drawn), 8 columns sharing their noise.
  const long rows = std::min(classes, 10), cols = 8;
  gan::Tensor<float, gan::Cpu> z(rows * cols, z_dim), grid_y;
  gan::Rng grid_rng(o.seed + 7);
  gan::ops::fill_normal(z, grid_rng);
  for (long i = 0; i < rows * cols; ++i)
    for (long j = 0; j < z_dim; ++j) z.data()[i * z_dim + j] = z.data()[(i % cols) * z_dim + j];
  one_hot(grid_y, rows * cols, 0, classes, [&](long i) { return int(i / cols); });
  auto draw = [&](const std::string& file) {
    auto& gen = trainer.ema() ? trainer.ema()->network() : g;
    gen.eval();
    gan::io::save_image_grid(o.out + "/" + file, gen.forward(z, &grid_y), {.cols = int(cols), .scale = 2});
    gen.train();
  };
  // For the metrics: image i is asked to be of class i mod K.
  const example::LabelFn label = [classes](long i) { return int(i % classes); };
  gan::Tensor<float, gan::Cpu> want;
  auto sample = [&](long n, long first) -> const gan::Tensor<float, gan::Cpu>& {
    one_hot(want, n, first, classes, label);
    return trainer.sample(n, &want);
  };
  return example::run_training(o, trainer, data, draw, "cdcgan_fashion", "cdcgan.ckpt", sample, label);
}

}  // namespace

int main(int argc, char** argv) {
  return example::image_main(argc, argv, "cdcgan_fashion", "cdcgan_out", "ns",
                             [](auto channels, const auto& o, const auto& data, auto objective, auto rule) {
                               return train<decltype(channels)::value>(o, data, objective, rule);
                             });
}
