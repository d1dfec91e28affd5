// gan/tabular/transformer.hpp: the reversible map between a Table and the vectors a GAN sees.
//
// Mode-specific normalisation (Xu et al. 2019, section 4.2), with point masses and missing values:
//   - A numeric column is a mixture of *modes*: point masses (a value held by at least
//     `point_mass_share` of the rows, e.g. capital-gain's 0), Gaussians fitted by EM to the other
//     values (up to `max_modes`, lighter than `min_mode_weight` pruned), and "missing" when the
//     column has missing cells. An integer column with few distinct values (years of education)
//     has every value as a point mass, so it is coded exactly. A value becomes [s, one-hot(mode)]:
//       Gaussian k:  s = clip((v - mu_k) / (4 sigma_k), -0.99, 0.99), the mode drawn from the
//                    posterior p(k | v) (as CTGAN does, so neighbouring modes overlap smoothly)
//       point mass:  s = 0;  missing: s = 0
//     and back:  v = mu_k + 4 sigma_k s (clipped to the column's range; integers rounded),
//     the point mass's value exactly, or NaN.
//   - A categorical column is one-hot over its categories. A column with more than
//     `max_categories` (an identifier, a zip code) keeps its most frequent max_categories - 1 as
//     entries of their own and pools the rest in one "other" entry; a row decoded to "other" gets
//     one of the pooled categories drawn by its frequency.
//   - A column that is a function of a categorical column in every row (education-num of
//     education, a state's name of its code) is *derived*: it is not encoded at all, and comes
//     back from its source column's decoded category through the mapping seen in the data, so
//     the pair is always consistent (a GAN learns such a coupling only approximately). The source
//     must have at least `derived_min_rows` rows per category on average, so that an
//     identifier-like column (one row per value) never "determines" the others.
// Training does not hold the encoded table (a categorical with thousands of categories would
// need rows x thousands of floats): the transformer keeps one mode (or category) and one scalar
// per cell, and encode_rows() writes the dense rows of one batch.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>
#include <string>
#include <vector>

#include "../core/config.hpp"
#include "../core/random.hpp"
#include "table.hpp"

namespace gan::tabular {

struct TransformerOptions {
  int max_modes = 10;               // Gaussians per numeric column before pruning (at most 64)
  double min_mode_weight = 0.005;   // Gaussians lighter than this are pruned
  double point_mass_share = 0.05;   // a value held by at least this share of rows is a point mass
  int max_point_masses = 5;         // the heaviest ones, at most
  std::size_t max_discrete_values = 32;  // an integer column with at most this many distinct
                                         // values has every value as a point mass (exact codes)
  int em_iterations = 100;
  std::size_t max_fit_rows = 50000; // EM sees at most this many values (an even subsample)
  std::size_t max_categories = 200; // one-hot entries of a categorical column, "other" included
  bool derived_columns = true;      // detect columns that are a function of a categorical column
  double derived_min_rows = 10;     // ... whose categories hold at least this many rows on average
};

/// How one column is encoded.
struct ColumnModel {
  std::string name;
  ColumnKind kind = ColumnKind::Continuous;
  // numeric columns
  std::vector<double> masses;                 // point-mass values (modes 0 .. masses-1)
  std::vector<double> means, stds, weights;   // Gaussians (the next modes)
  bool has_missing = false;                   // the last mode means "missing"
  double lo = 0, hi = 0;                      // values are clipped to [lo, hi]
  // categorical columns
  std::vector<std::string> categories;
  std::vector<double> counts;                 // rows of each category in the fitted table
  index_t slots = 0;                          // one-hot entries (categories, or max_categories)
  // derived from counts and slots by index_categories():
  std::vector<std::int32_t> slot_of;          // category -> its one-hot entry
  std::vector<std::int32_t> slot_category;    // one-hot entry -> its category (not "other")
  std::vector<std::int32_t> pooled;           // the categories of the "other" entry
  std::vector<double> pooled_cum;             // their cumulative counts, for drawing one
  std::vector<double> slot_counts;            // rows per one-hot entry

