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
// (A row's blocks that are all zero are skipped: their terms are exactly zero for finite logits.)
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/ops.hpp"
#include "../core/small_array.hpp"

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
    for (const Span& s : spans)
      if (s.width <= 0 || s.output < 0 || s.output + s.width > fo || s.condition < 0 || s.condition + s.width > fc)
        throw ShapeError("SpanCrossEntropy: span (output " + std::to_string(s.output) + ", width " + std::to_string(s.width) +
                         ", condition " + std::to_string(s.condition) + ") does not fit an output of " +
                         std::to_string(fo) + " and a condition of " + std::to_string(fc) + " columns");
    const T *z = fake.data(), *t = condition->data();
    T* g = dfake.data();
    const T scale = T(weight) / T(n);
    // Per row and span: |t|, and the logsumexp of the span's logits (pure functions of the row).
    auto on_of = [=] GAN_HD(index_t r, const Span& s) {
      const T* tr = t + r * fc + s.condition;
      T on = T(0);
      for (index_t k = 0; k < s.width; ++k) on += tr[k];
      return on;
    };
    auto lse_of = [=] GAN_HD(index_t r, const Span& s) {
      const T* zr = z + r * fo + s.output;
      T m = zr[0];
      for (index_t k = 1; k < s.width; ++k) m = zr[k] > m ? zr[k] : m;
      T se = T(0);
      for (index_t k = 0; k < s.width; ++k) se += std::exp(zr[k] - m);
      return m + std::log(se);
    };
    // Every span in one launch for the gradient and one reduction for the value (chunks of
    // SmallArray's capacity); a row adds nothing for a span whose block is all zero.
    T total = T(0);
    for (std::size_t c0 = 0; c0 < spans.size(); c0 += SmallArray<Span>::capacity) {
      const SmallArray<Span> sp = small_array(spans, c0);
      B::for_each(n, [=] GAN_HD(index_t r) {  // the gradient, one row per thread
        for (index_t i = 0; i < sp.size; ++i) {
          const Span& s = sp[i];
          const T on = on_of(r, s);
          if (on == T(0)) continue;
          const T lse = lse_of(r, s);
          const T* zr = z + r * fo + s.output;
          const T* tr = t + r * fc + s.condition;
          T* gr = g + r * fo + s.output;
          for (index_t k = 0; k < s.width; ++k) gr[k] += scale * (on * std::exp(zr[k] - lse) - tr[k]);
        }
      });
      total += B::template reduce_sum<T>(n, [=] GAN_HD(index_t r) {  // the value: a pure reduction
        T v = T(0);
        for (index_t i = 0; i < sp.size; ++i) {
          const Span& s = sp[i];
          const T on = on_of(r, s);
          if (on == T(0)) continue;
          const T lse = lse_of(r, s);
          const T* zr = z + r * fo + s.output;
          const T* tr = t + r * fc + s.condition;
          T dot = T(0);
          for (index_t k = 0; k < s.width; ++k) dot += tr[k] * zr[k];
          v += scale * (on * lse - dot);
        }
        return v;
      });
    }
    return total;
  }
};

}  // namespace gan
