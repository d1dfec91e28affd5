// gan/losses/auxiliary_classifier.hpp: the auxiliary classifier loss of CTAB-GAN (Zhao et al.
// 2021, section 3.2), a generator term that keeps a target column consistent with the others.
//   A classifier C predicts a target span of the generator's output (a categorical column's
//   one-hot) from the rest of the row, the span itself zeroed: mask(x). It learns from real rows
//   (train_on). As a generator term it adds, with y_r the argmax of row r's generated span,
//     L = w (1/n) sum_r CE(C(mask(fake_r)), y_r)
//   and passes dL/dfake to the generator through the *other* columns only: a generated row whose
//   features do not fit its generated label is pushed to fit it, and the label's own frequency
//   is left to the adversarial loss. A model trained on synthetic rows to predict the target
//   needs that link above all. (The classifier learns from the batches it is given: under
//   training-by-sampling those over-sample rare categories, so its class prior is not the data's.)
#pragma once
#include <string>

#include "../core/error.hpp"
#include "../core/ops.hpp"
#include "../core/sequential.hpp"
#include "../layers/activations.hpp"
#include "../layers/dense.hpp"
#include "../layers/dropout.hpp"
#include "../optim/adam.hpp"
#include "../optim/optimizer.hpp"
#include "generator_terms.hpp"

namespace gan {

/// The classifier of AuxiliaryClassifier: CTGAN's critic body, softmax logits of the target.
using AuxiliaryClassifierSpec = Sequential<Input<Dynamic>, Dense<256>, LeakyReLU<0.2f>, Dropout<0.5f>, Dense<256>,
                                           LeakyReLU<0.2f>, Dropout<0.5f>, Dense<Dynamic>>;

template <class B, class T = float, class Spec = AuxiliaryClassifierSpec>
class AuxiliaryClassifier {
 public:
  using Tn = Tensor<T, B>;

  /// Rows of `width` values whose columns [target, target + classes) are the target's one-hot.
  AuxiliaryClassifier(Rng& init, index_t width, index_t target, index_t classes, double weight = 1.0,
                      double rate = 2e-4)
      : width_(width), target_(target), classes_(classes), net_(init, {width, classes}),
        opt_(Adam(rate, 0.5, 0.9)) {
    if (classes < 2)
      throw ShapeError("AuxiliaryClassifier: a target of " + std::to_string(classes) + " class(es); it needs at least 2");
    if (target < 0 || target + classes > width)
      throw ShapeError("AuxiliaryClassifier: a target span of " + std::to_string(classes) + " classes at column " +
                       std::to_string(target) + " does not fit rows of " + std::to_string(width) + " values");
    ce_.spans = {{0, classes, 0}};
    weighted_ce_ = ce_;
    weighted_ce_.weight = weight;
  }

  /// One Adam step of the classifier on real rows (their target span one-hot). Returns its loss.
  T train_on(const Tn& real) {
    check(real, "train_on");
    net_.train();
    masked_and_labels(real);
    const Tn& logits = net_.forward(x_);
    dlogits_.resize(logits.rows(), classes_);
    ops::fill(dlogits_, T(0));
    const T loss = ce_(logits, &labels_, dlogits_);
    net_.zero_grad();
    net_.backward(dlogits_);
    opt_.step(net_);
    return loss;
  }

  /// The generator term (Trainer::add_generator_term): adds w dCE/dfake outside the target span
  /// to `dfake` and returns w CE. The classifier's own weights are not changed.
  T operator()(const Tn& fake, const Tn*, Tn& dfake) {
    check(fake, "the generator term");
    masked_and_labels(fake);
    const Tn& logits = net_.forward(x_);
    dlogits_.resize(logits.rows(), classes_);
    ops::fill(dlogits_, T(0));
    const T loss = weighted_ce_(logits, &labels_, dlogits_);
    const Tn& dx = net_.backward(dlogits_, Grads{.params = false, .input = true});
    const T* g = dx.data();
    T* d = dfake.data();
    const index_t w = width_, a = target_, k = classes_;
    B::for_each_2d(fake.rows(), w, [=] GAN_HD(index_t r, index_t c) {
      if (c < a || c >= a + k) d[r * w + c] += g[r * w + c];
    });
    return loss;
  }

  /// The classifier's logits of rows `x` (their target span zeroed first), (rows, classes), in
  /// evaluation mode (no dropout). Valid until the next call on this classifier.
  const Tn& logits(const Tn& x) {
    check(x, "logits");
    masked_and_labels(x);
    const bool was = net_.training();
    net_.eval();
    const Tn& l = net_.forward(x_);
    net_.train(was);
    return l;
  }

  /// Its mean cross-entropy on rows `x` (their target span one-hot), in evaluation mode.
  T loss(const Tn& x) {
    const Tn& l = logits(x);
    dlogits_.resize(l.rows(), classes_);
    ops::fill(dlogits_, T(0));
    return ce_(l, &labels_, dlogits_);
  }

  double weight() const { return weighted_ce_.weight; }
  auto& network() { return net_; }

  // (Public because nvcc allows device lambdas in public member functions only.)
  // x_ = x with the target span zeroed; labels_ = the one-hot of the span's argmax.
  void masked_and_labels(const Tn& x) {
    const index_t n = x.rows(), w = width_, a = target_, k = classes_;
    x_.resize(n, w);
    labels_.resize(n, k);
    const T* in = x.data();
    T *out = x_.data(), *lab = labels_.data();
    B::for_each(n, [=] GAN_HD(index_t r) {
      const T* row = in + r * w;
      index_t best = 0;
      for (index_t j = 1; j < k; ++j) best = row[a + j] > row[a + best] ? j : best;
      for (index_t j = 0; j < k; ++j) lab[r * k + j] = j == best ? T(1) : T(0);
      for (index_t c = 0; c < w; ++c) out[r * w + c] = c >= a && c < a + k ? T(0) : row[c];
    });
  }

 private:
  void check(const Tn& x, const char* what) const {
    if (x.cols() != width_)
      throw ShapeError("AuxiliaryClassifier: " + std::string(what) + " got rows of " + std::to_string(x.cols()) +
                       " values, the classifier was built for " + std::to_string(width_));
  }

  index_t width_, target_, classes_;
  Network<Spec, B, T> net_;
  Optimizer<Adam, T, B> opt_;
  SpanCrossEntropy ce_, weighted_ce_;  // the classifier's own loss (weight 1), and the term's
  Tn x_, labels_, dlogits_;
};

}  // namespace gan
