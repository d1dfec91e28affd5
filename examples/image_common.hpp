// examples/image_common.hpp: what the image examples (dcgan_fashion, cdcgan_fashion) share: their
// command line, their data (Fashion-MNIST or a folder of images), their losses, and the training
// run around the trainer (grids, checkpoints, --resume, the JSON line). The GAN itself, the
// networks and what is drawn, is in each example's main.cpp.
#pragma once
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <gan/data/fashion_mnist.hpp>
#include <gan/data/image_folder.hpp>
#include <gan/gan.hpp>
#include <gan/io/image_grid.hpp>
#include <gan/metrics/feature_metrics.hpp>
#include <gan/metrics/image_classifier.hpp>

namespace example {

struct ImageOptions {
  std::string loss = "ns";  // each example sets its own default (image_main)
  long steps = 4000;  // the documented budget: about 15 minutes on one core (docs/image_gans.md)
  gan::index_t batch = 64;
  std::uint64_t seed = 1;
  double lr = -1;      // -1: the loss's own (2e-4; wgan-gp 1e-4)
  int n_critic = -1;   // -1: the loss's own (1; wgan-gp 5)
  double ema = 0.999;  // samples come from an EMA of the generator
  std::string data;    // empty: Fashion-MNIST's training split
  int channels = 0;    // 0: 1 for Fashion-MNIST, 3 for a folder
  std::string out = "out";
  long grid_every = 500, checkpoint_every = 1000;
  bool resume = false;
  long eval_samples = 10000;  // generated images the metrics compare (0: no metrics)
  long save_samples = 0;      // generated images written to out/samples/ as PNGs at the end
  std::string classifier = "fashion_classifier.ckpt";  // its weights; trained there when missing
};

inline void image_usage(const char* name, const std::string& default_loss) {
  std::printf(
      "usage: %s [--loss ns|hinge|lsgan|wgan-gp|r1 (default %s)] [--steps N] [--batch N] [--seed S] [--lr RATE]\n"
      "          [--n-critic N] [--ema DECAY] [--data DIR] [--channels 1|3] [--out DIR]\n"
      "          [--grid-every N] [--checkpoint-every N] [--resume] [--eval-samples N]\n"
      "          [--classifier FILE] [--save-samples N]\n"
      "  --data DIR   train on your images instead of Fashion-MNIST: DIR holds PNG/JPEG files, or one\n"
      "               subfolder of them per class; every image is resized to 28x28 (--channels: grey or RGB)\n"
      "  --resume     continue from DIR/<checkpoint> of an earlier run with the same options\n"
      "  --eval-samples N  images generated for FD, KID and precision/recall at the start and the end\n"
      "               (Fashion-MNIST only; 0: none), scored with the classifier in --classifier\n"
      "  --save-samples N  write N generated images to DIR/samples/ (conditional: samples/<class>/),\n"
      "               for gan-image-metrics or your own use\n",
      name, default_loss.c_str());
}

/// Parses the command line into o; returns -1 to go on, else the exit code.
inline int parse_image_options(int argc, char** argv, const char* name, ImageOptions& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") return image_usage(name, o.loss), 0;
    if (a == "--resume") {
      o.resume = true;
      continue;
    }
    if (i + 1 >= argc) return image_usage(name, o.loss), std::fprintf(stderr, "%s: %s needs a value\n", name, a.c_str()), 2;
    const std::string v = argv[++i];
    try {
      if (a == "--loss") o.loss = v;
      else if (a == "--steps") o.steps = std::stol(v);
      else if (a == "--batch") o.batch = std::stol(v);
      else if (a == "--seed") o.seed = std::stoull(v);
      else if (a == "--lr") o.lr = std::stod(v);
      else if (a == "--n-critic") o.n_critic = std::stoi(v);
      else if (a == "--ema") o.ema = std::stod(v);
      else if (a == "--data") o.data = v;
      else if (a == "--channels") o.channels = std::stoi(v);
      else if (a == "--out") o.out = v;
      else if (a == "--grid-every") o.grid_every = std::stol(v);
      else if (a == "--checkpoint-every") o.checkpoint_every = std::stol(v);
      else if (a == "--eval-samples") o.eval_samples = std::stol(v);
      else if (a == "--classifier") o.classifier = v;
      else if (a == "--save-samples") o.save_samples = std::stol(v);
      else return image_usage(name, o.loss), std::fprintf(stderr, "%s: unknown option %s\n", name, a.c_str()), 2;
    } catch (const std::exception&) {
      return std::fprintf(stderr, "%s: %s: '%s' is not a number\n", name, a.c_str(), v.c_str()), 2;
    }
  }
  if (o.channels == 0) o.channels = o.data.empty() ? 1 : 3;
  if (o.steps <= 0 || o.batch <= 0 || o.grid_every <= 0 || o.checkpoint_every <= 0 || (o.channels != 1 && o.channels != 3))
    return std::fprintf(stderr, "%s: --steps, --batch, --grid-every, --checkpoint-every must be > 0 and --channels 1 or 3\n",
                        name), 2;
  const bool wgan = o.loss == "wgan-gp";
  if (o.lr == -1) o.lr = wgan ? 1e-4 : 2e-4;
  if (o.n_critic == -1) o.n_critic = wgan ? 5 : 1;
  if (!(o.lr > 0) || o.n_critic <= 0) return std::fprintf(stderr, "%s: --lr and --n-critic must be > 0\n", name), 2;
  return -1;
}

