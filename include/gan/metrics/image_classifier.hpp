// gan/metrics/image_classifier.hpp: a small CNN classifier of 28x28 images, trained with this
// toolkit, whose penultimate layer gives the features the image metrics compare (FD, KID,
// precision/recall: feature_metrics.hpp) and whose predictions score a conditional generator
// ("is the image of a sandal, asked for a sandal, classified as a sandal?").
//
// Offline there are no Inception weights, so FID proper cannot be computed; the same formulas on
// this classifier's features are honest about what they are: "FD (Fashion-MNIST classifier)".
//
//   gan::metrics::ImageClassifier<1, 10> clf;                       // grey 28x28, 10 classes
//   clf.fit(gan::data::FashionMnist(gan::data::Split::train), 3000); // ~91% test accuracy
//   clf.save("fashion_classifier.ckpt");                             // and later clf.load(...)
//   Eigen::MatrixXd f = clf.features(images);                        // (n, 128)
//
// Features:  C x 28 x 28 -> Conv 3x3 (32) -> ReLU -> AvgPool 2 -> Conv 3x3 (64) -> ReLU
//            -> AvgPool 2 -> Flatten -> Dense 128 -> ReLU            (the features, 128 values)
// Head:      Dense(Classes) logits, trained with softmax cross-entropy, Adam(1e-3).
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "../backend/eigen/cpu.hpp"
#include "../core/sequential.hpp"
#include "../data/labelled_images.hpp"
#include "../layers/activations.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/dense.hpp"
#include "../layers/reshape.hpp"
#include "../layers/resample.hpp"
#include "../losses/generator_terms.hpp"
#include "../optim/adam.hpp"
#include "../optim/optimizer.hpp"
#include "../train/checkpoint.hpp"
#include "../train/progress.hpp"

namespace gan::metrics {

template <index_t C = 1, index_t Classes = 10>
class ImageClassifier {
  static_assert(C == 1 || C == 3, "gan::metrics::ImageClassifier<C, Classes>: C (channels) must be 1 or 3");
  static_assert(Classes >= 2, "gan::metrics::ImageClassifier<C, Classes>: needs at least 2 classes");

 public:
  using T = float;
  using B = Cpu;
  using Tn = Tensor<T, B>;
  static constexpr index_t feature_width = 128;
  using FeatureSpec = Sequential<Input<C, 28, 28>, Conv2d<32, 3, 1, 1>, ReLU, AvgPool<2>,  // 32 x 14 x 14
                                 Conv2d<64, 3, 1, 1>, ReLU, AvgPool<2>,                    // 64 x 7 x 7
                                 Flatten, Dense<feature_width>, ReLU>;                    // 128
  using HeadSpec = Sequential<Input<feature_width>, Dense<Classes>>;

  explicit ImageClassifier(std::uint64_t seed = 1)
      : init_(seed), features_(init_), head_(init_), rng_(seed, 1), f_opt_(Adam(1e-3, 0.9, 0.999)),
        h_opt_(Adam(1e-3, 0.9, 0.999)) {
    ce_.spans = {{0, Classes, 0}};
  }

  /// Trains for `steps` minibatches of `batch` images drawn from `data` (which must have the
  /// classifier's shape and class count); returns the mean cross-entropy of the last 100 steps.
  double fit(const data::LabelledImages& data, long steps, index_t batch = 64, bool progress = true) {
    check(data, "fit");
    features_.train();
    Tn x(batch, FeatureSpec::input_shape), y(batch, Classes);
    Progress bar(steps);
    double recent = 0;
    long counted = 0;
    for (long i = 1; i <= steps; ++i) {
      data(x, y, rng_);
      const double loss = train_step(x, y);
      if (i > steps - 100) recent += loss, ++counted;
      if (progress) bar.update(i, loss, 0.0);
    }
    return counted ? recent / double(counted) : 0.0;
  }

  /// One step of Adam on softmax cross-entropy for images x and one-hot labels y; returns the loss.
  double train_step(const Tn& x, const Tn& y) {
    const Tn& f = features_.forward(x);
    const Tn& logits = head_.forward(f);
    dlogits_.resize(logits.rows(), Classes);
    ops::fill(dlogits_, T(0));
    const T loss = ce_(logits, &y, dlogits_);
    features_.zero_grad();
    head_.zero_grad();
    features_.backward(head_.backward(dlogits_, Grads{.params = true, .input = true}));
    h_opt_.step(head_);
    f_opt_.step(features_);
    return double(loss);
  }

  /// The penultimate features of `images` (n rows of C x 28 x 28, values in [-1, 1]): (n, 128).
  /// With `predicted`, also the predicted class of each image, from the same pass.
  Eigen::MatrixXd features(const Tn& images, std::vector<int>* predicted = nullptr) {
    Eigen::MatrixXd out(images.rows(), feature_width);
    if (predicted) predicted->resize(std::size_t(images.rows()));
    run(images, [&](index_t first, const Tn& f, const Tn& logits) {
      const std::vector<T> h = f.to_host();
      for (index_t r = 0; r < f.rows(); ++r)
        for (index_t j = 0; j < feature_width; ++j) out(first + r, j) = double(h[std::size_t(r * feature_width + j)]);
      if (predicted) argmax(logits, first, *predicted);
    });
    return out;
  }

