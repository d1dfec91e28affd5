// gan/metrics/feature_metrics.hpp: how close generated samples are to real ones, measured on
// feature vectors (one row per sample), in double precision. docs/metrics.md explains how to read
// each figure.
//
//   FD          Fréchet distance of features: the Fréchet (2-Wasserstein) distance between two
//               Gaussians fitted to the real and the fake features (Heusel et al. 2017):
//                 ‖μ_r − μ_f‖² + tr(Σ_r + Σ_f − 2 (Σ_r^½ Σ_f Σ_r^½)^½)
//               It is FID only when the features are Inception-v3's pool layer; here they are not.
//   KID         kernel distance: the unbiased estimate of MMD² with the kernel
//               k(x, y) = (x·y / d + 1)³, averaged over random subsets (Bińkowski et al. 2018)
//   precision   the share of fake samples inside the k-NN ball of some real sample
//   recall      the share of real samples inside the k-NN ball of some fake sample
//               (Kynkäänniemi et al. 2019)
//
// Everything here needs Eigen only.
#pragma once
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"

namespace gan::metrics {

/// Copies `rows` samples of `cols` floats each, stored one sample after another (gan's
/// batch-major layout), into the double matrix the functions below take.
inline Eigen::MatrixXd features(const float* data, Eigen::Index rows, Eigen::Index cols) {
  if (rows < 0 || cols < 0 || (data == nullptr && rows * cols > 0))
    throw std::invalid_argument("features: needs a data pointer and rows, cols >= 0, got rows " + std::to_string(rows) +
                                ", cols " + std::to_string(cols));
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(data, rows, cols).cast<double>();
}

namespace detail {

inline std::string dims(const Eigen::MatrixXd& x) {
  return std::to_string(x.rows()) + " x " + std::to_string(x.cols());
}

/// One set: finite, with features, at least `min_rows` samples (`why` says why).
inline void check_set(const std::string& fn, const char* name, const Eigen::MatrixXd& x, Eigen::Index min_rows,
                      const std::string& why) {
  if (x.cols() == 0) throw ShapeError(fn + ": the samples of " + name + " have no features (" + dims(x) + ")");
  if (x.rows() < min_rows)
    throw ShapeError(fn + ": " + why + ", but " + name + " has " + std::to_string(x.rows()) + " (" + dims(x) + ")");
  if (!x.allFinite()) throw std::invalid_argument(fn + ": " + name + " contains a NaN or an infinity");
}

/// Two sets: the same feature width, and each one as `check_set` wants it.
inline void check_sets(const std::string& fn, const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake,
                       Eigen::Index min_rows, const std::string& why) {
  if (real.cols() != fake.cols())
    throw ShapeError(fn + ": real has " + std::to_string(real.cols()) + " features per sample but fake has " +
                     std::to_string(fake.cols()) + " (real " + dims(real) + ", fake " + dims(fake) +
                     "); both sets must come from the same feature extractor");
  check_set(fn, "real", real, min_rows, why);
  check_set(fn, "fake", fake, min_rows, why);
}

}  // namespace detail

// ------------------------------------------------------------------------------------------------
// FD: Fréchet distance of features

/// The square root of a symmetric positive semi-definite matrix: V diag(√λ) Vᵀ from its
/// self-adjoint eigen-decomposition. Rounding leaves the zero eigenvalues of a singular matrix
/// slightly negative; those are clamped to 0. An eigenvalue below −1e-9 times the largest
/// magnitude is not rounding: the matrix is not PSD, and that throws. Only the symmetric part
/// (M + Mᵀ)/2 is used.
inline Eigen::MatrixXd psd_sqrt(const Eigen::MatrixXd& m) {
  if (m.rows() != m.cols()) throw ShapeError("psd_sqrt: needs a square matrix, got " + detail::dims(m));
  if (m.size() == 0) return m;
  if (!m.allFinite()) throw std::invalid_argument("psd_sqrt: the matrix contains a NaN or an infinity");
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (m + m.transpose()));
  if (es.info() != Eigen::Success) throw std::runtime_error("psd_sqrt: the eigen-decomposition did not converge");
  const Eigen::VectorXd& l = es.eigenvalues();  // ascending
  const double scale = std::max(std::abs(l(0)), std::abs(l(l.size() - 1)));
  if (l(0) < -1e-9 * scale)
    throw std::invalid_argument("psd_sqrt: the matrix is not positive semi-definite (eigenvalue " +
                                std::to_string(l(0)) + ", largest magnitude " + std::to_string(scale) + ")");
  const Eigen::MatrixXd& v = es.eigenvectors();
  return v * l.cwiseMax(0.0).cwiseSqrt().asDiagonal() * v.transpose();
}

