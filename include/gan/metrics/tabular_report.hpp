// gan/metrics/tabular_report.hpp: how well a synthetic Table reproduces a real one, and how close
// it sits to the real rows it was trained on. docs/tabular_report.md defines each figure.
//
//   gan::tabular::ReportOptions opt;
//   opt.test = &real_test;          // held-out real rows: efficacy and the privacy baseline
//   opt.target = "income";          // a categorical column: machine-learning efficacy
//   gan::tabular::TabularReport r = gan::tabular::tabular_report(real_train, synthetic, opt);
//   std::cout << gan::tabular::to_text(r);   // or to_json(r)
//
// The figures:
//   column shapes   numbers: (1 − KS)·(1 − |miss_r − miss_s|), KS the exact two-sample
//                   Kolmogorov–Smirnov statistic of the non-missing values;
//                   categories: 1 − TVD, TVD = ½ Σ_k |p_k − q_k| of the category frequencies
//   pair trends     two numbers: 1 − |r_real − r_syn| / 2 (Pearson r on rows where both are present);
//                   otherwise: 1 − TVD of the joint frequency table, numbers binned at the real
//                   column's deciles (missing its own bin). A pair has a real trend when
//                   |r_real| > 0.5 or Cramér's V of the real binned table > 0.3.
//   privacy         DCR: each row's Euclidean distance to the closest real training row, on rows
//                   encoded in [0, 1] per number and one-hot/√2 per category; synthetic vs
//                   held-out real rows; exact copies of training rows
//   efficacy        logistic regression and an MLP trained on the synthetic table and on the real
//                   training table, both tested on the held-out real table (ROC-AUC, accuracy,
//                   F1 of the minority class)
//
// Categories are matched by their text, never by their code: the two tables may number them
// differently, and a text seen in one table only has frequency 0 in the other.
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../backend/eigen/cpu.hpp"
#include "../core/random.hpp"
#include "../core/sequential.hpp"
#include "../layers/activations.hpp"
#include "../layers/dense.hpp"
#include "../losses/generator_terms.hpp"
#include "../optim/adam.hpp"
#include "../optim/optimizer.hpp"
#include "../tabular/table.hpp"

namespace gan::tabular {

inline constexpr double report_nan = std::numeric_limits<double>::quiet_NaN();

// ------------------------------------------------------------------------------------------------
// Options and results

struct ReportOptions {
  const Table* test = nullptr;   // held-out real rows (same columns): efficacy's test set and DCR's baseline
  std::string target;            // a categorical column to predict; empty: no efficacy
  std::uint64_t seed = 1;        // the classifiers' initial weights and minibatch order
  std::size_t privacy_rows = 5000;  // DCR of the first this many synthetic (and holdout) rows; 0: all
  std::size_t bins = 10;            // quantile bins of a number in a pair with a category
  double correlation_trend = 0.5;   // a numeric pair has a real trend when |r_real| > this
  double cramers_v_trend = 0.3;     // another pair has a real trend when V_real > this
  int epochs = 15;                  // efficacy: passes over the training rows
  std::size_t batch = 256;          // efficacy: minibatch size
  double lr_rate = 1e-2;            // Adam's step for logistic regression
  double mlp_rate = 1e-3;           // Adam's step for the MLP
  double l2 = 1e-4;                 // L2 penalty on the weights (not the biases) of both models
  bool mlp = true;                  // also train the MLP (logistic regression always)
  std::size_t floor_draws = 10;     // draws that estimate the sampling-noise floor (0: none)
};

/// One column's shape score.
struct ColumnShape {
  std::string name;
  ColumnKind kind = ColumnKind::Continuous;
  double statistic = 0;          // KS (numbers) or TVD (categories); 0 is identical
  double missing_real = 0;       // share of missing cells (numbers; 0 for categories)
  double missing_synthetic = 0;
  double score = 1;              // in [0, 1], 1 is identical
  double floor = report_nan;     // the score expected of rows drawn from the real distribution itself
};

enum class PairMetric { Correlation, Contingency };
inline const char* metric_name(PairMetric m) { return m == PairMetric::Correlation ? "correlation" : "contingency"; }

/// One pair of columns' trend score.
struct PairTrend {
  std::string first, second;
  PairMetric metric = PairMetric::Correlation;
  double real_value = 0;       // Pearson r (correlation) or Cramér's V (contingency) of the real table
  double synthetic_value = 0;  // the same of the synthetic table
  double real_strength = 0;    // |r_real| or V_real
  bool real_trend = false;     // real_strength above its threshold
  double score = 1;            // in [0, 1], 1 is identical
};

struct PrivacyReport {
  std::size_t synthetic_evaluated = 0;  // synthetic rows whose DCR was computed (the first ones)
  std::size_t holdout_evaluated = 0;    // held-out rows whose DCR was computed (0: no test table)
  double median_dcr_synthetic = report_nan;
  double median_dcr_holdout = report_nan;
  double dcr_ratio = report_nan;        // median_dcr_synthetic / median_dcr_holdout
  double holdout_p5 = report_nan;       // 5th percentile of the holdout DCRs
  double share_closer = report_nan;     // share of synthetic DCRs < holdout_p5
  std::size_t exact_copies = 0;         // synthetic rows equal to some training row (all rows)
  std::size_t synthetic_rows = 0;
};

struct ModelScores {
  double auc = report_nan;          // ROC-AUC (binary: of the minority class; else macro one-vs-rest)
  double accuracy = report_nan;
  double minority_f1 = report_nan;  // F1 of the rarest class of the real training table
};

struct EfficacyModel {
  std::string model;
  ModelScores real;       // trained on the real training table
  ModelScores synthetic;  // trained on the synthetic table
  /// synthetic − real, figure by figure.
  ModelScores difference() const {
    return {synthetic.auc - real.auc, synthetic.accuracy - real.accuracy, synthetic.minority_f1 - real.minority_f1};
  }
};

struct EfficacyReport {
  std::string target;             // empty: not computed
  std::vector<std::string> classes;  // the target's texts in the real training table
  std::string minority_class;
  std::size_t features = 0;       // encoded width
  std::size_t test_rows = 0;      // test rows used
  std::size_t dropped_synthetic = 0;  // synthetic rows whose target text is no training class
  std::size_t dropped_test = 0;
  std::vector<EfficacyModel> models;
};

struct TabularReport {
  std::size_t real_rows = 0, synthetic_rows = 0, test_rows = 0;
  std::vector<ColumnShape> shapes;  // in the real table's column order
  double shapes_mean = report_nan;
  std::vector<PairTrend> pairs;     // every pair (i < j) in column order
  double trends_mean = report_nan;  // over all pairs
  double trends_real_mean = report_nan;  // over the pairs with a real trend (NaN when none)
  std::size_t trends_real_count = 0;
  // The sampling-noise floor: what a perfect generator would score on average at these row
  // counts (NaN when ReportOptions::floor_draws is 0). See docs/tabular_report.md.
  double shapes_floor = report_nan, trends_floor = report_nan, trends_real_floor = report_nan;
  PrivacyReport privacy;
  EfficacyReport efficacy;
  double seconds_shapes = 0, seconds_privacy = 0, seconds_efficacy = 0, seconds_total = 0;
};

// ------------------------------------------------------------------------------------------------
// The statistics, each on its own

/// The exact two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) − F_b(x)| of the
/// empirical distributions of a and b (NaNs are left out). Both sorted, then merged: after each
/// distinct value both CDFs are exact, so the sup is reached at one of those steps.
/// Both empty: 0; one empty: 1.
inline double ks_statistic(std::vector<double> a, std::vector<double> b) {
  auto drop_nan = [](std::vector<double>& v) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
    std::sort(v.begin(), v.end());
  };
  drop_nan(a);
  drop_nan(b);
  if (a.empty() && b.empty()) return 0.0;
  if (a.empty() || b.empty()) return 1.0;
  const double na = double(a.size()), nb = double(b.size());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() || j < b.size()) {
    const double x = (j == b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
    while (i < a.size() && a[i] == x) ++i;  // step past every copy of x in both samples
    while (j < b.size() && b[j] == x) ++j;
    d = std::max(d, std::abs(double(i) / na - double(j) / nb));
  }
  return d;
}