  /// Fills slot_of, pooled, pooled_cum and slot_counts: the slots - 1 most frequent categories
  /// (ties: first seen) get entries of their own when the categories do not all fit.
  void index_categories() {
    const std::size_t k = categories.size();
    if (slots <= 0 || std::size_t(slots) > k) slots = index_t(k);
    slot_of.assign(k, 0);
    pooled.clear();
    pooled_cum.clear();
    slot_counts.assign(std::size_t(slots), 0.0);
    slot_category.assign(std::size_t(slots), 0);
    if (std::size_t(slots) == k) {
      for (std::size_t c = 0; c < k; ++c) slot_of[c] = slot_category[c] = std::int32_t(c), slot_counts[c] = counts[c];
      return;
    }
    std::vector<std::int32_t> order(k);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return counts[std::size_t(a)] > counts[std::size_t(b)]; });
    const std::size_t own = std::size_t(slots) - 1;
    double cum = 0;
    for (std::size_t r = 0; r < k; ++r) {
      const auto c = std::size_t(order[r]);
      slot_of[c] = std::int32_t(std::min(r, own));
      slot_counts[std::size_t(slot_of[c])] += counts[c];
      if (r < own) slot_category[r] = std::int32_t(c);
      if (r >= own) pooled.push_back(std::int32_t(c)), pooled_cum.push_back(cum += counts[c]);
    }
  }
  /// The category of one-hot entry `slot`; for the "other" entry one drawn by frequency with `u`
  /// in [0, 1) (the most frequent pooled category when u < 0).
  std::int32_t category_of(index_t slot, double u) const {
    if (pooled.empty() || slot < slots - 1) return slot_category[std::size_t(slot)];
    if (u < 0) return pooled.front();
    const double x = u * pooled_cum.back();
    return pooled[std::size_t(std::upper_bound(pooled_cum.begin(), pooled_cum.end(), x) - pooled_cum.begin())];
  }

  // derived columns
  int source = -1;                            // the categorical column this one is a function of
  std::vector<double> derived;                // by source category: the value (numeric; NaN: missing)
                                              // or the category index (categorical)

  bool categorical() const { return kind == ColumnKind::Categorical; }
  bool is_derived() const { return source >= 0; }
  /// Modes (numeric) or categories: the width of the one-hot part (0 for a derived column).
  index_t modes() const {
    if (is_derived()) return 0;
    return categorical() ? slots : index_t(masses.size() + means.size() + (has_missing ? 1 : 0));
  }
  /// Width in the encoded row: [scalar, one-hot] for numeric columns, one-hot for categorical.
  index_t width() const { return is_derived() ? 0 : modes() + (categorical() ? 0 : 1); }
  index_t gaussian_mode(std::size_t k) const { return index_t(masses.size() + k); }
  index_t missing_mode() const { return index_t(masses.size() + means.size()); }
};

/// A stretch of the encoded row that the generator's output head treats as a unit.
struct OutputSpan {
  enum Kind { Scalar, OneHot } kind;  // Scalar: tanh; OneHot: (Gumbel-)softmax
  index_t start, width;
  int column;  // the table column it belongs to

  /// What decoding reads of this span in an encoded row: the value of a Scalar span, the index of
  /// the largest entry of a OneHot span (the first of equal ones), so logits or probabilities both
  /// work. A pure function of the row, run on the host or, for generated rows, on the device.
  template <class T>
  GAN_HD T read(const T* row) const {
    const T* p = row + start;
    if (kind == Scalar) return p[0];
    index_t best = 0;
    for (index_t k = 1; k < width; ++k)
      if (p[k] > p[best]) best = k;
    return T(best);
  }
};