/// The mean and covariance (divided by n − 1) of a set of features: what FD compares. Compute
/// them once for the real set and reuse them for every checkpoint's fake set.
struct FeatureMoments {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
};

inline FeatureMoments feature_moments(const Eigen::MatrixXd& x) {
  detail::check_set("feature_moments", "the set", x, 2, "a covariance needs at least 2 samples");
  FeatureMoments m;
  m.mean = x.colwise().mean().transpose();
  const Eigen::MatrixXd c = x.rowwise() - m.mean.transpose();
  m.cov = (c.transpose() * c) / double(x.rows() - 1);
  return m;
}

/// FD (Fréchet distance of features) between two Gaussians given by their moments:
///   ‖μ_r − μ_f‖² + tr Σ_r + tr Σ_f − 2 tr (Σ_r^½ Σ_f Σ_r^½)^½.
/// The last trace is taken as the sum of the singular values of A = Σ_f^½ Σ_r^½ (AᵀA is the
/// matrix under the root, so its root's eigenvalues are A's singular values). Both roots are of
/// symmetric PSD matrices (`psd_sqrt`), so this holds for singular covariances (fewer samples
/// than features, constant features), where the root of the non-symmetric product Σ_r Σ_f is
/// ill-conditioned. Singular values are accurate to ε·‖A‖; taking the eigenvalues of AᵀA and then
/// their roots would turn rounding noise of ε‖A‖² into √ε‖A‖ per zero direction (FD(X, X) of 10
/// samples in 64 dimensions, trace 670: 3e-5 that way, 1e-11 this way). Rounding can leave a tiny negative
/// total; it is returned as 0. Lower is better; 0 means the same mean and covariance.
inline double frechet_distance(const FeatureMoments& real, const FeatureMoments& fake) {
  const Eigen::Index d = real.mean.size();
  if (fake.mean.size() != d || real.cov.rows() != d || real.cov.cols() != d || fake.cov.rows() != d ||
      fake.cov.cols() != d)
    throw ShapeError("frechet_distance: real has mean " + std::to_string(d) + " and covariance " +
                     detail::dims(real.cov) + ", fake has mean " + std::to_string(fake.mean.size()) +
                     " and covariance " + detail::dims(fake.cov) + "; all must have the same width");
  if (d == 0) throw ShapeError("frechet_distance: samples have no features");
  const Eigen::MatrixXd a = psd_sqrt(fake.cov) * psd_sqrt(real.cov);
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(a);  // singular values only
  if (svd.info() != Eigen::Success) throw std::runtime_error("frechet_distance: the SVD did not converge");
  const double tr_sqrt = svd.singularValues().sum();
  const double fd = (real.mean - fake.mean).squaredNorm() + real.cov.trace() + fake.cov.trace() - 2.0 * tr_sqrt;
  return std::max(fd, 0.0);
}

/// FD (Fréchet distance of features) of two sets, one sample per row; at least 2 samples each.
inline double frechet_distance(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake) {
  detail::check_sets("frechet_distance", real, fake, 2, "a covariance needs at least 2 samples per set");
  return frechet_distance(feature_moments(real), feature_moments(fake));
}

// ------------------------------------------------------------------------------------------------
// KID: kernel distance

namespace detail {
/// The cubic polynomial kernel of KID summed over the pairs of rows of `x`: Σ_{i<j} k(xᵢ, xⱼ).
inline double kernel_sum_pairs(const Eigen::MatrixXd& x, Eigen::MatrixXd& gram) {
  const Eigen::Index m = x.rows();
  const double inv_d = 1.0 / double(x.cols());
  gram.setZero(m, m);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(x);  // lower triangle of x xᵀ
  double s = 0;
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = j + 1; i < m; ++i) {
      const double t = gram(i, j) * inv_d + 1.0;
      s += t * t * t;
    }
  return s;
}
/// Σ_i Σ_j k(xᵢ, yⱼ).
inline double kernel_sum_cross(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, Eigen::MatrixXd& gram) {
  gram.noalias() = x * y.transpose();
  return ((gram.array() / double(x.cols())) + 1.0).cube().sum();
}
}  // namespace detail

