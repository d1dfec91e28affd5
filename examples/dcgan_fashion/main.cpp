// dcgan_fashion: a DCGAN (Radford et al. 2016) learns to draw clothes from Fashion-MNIST, or
// from your own folder of images (--data DIR).
//
// What you will see: the generator turns 100 numbers of noise into a 28x28 picture: a Dense layer
// makes 128 maps of 7x7, two transposed convolutions double them to 14x14 and 28x28. The critic
// reads a picture through two strided convolutions (28 -> 14 -> 7) and gives one logit. Every
// --grid-every steps it draws the same 64 noise vectors into out/grid_<step>.png, so you watch
// the same 64 samples turn from grey blur into shirts, trousers and shoes; out/grid.png is the
// last one. out/dcgan.ckpt is a checkpoint (every --checkpoint-every steps and at the end):
// --resume continues from it, bit for bit as if the run had not stopped. The last line of output
// is one line of JSON with the run's figures.
//
// The default loss is the hinge loss (Lim & Ye 2017, as in Miyato et al. 2018): in the default
// 4000 steps it reached FD 71.6 where the non-saturating loss (--loss ns) reached 111.7, with
// visibly fewer checkerboard artefacts (docs/image_gans.md has both runs' figures).
//
//   dcgan_fashion                          # Fashion-MNIST, the default budget (docs/image_gans.md)
//   dcgan_fashion --data my_pictures/      # your images: a folder, or one subfolder per class
//   dcgan_fashion --steps 500 --out quick/ # a short look
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "../image_common.hpp"

namespace {

constexpr gan::index_t z_dim = 100;

// Generator: z (batch, 100) -> an image (batch, C x 28 x 28) in [-1, 1].
template <gan::index_t C>
using Generator = gan::Sequential<gan::Input<z_dim>,
                                  gan::Dense<128 * 7 * 7>, gan::Reshape<128, 7, 7>,        // 128 x 7 x 7
                                  gan::BatchNorm2d, gan::ReLU,
                                  gan::ConvTranspose2d<64, 4, 2, 1>,                       // 64 x 14 x 14
                                  gan::BatchNorm2d, gan::ReLU,
                                  gan::ConvTranspose2d<C, 4, 2, 1>, gan::Tanh>;            // C x 28 x 28
// Critic: an image -> one logit. No BatchNorm, so every loss (also the penalised ones) can train it.
template <gan::index_t C>
using Critic = gan::Sequential<gan::Input<C, 28, 28>,
                               gan::Conv2d<64, 4, 2, 1>, gan::LeakyReLU<0.2f>,              // 64 x 14 x 14
                               gan::Conv2d<128, 4, 2, 1>, gan::LeakyReLU<0.2f>,             // 128 x 7 x 7
                               gan::Flatten, gan::Dense<1>>;

template <gan::index_t C, class Objective, class Rule>
int train(const example::ImageOptions& o, const example::ImageData& data, Objective objective, Rule rule) {
  gan::Rng init(o.seed);
  gan::Network<Generator<C>, gan::Cpu> g(init);
  gan::Network<Critic<C>, gan::Cpu> d(init);
  gan::Trainer trainer(g, d, objective, rule, rule,
                       {.batch = o.batch, .n_critic = o.n_critic, .seed = o.seed, .ema_decay = o.ema});
  // The same 64 noise vectors for every grid.
  gan::Tensor<float, gan::Cpu> z(64, z_dim);
  gan::Rng grid_rng(o.seed + 7);
  gan::ops::fill_normal(z, grid_rng);
  auto draw = [&](const std::string& file) {
    auto& gen = trainer.ema() ? trainer.ema()->network() : g;
    gen.eval();
    gan::io::save_image_grid(o.out + "/" + file, gen.forward(z), {.cols = 8, .scale = 2});
    gen.train();
  };
  auto sample = [&](long rows, long) -> const gan::Tensor<float, gan::Cpu>& { return trainer.sample(rows); };
  return example::run_training(o, trainer, data, draw, "dcgan_fashion", "dcgan.ckpt", sample);
}

}  // namespace

int main(int argc, char** argv) {
  return example::image_main(argc, argv, "dcgan_fashion", "dcgan_out", "hinge",
                             [](auto channels, const auto& o, const auto& data, auto objective, auto rule) {
                               return train<decltype(channels)::value>(o, data, objective, rule);
                             });
}