namespace detail {

inline double normal_logpdf(double x, double mu, double sd) {
  const double z = (x - mu) / sd;
  return -0.5 * z * z - std::log(sd) - 0.9189385332046727;  // log(1 / sqrt(2 pi))
}

/// 1-D Gaussian mixture by EM, started from equally spaced quantiles; components whose weight
/// falls below `min_weight` are dropped (and EM continues without them). Deterministic.
inline void fit_mixture(std::vector<double> x, int max_modes, double min_weight, int iterations,
                        std::vector<double>& mean, std::vector<double>& sd, std::vector<double>& w) {
  mean.clear();
  sd.clear();
  w.clear();
  if (x.empty()) return;
  std::sort(x.begin(), x.end());
  const std::size_t n = x.size();
  const double range = x.back() - x.front();
  // The variance floor keeps a component from collapsing onto one repeated value.
  const double floor_sd = std::max(range * 1e-3, 1e-9 * std::max(1.0, std::abs(x.back())));
  std::size_t distinct = 1;
  for (std::size_t i = 1; i < n; ++i) distinct += x[i] != x[i - 1];
  const int k0 = int(std::min<std::size_t>(std::size_t(std::max(1, max_modes)), distinct));
  double mu_all = std::accumulate(x.begin(), x.end(), 0.0) / double(n), var_all = 0;
  for (double v : x) var_all += (v - mu_all) * (v - mu_all);
  const double sd_all = std::max(std::sqrt(var_all / double(n)), floor_sd);
  for (int k = 0; k < k0; ++k) {
    mean.push_back(x[std::min(n - 1, std::size_t((k + 0.5) / k0 * double(n)))]);
    sd.push_back(std::max(sd_all / k0, floor_sd));
    w.push_back(1.0 / k0);
  }
  std::vector<double> resp(n * mean.size());
  double last_ll = -std::numeric_limits<double>::infinity();
  for (int it = 0; it < iterations; ++it) {
    const std::size_t K = mean.size();
    resp.resize(n * K);
    double ll = 0;
    std::vector<double> a(K), b(K);  // log(w_k N(x; mu_k, sd_k)) = a_k - ((x - mu_k) b_k)^2 / 2
    for (std::size_t k = 0; k < K; ++k) a[k] = std::log(w[k]) - std::log(sd[k]) - 0.9189385332046727, b[k] = 1 / sd[k];
    for (std::size_t i = 0; i < n; ++i) {  // E step: responsibilities, by log-sum-exp
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < K; ++k) {
        const double z = (x[i] - mean[k]) * b[k];
        resp[i * K + k] = a[k] - 0.5 * z * z;
        m = std::max(m, resp[i * K + k]);
      }
      double s = 0;
      for (std::size_t k = 0; k < K; ++k) s += (resp[i * K + k] = std::exp(resp[i * K + k] - m));
      for (std::size_t k = 0; k < K; ++k) resp[i * K + k] /= s;
      ll += m + std::log(s);
    }
    for (std::size_t k = 0; k < K; ++k) {  // M step
      double nk = 0, sx = 0;
      for (std::size_t i = 0; i < n; ++i) nk += resp[i * K + k], sx += resp[i * K + k] * x[i];
      w[k] = nk / double(n);
      if (nk <= 0) continue;
      mean[k] = sx / nk;
      double sv = 0;
      for (std::size_t i = 0; i < n; ++i) sv += resp[i * K + k] * (x[i] - mean[k]) * (x[i] - mean[k]);
      sd[k] = std::max(std::sqrt(sv / nk), floor_sd);
    }
    // Prune the lightest component below the threshold, one at a time, and renormalise.
    std::size_t lightest = std::min_element(w.begin(), w.end()) - w.begin();
    if (K > 1 && w[lightest] < min_weight) {
      mean.erase(mean.begin() + lightest);
      sd.erase(sd.begin() + lightest);
      w.erase(w.begin() + lightest);
      const double tot = std::accumulate(w.begin(), w.end(), 0.0);
      for (double& v : w) v /= tot;
      last_ll = -std::numeric_limits<double>::infinity();
      continue;
    }
    if (std::abs(ll - last_ll) < 1e-7 * std::abs(ll) + 1e-12) break;
    last_ll = ll;
  }
  // Order the modes by their means: easier to read in a saved model.
  std::vector<std::size_t> order(mean.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mean[a] < mean[b]; });
  std::vector<double> m2, s2, w2;
  for (std::size_t k : order) m2.push_back(mean[k]), s2.push_back(sd[k]), w2.push_back(w[k]);
  mean = m2, sd = s2, w = w2;
}

}  // namespace detail

class DataTransformer {
 public:
  DataTransformer() = default;