/// Total variation distance ½ Σ_k |p_k − q_k| of two frequency vectors, each divided by its own
/// sum first (so counts may be given). In [0, 1].
inline double total_variation(const std::vector<double>& p, const std::vector<double>& q) {
  if (p.size() != q.size())
    throw std::invalid_argument("total_variation: " + std::to_string(p.size()) + " frequencies against " +
                                std::to_string(q.size()));
  const double sp = std::accumulate(p.begin(), p.end(), 0.0), sq = std::accumulate(q.begin(), q.end(), 0.0);
  if (!(sp > 0) || !(sq > 0)) throw std::invalid_argument("total_variation: a frequency vector sums to 0");
  double t = 0;
  for (std::size_t k = 0; k < p.size(); ++k) t += std::abs(p[k] / sp - q[k] / sq);
  return 0.5 * t;
}

/// Pearson's r of x and y over the rows where both are present (not NaN):
///   r = Σ (x − x̄)(y − ȳ) / √(Σ (x − x̄)² Σ (y − ȳ)²).
/// 0 when fewer than 2 such rows or either is constant there (no linear trend to speak of).
inline double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size())
    throw std::invalid_argument("pearson: " + std::to_string(x.size()) + " values against " + std::to_string(y.size()));
  double n = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isnan(x[i]) && !std::isnan(y[i])) n += 1, mx += x[i], my += y[i];
  if (n < 2) return 0.0;
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isnan(x[i]) && !std::isnan(y[i])) {
      const double dx = x[i] - mx, dy = y[i] - my;
      sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
    }
  if (!(sxx > 0) || !(syy > 0)) return 0.0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

/// Cramér's V of a contingency table of counts: V = √(χ² / (n (min(r, c) − 1))), with
/// χ² = Σ (O − E)² / E, E = row sum · column sum / n, over the non-empty rows and columns only
/// (r and c count those). 0 when a side has a single non-empty category. In [0, 1].
inline double cramers_v(const Eigen::MatrixXd& counts) {
  const Eigen::VectorXd rs = counts.rowwise().sum();
  const Eigen::RowVectorXd cs = counts.colwise().sum();
  const double n = counts.sum();
  Eigen::Index r = 0, c = 0;
  for (Eigen::Index i = 0; i < rs.size(); ++i) r += rs(i) > 0;
  for (Eigen::Index j = 0; j < cs.size(); ++j) c += cs(j) > 0;
  if (!(n > 0) || std::min(r, c) < 2) return 0.0;
  double chi2 = 0;
  for (Eigen::Index i = 0; i < counts.rows(); ++i)
    for (Eigen::Index j = 0; j < counts.cols(); ++j)
      if (rs(i) > 0 && cs(j) > 0) {
        const double e = rs(i) * cs(j) / n, d = counts(i, j) - e;
        chi2 += d * d / e;
      }
  return std::min(1.0, std::sqrt(chi2 / (n * double(std::min(r, c) - 1))));
}

/// ROC-AUC of `scores` for the rows where `positive` is true: the probability that a random
/// positive scores above a random negative, ties counting ½. Exact, from average ranks
/// (Mann–Whitney): AUC = (Σ rank of positives − n₊(n₊ + 1)/2) / (n₊ n₋). NaN without a positive
/// or a negative.
inline double roc_auc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  if (scores.size() != positive.size())
    throw std::invalid_argument("roc_auc: " + std::to_string(scores.size()) + " scores against " +
                                std::to_string(positive.size()) + " labels");
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double pos = 0, rank_sum = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double avg = 0.5 * double(i + 1 + j);  // ranks i+1 .. j share their mean
    for (std::size_t k = i; k < j; ++k)
      if (positive[order[k]]) pos += 1, rank_sum += avg;
    i = j;
  }
  const double neg = double(scores.size()) - pos;
  if (pos == 0 || neg == 0) return report_nan;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

/// The q-quantile of sorted values, linearly interpolated between order statistics:
/// h = (n − 1) q, v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋ + 1] − v[⌊h⌋]). NaN for no values.
inline double sorted_quantile(const std::vector<double>& v, double q) {
  if (v.empty()) return report_nan;
  const double h = double(v.size() - 1) * q;
  const std::size_t lo = std::size_t(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - double(lo)) * (v[hi] - v[lo]);
}

/// The inner edges of `bins` quantile bins of the non-missing values: the quantiles k/bins for
/// k = 1 .. bins − 1, duplicates merged (a column that is 0 in 91% of its rows has one edge, 0).
/// A value v falls in bin #{edges e : e < v}, so the bins are (−∞, e₁], (e₁, e₂], …, (e_last, ∞).
inline std::vector<double> quantile_edges(std::vector<double> values, std::size_t bins) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double x) { return std::isnan(x); }), values.end());
  std::sort(values.begin(), values.end());
  std::vector<double> edges;
  if (values.empty()) return edges;
  for (std::size_t k = 1; k < bins; ++k) {
    const double e = sorted_quantile(values, double(k) / double(bins));
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  }
  return edges;
}

// ------------------------------------------------------------------------------------------------
// Internals: tables aligned on the real table's columns, categories on their texts

