// gan/metrics/feature_metrics.hpp: psd_sqrt, FD, KID, precision/recall and their errors, each
// against answers known in closed form or counted by hand.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <gan/core/random.hpp>
#include <gan/metrics/feature_metrics.hpp>
#include <string>

using namespace gan;
using namespace gan::metrics;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

/// n samples of N(shift, diag(scale²)) in d dimensions.
MatrixXd gaussian(Rng& rng, Eigen::Index n, Eigen::Index d, double shift = 0, double scale = 1) {
  MatrixXd x(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) x(i, j) = shift + scale * rng.normal();
  return x;
}

/// A rotation of R^3 (about two axes), to turn a diagonal matrix into a full one.
MatrixXd rotation3() {
  const double a = 0.7, b = -1.3;
  MatrixXd rz(3, 3), rx(3, 3);
  rz << std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1;
  rx << 1, 0, 0, 0, std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b);
  return rz * rx;
}

double max_abs(const MatrixXd& m) { return m.cwiseAbs().maxCoeff(); }

/// Precision and recall by the definition, with every distance computed directly.
PrecisionRecall brute_force_pr(const MatrixXd& real, const MatrixXd& fake, int k) {
  auto radii = [k](const MatrixXd& x) {
    VectorXd r(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      std::vector<double> d;
      for (Eigen::Index j = 0; j < x.rows(); ++j)
        if (j != i) d.push_back((x.row(i) - x.row(j)).squaredNorm());
      std::sort(d.begin(), d.end());
      r(i) = d[std::size_t(k - 1)];
    }
    return r;
  };
  const VectorXd rr = radii(real), rf = radii(fake);
  PrecisionRecall pr;
  for (Eigen::Index i = 0; i < fake.rows(); ++i) {
    bool in = false;
    for (Eigen::Index j = 0; j < real.rows() && !in; ++j) in = (fake.row(i) - real.row(j)).squaredNorm() <= rr(j);
    pr.precision += in;
  }
  for (Eigen::Index j = 0; j < real.rows(); ++j) {
    bool in = false;
    for (Eigen::Index i = 0; i < fake.rows() && !in; ++i) in = (fake.row(i) - real.row(j)).squaredNorm() <= rf(i);
    pr.recall += in;
  }
  pr.precision /= double(fake.rows());
  pr.recall /= double(real.rows());
  return pr;
}

/// The unbiased MMD² with the cubic kernel, written out as its definition.
double mmd2_by_definition(const MatrixXd& x, const MatrixXd& y) {
  const double d = double(x.cols());
  auto k = [d](const VectorXd& a, const VectorXd& b) { return std::pow(a.dot(b) / d + 1, 3); };
  const Eigen::Index m = x.rows(), n = y.rows();
  double sxx = 0, syy = 0, sxy = 0;
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < m; ++j)
      if (i != j) sxx += k(x.row(i), x.row(j));
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      if (i != j) syy += k(y.row(i), y.row(j));
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j) sxy += k(x.row(i), y.row(j));
  return sxx / double(m * (m - 1)) + syy / double(n * (n - 1)) - 2 * sxy / double(m * n);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// psd_sqrt

TEST_CASE("psd_sqrt of a diagonal matrix is the root of its diagonal") {
  const MatrixXd m = Eigen::Vector4d(4, 9, 0.25, 0).asDiagonal();
  const MatrixXd expect = Eigen::Vector4d(2, 3, 0.5, 0).asDiagonal();
  CHECK(max_abs(psd_sqrt(m) - expect) < 1e-14);
}

TEST_CASE("psd_sqrt of a rotated diagonal matrix is the rotated root") {
  const MatrixXd r = rotation3();
  const MatrixXd m = r * Eigen::Vector3d(16, 1, 0.01).asDiagonal() * r.transpose();
  const MatrixXd s = psd_sqrt(m);
  CHECK(max_abs(s - r * Eigen::Vector3d(4, 1, 0.1).asDiagonal() * r.transpose()) < 1e-13);
  CHECK(max_abs(s - s.transpose()) < 1e-14);
  CHECK(max_abs(s * s - m) < 1e-13);
}