  /// Fits every column of `table`: point masses, EM for the rest, categories. Deterministic.
  void fit(const Table& table, const TransformerOptions& opt = {}) {
    table.check();
    if (table.rows() == 0) throw std::invalid_argument("DataTransformer::fit: the table has no rows");
    models_.clear();
    for (const Column& c : table.columns) models_.push_back(fit_column(c, opt));
    if (opt.derived_columns) find_derived(table, opt.derived_min_rows);
    layout();
  }

  /// Marks each column that is a function of an earlier-examined categorical column in every row
  /// (see the header); a column that determines another is never itself derived.
  void find_derived(const Table& t, double min_rows) {
    std::vector<char> is_source(models_.size(), 0);
    for (std::size_t b = 0; b < models_.size(); ++b) {
      const Column& cb = t.columns[b];
      const std::size_t distinct_b = cb.categorical() ? cb.categories.size() : distinct_values(cb);
      if (distinct_b < 2 || is_source[b]) continue;
      for (std::size_t a = 0; a < models_.size(); ++a) {
        const Column& ca = t.columns[a];
        if (a == b || !ca.categorical() || models_[a].is_derived() || ca.categories.size() < 2 ||
            double(t.rows()) < min_rows * double(ca.categories.size()))
          continue;
        std::vector<double> map(ca.categories.size(), std::numeric_limits<double>::infinity());  // inf: unseen
        bool function = true;
        for (std::size_t i = 0; i < t.rows() && function; ++i) {
          const double v = cb.categorical() ? double(cb.codes[i]) : cb.numbers[i];
          double& m = map[std::size_t(ca.codes[i])];
          if (std::isinf(m)) m = v;
          else function = m == v || (std::isnan(m) && std::isnan(v));
        }
        if (!function) continue;
        for (double& m : map)
          if (std::isinf(m)) m = std::numeric_limits<double>::quiet_NaN();  // a category never seen with a value
        models_[b].source = int(a);
        models_[b].derived = std::move(map);
        is_source[a] = 1;
        break;
      }
    }
  }

  /// Encodes the table into its compact form (one mode and one scalar per cell); the modes of
  /// Gaussian cells are drawn from their posterior with `rng`. Called once before training.
  void encode(const Table& table, Rng& rng) {
    check_columns(table);
    rows_ = table.rows();
    mode_.assign(models_.size(), {});
    scalar_.assign(models_.size(), {});
    for (std::size_t j = 0; j < models_.size(); ++j) {
      const ColumnModel& m = models_[j];
      const Column& c = table.columns[j];
      auto& md = mode_[j];
      auto& sc = scalar_[j];
      if (m.is_derived()) continue;  // comes back from its source
      md.resize(rows_);
      sc.assign(m.categorical() ? 0 : rows_, 0.f);
      if (m.categorical()) {
        const std::vector<std::int32_t> code_map = category_indices(m, c);
        for (std::size_t i = 0; i < rows_; ++i) {
          md[i] = m.slot_of[std::size_t(code_map[std::size_t(c.codes[i])])];
        }
        continue;
      }
      for (std::size_t i = 0; i < rows_; ++i) {
        float s = 0;
        md[i] = std::int32_t(encode_value(m, c.numbers[i], rng, s));
        sc[i] = s;
      }
    }
  }