namespace detail {

/// The real table's columns, with each categorical column's texts from every table seen (the
/// real table's first).
struct Schema {
  std::vector<std::string> names;
  std::vector<ColumnKind> kinds;
  std::vector<std::vector<std::string>> texts;
  std::vector<std::unordered_map<std::string, std::int32_t>> index;
};

/// One table seen through a Schema: per column its numbers, or its codes into the schema's texts.
struct Aligned {
  std::size_t rows = 0;
  std::vector<const std::vector<double>*> numbers;  // null for categorical columns
  std::vector<std::vector<std::int32_t>> codes;     // empty for numeric columns
  bool numeric(std::size_t j) const { return numbers[j] != nullptr; }
};

inline Aligned align(const Table& t, Schema& s, const std::string& role) {
  t.check();
  Aligned a;
  a.rows = t.rows();
  a.numbers.assign(s.names.size(), nullptr);
  a.codes.resize(s.names.size());
  for (std::size_t j = 0; j < s.names.size(); ++j) {
    const int k = t.find(s.names[j]);
    if (k < 0)
      throw std::invalid_argument("tabular_report: the " + role + " table has no column '" + s.names[j] +
                                  "' (the real table's " + kind_name(s.kinds[j]) + " column)");
    const Column& c = t.columns[std::size_t(k)];
    if (c.kind != s.kinds[j])
      throw std::invalid_argument("tabular_report: column '" + s.names[j] + "' is " + kind_name(c.kind) + " in the " +
                                  role + " table but " + kind_name(s.kinds[j]) + " in the real table");
    if (!c.categorical()) {
      a.numbers[j] = &c.numbers;
      continue;
    }
    // This table's code -> the schema's code, by text; a text new to the schema is appended.
    std::vector<std::int32_t> map(c.categories.size());
    for (std::size_t q = 0; q < c.categories.size(); ++q) {
      auto [it, added] = s.index[j].emplace(c.categories[q], std::int32_t(s.texts[j].size()));
      if (added) s.texts[j].push_back(c.categories[q]);
      map[q] = it->second;
    }
    a.codes[j].resize(c.codes.size());
    for (std::size_t r = 0; r < c.codes.size(); ++r) {
      const std::int32_t q = c.codes[r];
      if (q < 0 || std::size_t(q) >= map.size())
        throw std::invalid_argument("tabular_report: column '" + s.names[j] + "' of the " + role + " table has code " +
                                    std::to_string(q) + " in row " + std::to_string(r) + " but " +
                                    std::to_string(map.size()) + " categories");
      a.codes[j][r] = map[std::size_t(q)];
    }
  }
  return a;
}

inline Schema schema_of(const Table& real) {
  Schema s;
  for (const Column& c : real.columns) {
    s.names.push_back(c.name);
    s.kinds.push_back(c.kind);
  }
  s.texts.resize(s.names.size());
  s.index.resize(s.names.size());
  return s;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double missing_share(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  std::size_t m = 0;
  for (double x : v) m += std::isnan(x);
  return double(m) / double(v.size());
}

inline std::vector<double> code_counts(const std::vector<std::int32_t>& codes, std::size_t k) {
  std::vector<double> f(k, 0.0);
  for (std::int32_t c : codes) f[std::size_t(c)] += 1;
  return f;
}

// ---- column shapes ----

inline std::vector<ColumnShape> column_shapes(const Schema& s, const Aligned& real, const Aligned& syn) {
  std::vector<ColumnShape> out;
  for (std::size_t j = 0; j < s.names.size(); ++j) {
    ColumnShape c;
    c.name = s.names[j];
    c.kind = s.kinds[j];
    if (real.numeric(j)) {
      c.statistic = ks_statistic(*real.numbers[j], *syn.numbers[j]);
      c.missing_real = missing_share(*real.numbers[j]);
      c.missing_synthetic = missing_share(*syn.numbers[j]);
      c.score = (1 - c.statistic) * (1 - std::abs(c.missing_real - c.missing_synthetic));
    } else {
      const std::size_t k = s.texts[j].size();
      c.statistic = total_variation(code_counts(real.codes[j], k), code_counts(syn.codes[j], k));
      c.score = 1 - c.statistic;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// ---- pair trends ----

/// A column turned into small integer cells for a contingency table: categories by their
/// schema code; numbers by the real column's quantile bins, missing in the last bin.
struct Binned {
  std::size_t count = 0;
  std::vector<std::int32_t> real, syn;
};

inline std::vector<std::int32_t> bin_numbers(const std::vector<double>& v, const std::vector<double>& edges) {
  std::vector<std::int32_t> b(v.size());
  for (std::size_t r = 0; r < v.size(); ++r)
    b[r] = std::isnan(v[r]) ? std::int32_t(edges.size() + 1)
                            : std::int32_t(std::lower_bound(edges.begin(), edges.end(), v[r]) - edges.begin());
  return b;
}

inline Eigen::MatrixXd joint_counts(const std::vector<std::int32_t>& a, std::size_t ka,
                                    const std::vector<std::int32_t>& b, std::size_t kb) {
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(Eigen::Index(ka), Eigen::Index(kb));
  for (std::size_t r = 0; r < a.size(); ++r) t(a[r], b[r]) += 1;
  return t;
}

inline std::vector<PairTrend> pair_trends(const Schema& s, const Aligned& real, const Aligned& syn,
                                          const ReportOptions& opt) {
  const std::size_t m = s.names.size();
  std::vector<Binned> bins(m);
  for (std::size_t j = 0; j < m; ++j) {
    if (real.numeric(j)) {
      const std::vector<double> edges = quantile_edges(*real.numbers[j], std::max<std::size_t>(opt.bins, 1));
      bins[j].count = edges.size() + 2;
      bins[j].real = bin_numbers(*real.numbers[j], edges);
      bins[j].syn = bin_numbers(*syn.numbers[j], edges);
    } else {
      bins[j].count = s.texts[j].size();
      bins[j].real = real.codes[j];
      bins[j].syn = syn.codes[j];
    }
  }
  std::vector<PairTrend> out;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = i + 1; j < m; ++j) {
      PairTrend p;
      p.first = s.names[i];
      p.second = s.names[j];
      if (real.numeric(i) && real.numeric(j)) {
        p.metric = PairMetric::Correlation;
        p.real_value = pearson(*real.numbers[i], *real.numbers[j]);
        p.synthetic_value = pearson(*syn.numbers[i], *syn.numbers[j]);
        p.real_strength = std::abs(p.real_value);
        p.real_trend = p.real_strength > opt.correlation_trend;
        p.score = 1 - std::abs(p.real_value - p.synthetic_value) / 2;
      } else {
        p.metric = PairMetric::Contingency;
        const Eigen::MatrixXd tr = joint_counts(bins[i].real, bins[i].count, bins[j].real, bins[j].count);
        const Eigen::MatrixXd ts = joint_counts(bins[i].syn, bins[i].count, bins[j].syn, bins[j].count);
        p.real_value = cramers_v(tr);
        p.synthetic_value = cramers_v(ts);
        p.real_strength = p.real_value;
        p.real_trend = p.real_strength > opt.cramers_v_trend;
        // 1 − TVD of the two joint frequency tables, each divided by its own row count.
        p.score = 1 - 0.5 * (tr / tr.sum() - ts / ts.sum()).cwiseAbs().sum();
      }
      out.push_back(std::move(p));
    }
  return out;
}

// ---- the sampling-noise floor ----

/// `n` rows drawn with replacement from `t`, owning their numbers.
struct Resampled {
  std::vector<std::vector<double>> numbers;
  Aligned a;
};

inline Resampled resample(const Aligned& t, std::size_t n, Rng& rng) {
  std::vector<std::size_t> rows(n);
  for (std::size_t& r : rows) r = std::size_t(rng.below(t.rows));
  Resampled out;
  out.numbers.resize(t.numbers.size());
  out.a.rows = n;
  out.a.numbers.assign(t.numbers.size(), nullptr);
  out.a.codes.resize(t.numbers.size());
  for (std::size_t j = 0; j < t.numbers.size(); ++j) {
    if (t.numeric(j)) {
      out.numbers[j].resize(n);
      for (std::size_t i = 0; i < n; ++i) out.numbers[j][i] = (*t.numbers[j])[rows[i]];
      out.a.numbers[j] = &out.numbers[j];
    } else {
      out.a.codes[j].resize(n);
      for (std::size_t i = 0; i < n; ++i) out.a.codes[j][i] = t.codes[j][rows[i]];
    }
  }
  return out;
}

/// What a generator that draws from the real distribution itself would score, on average, with
/// `real.rows` real and `n_syn` synthetic rows: both tables are drawn with replacement from the real
/// rows (the bootstrap's stand-in for the unknown distribution) and scored, `opt.floor_draws`
/// times. A small table cannot score 1 even when perfect: two samples of 455 rows from one
/// continuous distribution are KS ≈ 0.87 √(2/455) ≈ 0.058 apart on average. Writes each
/// column's floor into `r.shapes` and the three means into `r`.
inline void noise_floor(const Schema& s, const Aligned& real, std::size_t n_syn, const ReportOptions& opt,
                        TabularReport& r) {
  const std::size_t draws = opt.floor_draws;
  if (draws == 0) return;  // (tabular_report has checked that both tables have rows)
  Rng rng(opt.seed, 0x666c6f6f72ull);  // "floor"
  std::vector<double> column(r.shapes.size(), 0.0), pair(r.pairs.size(), 0.0);
  for (std::size_t d = 0; d < draws; ++d) {
    const Resampled a = resample(real, real.rows, rng), b = resample(real, n_syn, rng);
    const std::vector<ColumnShape> cs = column_shapes(s, a.a, b.a);
    for (std::size_t j = 0; j < cs.size(); ++j) column[j] += cs[j].score / double(draws);
    const std::vector<PairTrend> ps = pair_trends(s, a.a, b.a, opt);
    for (std::size_t k = 0; k < ps.size(); ++k) pair[k] += ps[k].score / double(draws);
  }
  double shapes = 0, all = 0, with = 0;
  for (std::size_t j = 0; j < column.size(); ++j) r.shapes[j].floor = column[j], shapes += column[j];
  for (std::size_t k = 0; k < pair.size(); ++k) {
    all += pair[k];
    if (r.pairs[k].real_trend) with += pair[k];  // the pairs with a trend in the real table itself
  }
  r.shapes_floor = column.empty() ? report_nan : shapes / double(column.size());
  r.trends_floor = pair.empty() ? report_nan : all / double(pair.size());
  r.trends_real_floor = r.trends_real_count ? with / double(r.trends_real_count) : report_nan;
}

// ---- privacy ----

/// Rows as points for DCR: per number (v − min)/(max − min) with the real training table's
/// range and a missing indicator (a missing value is −1 with indicator 1); per category a
/// one-hot block over the schema's texts scaled by 1/√2, so two different texts are 1 apart.
inline Eigen::MatrixXd privacy_points(const Schema& s, const Aligned& train, const Aligned& t) {
  std::vector<Eigen::Index> offset(s.names.size());
  Eigen::Index width = 0;
  for (std::size_t j = 0; j < s.names.size(); ++j) {
    offset[j] = width;
    width += train.numeric(j) ? 2 : Eigen::Index(s.texts[j].size());
  }
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(Eigen::Index(t.rows), width);
  const double h = 1 / std::sqrt(2.0);
  for (std::size_t j = 0; j < s.names.size(); ++j) {
    if (train.numeric(j)) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (double v : *train.numbers[j])
        if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      const double range = hi > lo ? hi - lo : 1.0;
      if (!(lo <= hi)) lo = 0;  // all missing in training
      const std::vector<double>& v = *t.numbers[j];
      for (std::size_t r = 0; r < t.rows; ++r) {
        if (std::isnan(v[r])) x(Eigen::Index(r), offset[j]) = -1, x(Eigen::Index(r), offset[j] + 1) = 1;
        else x(Eigen::Index(r), offset[j]) = (v[r] - lo) / range;
      }
    } else {
      for (std::size_t r = 0; r < t.rows; ++r) x(Eigen::Index(r), offset[j] + t.codes[j][r]) = h;
    }
  }
  return x;
}

/// For each row of `q`, the Euclidean distance to its nearest row of `ref`. The nearest row is
/// found by blocks of 1024 × 2048 with ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b, the inner products a float
/// GEMM of the CPU backend (OpenBLAS when the build has it); the full q × ref matrix is never
/// formed. The nearest row's distance is then recomputed directly in double, so a copy has
/// distance exactly 0 (float rounding can only pick a neighbour within ~1e-6 of the nearest).
inline std::vector<double> nearest_distances(const Eigen::MatrixXd& q, const Eigen::MatrixXd& ref) {
  using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Index nq = q.rows(), nr = ref.rows(), d = q.cols(), bq = 1024, br = 2048;
  std::vector<double> out(std::size_t(nq), report_nan);
  if (nr == 0) return out;
  const MatF rf = ref.cast<float>();
  const Eigen::VectorXf rn = rf.rowwise().squaredNorm();
  MatF g(std::min(bq, nq), std::min(br, nr));
  for (Eigen::Index i0 = 0; i0 < nq; i0 += bq) {
    const Eigen::Index ni = std::min(bq, nq - i0);
    const MatF qf = q.middleRows(i0, ni).cast<float>();
    const Eigen::VectorXf qn = qf.rowwise().squaredNorm();
    std::vector<float> best(std::size_t(ni), std::numeric_limits<float>::infinity());
    std::vector<Eigen::Index> arg(std::size_t(ni), 0);
    for (Eigen::Index j0 = 0; j0 < nr; j0 += br) {
      const Eigen::Index nj = std::min(br, nr - j0);
      // g(i, j) = qf.row(i) · rf.row(j0 + j), row-major with nj columns
      Cpu::gemm<float>(false, true, ni, nj, d, 1.0f, qf.data(), rf.data() + j0 * d, 0.0f, g.data());
      for (Eigen::Index i = 0; i < ni; ++i) {
        const float* gi = g.data() + i * nj;
        for (Eigen::Index j = 0; j < nj; ++j) {
          const float d2 = qn(i) + rn(j0 + j) - 2 * gi[j];
          if (d2 < best[std::size_t(i)]) best[std::size_t(i)] = d2, arg[std::size_t(i)] = j0 + j;
        }
      }
    }
    for (Eigen::Index i = 0; i < ni; ++i)
      out[std::size_t(i0 + i)] = (q.row(i0 + i) - ref.row(arg[std::size_t(i)])).norm();
  }
  return out;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return sorted_quantile(v, 0.5);
}

/// A row's exact contents as bytes: numbers by their bits (every NaN alike, −0 as 0),
/// categories by their schema code (that is, by text).
inline std::string row_key(const Aligned& t, std::size_t r) {
  std::string key;
  for (std::size_t j = 0; j < t.numbers.size(); ++j) {
    if (t.numeric(j)) {
      double v = (*t.numbers[j])[r];
      if (std::isnan(v)) v = report_nan;
      if (v == 0) v = 0.0;
      char b[sizeof(double)];
      std::memcpy(b, &v, sizeof v);
      key.append(b, sizeof b);
    } else {
      char b[sizeof(std::int32_t)];
      std::memcpy(b, &t.codes[j][r], sizeof b);
      key.append(b, sizeof b);
    }
  }
  return key;
}

inline PrivacyReport privacy(const Schema& s, const Aligned& train, const Aligned& syn, const Aligned* holdout,
                             std::size_t cap) {
  PrivacyReport p;
  p.synthetic_rows = syn.rows;
  std::unordered_set<std::string> seen;
  seen.reserve(train.rows);
  for (std::size_t r = 0; r < train.rows; ++r) seen.insert(row_key(train, r));
  for (std::size_t r = 0; r < syn.rows; ++r) p.exact_copies += seen.count(row_key(syn, r));

  auto first = [cap](const Eigen::MatrixXd& x) {
    return cap && std::size_t(x.rows()) > cap ? Eigen::MatrixXd(x.topRows(Eigen::Index(cap))) : x;
  };
  const Eigen::MatrixXd tr = privacy_points(s, train, train);
  const std::vector<double> ds = nearest_distances(first(privacy_points(s, train, syn)), tr);
  p.synthetic_evaluated = ds.size();
  p.median_dcr_synthetic = median(ds);
  if (holdout && holdout->rows > 0) {
    std::vector<double> dh = nearest_distances(first(privacy_points(s, train, *holdout)), tr);
    p.holdout_evaluated = dh.size();
    std::sort(dh.begin(), dh.end());
    p.median_dcr_holdout = sorted_quantile(dh, 0.5);
    p.dcr_ratio = p.median_dcr_synthetic / p.median_dcr_holdout;
    p.holdout_p5 = sorted_quantile(dh, 0.05);
    std::size_t closer = 0;
    for (double d : ds) closer += d < p.holdout_p5;
    p.share_closer = ds.empty() ? report_nan : double(closer) / double(ds.size());
  }
  return p;
}

// ---- machine-learning efficacy ----

using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Features and class labels of one table for the classifiers.
struct Encoded {
  RowMatF x;           // (rows, features)
  std::vector<int> y;  // class index per row
};

/// The features, fixed by the real training table: a number standardised by the training mean
/// and standard deviation (missing → 0, plus a missing indicator when the training column has
/// missing cells); a category one-hot over the texts seen in the training table (another text
/// → all zeros). The target column is left out.
struct Encoder {
  struct Feature {
    std::size_t column;
    Eigen::Index offset;
    double mean = 0, scale = 1;               // numbers
    bool indicator = false;                   // numbers: a missing indicator follows the value
    std::vector<Eigen::Index> slot;           // categories: schema code -> one-hot slot, or -1
  };
  std::vector<Feature> features;
  Eigen::Index width = 0;
  std::size_t target = 0;
  std::vector<int> class_of;  // schema code of the target -> class index, or -1

  Encoder(const Schema& s, const Aligned& train, std::size_t target_column) : target(target_column) {
    for (std::size_t j = 0; j < s.names.size(); ++j) {
      if (j == target) continue;
      Feature f;
      f.column = j;
      f.offset = width;
      if (train.numeric(j)) {
        double n = 0, sum = 0, sq = 0;
        for (double v : *train.numbers[j])
          if (!std::isnan(v)) n += 1, sum += v;
        f.mean = n > 0 ? sum / n : 0;
        for (double v : *train.numbers[j])
          if (!std::isnan(v)) sq += (v - f.mean) * (v - f.mean);
        const double sd = n > 0 ? std::sqrt(sq / n) : 0;
        f.scale = sd > 0 ? 1 / sd : 1;
        f.indicator = n < double(train.rows);
        width += f.indicator ? 2 : 1;
      } else {
        f.slot.assign(s.texts[j].size(), -1);
        for (std::int32_t c : train.codes[j])
          if (f.slot[std::size_t(c)] < 0) f.slot[std::size_t(c)] = width++;
      }
      features.push_back(std::move(f));
    }
  }

  /// The rows of `t` whose target is a class (a text of the training table's target).
  Encoded operator()(const Aligned& t, std::size_t* dropped) const {
    std::vector<std::size_t> keep;
    for (std::size_t r = 0; r < t.rows; ++r)
      if (class_of[std::size_t(t.codes[target][r])] >= 0) keep.push_back(r);
    if (dropped) *dropped = t.rows - keep.size();
    Encoded e;
    e.x = RowMatF::Zero(Eigen::Index(keep.size()), width);
    e.y.resize(keep.size());
    for (std::size_t i = 0; i < keep.size(); ++i) {
      const std::size_t r = keep[i];
      const Eigen::Index row = Eigen::Index(i);
      e.y[i] = class_of[std::size_t(t.codes[target][r])];
      for (const Feature& f : features) {
        if (t.numeric(f.column)) {
          const double v = (*t.numbers[f.column])[r];
          if (!std::isnan(v)) e.x(row, f.offset) = float((v - f.mean) * f.scale);
          else if (f.indicator) e.x(row, f.offset + 1) = 1;
        } else {
          const std::int32_t c = t.codes[f.column][r];
          if (std::size_t(c) < f.slot.size() && f.slot[std::size_t(c)] >= 0) e.x(row, f.slot[std::size_t(c)]) = 1;
        }
      }
    }
    return e;
  }
};

using LogisticSpec = Sequential<Input<Dynamic>, Dense<Dynamic>>;
using MlpSpec = Sequential<Input<Dynamic>, Dense<64>, ReLU, Dense<64>, ReLU, Dense<Dynamic>>;

/// Trains Spec (logits of `classes`) on `train` with minibatch Adam on softmax cross-entropy plus
/// (l2/2)‖W‖² on every Dense weight matrix, then returns the class probabilities of `test`'s
/// rows, (rows, classes). The same seed gives the same weights and minibatches.
template <class Spec>
Eigen::MatrixXd fit_predict(const Encoded& train, const Encoded& test, int classes, double rate, double l2,
                            int epochs, std::size_t batch, std::uint64_t seed) {
  using Tn = Tensor<float, Cpu>;
  const index_t d = index_t(train.x.cols()), k = index_t(classes);
  Rng init(seed, 0x746162756c6172ull);  // "tabular"
  Rng order(seed, 0x6f72646572ull);     // "order"
  Network<Spec, Cpu, float> net(init, {d, k});
  Optimizer<Adam, float, Cpu> opt(Adam(rate, 0.9, 0.999));
  SpanCrossEntropy ce;
  ce.spans = {{0, k, 0}};
  const std::size_t n = train.y.size();
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), std::size_t(0));
  batch = std::max<std::size_t>(1, std::min(batch, n));
  Tn x, y, dlogits;
  net.train();
  for (int e = 0; e < epochs && n > 0; ++e) {
    for (std::size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[order.below(i)]);  // Fisher–Yates
    for (std::size_t b0 = 0; b0 < n; b0 += batch) {
      const index_t nb = index_t(std::min(batch, n - b0));
      x.resize(nb, d);
      y.resize(nb, k);
      dlogits.resize(nb, k);
      ops::fill(y, 0.0f);
      ops::fill(dlogits, 0.0f);
      float *xp = x.data(), *yp = y.data();
      for (index_t r = 0; r < nb; ++r) {
        const std::size_t src = perm[b0 + std::size_t(r)];
        std::copy_n(train.x.row(Eigen::Index(src)).data(), d, xp + r * d);
        yp[r * k + train.y[src]] = 1;
      }
      const Tn& logits = net.forward(x);
      ce(logits, &y, dlogits);
      net.zero_grad();
      net.backward(dlogits);
      int p = 0;
      net.visit_params([&](Tn& w, Tn& g) {  // Dense's parameters come as W, b: W at even positions
        if (p++ % 2 == 0) {
          float* gp = g.data();
          const float* wp = w.data();
          for (index_t q = 0; q < w.size(); ++q) gp[q] += float(l2) * wp[q];
        }
      });
      opt.step(net);
    }
  }
  net.eval();
  Eigen::MatrixXd prob(Eigen::Index(test.y.size()), k);
  const index_t chunk = 4096;
  for (index_t r0 = 0; r0 < index_t(test.y.size()); r0 += chunk) {
    const index_t nr = std::min<index_t>(chunk, index_t(test.y.size()) - r0);
    x.resize(nr, d);
    std::copy_n(test.x.data() + r0 * d, nr * d, x.data());
    const Tn& logits = net.forward(x);
    const float* l = logits.data();
    for (index_t r = 0; r < nr; ++r) {  // softmax, shifted by the row's max
      const float* lr = l + r * k;
      const double mx = *std::max_element(lr, lr + k);
      double z = 0;
      for (index_t c = 0; c < k; ++c) z += std::exp(double(lr[c]) - mx);
      for (index_t c = 0; c < k; ++c) prob(r0 + r, c) = std::exp(double(lr[c]) - mx) / z;
    }
  }
  return prob;
}

/// ROC-AUC (binary: of the minority class's probability; more classes: the mean one-vs-rest AUC
/// over the classes with both positives and negatives in the test rows), accuracy of the most
/// probable class, and F1 = 2 tp / (2 tp + fp + fn) of the minority class.
inline ModelScores score_predictions(const Eigen::MatrixXd& prob, const std::vector<int>& y, int minority) {
  ModelScores m;
  const std::size_t n = y.size();
  const Eigen::Index k = prob.cols();
  if (n == 0) return m;
  auto auc_of = [&](Eigen::Index c) {
    std::vector<double> s(n);
    std::vector<bool> pos(n);
    for (std::size_t r = 0; r < n; ++r) s[r] = prob(Eigen::Index(r), c), pos[r] = y[r] == int(c);
    return roc_auc(s, pos);
  };
  if (k == 2) {
    m.auc = auc_of(minority);
  } else {
    double sum = 0;
    int counted = 0;
    for (Eigen::Index c = 0; c < k; ++c) {
      const double a = auc_of(c);
      if (!std::isnan(a)) sum += a, ++counted;
    }
    m.auc = counted ? sum / counted : report_nan;
  }
  double right = 0, tp = 0, fp = 0, fn = 0;
  for (std::size_t r = 0; r < n; ++r) {
    Eigen::Index pred;
    prob.row(Eigen::Index(r)).maxCoeff(&pred);
    right += pred == y[r];
    tp += pred == minority && y[r] == minority;
    fp += pred == minority && y[r] != minority;
    fn += pred != minority && y[r] == minority;
  }
  m.accuracy = right / double(n);
  m.minority_f1 = tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : report_nan;
  return m;
}

inline EfficacyReport efficacy(const Schema& s, const Aligned& train, const Aligned& syn, const Aligned& test,
                               const ReportOptions& opt) {
  EfficacyReport e;
  e.target = opt.target;
  const auto it = std::find(s.names.begin(), s.names.end(), opt.target);
  if (it == s.names.end())
    throw std::invalid_argument("tabular_report: the target column '" + opt.target + "' is not in the real table");
  const std::size_t t = std::size_t(it - s.names.begin());
  if (train.numeric(t))
    throw std::invalid_argument("tabular_report: the target column '" + opt.target + "' is " + kind_name(s.kinds[t]) +
                                "; efficacy needs a categorical target");
  Encoder enc(s, train, t);
  // The classes: the target's texts present in the training table, in the schema's order.
  const std::vector<double> counts = code_counts(train.codes[t], s.texts[t].size());
  enc.class_of.assign(s.texts[t].size(), -1);
  std::vector<double> class_counts;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0) {
      enc.class_of[c] = int(e.classes.size());
      e.classes.push_back(s.texts[t][c]);
      class_counts.push_back(counts[c]);
    }
  if (e.classes.size() < 2)
    throw std::invalid_argument("tabular_report: the target column '" + opt.target +
                                "' has fewer than 2 classes in the real training table");
  const int minority = int(std::min_element(class_counts.begin(), class_counts.end()) - class_counts.begin());
  e.minority_class = e.classes[std::size_t(minority)];
  const Encoded tr = enc(train, nullptr), sy = enc(syn, &e.dropped_synthetic), te = enc(test, &e.dropped_test);
  e.features = std::size_t(enc.width);
  e.test_rows = te.y.size();
  const int k = int(e.classes.size());
  auto run = [&](auto spec, const char* name, double rate) {
    using Spec = typename decltype(spec)::type;
    EfficacyModel m;
    m.model = name;
    m.real = score_predictions(
        fit_predict<Spec>(tr, te, k, rate, opt.l2, opt.epochs, opt.batch, opt.seed), te.y, minority);
    m.synthetic = score_predictions(
        fit_predict<Spec>(sy, te, k, rate, opt.l2, opt.epochs, opt.batch, opt.seed), te.y, minority);
    e.models.push_back(std::move(m));
  };
  run(std::type_identity<LogisticSpec>{}, "logistic regression", opt.lr_rate);
  if (opt.mlp) run(std::type_identity<MlpSpec>{}, "MLP 64-64", opt.mlp_rate);
  return e;
}

}  // namespace detail