/// Labelled images, values in [-1, 1], of shape channels x 28 x 28.
using ImageData = gan::data::LabelledImages;

inline ImageData load_image_data(const ImageOptions& o) {
  if (o.data.empty()) {
    if (o.channels != 1) throw std::invalid_argument("Fashion-MNIST is grey: --channels 3 needs --data DIR");
    return gan::data::FashionMnist(gan::data::Split::train);
  }
  gan::data::ImageFolder folder(o.data, {.channels = o.channels, .height = 28, .width = 28});
  std::fprintf(stderr, "%s\n", folder.summary().c_str());
  return folder;
}

/// Calls f(objective, update rule) with the loss named on the command line, each with the
/// settings of its paper: DCGAN's Adam(2e-4, 0.5, 0.999); WGAN-GP's Adam(1e-4, 0.5, 0.9), lambda 10;
/// R1's gamma 10 (StyleGAN2 uses 10 on 28x28-ish FFHQ crops too).
template <class F>
int dispatch_loss(const ImageOptions& o, F&& f) {
  using namespace gan;
  const Adam adam(o.lr, 0.5, 0.999);
  if (o.loss == "ns") return f(Objective<NonSaturating>{}, adam);
  if (o.loss == "hinge") return f(Objective<Hinge>{}, adam);
  if (o.loss == "lsgan") return f(Objective<LeastSquares>{}, adam);
  if (o.loss == "r1") return f(Objective<NonSaturating, R1>{{}, {.gamma = 10.0}}, adam);
  if (o.loss == "wgan-gp") return f(Objective<Wasserstein, GradientPenalty>{{}, {.lambda = 10.0}}, Adam(o.lr, 0.5, 0.9));
  throw std::invalid_argument("unknown loss '" + o.loss + "' (ns, hinge, lsgan, wgan-gp, r1)");
}