  /// Writes the dense encoded rows `rows` (indices into the encoded table) to `out`,
  /// (rows.size(), width()) row-major.
  template <class T>
  void encode_rows(const std::vector<index_t>& rows, T* out) const {
    const index_t w = width();
    std::fill(out, out + rows.size() * std::size_t(w), T(0));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      T* o = out + r * std::size_t(w);
      const auto i = std::size_t(rows[r]);
      for (std::size_t j = 0; j < models_.size(); ++j) {
        const index_t at = offset_[j];
        if (models_[j].is_derived()) continue;
        if (models_[j].categorical()) {
          o[at + mode_[j][i]] = T(1);
        } else {
          o[at] = T(scalar_[j][i]);
          o[at + 1 + mode_[j][i]] = T(1);
        }
      }
    }
  }

  /// The table of `n` encoded rows (row-major, width() each): the inverse of the encoding.
  /// One-hot parts are read by their largest entry, so logits or probabilities both work. A row
  /// in a pooled "other" entry gets a pooled category drawn with `rng` (without one: the most
  /// frequent pooled category).
  template <class T>
  Table decode(const T* data, index_t n, const Table& like, Rng* rng = nullptr) const {
    const std::size_t ns = spans_.size();
    std::vector<T> read(std::size_t(n) * ns);
    for (index_t r = 0; r < n; ++r)
      for (std::size_t s = 0; s < ns; ++s) read[std::size_t(r) * ns + s] = spans_[s].read(data + r * width_);
    return decode_spans(read.data(), n, like, rng);
  }

  /// decode() from what OutputSpan::read() gives of each row's spans: (n, spans().size()), the
  /// mode's index and the scalar of each numeric column, the one-hot entry of each categorical one.
  /// (A synthesizer reads generated rows where they were made and copies back only this.)
  template <class T>
  Table decode_spans(const T* read, index_t n, const Table& like, Rng* rng = nullptr) const {
    const index_t ns = index_t(spans_.size());
    Table out = empty_like(like);
    for (std::size_t j = 0; j < models_.size(); ++j) {
      const ColumnModel& m = models_[j];
      Column& c = out.columns[j];
      if (m.is_derived()) continue;  // below, once its source is decoded
      const index_t s = first_span_[j];  // numeric: the scalar, then the mode; categorical: the entry
      c.codes.reserve(m.categorical() ? std::size_t(n) : 0);
      c.numbers.reserve(m.categorical() ? 0 : std::size_t(n));
      for (index_t r = 0; r < n; ++r) {
        const T* row = read + r * ns;
        if (m.categorical()) {
          c.codes.push_back(m.category_of(index_t(row[s]), rng ? rng->uniform() : -1.0));
          continue;
        }
        c.numbers.push_back(decode_value(m, index_t(row[s + 1]), double(row[s])));
      }
      if (m.categorical()) c.categories = m.categories;
    }
    for (std::size_t j = 0; j < models_.size(); ++j) {  // derived columns, from their source's category
      const ColumnModel& m = models_[j];
      if (!m.is_derived()) continue;
      Column& c = out.columns[j];
      const Column& src = out.columns[std::size_t(m.source)];
      if (m.categorical()) c.categories = m.categories;
      for (index_t r = 0; r < n; ++r) {
        const double v = m.derived[std::size_t(src.codes[std::size_t(r)])];
        if (m.categorical()) c.codes.push_back(std::isnan(v) ? 0 : std::int32_t(v));
        else c.numbers.push_back(v);
      }
    }
    return out;
  }

  /// Re-encodes reads of generated rows (decode_spans' input, (n, spans().size())) as encode()
  /// encodes real values: each numeric cell becomes the mode and scalar of its decoded value,
  /// the mode of a Gaussian drawn from the posterior with `rng`. Categorical reads are kept.
  /// Cell (r, j) draws at counter start + r x columns + j, whatever the other cells are, and
  /// `rng` moves past n x columns counters.
  template <class T>
  void reencode_reads(T* read, index_t n, Rng& rng) const {
    const index_t ns = index_t(spans_.size());
    const std::uint64_t start = rng.counter(), cols = models_.size();
    for (std::size_t j = 0; j < models_.size(); ++j) {
      const ColumnModel& m = models_[j];
      if (m.is_derived() || m.categorical()) continue;
      const index_t s = first_span_[j];
      for (index_t r = 0; r < n; ++r) {
        T* row = read + r * ns;
        const double v = decode_value(m, index_t(row[s + 1]), double(row[s]));
        if (std::isnan(v) && !m.has_missing) continue;  // a NaN scalar (a diverged generator): left as read
        Rng cell = rng;
        cell.set_counter(start + std::uint64_t(r) * cols + j);
        float scalar = 0;
        row[s + 1] = T(encode_value(m, v, cell, scalar));
        row[s] = T(scalar);
      }
    }
    rng.set_counter(start + std::uint64_t(n) * cols);
  }

  /// The value of numeric column model `m` for mode `mode` and scalar `s`.
  static double decode_value(const ColumnModel& m, index_t mode, double s) {
    if (mode < index_t(m.masses.size())) return m.masses[std::size_t(mode)];
    if (m.has_missing && mode == m.missing_mode()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t g = std::size_t(mode) - m.masses.size();
    s = std::clamp(s, -1.0, 1.0);
    double v = m.means[g] + 4 * m.stds[g] * s;
    if (m.kind == ColumnKind::Integer) v = std::round(v);
    return std::clamp(v, m.lo, m.hi);
  }

  index_t width() const { return width_; }
  std::size_t rows() const { return rows_; }
  const std::vector<ColumnModel>& models() const { return models_; }
  const ColumnModel& model(std::size_t j) const { return models_[j]; }
  /// First entry of column j in the encoded row.
  index_t offset(std::size_t j) const { return offset_[j]; }
  /// The spans of the encoded row, in order: what the generator's output heads follow.
  const std::vector<OutputSpan>& spans() const { return spans_; }
  /// Mode (numeric) or category (categorical) of cell (row i, column j) of the encoded table.
  std::int32_t mode(std::size_t j, std::size_t i) const { return mode_[j][i]; }

  /// Replaces the models (loading a saved synthesizer).
  void set_models(std::vector<ColumnModel> models) {
    models_ = std::move(models);
    for (ColumnModel& m : models_)
      if (m.categorical()) m.index_categories();
    layout();
  }

  /// Throws std::invalid_argument when `t` does not have the fitted columns (names and kinds).
  void check_columns(const Table& t) const {
    t.check();
    if (t.cols() != models_.size())
      throw std::invalid_argument("DataTransformer: the table has " + std::to_string(t.cols()) +
                                  " columns, the transformer was fitted on " + std::to_string(models_.size()));
    for (std::size_t j = 0; j < models_.size(); ++j)
      if (t.columns[j].name != models_[j].name || t.columns[j].categorical() != models_[j].categorical())
        throw std::invalid_argument("DataTransformer: column " + std::to_string(j + 1) + " is '" + t.columns[j].name +
                                    "' (" + kind_name(t.columns[j].kind) + "), the transformer expects '" +
                                    models_[j].name + "' (" + kind_name(models_[j].kind) + ")");
  }

  /// The mode a numeric value falls in: a point mass, "missing", or a Gaussian drawn from the
  /// posterior; sets the scalar `s`.
  static index_t encode_value(const ColumnModel& m, double v, Rng& rng, float& s) {
    s = 0;
    if (std::isnan(v)) {
      if (!m.has_missing) throw std::invalid_argument("column '" + m.name + "' had no missing values when fitted");
      return m.missing_mode();
    }
    for (std::size_t k = 0; k < m.masses.size(); ++k)
      if (v == m.masses[k]) return index_t(k);
    if (m.means.empty()) {  // only point masses were seen: the nearest one
      std::size_t best = 0;
      for (std::size_t k = 1; k < m.masses.size(); ++k)
        if (std::abs(v - m.masses[k]) < std::abs(v - m.masses[best])) best = k;
      return index_t(best);
    }
    double p[64];
    const std::size_t K = m.means.size();
    double mx = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < K; ++k) mx = std::max(mx, p[k] = std::log(m.weights[k]) + detail::normal_logpdf(v, m.means[k], m.stds[k]));
    double tot = 0;
    for (std::size_t k = 0; k < K; ++k) tot += (p[k] = std::exp(p[k] - mx));
    double u = rng.uniform() * tot;
    std::size_t k = 0;
    while (k + 1 < K && u >= p[k]) u -= p[k++];
    s = float(std::clamp((v - m.means[k]) / (4 * m.stds[k]), -0.99, 0.99));
    return m.gaussian_mode(k);
  }

 private:
  static ColumnModel fit_column(const Column& c, const TransformerOptions& opt) {
    ColumnModel m;
    m.name = c.name;
    m.kind = c.kind;
    if (c.categorical()) {
      m.categories = c.categories;
      if (m.categories.empty()) throw std::invalid_argument("column '" + c.name + "' has no categories");
      m.counts.assign(m.categories.size(), 0.0);
      for (std::int32_t k : c.codes) m.counts[std::size_t(k)] += 1;
      m.slots = index_t(std::min(m.categories.size(), std::max<std::size_t>(2, opt.max_categories)));
      m.index_categories();
      return m;
    }
    std::vector<double> v;
    v.reserve(c.numbers.size());
    for (double x : c.numbers)
      if (std::isnan(x)) m.has_missing = true;
      else v.push_back(x);
    if (v.empty()) throw std::invalid_argument("column '" + c.name + "' has no values (every cell is missing)");
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    m.lo = std::isnan(c.lo) ? *mn : c.lo;
    m.hi = std::isnan(c.hi) ? *mx : c.hi;
    // Point masses: the values held by at least point_mass_share of the (non-missing) rows.
    std::map<double, std::size_t> count;
    for (double x : v) ++count[x];
    std::vector<std::pair<std::size_t, double>> heavy;
    for (auto& [x, k] : count)
      if (double(k) >= opt.point_mass_share * double(v.size()) && count.size() > 1) heavy.emplace_back(k, x);
    std::sort(heavy.begin(), heavy.end(), [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    const bool discrete = c.kind == ColumnKind::Integer && count.size() <= opt.max_discrete_values;
    if (discrete) {  // a code-like integer column (years of education): every value is a mode
      heavy.clear();
      for (auto& [x, k] : count) heavy.emplace_back(k, x);
    } else if (heavy.size() > std::size_t(opt.max_point_masses)) {
      heavy.resize(std::size_t(opt.max_point_masses));
    }
    if (count.size() == 1 && !discrete) heavy.emplace_back(v.size(), v.front());  // a constant column
    for (auto& h : heavy) m.masses.push_back(h.second);
    // EM on the rest, an even subsample when there are many.
    std::vector<double> rest;
    for (double x : v)
      if (std::find(m.masses.begin(), m.masses.end(), x) == m.masses.end()) rest.push_back(x);
    if (rest.size() > opt.max_fit_rows) {
      std::vector<double> sub;
      const double step = double(rest.size()) / double(opt.max_fit_rows);
      for (std::size_t i = 0; i < opt.max_fit_rows; ++i) sub.push_back(rest[std::size_t(i * step)]);
      rest.swap(sub);
    }
    detail::fit_mixture(rest, std::min(opt.max_modes, 64), opt.min_mode_weight, opt.em_iterations, m.means, m.stds, m.weights);
    return m;
  }

  // The model's category index of a table's code (the table's categories may be ordered differently).
  // The model's index of each of a table column's categories (the table may order them otherwise).
  static std::vector<std::int32_t> category_indices(const ColumnModel& m, const Column& c) {
    std::unordered_map<std::string, std::int32_t> index;
    for (std::size_t k = 0; k < m.categories.size(); ++k) index.emplace(m.categories[k], std::int32_t(k));
    std::vector<std::int32_t> out;
    for (const std::string& text : c.categories) {
      const auto it = index.find(text);
      if (it == index.end())
        throw std::invalid_argument("column '" + m.name + "': category '" + text + "' was not seen when fitting");
      out.push_back(it->second);
    }
    return out;
  }

  static std::size_t distinct_values(const Column& c) {
    std::vector<double> v;
    for (double x : c.numbers)
      if (!std::isnan(x)) v.push_back(x);
    std::sort(v.begin(), v.end());
    return std::size_t(std::unique(v.begin(), v.end()) - v.begin()) + (v.size() < c.numbers.size() ? 1 : 0);
  }

  void layout() {
    offset_.clear();
    first_span_.clear();
    spans_.clear();
    width_ = 0;
    for (std::size_t j = 0; j < models_.size(); ++j) {
      const ColumnModel& m = models_[j];
      offset_.push_back(width_);
      first_span_.push_back(m.is_derived() ? -1 : index_t(spans_.size()));
      if (m.is_derived()) continue;
      if (!m.categorical()) spans_.push_back({OutputSpan::Scalar, width_++, 1, int(j)});
      spans_.push_back({OutputSpan::OneHot, width_, m.modes(), int(j)});
      width_ += m.modes();
    }
  }

  std::vector<ColumnModel> models_;
  std::vector<index_t> offset_;
  std::vector<index_t> first_span_;  // by column: its first span (-1: derived)
  std::vector<OutputSpan> spans_;
  index_t width_ = 0;
  std::size_t rows_ = 0;
  std::vector<std::vector<std::int32_t>> mode_;
  std::vector<std::vector<float>> scalar_;
};

}  // namespace gan::tabular