// ------------------------------------------------------------------------------------------------
// The report

/// Judges `synthetic` against `real_train` (and, with opt.test, against held-out real rows).
/// Columns are matched by name; the synthetic (and test) table must have every column of the real
/// table with the same kind (extra columns are ignored), else std::invalid_argument names it.
inline TabularReport tabular_report(const Table& real_train, const Table& synthetic, const ReportOptions& opt = {}) {
  const auto t0 = std::chrono::steady_clock::now();
  if (real_train.cols() == 0) throw std::invalid_argument("tabular_report: the real table has no columns");
  if (real_train.rows() == 0 || synthetic.rows() == 0)
    throw std::invalid_argument("tabular_report: the real table has " + std::to_string(real_train.rows()) +
                                " rows and the synthetic one " + std::to_string(synthetic.rows()) +
                                "; both need at least one");
  detail::Schema s = detail::schema_of(real_train);
  const detail::Aligned real = detail::align(real_train, s, "real");
  const detail::Aligned syn = detail::align(synthetic, s, "synthetic");
  detail::Aligned test;
  if (opt.test) test = detail::align(*opt.test, s, "test");

  TabularReport r;
  r.real_rows = real.rows;
  r.synthetic_rows = syn.rows;
  r.test_rows = opt.test ? test.rows : 0;

  r.shapes = detail::column_shapes(s, real, syn);
  double sum = 0;
  for (const ColumnShape& c : r.shapes) sum += c.score;
  r.shapes_mean = sum / double(r.shapes.size());

  r.pairs = detail::pair_trends(s, real, syn, opt);
  double all = 0, with = 0;
  for (const PairTrend& p : r.pairs) {
    all += p.score;
    if (p.real_trend) with += p.score, ++r.trends_real_count;
  }
  r.trends_mean = r.pairs.empty() ? report_nan : all / double(r.pairs.size());
  r.trends_real_mean = r.trends_real_count ? with / double(r.trends_real_count) : report_nan;
  detail::noise_floor(s, real, syn.rows, opt, r);
  r.seconds_shapes = detail::seconds_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  r.privacy = detail::privacy(s, real, syn, opt.test ? &test : nullptr, opt.privacy_rows);
  r.seconds_privacy = detail::seconds_since(t1);

  if (!opt.target.empty()) {
    if (!opt.test) throw std::invalid_argument("tabular_report: efficacy (target '" + opt.target +
                                               "') needs a held-out real table in ReportOptions::test");
    t1 = std::chrono::steady_clock::now();
    r.efficacy = detail::efficacy(s, real, syn, test, opt);
    r.seconds_efficacy = detail::seconds_since(t1);
  }
  r.seconds_total = detail::seconds_since(t0);
  return r;
}