TEST_CASE("psd_sqrt of a singular covariance: rank one and a sample covariance of fewer samples than features") {
  // v vᵀ has the one eigenvalue ‖v‖² along v: its root is v vᵀ / ‖v‖.
  const Eigen::Vector3d v(1, -2, 2);  // ‖v‖ = 3
  const MatrixXd m = v * v.transpose();
  CHECK(max_abs(psd_sqrt(m) - m / 3.0) < 1e-7);  // zero eigenvalues are noise of 1e-16: roots of 1e-8
  CHECK(max_abs(psd_sqrt(m) * psd_sqrt(m) - m) < 1e-12);

  Rng rng(11);
  const MatrixXd x = gaussian(rng, 5, 12);  // rank 4 in 12 dimensions
  const MatrixXd cov = feature_moments(x).cov;
  const MatrixXd s = psd_sqrt(cov);
  CHECK(max_abs(s * s - cov) < 1e-12);
  CHECK(max_abs(s - s.transpose()) < 1e-14);
}

TEST_CASE("psd_sqrt of a near-singular matrix keeps eigenvalues of 1e-12 (roots 1e-6)") {
  const MatrixXd r = rotation3();
  const MatrixXd m = r * Eigen::Vector3d(1, 1e-12, 1e-12).asDiagonal() * r.transpose();
  const MatrixXd expect = r * Eigen::Vector3d(1, 1e-6, 1e-6).asDiagonal() * r.transpose();
  CHECK(max_abs(psd_sqrt(m) - expect) < 1e-9);
}

