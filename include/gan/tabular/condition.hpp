// gan/tabular/condition.hpp: CTGAN's conditional vector and training-by-sampling (Xu et al.
// 2019, section 4.3).
//   The condition is one block per categorical column, one-hot over its categories; a row of the
//   condition has exactly one entry set (one column, one category).
//   Training-by-sampling: pick a categorical column uniformly, then a category k with probability
//   proportional to log(1 + count_k) (rare categories are seen far more often than their share),
//   then a real row of that category uniformly: the critic sees real rows of the category the
//   generator was asked for, and the generator learns the rare ones too.
//   Unconditional sampling draws the category with its real frequency instead, so generated
//   rows follow the real category frequencies.
// A table without categorical columns gets a one-wide condition that is always 1.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/random.hpp"
#include "../losses/generator_terms.hpp"
#include "transformer.hpp"

namespace gan::tabular {

class ConditionSampler {
 public:
  ConditionSampler() = default;

  /// Builds the blocks from the transformer's categorical columns (their category counts) and,
  /// when it has encoded a table, the rows of every category (what training needs).
  explicit ConditionSampler(const DataTransformer& tf) {
    width_ = 0;
    for (std::size_t j = 0; j < tf.models().size(); ++j) {
      const ColumnModel& m = tf.model(j);
      if (!m.categorical() || m.is_derived()) continue;  // a derived column follows its source
      Block b;
      b.column = j;
      b.offset = width_;
      b.width = m.modes();
      b.output = tf.offset(j);
      b.rows.assign(std::size_t(b.width), {});
      for (std::size_t i = 0; i < tf.rows(); ++i) b.rows[std::size_t(tf.mode(j, i))].push_back(index_t(i));
      b.freq.assign(std::size_t(b.width), 0.0);
      b.log_freq.assign(std::size_t(b.width), 0.0);
      double tot = 0, tot_log = 0;
      const std::vector<double>& counts = m.slot_counts;  // rows per one-hot entry
      for (double c : counts) tot += c, tot_log += std::log1p(c);
      for (std::size_t k = 0; k < counts.size(); ++k) {
        b.freq[k] = tot > 0 ? counts[k] / tot : 1.0 / double(b.width);
        b.log_freq[k] = tot_log > 0 ? std::log1p(counts[k]) / tot_log : 1.0 / double(b.width);
      }
      width_ += b.width;
      blocks_.push_back(std::move(b));
    }
    rows_ = tf.rows();
    if (blocks_.empty()) width_ = 1;
  }

  /// Width of the condition vector.
  index_t width() const { return width_; }
  bool empty() const { return blocks_.empty(); }

  /// Training-by-sampling for n rows: writes the (n, width()) condition and the real rows that
  /// match it (indices into the encoded table).
  template <class T>
  void sample_training(index_t n, Rng& rng, T* cond, std::vector<index_t>& rows) const {
    std::fill(cond, cond + n * width_, T(0));
    rows.resize(std::size_t(n));
    for (index_t r = 0; r < n; ++r) {
      if (blocks_.empty()) {
        cond[r * width_] = T(1);
        rows[std::size_t(r)] = index_t(rng.below(rows_));
        continue;
      }
      const Block& b = blocks_[rng.below(blocks_.size())];
      const std::size_t k = draw(b.log_freq, rng);
      cond[r * width_ + b.offset + index_t(k)] = T(1);
      const auto& list = b.rows[k];
      rows[std::size_t(r)] = list[rng.below(list.size())];
    }
  }

  /// Conditions for unconditional sampling: a column uniformly, a category by its real frequency.
  template <class T>
  void sample_original(index_t n, Rng& rng, T* cond) const {
    std::fill(cond, cond + n * width_, T(0));
    for (index_t r = 0; r < n; ++r) {
      if (blocks_.empty()) {
        cond[r * width_] = T(1);
        continue;
      }
      const Block& b = blocks_[rng.below(blocks_.size())];
      cond[r * width_ + b.offset + index_t(draw(b.freq, rng))] = T(1);
    }
  }

  /// n copies of the condition "column j is in one-hot entry k" (ColumnModel::slot_of of a category).
  template <class T>
  void fixed(index_t n, std::size_t column, index_t category, T* cond) const {
    const Block& b = block_of(column);
    if (category < 0 || category >= b.width) throw std::invalid_argument("ConditionSampler: category out of range");
    std::fill(cond, cond + n * width_, T(0));
    for (index_t r = 0; r < n; ++r) cond[r * width_ + b.offset + category] = T(1);
  }

  /// The real frequency of one-hot entry k of (table) column j.
  double frequency(std::size_t column, index_t k) const { return block_of(column).freq[std::size_t(k)]; }

  /// The spans of CTGAN's cross-entropy term: each block against its column's logits.
  std::vector<SpanCrossEntropy::Span> cross_entropy_spans() const {
    std::vector<SpanCrossEntropy::Span> s;
    for (const Block& b : blocks_) s.push_back({b.output, b.width, b.offset});
    return s;
  }

 private:
  struct Block {
    std::size_t column;
    index_t offset, width, output;
    std::vector<std::vector<index_t>> rows;
    std::vector<double> freq, log_freq;
  };
  const Block& block_of(std::size_t column) const {
    for (const Block& b : blocks_)
      if (b.column == column) return b;
    throw std::invalid_argument("ConditionSampler: column " + std::to_string(column) + " is not categorical");
  }
  static std::size_t draw(const std::vector<double>& p, Rng& rng) {
    double u = rng.uniform();
    for (std::size_t k = 0; k + 1 < p.size(); ++k) {
      if (u < p[k]) return k;
      u -= p[k];
    }
    return p.size() - 1;
  }

  std::vector<Block> blocks_;
  index_t width_ = 1;
  std::size_t rows_ = 0;
};

}  // namespace gan::tabular