/// DCR of every row of `rows`: its Euclidean distance to the closest row of `train`, on the
/// encoding of the privacy figures (numbers scaled to [0, 1] by train's range, missing −1 plus an
/// indicator; categories one-hot by text / √2). Columns as in tabular_report.
inline std::vector<double> distances_to_closest(const Table& train, const Table& rows) {
  if (train.cols() == 0) throw std::invalid_argument("distances_to_closest: the training table has no columns");
  detail::Schema s = detail::schema_of(train);
  const detail::Aligned tr = detail::align(train, s, "training");
  const detail::Aligned q = detail::align(rows, s, "queried");
  return detail::nearest_distances(detail::privacy_points(s, tr, q), detail::privacy_points(s, tr, tr));
}

// ------------------------------------------------------------------------------------------------
// Text and JSON

namespace detail {

inline std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

/// `s` cut or padded to `w` characters (bytes; names are expected to be ASCII).
inline std::string pad(std::string s, std::size_t w) {
  if (s.size() > w) s = s.substr(0, w - 1) + "~";
  return s + std::string(w - s.size(), ' ');
}

inline std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += char(c);
        }
    }
  }
  return o + "\"";
}

/// A number for JSON: NaN and infinities are null.
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char b[32];
  std::snprintf(b, sizeof b, "%.10g", v);
  return b;
}

}  // namespace detail

