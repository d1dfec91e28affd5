// gan/losses/generator_terms.hpp: losses on the generator's output added to the adversarial one
// (Trainer::add_generator_term). A term is callable as
//   T term(const Tensor& fake, const Tensor* condition, Tensor& dfake)
// it adds d(term)/dfake to `dfake` (both (batch, generator output)) and returns its value.
//
// SpanCrossEntropy: CTGAN's conditional loss (Xu et al. 2019, section 4.3). The condition is a
// one-hot vector over the categories of the discrete columns; for each span of the generator's
// output that holds a column's category *logits*, the cross-entropy with the condition's block
// for that column, averaged over the batch; rows whose block is all zero (not conditioned on that
// column) add nothing:
//   L = (1/n) sum_rows sum_spans (|t| logsumexp(z) - sum_k t_k z_k),   |t| = sum_k t_k (1 or 0)
//   dL/dz_k = (|t| softmax(z)_k - t_k) / n
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/ops.hpp"

namespace gan {

struct SpanCrossEntropy {
  struct Span {
    index_t output;     // first column of the logits in the generator's output
    index_t width;      // number of categories
    index_t condition;  // first column of the matching block in the condition
  };
  std::vector<Span> spans;
  double weight = 1.0;

  template <class T, class B>
  T operator()(const Tensor<T, B>& fake, const Tensor<T, B>* condition, Tensor<T, B>& dfake) const {
    if (!condition) throw ShapeError("SpanCrossEntropy: needs the generator's condition (a conditional GAN)");
    const index_t n = fake.rows(), fo = fake.cols(), fc = condition->cols();
    T total = T(0);
    for (const Span& s : spans) {
      if (s.width <= 0 || s.output < 0 || s.output + s.width > fo || s.condition < 0 || s.condition + s.width > fc)
        throw ShapeError("SpanCrossEntropy: span (output " + std::to_string(s.output) + ", width " + std::to_string(s.width) +
                         ", condition " + std::to_string(s.condition) + ") does not fit an output of " +
                         std::to_string(fo) + " and a condition of " + std::to_string(fc) + " columns");
      const T *z = fake.data(), *t = condition->data();
      T* g = dfake.data();
      const index_t a = s.output, w = s.width, c = s.condition;
      const T scale = T(weight) / T(n);
      // Per row: |t|, the max and the logsumexp of the span's logits (a pure function of the row).
      auto row = [=] GAN_HD(index_t r, T& on, T& lse) {
        const T* zr = z + r * fo + a;
        const T* tr = t + r * fc + c;
        T m = zr[0];
        on = T(0);
        for (index_t k = 0; k < w; ++k) {
          on += tr[k];
          m = zr[k] > m ? zr[k] : m;
        }
        T se = T(0);
        for (index_t k = 0; k < w; ++k) se += std::exp(zr[k] - m);
        lse = m + std::log(se);
      };
      B::for_each(n, [=] GAN_HD(index_t r) {  // the gradient, one row per thread
        T on, lse;
        row(r, on, lse);
        const T* zr = z + r * fo + a;
        const T* tr = t + r * fc + c;
        T* gr = g + r * fo + a;
        for (index_t k = 0; k < w; ++k) gr[k] += scale * (on * std::exp(zr[k] - lse) - tr[k]);
      });
      total += B::template reduce_sum<T>(n, [=] GAN_HD(index_t r) {  // the value: a pure reduction
        T on, lse;
        row(r, on, lse);
        const T* zr = z + r * fo + a;
        const T* tr = t + r * fc + c;
        T dot = T(0);
        for (index_t k = 0; k < w; ++k) dot += tr[k] * zr[k];
        return scale * (on * lse - dot);
      });
    }
    return total;
  }
};

}  // namespace gan