  /// The features of `data`'s first `max` images (all when max is 0), in order; with `predicted`,
  /// also their predicted classes.
  Eigen::MatrixXd features(const data::LabelledImages& data, std::size_t max = 0, std::vector<int>* predicted = nullptr) {
    check_shape(data, "features");
    const std::size_t n = max ? std::min(max, data.size()) : data.size();
    Eigen::MatrixXd out(Eigen::Index(n), feature_width);
    if (predicted) predicted->clear();
    std::vector<std::size_t> idx;
    std::vector<int> part;
    Tn batch;
    for (std::size_t first = 0; first < n; first += chunk) {
      idx.clear();
      for (std::size_t i = first; i < std::min(n, first + chunk); ++i) idx.push_back(i);
      data.images(idx, batch);
      out.middleRows(Eigen::Index(first), Eigen::Index(idx.size())) = features(batch, predicted ? &part : nullptr);
      if (predicted) predicted->insert(predicted->end(), part.begin(), part.end());
    }
    return out;
  }

  /// The predicted class of each image.
  std::vector<int> predict(const Tn& images) {
    std::vector<int> out(std::size_t(images.rows()));
    run(images, [&](index_t first, const Tn&, const Tn& logits) { argmax(logits, first, out); });
    return out;
  }

  /// The fraction of `data`'s images classified as their label (all of them, in order).
  double accuracy(const data::LabelledImages& data) {
    check(data, "accuracy");
    std::vector<int> p;
    features(data, 0, &p);
    std::size_t right = 0;
    for (std::size_t i = 0; i < p.size(); ++i) right += p[i] == data.label(i);
    return p.empty() ? 0.0 : double(right) / double(p.size());
  }

  /// Saves the weights (and the optimiser's state) atomically; load() restores them, checking
  /// the file (gan::FormatError names it when it does not fit).
  void save(const std::string& path) { save_checkpoint(*this, path); }
  void load(const std::string& path) { load_checkpoint(*this, path); }

  /// What a checkpoint stores (see gan/train/checkpoint.hpp).
  template <class FT, class FC>
  void visit_checkpoint(FT&& f_tensor, FC&& f_count) {
    f_opt_.prepare(features_);
    h_opt_.prepare(head_);
    features_.visit_named([&](const std::string& n, Tn& t) { f_tensor("classifier_features/" + n, t); });
    head_.visit_named([&](const std::string& n, Tn& t) { f_tensor("classifier_head/" + n, t); });
    int i = 0;
    f_opt_.visit_state([&](Tn& t) { f_tensor("features_optimizer/slot" + std::to_string(i++), t); });
    i = 0;
    h_opt_.visit_state([&](Tn& t) { f_tensor("head_optimizer/slot" + std::to_string(i++), t); });
    std::uint64_t v = f_opt_.steps();
    f_count("features_optimizer/steps", v);
    f_opt_.set_steps(v);
    v = h_opt_.steps();
    f_count("head_optimizer/steps", v);
    h_opt_.set_steps(v);
    std::uint64_t classes = Classes, channels = C;
    f_count("classes", classes);
    f_count("channels", channels);
    if (classes != std::uint64_t(Classes) || channels != std::uint64_t(C))
      throw FormatError("ImageClassifier: the file is a classifier of " + std::to_string(classes) + " classes and " +
                        std::to_string(channels) + " channels, this one has " + std::to_string(Classes) + " and " +
                        std::to_string(C));
  }

  Network<FeatureSpec, B, T>& feature_network() { return features_; }
  Network<HeadSpec, B, T>& head_network() { return head_; }

 private:
  static constexpr std::size_t chunk = 500;

  void check_shape(const data::LabelledImages& data, const char* what) const {
    if (data.shape() != FeatureSpec::input_shape)
      throw ShapeError("ImageClassifier::" + std::string(what) + ": the data has images of shape " + data.shape().str() +
                       "; this classifier reads " + FeatureSpec::input_shape.str());
  }
  void check(const data::LabelledImages& data, const char* what) const {
    if (data.shape() != FeatureSpec::input_shape || data.classes() != int(Classes))
      throw ShapeError("ImageClassifier::" + std::string(what) + ": the data has images of shape " + data.shape().str() +
                       " in " + std::to_string(data.classes()) + " classes; this classifier reads " +
                       FeatureSpec::input_shape.str() + " in " + std::to_string(Classes));
  }

  // out[first + r] = the class of row r's largest logit.
  static void argmax(const Tn& logits, index_t first, std::vector<int>& out) {
    const std::vector<T> h = logits.to_host();
    for (index_t r = 0; r < logits.rows(); ++r) {
      const T* l = h.data() + r * Classes;
      int best = 0;
      for (int k = 1; k < Classes; ++k) best = l[k] > l[best] ? k : best;
      out[std::size_t(first + r)] = best;
    }
  }

  // f(first row, features, logits) for chunks of `images`, in eval mode.
  template <class F>
  void run(const Tn& images, F&& f) {
    if (images.cols() != FeatureSpec::input_shape.size())
      throw ShapeError("ImageClassifier: images of " + std::to_string(images.cols()) + " values, expected " +
                       FeatureSpec::input_shape.str());
    features_.eval();
    for (index_t first = 0; first < images.rows(); first += index_t(chunk)) {
      const index_t n = std::min<index_t>(index_t(chunk), images.rows() - first);
      Tn part = Tn::map(const_cast<T*>(images.data()) + first * images.cols(), n, FeatureSpec::input_shape);
      const Tn& feats = features_.forward(part);
      f(first, feats, head_.forward(feats));
    }
    features_.train();
  }

  Rng init_;
  Network<FeatureSpec, B, T> features_;
  Network<HeadSpec, B, T> head_;
  Rng rng_;
  Optimizer<Adam, T, B> f_opt_, h_opt_;
  SpanCrossEntropy ce_;
  Tn dlogits_;
};

}  // namespace gan::metrics