/// A terminal report: the summary, column shapes worst first, the worst 10 pairs, efficacy and
/// privacy.
inline std::string to_text(const TabularReport& r) {
  using detail::fmt;
  using detail::pad;
  std::string o;
  o += "Tabular report: real " + std::to_string(r.real_rows) + " rows, synthetic " + std::to_string(r.synthetic_rows) +
       " rows, test " + std::to_string(r.test_rows) + " rows, " + std::to_string(r.shapes.size()) + " columns\n\n";
  const bool floor = !std::isnan(r.shapes_floor);
  auto with_floor = [&](double v, double f) { return fmt("%.4f", v) + (floor ? "   floor " + fmt("%.4f", f) : std::string()); };
  o += "Summary (1 is identical";
  o += floor ? "; floor: the mean score of rows drawn from the real table itself, at these row counts)\n" : ")\n";
  o += "  column shapes, mean                   " + with_floor(r.shapes_mean, r.shapes_floor) + "\n";
  o += "  pair trends, mean over all " + pad(std::to_string(r.pairs.size()) + " pairs", 11) +
       with_floor(r.trends_mean, r.trends_floor) + "\n";
  o += "  pair trends, mean over " + pad(std::to_string(r.trends_real_count) + " pairs", 15) +
       with_floor(r.trends_real_mean, r.trends_real_floor) + "   (with a real trend: |r| > 0.5 or Cramer's V > 0.3)\n\n";

  std::vector<const ColumnShape*> cols;
  for (const ColumnShape& c : r.shapes) cols.push_back(&c);
  std::stable_sort(cols.begin(), cols.end(), [](auto a, auto b) { return a->score < b->score; });
  o += "Column shapes, worst first (numbers: (1 - KS)(1 - |missing gap|); categories: 1 - TVD)\n";
  o += "  " + pad("column", 24) + pad("kind", 13) + pad("KS/TVD", 9) + pad("missing r/s", 15) + pad("score", 9) +
       (floor ? "floor\n" : "\n");
  for (const ColumnShape* c : cols)
    o += "  " + pad(c->name, 24) + pad(kind_name(c->kind), 13) + pad(fmt("%.4f", c->statistic), 9) +
         pad(c->kind == ColumnKind::Categorical ? "" : fmt("%.3f", c->missing_real) + "/" + fmt("%.3f", c->missing_synthetic), 15) +
         pad(fmt("%.4f", c->score), 9) + (floor ? fmt("%.4f", c->floor) : std::string()) + "\n";

  std::vector<const PairTrend*> pairs;
  for (const PairTrend& p : r.pairs) pairs.push_back(&p);
  std::stable_sort(pairs.begin(), pairs.end(), [](auto a, auto b) { return a->score < b->score; });
  if (pairs.size() > 10) pairs.resize(10);
  o += "\nPair trends, worst " + std::to_string(pairs.size()) + " (correlation: r; contingency: Cramer's V)\n";
  o += "  " + pad("pair", 40) + pad("metric", 13) + pad("real", 9) + pad("synthetic", 11) + pad("trend", 7) + "score\n";
  for (const PairTrend* p : pairs)
    o += "  " + pad(p->first + " / " + p->second, 40) + pad(metric_name(p->metric), 13) + pad(fmt("%.3f", p->real_value), 9) +
         pad(fmt("%.3f", p->synthetic_value), 11) + pad(p->real_trend ? "yes" : "", 7) + fmt("%.4f", p->score) + "\n";

  const EfficacyReport& e = r.efficacy;
  if (!e.target.empty()) {
    o += "\nMachine-learning efficacy: predict '" + e.target + "' (" + std::to_string(e.classes.size()) +
         " classes, minority '" + e.minority_class + "'), " + std::to_string(e.features) + " features, tested on " +
         std::to_string(e.test_rows) + " real held-out rows\n";
    if (e.dropped_synthetic || e.dropped_test)
      o += "  rows left out (target text not in the real training table): synthetic " +
           std::to_string(e.dropped_synthetic) + ", test " + std::to_string(e.dropped_test) + "\n";
    o += "  " + pad("model", 22) + pad("trained on", 14) + pad(e.classes.size() == 2 ? "ROC-AUC" : "AUC (macro)", 13) +
         pad("accuracy", 10) + "minority F1\n";
    auto line = [&](const std::string& model, const char* on, const ModelScores& m, const char* f) {
      o += "  " + pad(model, 22) + pad(on, 14) + pad(fmt(f, m.auc), 13) + pad(fmt(f, m.accuracy), 10) +
           fmt(f, m.minority_f1) + "\n";
    };
    for (const EfficacyModel& m : e.models) {
      line(m.model, "real", m.real, "%.4f");
      line("", "synthetic", m.synthetic, "%.4f");
      line("", "difference", m.difference(), "%+.4f");
    }
  }

  const PrivacyReport& p = r.privacy;
  o += "\nPrivacy (DCR: distance to the closest real training row)\n";
  o += "  median DCR, synthetic (first " + std::to_string(p.synthetic_evaluated) + " rows)   " +
       fmt("%.4f", p.median_dcr_synthetic) + "\n";
  if (p.holdout_evaluated) {
    o += "  median DCR, holdout (first " + std::to_string(p.holdout_evaluated) + " rows)     " +
         fmt("%.4f", p.median_dcr_holdout) + "\n";
    o += "  ratio synthetic / holdout                 " + fmt("%.3f", p.dcr_ratio) + "   (below 1: closer than new real rows)\n";
    o += "  synthetic rows closer than the holdout's 5th percentile (" + fmt("%.4f", p.holdout_p5) + "): " +
         fmt("%.2f", 100 * p.share_closer) + "%   (5% expected)\n";
  }
  o += "  exact copies of a training row            " + std::to_string(p.exact_copies) + " of " +
       std::to_string(p.synthetic_rows) + "\n";
  o += "\nTime: " + fmt("%.2f", r.seconds_total) + " s (shapes and trends " + fmt("%.2f", r.seconds_shapes) +
       ", privacy " + fmt("%.2f", r.seconds_privacy) + ", efficacy " + fmt("%.2f", r.seconds_efficacy) + ")\n";
  return o;
}

