// gan/tabular/target_classifier.hpp: the target column of sampled rows, drawn from a classifier
// of the real rows.
//
// A model trained on synthetic rows to predict a target learns p(target | other columns) from
// them. A GAN learns the features well and that link less well: on Adult, an MLP trained on the
// synthesizer's rows ranks the real test rows worse than one trained on real rows, yet the same
// MLP gets back to the real figure once each synthetic row's target is redrawn from a real-trained
// classifier's p(target | features) (docs/tabular.md, "Where the MLP's gap comes from"). So the
// synthesizer keeps such a classifier C, fitted to the real rows once, and draws each sampled
// row's target from C's softmax given the row's other columns:
//   y ~ Categorical(softmax(C(mask(x)))),   x = the generated row, its target span zeroed.
// Every row still comes from the generator: only the target is redrawn, and `--where` on the
// target stays exact by rejection.
//
// C sees encoded rows (the transformer's one-hot modes and scalars). It learns on uniformly
// drawn real rows (not training-by-sampling's batches, whose class shares are not the data's)
// and stops when its cross-entropy on a held-out tenth stops improving: an over-confident C
// would make every synthetic row's class the most likely one, an under-fitted one adds noise.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/sequential.hpp"
#include "../layers/activations.hpp"
#include "../layers/dense.hpp"
#include "../losses/auxiliary_classifier.hpp"
#include "transformer.hpp"

namespace gan::tabular {

struct TargetClassifierOptions {
  int max_epochs = 40;     // passes over the training rows, at most
  int patience = 3;        // stop after this many epochs without a better held-out cross-entropy
  index_t batch = 256;
  double rate = 1e-3;      // Adam's step
  double holdout = 0.1;    // share of the rows held out to decide when to stop
};

/// Dense 128, ReLU, Dense 128, ReLU, then the class logits.
using TargetClassifierSpec = Sequential<Input<Dynamic>, Dense<128>, ReLU, Dense<128>, ReLU, Dense<Dynamic>>;

template <class B = Cpu, class T = float>
class TargetClassifier {
 public:
  using Tn = Tensor<T, B>;

  /// Encoded rows of `width` values whose [target, target + classes) is the target's one-hot.
  TargetClassifier(Rng& init, index_t width, index_t target, index_t classes, TargetClassifierOptions opt = {})
      : opt_(opt), target_(target), classes_(classes), clf_(init, width, target, classes, 1.0, opt.rate) {
    if (opt.max_epochs < 0 || opt.patience < 1 || opt.batch < 1 || !(opt.holdout >= 0 && opt.holdout < 1) || !(opt.rate > 0))
      throw std::invalid_argument("tabular::TargetClassifier: need max_epochs >= 0, patience >= 1, batch >= 1, "
                                  "0 <= holdout < 1 and rate > 0");
  }

  /// Trains on the rows of `tf`'s encoded table (encode() first), `opt.holdout` of them held
  /// out; keeps the weights of the epoch with the lowest held-out cross-entropy, and returns it.
  double fit(const DataTransformer& tf, Rng rng) {
    const std::size_t n = tf.rows();
    std::vector<index_t> order(n);
    std::iota(order.begin(), order.end(), index_t(0));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher–Yates
    const std::size_t held = std::size_t(double(n) * opt_.holdout);
    // Too few rows to hold any out: the training rows judge the epochs instead.
    const std::vector<index_t> val(order.begin(), order.begin() + std::ptrdiff_t(held ? held : n));
    std::vector<index_t> train(order.begin() + std::ptrdiff_t(held), order.end());
    std::vector<std::vector<T>> best_weights;
    double best = std::numeric_limits<double>::infinity();
    int stale = 0;
    for (int e = 1; e <= opt_.max_epochs && stale < opt_.patience; ++e) {
      for (std::size_t i = train.size(); i > 1; --i) std::swap(train[i - 1], train[rng.below(i)]);
      for (std::size_t b0 = 0; b0 < train.size(); b0 += std::size_t(opt_.batch)) {
        batch_.assign(train.begin() + std::ptrdiff_t(b0),
                      train.begin() + std::ptrdiff_t(std::min(train.size(), b0 + std::size_t(opt_.batch))));
        clf_.train_on(encoded(tf, batch_));
      }
      const double loss = loss_on(tf, val);
      if (!std::isfinite(loss))
        throw std::runtime_error("tabular::TargetClassifier: the held-out cross-entropy is " + std::to_string(loss) +
                                 " after epoch " + std::to_string(e) + " (diverged)");
      if (loss < best - 1e-4) {
        best = loss, stale = 0, epochs_ = e;
        best_weights.clear();
        network().visit_named([&](const std::string&, Tn& t) { best_weights.push_back(t.to_host()); });
      } else {
        ++stale;
      }
    }
    std::size_t k = 0;
    if (!best_weights.empty())
      network().visit_named([&](const std::string&, Tn& t) { t.from_host(best_weights[k++], t.rows(), t.shape()); });
    holdout_loss_ = best;
    return best;
  }

  /// One class per row of `rows` (encoded rows, the target span ignored), drawn from the
  /// classifier's softmax with `rng`: out[r] in [0, classes).
  void draw(const Tn& rows, Rng& rng, std::vector<index_t>& out) {
    const std::vector<T> l = clf_.logits(rows).to_host();
    const index_t k = classes_;
    out.resize(std::size_t(rows.rows()));
    std::vector<double> p(static_cast<std::size_t>(k));
    for (std::size_t r = 0; r < out.size(); ++r) {
      const T* lr = l.data() + r * std::size_t(k);
      const double mx = double(*std::max_element(lr, lr + k));
      double z = 0;
      for (index_t c = 0; c < k; ++c) z += p[std::size_t(c)] = std::exp(double(lr[c]) - mx);
      double u = rng.uniform() * z;
      index_t c = 0;
      while (c + 1 < k && (u -= p[std::size_t(c)]) >= 0) ++c;
      out[r] = c;
    }
  }

  index_t target() const { return target_; }
  index_t classes() const { return classes_; }
  /// Epochs until the best held-out cross-entropy, and that cross-entropy (after fit()).
  int epochs() const { return epochs_; }
  double holdout_loss() const { return holdout_loss_; }
  auto& network() { return clf_.network(); }

 private:
  const Tn& encoded(const DataTransformer& tf, const std::vector<index_t>& rows) {
    host_.resize(rows.size() * std::size_t(tf.width()));
    tf.encode_rows(rows, host_.data());
    x_.from_host(host_.data(), index_t(rows.size()), tf.width());
    return x_;
  }
  double loss_on(const DataTransformer& tf, const std::vector<index_t>& rows) {
    double sum = 0;
    const std::size_t chunk = 4096;
    for (std::size_t r0 = 0; r0 < rows.size(); r0 += chunk) {
      batch_.assign(rows.begin() + std::ptrdiff_t(r0), rows.begin() + std::ptrdiff_t(std::min(rows.size(), r0 + chunk)));
      sum += double(clf_.loss(encoded(tf, batch_))) * double(batch_.size());
    }
    return sum / double(rows.size());
  }

  TargetClassifierOptions opt_;
  index_t target_, classes_;
  AuxiliaryClassifier<B, T, TargetClassifierSpec> clf_;
  int epochs_ = 0;
  double holdout_loss_ = 0;
  std::vector<index_t> batch_;
  std::vector<T> host_;
  Tn x_;
};

}  // namespace gan::tabular