/// The unbiased estimate of MMD² between the sets x (m rows) and y (n rows) under the KID kernel
/// k(a, b) = (a·b / d + 1)³:
///   Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (n(n−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / (mn).
/// Being unbiased it can be slightly negative when the two distributions are equal.
inline double kernel_mmd2(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  detail::check_sets("kernel_mmd2", x, y, 2, "the unbiased estimate needs at least 2 samples per set");
  Eigen::MatrixXd gram;
  const double m = double(x.rows()), n = double(y.rows());
  const double kxx = 2.0 * detail::kernel_sum_pairs(x, gram) / (m * (m - 1));
  const double kyy = 2.0 * detail::kernel_sum_pairs(y, gram) / (n * (n - 1));
  const double kxy = detail::kernel_sum_cross(x, y, gram) / (m * n);
  return kxx + kyy - 2.0 * kxy;
}

/// KID's mean over subsets and its standard error: the standard deviation over subsets divided
/// by √subsets (NaN for a single subset). It counts the subset draws only, not the noise of the
/// finite sets themselves, so it understates the spread between independent fake sets
/// (docs/metrics.md: by 1.4–2.9× at subsets of 1/10 of the sets).
struct KernelDistance {
  double mean = 0;
  double se = 0;
};

/// The stream of the generator that draws KID's subsets ("kid_subs" in ASCII): a seed given
/// here never repeats the draws of a user's `Rng(seed)`.
inline constexpr std::uint64_t kid_stream = 0x6b69645f73756273ull;

/// KID (kernel distance): `subsets` times, draw `subset_size` real and `subset_size` fake samples
/// without replacement and take `kernel_mmd2` of the two; return the mean and its standard error.
/// The same seed gives the same figures. Lower is better; 0 means the same distribution.
inline KernelDistance kernel_distance(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int subsets = 100,
                                      Eigen::Index subset_size = 1000, std::uint64_t rng_seed = 0) {
  if (subsets < 1) throw std::invalid_argument("kernel_distance: subsets must be >= 1, got " + std::to_string(subsets));
  if (subset_size < 2)
    throw std::invalid_argument("kernel_distance: subset_size must be >= 2 (the unbiased estimate needs pairs), got " +
                                std::to_string(subset_size));
  detail::check_sets("kernel_distance", real, fake, subset_size,
                     "subset_size " + std::to_string(subset_size) +
                         " needs at least that many samples per set (pass a smaller subset_size)");
  Rng rng(rng_seed, kid_stream);
  // A partial Fisher-Yates shuffle of each set's row indices; the permutation carries over from one
  // subset to the next, which keeps every draw uniform.
  auto draw = [&](const Eigen::MatrixXd& set, std::vector<Eigen::Index>& perm, Eigen::MatrixXd& out) {
    const Eigen::Index n = set.rows();
    for (Eigen::Index i = 0; i < subset_size; ++i) {
      const Eigen::Index j = i + Eigen::Index(rng.below(std::uint64_t(n - i)));
      std::swap(perm[std::size_t(i)], perm[std::size_t(j)]);
      out.row(i) = set.row(perm[std::size_t(i)]);
    }
  };
  std::vector<Eigen::Index> perm_r(std::size_t(real.rows())), perm_f(std::size_t(fake.rows()));
  for (std::size_t i = 0; i < perm_r.size(); ++i) perm_r[i] = Eigen::Index(i);
  for (std::size_t i = 0; i < perm_f.size(); ++i) perm_f[i] = Eigen::Index(i);
  Eigen::MatrixXd xs(subset_size, real.cols()), ys(subset_size, real.cols()), gram;
  const double m = double(subset_size);
  std::vector<double> values(static_cast<std::size_t>(subsets));
  for (int s = 0; s < subsets; ++s) {
    draw(real, perm_r, xs);
    draw(fake, perm_f, ys);
    const double kxx = detail::kernel_sum_pairs(xs, gram), kyy = detail::kernel_sum_pairs(ys, gram);
    const double kxy = detail::kernel_sum_cross(xs, ys, gram);
    values[std::size_t(s)] = 2.0 * (kxx + kyy) / (m * (m - 1)) - 2.0 * kxy / (m * m);
  }
  KernelDistance r;
  for (double v : values) r.mean += v;
  r.mean /= double(subsets);
  if (subsets < 2) {
    r.se = std::numeric_limits<double>::quiet_NaN();
  } else {
    double ss = 0;
    for (double v : values) ss += (v - r.mean) * (v - r.mean);
    r.se = std::sqrt(ss / double(subsets - 1)) / std::sqrt(double(subsets));
  }
  return r;
}