/// The whole report as JSON (NaN as null).
inline std::string to_json(const TabularReport& r) {
  using detail::json_number;
  using detail::json_string;
  auto num = [](const char* k, double v) { return json_string(k) + ": " + json_number(v); };
  auto cnt = [](const char* k, std::size_t v) { return json_string(k) + ": " + std::to_string(v); };
  std::string o = "{\n";
  o += "  " + cnt("real_rows", r.real_rows) + ", " + cnt("synthetic_rows", r.synthetic_rows) + ", " +
       cnt("test_rows", r.test_rows) + ",\n";
  o += "  " + num("shapes_mean", r.shapes_mean) + ", " + num("trends_mean", r.trends_mean) + ", " +
       num("trends_real_mean", r.trends_real_mean) + ", " + cnt("trends_real_count", r.trends_real_count) + ",\n";
  o += "  " + num("shapes_floor", r.shapes_floor) + ", " + num("trends_floor", r.trends_floor) + ", " +
       num("trends_real_floor", r.trends_real_floor) + ",\n";
  o += "  \"shapes\": [";
  for (std::size_t i = 0; i < r.shapes.size(); ++i) {
    const ColumnShape& c = r.shapes[i];
    o += std::string(i ? "," : "") + "\n    {\"name\": " + json_string(c.name) + ", \"kind\": " +
         json_string(kind_name(c.kind)) + ", " + num("statistic", c.statistic) + ", " +
         num("missing_real", c.missing_real) + ", " + num("missing_synthetic", c.missing_synthetic) + ", " +
         num("score", c.score) + ", " + num("floor", c.floor) + "}";
  }
  o += "\n  ],\n  \"pairs\": [";
  for (std::size_t i = 0; i < r.pairs.size(); ++i) {
    const PairTrend& p = r.pairs[i];
    o += std::string(i ? "," : "") + "\n    {\"first\": " + json_string(p.first) + ", \"second\": " +
         json_string(p.second) + ", \"metric\": " + json_string(metric_name(p.metric)) + ", " +
         num("real_value", p.real_value) + ", " + num("synthetic_value", p.synthetic_value) + ", " +
         num("real_strength", p.real_strength) + ", \"real_trend\": " + (p.real_trend ? "true" : "false") + ", " +
         num("score", p.score) + "}";
  }
  const PrivacyReport& q = r.privacy;
  o += "\n  ],\n  \"privacy\": {" + cnt("synthetic_evaluated", q.synthetic_evaluated) + ", " +
       cnt("holdout_evaluated", q.holdout_evaluated) + ", " + num("median_dcr_synthetic", q.median_dcr_synthetic) +
       ", " + num("median_dcr_holdout", q.median_dcr_holdout) + ", " + num("dcr_ratio", q.dcr_ratio) + ", " +
       num("holdout_p5", q.holdout_p5) + ", " + num("share_closer", q.share_closer) + ", " +
       cnt("exact_copies", q.exact_copies) + ", " + cnt("synthetic_rows", q.synthetic_rows) + "},\n";
  const EfficacyReport& e = r.efficacy;
  if (e.target.empty()) {
    o += "  \"efficacy\": null,\n";
  } else {
    auto scores = [&](const ModelScores& m) {
      return "{" + num("auc", m.auc) + ", " + num("accuracy", m.accuracy) + ", " + num("minority_f1", m.minority_f1) + "}";
    };
    o += "  \"efficacy\": {\"target\": " + json_string(e.target) + ", \"classes\": [";
    for (std::size_t i = 0; i < e.classes.size(); ++i) o += (i ? ", " : "") + json_string(e.classes[i]);
    o += "], \"minority_class\": " + json_string(e.minority_class) + ", " + cnt("features", e.features) + ", " +
         cnt("test_rows", e.test_rows) + ", " + cnt("dropped_synthetic", e.dropped_synthetic) + ", " +
         cnt("dropped_test", e.dropped_test) + ", \"models\": [";
    for (std::size_t i = 0; i < e.models.size(); ++i) {
      const EfficacyModel& m = e.models[i];
      o += std::string(i ? "," : "") + "\n    {\"model\": " + json_string(m.model) + ", \"real\": " + scores(m.real) +
           ", \"synthetic\": " + scores(m.synthetic) + ", \"difference\": " + scores(m.difference()) + "}";
    }
    o += "\n  ]},\n";
  }
  o += "  \"seconds\": {" + num("shapes_and_trends", r.seconds_shapes) + ", " + num("privacy", r.seconds_privacy) +
       ", " + num("efficacy", r.seconds_efficacy) + ", " + num("total", r.seconds_total) + "}\n}\n";
  return o;
}

}  // namespace gan::tabular