/// An image example's main: parses the command line, loads the data, and calls
/// train(channels, options, data, objective, rule) with channels a std::integral_constant (1 or 3)
/// and the loss named by --loss; errors end the program with the example's name and the message.
template <class Train>
int image_main(int argc, char** argv, const char* name, const char* default_out, const char* default_loss,
               Train&& train) {
  ImageOptions o;
  o.out = default_out;
  o.loss = default_loss;
  if (int rc = parse_image_options(argc, argv, name, o); rc >= 0) return rc;
  try {
    const ImageData data = load_image_data(o);
    return dispatch_loss(o, [&](auto objective, auto rule) {
      if (o.channels == 3) return train(std::integral_constant<gan::index_t, 3>{}, o, data, objective, rule);
      return train(std::integral_constant<gan::index_t, 1>{}, o, data, objective, rule);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

/// The image metrics of a generator on Fashion-MNIST: its samples' features (from the metrics'
/// classifier) against the test split's, and the floor, the test split against the training split.
class Evaluator {
 public:
  using Classifier = gan::metrics::ImageClassifier<1, 10>;
  Evaluator(const std::string& classifier_path, long samples) : n_(samples) {
    if (std::filesystem::exists(classifier_path)) {
      clf_.load(classifier_path);
    } else {
      std::fprintf(stderr, "no classifier at %s: training it on Fashion-MNIST once (fashion_classifier does the same)\n",
                   classifier_path.c_str());
      clf_.fit(gan::data::FashionMnist(gan::data::Split::train), 3000);
      clf_.save(classifier_path);
    }
    real_ = clf_.features(gan::data::FashionMnist(gan::data::Split::test), std::size_t(n_));
    floor_ = gan::metrics::feature_metrics(real_, clf_.features(gan::data::FashionMnist(gan::data::Split::train),
                                                                 std::size_t(n_)));
  }
  const gan::metrics::FeatureMetrics& floor() const { return floor_; }

  /// Metrics of n generated images; sample(rows, first) returns `rows` of them, labels(first, rows)
  /// (when given) the classes they were asked for, whose classifier accuracy goes to *accuracy.
  template <class Sample>
  gan::metrics::FeatureMetrics score(Sample&& sample, const std::function<int(long)>& label = {},
                                     double* accuracy = nullptr) {
    Eigen::MatrixXd fake(n_, Classifier::feature_width);
    long right = 0;
    for (long first = 0; first < n_; first += 500) {
      const long rows = std::min(500L, n_ - first);
      std::vector<int> p;
      fake.middleRows(first, rows) = clf_.features(sample(rows, first), label ? &p : nullptr);
      for (long r = 0; label && r < rows; ++r) right += p[std::size_t(r)] == label(first + r);
    }
    if (accuracy) *accuracy = double(right) / double(n_);
    return gan::metrics::feature_metrics(real_, fake);
  }

 private:
  long n_;
  Classifier clf_;
  Eigen::MatrixXd real_;
  gan::metrics::FeatureMetrics floor_;
};

/// Generated images for the metrics: sample(rows, first) gives images first .. first+rows-1;
/// label(i) (conditional examples) the class image i was asked for.
using SampleFn = std::function<const gan::Tensor<float, gan::Cpu>&(long rows, long first)>;
using LabelFn = std::function<int(long)>;

/// Writes n generated images as PNGs into dir (with label: into dir/<class number>/).
inline void save_samples(const std::string& dir, long n, const SampleFn& sample, const LabelFn& label) {
  std::filesystem::remove_all(dir);
  for (long first = 0; first < n; first += 500) {
    const long rows = std::min(500L, n - first);
    const auto& images = sample(rows, first);
    if (!label) {
      gan::io::save_images(dir, images, "", first);
      continue;
    }
    for (long r = 0; r < rows; ++r) {
      const auto one = gan::Tensor<float, gan::Cpu>::map(const_cast<float*>(images.data()) + r * images.cols(), 1,
                                                         images.shape());
      gan::io::save_images(dir + "/" + std::to_string(label(first + r)), one, "", first + r);
    }
  }
  std::fprintf(stderr, "%ld generated images in %s/\n", n, dir.c_str());
}

/// The run around trainer.fit: resume, grids every grid_every steps (draw(file) writes one), a
/// checkpoint every checkpoint_every steps and at the end, the metrics before and after training
/// (Fashion-MNIST), and a JSON line.
template <class Trainer>
int run_training(const ImageOptions& o, Trainer& trainer, const ImageData& data,
                 const std::function<void(const std::string&)>& draw, const char* name, const std::string& ckpt_name,
                 const SampleFn& sample, const LabelFn& label = {}) {
  const auto start = std::chrono::steady_clock::now();
  std::filesystem::create_directories(o.out);
  const std::string ckpt = o.out + "/" + ckpt_name;
  if (o.resume) {
    if (!std::filesystem::exists(ckpt))
      throw std::runtime_error("--resume: no checkpoint " + ckpt + " (run without --resume first)");
    gan::load_checkpoint(trainer, ckpt);
    std::fprintf(stderr, "%s: resumed from %s at step %ld\n", name, ckpt.c_str(), trainer.steps_done());
  }
  const long todo = o.steps - trainer.steps_done();
  if (todo < 0)
    throw std::runtime_error(ckpt + " is at step " + std::to_string(trainer.steps_done()) + ", past --steps " +
                             std::to_string(o.steps));
  std::optional<Evaluator> eval;
  std::string before_json = "null";
  if (o.eval_samples > 0 && o.data.empty()) {
    eval.emplace(o.classifier, o.eval_samples);
    if (trainer.steps_done() == 0) {
      double acc = 0;
      const auto m = eval->score(sample, label, label ? &acc : nullptr);
      std::fprintf(stderr, "untrained generator: %s%s\n", m.str().c_str(),
                   label ? ("  class accuracy " + std::to_string(100 * acc) + "%").c_str() : "");
      before_json = m.to_json();
    }
  }
  char file[64];
  trainer.every(o.grid_every, [&](const auto&) {
    std::snprintf(file, sizeof file, "grid_%06ld.png", trainer.steps_done());
    draw(file);
  });
  trainer.every(o.checkpoint_every, [&](const auto&) { gan::save_checkpoint(trainer, ckpt); });
  if (trainer.steps_done() == 0) draw("grid_000000.png");
  const auto train_start = std::chrono::steady_clock::now();
  const auto last = trainer.fit(todo, data);
  const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - train_start).count();
  draw("grid.png");
  gan::save_checkpoint(trainer, ckpt);
  std::string metrics_json;
  if (eval) {
    double acc = 0;
    const auto m = eval->score(sample, label, label ? &acc : nullptr);
    std::printf("%ld generated against %ld Fashion-MNIST test images (features of the metrics' classifier):\n",
                o.eval_samples, o.eval_samples);
    std::printf("  trained: %s\n  floor:   %s  (test against training images)\n", m.str().c_str(),
                eval->floor().str().c_str());
    if (label) std::printf("  class accuracy of the generated images: %.1f%% (chance 10%%)\n", 100 * acc);
    metrics_json = ", " + m.json_fields() + ", \"floor\": " + eval->floor().to_json() + ", \"untrained\": " + before_json;
    if (label) metrics_json += ", \"class_accuracy\": " + std::to_string(acc);
  }
  if (o.save_samples > 0) save_samples(o.out + "/samples", o.save_samples, sample, label);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %ld steps (%ld this run, %.1f ms a step); grids in %s/\n", name, trainer.steps_done(), todo,
              todo ? 1000 * train_secs / double(todo) : 0.0, o.out.c_str());
  std::printf("{\"example\": \"%s\", \"data\": \"%s\", \"loss\": \"%s\", \"seed\": %llu, \"steps\": %ld, \"batch\": %ld, "
              "\"d_loss\": %.4f, \"g_loss\": %.4f, \"ms_per_step\": %.1f, \"seconds\": %.1f, \"grid\": \"%s/grid.png\"%s}\n",
              name, o.data.empty() ? "fashion-mnist" : o.data.c_str(), o.loss.c_str(), (unsigned long long)o.seed,
              trainer.steps_done(), long(o.batch), double(last.d_loss + last.penalty), double(last.g_loss),
              todo ? 1000 * train_secs / double(todo) : 0.0, secs, o.out.c_str(), metrics_json.c_str());
  return 0;
}

}  // namespace example