// ------------------------------------------------------------------------------------------------
// Precision and recall (Kynkäänniemi et al. 2019)

struct PrecisionRecall {
  double precision = 0;  // share of fake samples inside some real sample's k-NN ball: quality
  double recall = 0;     // share of real samples inside some fake sample's k-NN ball: coverage
};

namespace detail {

/// A squared distance from the Gram matrix: ‖a‖² + ‖b‖² − 2 a·b, clamped at 0 against rounding.
inline double sq_dist(double na, double nb, double dot) { return std::max(na + nb - 2.0 * dot, 0.0); }

/// For every row of x, the squared distance to its k-th nearest other row (its own index is
/// excluded; a duplicate row counts, at distance 0). The Gram matrix is formed in tiles of
/// block × block, and only the tiles on and above the diagonal (each pair once).
inline Eigen::VectorXd kth_neighbour_sq(const Eigen::MatrixXd& x, int k, Eigen::Index block) {
  const Eigen::Index n = x.rows();
  const Eigen::VectorXd norms = x.rowwise().squaredNorm();
  std::vector<double> best(std::size_t(n) * std::size_t(k), std::numeric_limits<double>::infinity());
  auto offer = [&](Eigen::Index i, double d2) {  // keep the k smallest, ascending
    double* b = best.data() + std::size_t(i) * std::size_t(k);
    if (!(d2 < b[k - 1])) return;
    int p = k - 1;
    while (p > 0 && b[p - 1] > d2) {
      b[p] = b[p - 1];
      --p;
    }
    b[p] = d2;
  };
  Eigen::MatrixXd g(std::min(block, n), std::min(block, n));
  for (Eigen::Index i0 = 0; i0 < n; i0 += block) {
    const Eigen::Index bi = std::min(block, n - i0);
    for (Eigen::Index j0 = i0; j0 < n; j0 += block) {
      const Eigen::Index bj = std::min(block, n - j0);
      g.topLeftCorner(bi, bj).noalias() = x.middleRows(i0, bi) * x.middleRows(j0, bj).transpose();
      for (Eigen::Index jj = 0; jj < bj; ++jj) {
        const Eigen::Index j = j0 + jj;
        for (Eigen::Index ii = 0; ii < bi; ++ii) {
          const Eigen::Index i = i0 + ii;
          if (i >= j) continue;  // each pair once; never a row with itself
          const double d2 = sq_dist(norms(i), norms(j), g(ii, jj));
          offer(i, d2);
          offer(j, d2);
        }
      }
    }
  }
  Eigen::VectorXd r(n);
  for (Eigen::Index i = 0; i < n; ++i) r(i) = best[std::size_t(i) * std::size_t(k) + std::size_t(k - 1)];
  return r;
}

inline PrecisionRecall precision_recall_blocked(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k,
                                                Eigen::Index block) {
  if (k < 1) throw std::invalid_argument("precision_recall: k must be >= 1, got " + std::to_string(k));
  if (block < 1) throw std::invalid_argument("precision_recall: block must be >= 1");
  check_sets("precision_recall", real, fake, Eigen::Index(k) + 1,
             "k = " + std::to_string(k) + " needs at least " + std::to_string(k + 1) +
                 " samples per set (a sample's k-th neighbour is another sample of its set)");
  const Eigen::VectorXd rr = kth_neighbour_sq(real, k, block), rf = kth_neighbour_sq(fake, k, block);
  const Eigen::VectorXd nr = real.rowwise().squaredNorm(), nf = fake.rowwise().squaredNorm();
  std::vector<char> fake_in(std::size_t(fake.rows()), 0), real_in(std::size_t(real.rows()), 0);
  const Eigen::Index n_f = fake.rows(), n_r = real.rows();
  Eigen::MatrixXd g(std::min(block, n_f), std::min(block, n_r));
  for (Eigen::Index i0 = 0; i0 < n_f; i0 += block) {  // fake rows
    const Eigen::Index bi = std::min(block, n_f - i0);
    for (Eigen::Index j0 = 0; j0 < n_r; j0 += block) {  // real rows
      const Eigen::Index bj = std::min(block, n_r - j0);
      bool open = false;  // a tile whose samples are all decided already is skipped
      for (Eigen::Index i = i0; i < i0 + bi && !open; ++i) open = !fake_in[std::size_t(i)];
      for (Eigen::Index j = j0; j < j0 + bj && !open; ++j) open = !real_in[std::size_t(j)];
      if (!open) continue;
      g.topLeftCorner(bi, bj).noalias() = fake.middleRows(i0, bi) * real.middleRows(j0, bj).transpose();
      for (Eigen::Index jj = 0; jj < bj; ++jj) {
        const Eigen::Index j = j0 + jj;
        for (Eigen::Index ii = 0; ii < bi; ++ii) {
          const Eigen::Index i = i0 + ii;
          const double d2 = sq_dist(nf(i), nr(j), g(ii, jj));
          if (d2 <= rr(j)) fake_in[std::size_t(i)] = 1;  // fake i inside real j's ball
          if (d2 <= rf(i)) real_in[std::size_t(j)] = 1;  // real j inside fake i's ball
        }
      }
    }
  }
  PrecisionRecall pr;
  for (char c : fake_in) pr.precision += c;
  for (char c : real_in) pr.recall += c;
  pr.precision /= double(n_f);
  pr.recall /= double(n_r);
  return pr;
}

}  // namespace detail