TEST_CASE("psd_sqrt names a non-square or indefinite matrix") {
  CHECK_THROWS_WITH_AS(psd_sqrt(MatrixXd::Zero(2, 3)), doctest::Contains("2 x 3"), ShapeError);
  const MatrixXd indefinite = Eigen::Vector2d(1, -0.5).asDiagonal();
  CHECK_THROWS_WITH_AS(psd_sqrt(indefinite), doctest::Contains("not positive semi-definite"), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// FD

namespace {
FeatureMoments moments(VectorXd mean, MatrixXd cov) { return FeatureMoments{std::move(mean), std::move(cov)}; }
}  // namespace

TEST_CASE("FD of Gaussians in closed form") {
  const MatrixXd r = rotation3();
  const Eigen::Vector3d mu_a(1, 2, 3), mu_b(0, 2.5, 1);
  const double mean_term = (mu_a - mu_b).squaredNorm();  // 1 + 0.25 + 4

  SUBCASE("the same covariance: the squared distance of the means") {
    const MatrixXd cov = r * Eigen::Vector3d(5, 2, 0.3).asDiagonal() * r.transpose();
    CHECK(frechet_distance(moments(mu_a, cov), moments(mu_b, cov)) == doctest::Approx(mean_term).epsilon(1e-12));
  }
  SUBCASE("diagonal covariances: Σ (√a − √b)² plus the mean term") {
    const Eigen::Vector3d a(4, 1, 9), b(1, 1, 0.25);  // (2−1)² + 0 + (3−0.5)² = 7.25
    CHECK(frechet_distance(moments(mu_a, a.asDiagonal()), moments(mu_b, b.asDiagonal())) ==
          doctest::Approx(7.25 + mean_term).epsilon(1e-12));
    // The same two in a rotated basis: the distance does not depend on the basis.
    CHECK(frechet_distance(moments(r * mu_a, r * a.asDiagonal() * r.transpose()),
                           moments(r * mu_b, r * b.asDiagonal() * r.transpose())) ==
          doctest::Approx(7.25 + mean_term).epsilon(1e-12));
  }
  SUBCASE("singular covariances on orthogonal lines: tr Σ_r + tr Σ_f, the cross term is 0") {
    const Eigen::Vector3d a(2, 0, 0), b(0, 3, 0);
    CHECK(frechet_distance(moments(mu_a, a.asDiagonal()), moments(mu_a, b.asDiagonal())) ==
          doctest::Approx(5.0).epsilon(1e-12));
  }
  SUBCASE("covariances that do not commute: the cross term from the eigenvalues of Σ_r Σ_f") {
    // tr (Σ_r^½ Σ_f Σ_r^½)^½ = Σ √λᵢ(Σ_r Σ_f): the product is similar to a PSD matrix.
    const MatrixXd sa = r * Eigen::Vector3d(3, 1, 0.2).asDiagonal() * r.transpose();
    const MatrixXd sb = Eigen::Vector3d(0.5, 2, 4).asDiagonal();
    const Eigen::EigenSolver<MatrixXd> es(sa * sb, false);
    double cross = 0;
    for (Eigen::Index i = 0; i < 3; ++i) cross += std::sqrt(es.eigenvalues()(i).real());
    const double expect = mean_term + sa.trace() + sb.trace() - 2 * cross;
    CHECK(frechet_distance(moments(mu_a, sa), moments(mu_b, sb)) == doctest::Approx(expect).epsilon(1e-12));
  }
}

TEST_CASE("FD(X, X) is 0, also with fewer samples than features") {
  Rng rng(5);
  for (Eigen::Index n : {8, 40, 500}) {
    MatrixXd x = gaussian(rng, n, 32);
    x.col(3).setConstant(1.5);  // a constant feature: a zero variance in every case
    CAPTURE(n);
    const double tr = feature_moments(x).cov.trace();
    CHECK(frechet_distance(x, x) <= 1e-12 * tr);
  }
}

TEST_CASE("FD of samples approaches the closed form of their Gaussians") {
  Rng rng(6);
  const MatrixXd a = gaussian(rng, 20000, 4, 0.0, 1.0), b = gaussian(rng, 20000, 4, 0.5, 2.0);
  // 4 · (0.5² + (1 − 2)²) = 5
  CHECK(frechet_distance(a, b) == doctest::Approx(5.0).epsilon(0.03));
}

TEST_CASE("FD names mismatched widths and too few samples") {
  CHECK_THROWS_WITH_AS(frechet_distance(MatrixXd::Zero(5, 3), MatrixXd::Zero(5, 4)),
                       doctest::Contains("frechet_distance: real has 3 features per sample but fake has 4"), ShapeError);
  CHECK_THROWS_WITH_AS(frechet_distance(MatrixXd::Zero(5, 3), MatrixXd::Zero(1, 3)),
                       doctest::Contains("fake has 1 (1 x 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(frechet_distance(moments(VectorXd::Zero(2), MatrixXd::Identity(2, 2)),
                                        moments(VectorXd::Zero(3), MatrixXd::Identity(3, 3))),
                       doctest::Contains("frechet_distance"), ShapeError);
  MatrixXd nan = MatrixXd::Zero(4, 2);
  nan(1, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(frechet_distance(MatrixXd::Zero(4, 2), nan), doctest::Contains("fake contains a NaN"),
                       std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// KID

TEST_CASE("kernel_mmd2 by hand: x = {0, 1}, y = {1, 2} in one dimension") {
  // k(a, b) = (ab + 1)³.  Pairs in x: k(0, 1) = 1, twice, over 2·1: 1.  Pairs in y: k(1, 2) = 27: 27.
  // Cross: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37, times 2 / (2·2): 18.5.
  const MatrixXd x = Eigen::Vector2d(0, 1), y = Eigen::Vector2d(1, 2);
  CHECK(kernel_mmd2(x, y) == doctest::Approx(1 + 27 - 18.5).epsilon(1e-14));
  // With one subset of the whole sets, kernel_distance is the same estimate.
  const KernelDistance kd = kernel_distance(x, y, 1, 2, 0);
  CHECK(kd.mean == doctest::Approx(9.5).epsilon(1e-14));
  CHECK(std::isnan(kd.se));
}

TEST_CASE("kernel_mmd2 equals its definition on random sets of different sizes") {
  Rng rng(7);
  const MatrixXd x = gaussian(rng, 9, 5), y = gaussian(rng, 6, 5, 0.3, 1.5);
  CHECK(kernel_mmd2(x, y) == doctest::Approx(mmd2_by_definition(x, y)).epsilon(1e-12));
  // Each subset's figure is kernel_mmd2 of the subsets: the whole sets give the same mean whatever the seed.
  const MatrixXd y9 = gaussian(rng, 9, 5, 0.3, 1.5);
  CHECK(kernel_distance(x, y9, 3, 9, 42).mean == doctest::Approx(mmd2_by_definition(x, y9)).epsilon(1e-12));
}

TEST_CASE("kernel_mmd2 is unbiased: its mean over independent pairs of one distribution is 0") {
  Rng rng(14);
  const int pairs = 200;
  double sum = 0, sum_sq = 0;
  for (int t = 0; t < pairs; ++t) {
    const double v = kernel_mmd2(gaussian(rng, 40, 8), gaussian(rng, 40, 8));
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / pairs, se = std::sqrt((sum_sq / pairs - mean * mean) / (pairs - 1));
  CAPTURE(mean);
  CAPTURE(se);
  CHECK(std::abs(mean) < 3 * se);
}

TEST_CASE("KID: the same distribution is near 0, a shifted one clearly positive, a seed repeats") {
  // Sets much larger than the subsets: kid_se counts the spread over subsets only, which is the
  // whole uncertainty only when the subsets overlap little (docs/metrics.md).
  Rng rng(8);
  const MatrixXd real = gaussian(rng, 4000, 16), same = gaussian(rng, 4000, 16),
                 shifted = gaussian(rng, 4000, 16, 0.2);
  const KernelDistance a = kernel_distance(real, same, 50, 100, 1);
  CAPTURE(a.mean);
  CAPTURE(a.se);
  CHECK(a.se > 0);
  CHECK(std::abs(a.mean) < 3 * a.se);
  const KernelDistance b = kernel_distance(real, shifted, 50, 100, 1);
  CAPTURE(b.mean);
  CAPTURE(b.se);
  CHECK(b.mean > 10 * b.se);
  CHECK(b.mean > 10 * std::abs(a.mean));

  const KernelDistance again = kernel_distance(real, same, 50, 100, 1), other = kernel_distance(real, same, 50, 100, 2);
  CHECK(again.mean == a.mean);
  CHECK(again.se == a.se);
  CHECK(other.mean != a.mean);
}

TEST_CASE("KID names mismatched widths and a subset larger than a set") {
  CHECK_THROWS_WITH_AS(kernel_distance(MatrixXd::Zero(50, 3), MatrixXd::Zero(50, 2), 10, 20),
                       doctest::Contains("kernel_distance: real has 3 features per sample but fake has 2"), ShapeError);
  CHECK_THROWS_WITH_AS(kernel_distance(MatrixXd::Zero(500, 3), MatrixXd::Zero(40, 3), 10, 100),
                       doctest::Contains("subset_size 100"), ShapeError);
  CHECK_THROWS_WITH_AS(kernel_distance(MatrixXd::Zero(500, 3), MatrixXd::Zero(40, 3), 10, 100),
                       doctest::Contains("fake has 40 (40 x 3)"), ShapeError);
  CHECK_THROWS_AS(kernel_distance(MatrixXd::Zero(50, 3), MatrixXd::Zero(50, 3), 0, 20), std::invalid_argument);
  CHECK_THROWS_AS(kernel_distance(MatrixXd::Zero(50, 3), MatrixXd::Zero(50, 3), 10, 1), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// Precision and recall

TEST_CASE("precision and recall by hand in one dimension") {
  // real {0, 1, 3, 7, 30, 31}, fake {−2, 2, 6, 12, 13}.
  VectorXd real(6), fake(5);
  real << 0, 1, 3, 7, 30, 31;
  fake << -2, 2, 6, 12, 13;
  SUBCASE("k = 1") {
    // Real balls: 0:[−1,1] 1:[0,2] 3:[1,5] 7:[3,11] 30:[29,31] 31:[30,32]: fakes 2 and 6 are inside: 2/5.
    // Fake balls: −2:[−6,2] 2:[−2,6] 6:[2,10] 12:[11,13] 13:[12,14]: reals 0, 1, 3, 7 are inside: 4/6.
    const PrecisionRecall pr = precision_recall(real, fake, 1);
    CHECK(pr.precision == doctest::Approx(2.0 / 5));
    CHECK(pr.recall == doctest::Approx(4.0 / 6));
  }
  SUBCASE("k = 2") {
    // Real radii 3, 2, 3, 6, 23, 24: balls reach −3..55, every fake is inside one: 5/5.
    // Fake radii 8, 4, 6, 6, 7: balls [−10,6] [−2,6] [0,12] [6,18] [6,20]: reals 0, 1, 3, 7: 4/6.
    const PrecisionRecall pr = precision_recall(real, fake, 2);
    CHECK(pr.precision == doctest::Approx(1.0));
    CHECK(pr.recall == doctest::Approx(4.0 / 6));
  }
}

TEST_CASE("precision and recall: identical sets, far sets, a collapsed generator") {
  Rng rng(9);
  const MatrixXd real = gaussian(rng, 300, 8);
  SUBCASE("identical sets: 1 and 1") {
    const PrecisionRecall pr = precision_recall(real, real);
    CHECK(pr.precision == 1.0);
    CHECK(pr.recall == 1.0);
  }
  SUBCASE("disjoint far sets: 0 and 0") {
    const PrecisionRecall pr = precision_recall(real, gaussian(rng, 200, 8, 100.0));
    CHECK(pr.precision == 0.0);
    CHECK(pr.recall == 0.0);
  }
  SUBCASE("every fake sample is one real sample: precision 1, recall at most that one sample") {
    const MatrixXd fake = real.row(17).replicate(50, 1);
    const PrecisionRecall pr = precision_recall(real, fake);
    CHECK(pr.precision == 1.0);
    CHECK(pr.recall <= 1.0 / 300);
  }
  SUBCASE("a narrower generator: high precision, lower recall") {
    const PrecisionRecall pr = precision_recall(real, gaussian(rng, 300, 8, 0.0, 0.5));
    CHECK(pr.precision > 0.9);
    CHECK(pr.recall < 0.6);
  }
}

TEST_CASE("precision_recall in tiles equals the definition, whatever the tile size") {
  Rng rng(10);
  const MatrixXd real = gaussian(rng, 37, 5), fake = gaussian(rng, 29, 5, 0.4, 1.3);
  for (int k : {1, 3, 5}) {
    const PrecisionRecall expect = brute_force_pr(real, fake, k);
    for (Eigen::Index block : {1, 7, 16, 29, 37, 1024}) {
      CAPTURE(k);
      CAPTURE(block);
      const PrecisionRecall pr = metrics::detail::precision_recall_blocked(real, fake, k, block);
      CHECK(pr.precision == expect.precision);
      CHECK(pr.recall == expect.recall);
    }
  }
}

TEST_CASE("precision_recall names mismatched widths and too few samples for k") {
  CHECK_THROWS_WITH_AS(precision_recall(MatrixXd::Zero(10, 3), MatrixXd::Zero(10, 5)),
                       doctest::Contains("precision_recall: real has 3 features per sample but fake has 5"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(precision_recall(MatrixXd::Zero(3, 2), MatrixXd::Zero(10, 2), 3),
                       doctest::Contains("k = 3 needs at least 4 samples per set"), ShapeError);
  CHECK_THROWS_WITH_AS(precision_recall(MatrixXd::Zero(3, 2), MatrixXd::Zero(10, 2), 3),
                       doctest::Contains("real has 3 (3 x 2)"), ShapeError);
  CHECK_THROWS_AS(precision_recall(MatrixXd::Zero(10, 2), MatrixXd::Zero(10, 2), 0), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// All of them

TEST_CASE("feature_metrics gathers the figures and writes them as one line of JSON") {
  Rng rng(12);
  const MatrixXd real = gaussian(rng, 300, 6), fake = gaussian(rng, 250, 6, 0.2);
  FeatureMetricsOptions o;
  o.kid_subsets = 20;
  o.kid_subset_size = 100;
  o.seed = 3;
  const FeatureMetrics m = feature_metrics(real, fake, o);
  CHECK(m.fd == frechet_distance(real, fake));
  const KernelDistance kd = kernel_distance(real, fake, 20, 100, 3);
  CHECK(m.kid == kd.mean);
  CHECK(m.kid_se == kd.se);
  const PrecisionRecall pr = precision_recall(real, fake, 3);
  CHECK(m.precision == pr.precision);
  CHECK(m.recall == pr.recall);

  FeatureMetrics f;
  f.fd = 12.5;
  f.kid = 0.0123;
  f.kid_se = std::nan("");
  f.precision = 0.75;
  f.recall = 0.5;
  CHECK(f.to_json() == R"({"fd": 12.5, "kid": 0.0123, "kid_se": null, "precision": 0.75, "recall": 0.5})");
  CHECK(f.json_fields() == R"("fd": 12.5, "kid": 0.0123, "kid_se": null, "precision": 0.75, "recall": 0.5)");
  CHECK(m.str().find("FD ") == 0);
  CHECK(m.to_json().find('\n') == std::string::npos);
}

TEST_CASE("features() reads batch-major floats") {
  const float data[6] = {1, 2, 3, 4, 5, 6};  // two samples of three features
  const MatrixXd x = features(data, 2, 3);
  CHECK(x.rows() == 2);
  CHECK(x(0, 2) == 3.0);
  CHECK(x(1, 0) == 4.0);
}

// Not run by default (`test_feature_metrics --no-skip` runs it): the sizes of a Fashion-MNIST
// evaluation, 10000 real and 10000 fake samples of 128 features, with the timings printed.
TEST_CASE("timing: 10000 x 128" * doctest::skip()) {
  Rng rng(13);
  const MatrixXd real = gaussian(rng, 10000, 128), fake = gaussian(rng, 10000, 128, 0.05);
  auto seconds = [](auto f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  FeatureMetrics m;
  const double t_fd = seconds([&] { m.fd = frechet_distance(real, fake); });
  const double t_kid = seconds([&] {
    const KernelDistance kd = kernel_distance(real, fake);
    m.kid = kd.mean;
    m.kid_se = kd.se;
  });
  const double t_pr = seconds([&] {
    const PrecisionRecall pr = precision_recall(real, fake);
    m.precision = pr.precision;
    m.recall = pr.recall;
  });
  MESSAGE(m.to_json());
  MESSAGE("FD " << t_fd << " s, KID (100 x 1000) " << t_kid << " s, precision/recall (k = 3) " << t_pr << " s");
}