/// Improved precision and recall (Kynkäänniemi et al. 2019). A sample's ball has the radius of
/// its k-th nearest neighbour within its own set (itself excluded). Precision: the share of fake
/// samples inside at least one real ball. Recall: the share of real samples inside at least one
/// fake ball. Both in [0, 1], higher is better. Distances are squared Euclidean, from Gram
/// matrices formed in 1024 × 1024 tiles (8 MB), so 10000 samples never need a 10000² matrix.
inline PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake, int k = 3) {
  return detail::precision_recall_blocked(real, fake, k, 1024);
}

// ------------------------------------------------------------------------------------------------
// All of them

struct FeatureMetricsOptions {
  int kid_subsets = 100;               // the usual choice: 100 subsets of 1000
  Eigen::Index kid_subset_size = 1000;  // must not exceed either set
  std::uint64_t seed = 0;              // KID's subsets
  int k = 3;                           // precision and recall's neighbour
};

struct FeatureMetrics {
  double fd = 0;                 // Fréchet distance of features (not FID): lower is better
  double kid = 0, kid_se = 0;    // kernel distance and its standard error: lower is better
  double precision = 0, recall = 0;  // higher is better

  /// `"fd": 12.3, "kid": 0.0123, "kid_se": 0.000456, "precision": 0.71, "recall": 0.55` (six
  /// significant digits; a non-finite value is written as null), to splice into a JSON object.
  std::string json_fields() const {
    auto num = [](double v) {
      if (!std::isfinite(v)) return std::string("null");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      return std::string(buf);
    };
    return "\"fd\": " + num(fd) + ", \"kid\": " + num(kid) + ", \"kid_se\": " + num(kid_se) +
           ", \"precision\": " + num(precision) + ", \"recall\": " + num(recall);
  }
  /// The same fields as one JSON object on one line.
  std::string to_json() const { return "{" + json_fields() + "}"; }
  /// For people: `FD 12.3  KID 0.0123 +/- 0.000456  precision 0.710  recall 0.550`.
  std::string str() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "FD %.4g  KID %.4g +/- %.2g  precision %.3f  recall %.3f", fd, kid, kid_se,
                  precision, recall);
    return buf;
  }
};

/// FD, KID and precision/recall of one fake set against one real set (same feature width).
/// Report it beside the floor: the same figures for a second real set (e.g. test vs train).
inline FeatureMetrics feature_metrics(const Eigen::MatrixXd& real, const Eigen::MatrixXd& fake,
                                      const FeatureMetricsOptions& options = {}) {
  FeatureMetrics m;
  m.fd = frechet_distance(real, fake);
  const KernelDistance kd = kernel_distance(real, fake, options.kid_subsets, options.kid_subset_size, options.seed);
  m.kid = kd.mean;
  m.kid_se = kd.se;
  const PrecisionRecall pr = precision_recall(real, fake, options.k);
  m.precision = pr.precision;
  m.recall = pr.recall;
  return m;
}

}  // namespace gan::metrics
