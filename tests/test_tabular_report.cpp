// gan/metrics/tabular_report.hpp: each statistic against an answer counted by hand, the report on
// tables built here (identical, shifted, re-coded, with missing cells), the DCR blocks against
// brute force, and the classifiers on a separable problem and on a shuffled target.
#include <doctest/doctest.h>

#include <cmath>
#include <gan/core/random.hpp>
#include <gan/metrics/tabular_report.hpp>
#include <string>
#include <vector>

using namespace gan;
using namespace gan::tabular;

namespace {

const double NaN = std::numeric_limits<double>::quiet_NaN();

Column numeric(const std::string& name, std::vector<double> v, ColumnKind kind = ColumnKind::Continuous) {
  Column c;
  c.name = name;
  c.kind = kind;
  c.numbers = std::move(v);
  return c;
}

Column categorical(const std::string& name, const std::vector<std::string>& texts) {
  Column c;
  c.name = name;
  c.kind = ColumnKind::Categorical;
  for (const std::string& t : texts) c.push_category(t);
  return c;
}

/// n rows of x1, x2 ~ N(0, 1), a category c in {u, v, w} that shifts nothing, and the target
/// y = "yes" when x1 + x2 > 0 (a linear boundary); then `noise` columns of N(0, 1) noise.
Table separable(std::size_t n, std::uint64_t seed, int noise = 0) {
  Rng rng(seed);
  std::vector<double> x1(n), x2(n);
  std::vector<std::string> c(n), y(n);
  const char* cs[] = {"u", "v", "w"};
  for (std::size_t i = 0; i < n; ++i) {
    x1[i] = rng.normal();
    x2[i] = rng.normal();
    c[i] = cs[rng.below(3)];
    y[i] = x1[i] + x2[i] > 0 ? "yes" : "no";
  }
  Table t;
  t.columns = {numeric("x1", x1), numeric("x2", x2), categorical("c", c), categorical("y", y)};
  for (int k = 0; k < noise; ++k) {
    std::vector<double> z(n);
    for (double& v : z) v = rng.normal();
    t.columns.push_back(numeric("noise" + std::to_string(k), z));
  }
  return t;
}

}  // namespace

TEST_CASE("ks_statistic: the exact two-sample statistic, with ties and NaNs") {
  // F_a steps 1/4 at 1, 2, 3, 4; F_b steps 1/5 at 3 .. 7. The gap is largest at 4: 1 − 2/5.
  CHECK(ks_statistic({1, 2, 3, 4}, {3, 4, 5, 6, 7}) == doctest::Approx(0.6));
  // Ties: a = {1, 2, 2} (NaN left out), b = {2, 3}: at 2, F_a = 1 and F_b = 1/2.
  CHECK(ks_statistic({1, 2, 2, NaN}, {2, 3}) == doctest::Approx(0.5));
  CHECK(ks_statistic({5, 1, 3}, {3, 5, 1}) == 0.0);
  CHECK(ks_statistic({1, 2}, {10, 20}) == 1.0);
  CHECK(ks_statistic({}, {}) == 0.0);
  CHECK(ks_statistic({NaN}, {1}) == 1.0);
}

TEST_CASE("total_variation of known frequencies, given as shares or counts") {
  CHECK(total_variation({0.5, 0.3, 0.2}, {0.2, 0.3, 0.5}) == doctest::Approx(0.3));
  CHECK(total_variation({5, 3, 2}, {20, 30, 50}) == doctest::Approx(0.3));
  CHECK(total_variation({1, 0}, {0, 1}) == doctest::Approx(1.0));
  CHECK_THROWS_AS(total_variation({1, 2}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(total_variation({0, 0}, {1, 1}), std::invalid_argument);
}

TEST_CASE("pearson on the rows where both are present; cramers_v of known tables") {
  CHECK(pearson({1, 2, 3, NaN}, {2, 4, 6, 100}) == doctest::Approx(1.0));
  CHECK(pearson({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  CHECK(pearson({1, 1, 1}, {1, 2, 3}) == 0.0);  // constant: no trend
  // (1, 1), (2, 3), (3, 2): r = 0.5 by hand (deviations −1, 0, 1 and −1, 1, 0).
  CHECK(pearson({1, 2, 3}, {1, 3, 2}) == doctest::Approx(0.5));

  Eigen::MatrixXd dep(2, 2), indep(2, 2), prop(2, 3), one_row(1, 3);
  dep << 10, 0, 0, 10;
  indep << 5, 5, 5, 5;
  prop << 10, 20, 30, 30, 60, 90;  // rows proportional: independent exactly
  one_row << 1, 2, 3;
  CHECK(cramers_v(dep) == doctest::Approx(1.0));
  CHECK(cramers_v(indep) == doctest::Approx(0.0));
  CHECK(cramers_v(prop) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(cramers_v(one_row) == 0.0);
  // [[20, 10], [10, 20]]: E = 15 everywhere, χ² = 4 · 25/15 = 20/3, V = √(20/3 / 60) = 1/3.
  Eigen::MatrixXd some(2, 2);
  some << 20, 10, 10, 20;
  CHECK(cramers_v(some) == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("roc_auc counts ties as one half") {
  // Positives 0.4 and 0.8, negatives 0.1 and 0.4: pairs won 1 + ½ + 1 + 1 of 4.
  CHECK(roc_auc({0.1, 0.4, 0.4, 0.8}, {false, true, false, true}) == doctest::Approx(0.875));
  CHECK(roc_auc({1, 2, 3}, {false, true, true}) == doctest::Approx(1.0));
  CHECK(roc_auc({1, 2, 3}, {true, false, false}) == doctest::Approx(0.0));
  CHECK(roc_auc({5, 5, 5, 5}, {true, false, true, false}) == doctest::Approx(0.5));
  CHECK(std::isnan(roc_auc({1, 2}, {true, true})));
}

TEST_CASE("quantile_edges merge duplicate deciles; a value falls in the first bin whose edge it does not pass") {
  std::vector<double> v(100);
  for (int i = 0; i < 100; ++i) v[std::size_t(i)] = i;
  const std::vector<double> e = quantile_edges(v, 10);
  REQUIRE(e.size() == 9);
  CHECK(e[0] == doctest::Approx(9.9));
  CHECK(e[8] == doctest::Approx(89.1));
  // A column that is 0 in 91 rows of 100 (capital-gain): one edge, 0; bins (−∞, 0] and (0, ∞).
  std::vector<double> gain(100, 0.0);
  for (int i = 91; i < 100; ++i) gain[std::size_t(i)] = 1000.0 * i;
  gain.push_back(NaN);
  const std::vector<double> g = quantile_edges(gain, 10);
  REQUIRE(g.size() == 1);
  CHECK(g[0] == 0.0);
  const auto b = gan::tabular::detail::bin_numbers({0.0, 5.0, -1.0, NaN}, g);
  CHECK(b == std::vector<std::int32_t>{0, 1, 0, 2});
}

TEST_CASE("tabular_report of a table against itself: shapes 1, trends 1, every row a copy at DCR 0") {
  const Table t = separable(300, 3);
  ReportOptions opt;
  const TabularReport r = tabular_report(t, t, opt);
  REQUIRE(r.shapes.size() == 4);
  for (const ColumnShape& c : r.shapes) CHECK(c.score == 1.0);
  CHECK(r.shapes_mean == 1.0);
  REQUIRE(r.pairs.size() == 6);
  for (const PairTrend& p : r.pairs) CHECK(p.score == doctest::Approx(1.0));
  CHECK(r.trends_mean == doctest::Approx(1.0));
  CHECK(r.privacy.exact_copies == 300);
  CHECK(r.privacy.median_dcr_synthetic == 0.0);
  CHECK(r.privacy.synthetic_evaluated == 300);
  CHECK(r.privacy.holdout_evaluated == 0);
  CHECK(std::isnan(r.privacy.dcr_ratio));
  CHECK(r.efficacy.target.empty());
}

TEST_CASE("the noise floor: what rows of the real distribution score at these row counts") {
  const Table real = separable(400, 5, 4);  // 6 numbers, 2 categories
  ReportOptions opt;
  opt.floor_draws = 20;
  const TabularReport same = tabular_report(real, separable(400, 6, 4), opt);
  // Two samples of 400 from one continuous distribution: E[KS] ≈ 0.8687 √(2/400) ≈ 0.061.
  for (const ColumnShape& c : same.shapes)
    if (c.kind == ColumnKind::Continuous) CHECK(c.floor == doctest::Approx(1 - 0.8687 * std::sqrt(2.0 / 400)).epsilon(0.015));
  // Independent draws of the real distribution score their floor on average (5 draws).
  double mean = 0;
  for (std::uint64_t seed = 10; seed < 15; ++seed) mean += tabular_report(real, separable(400, seed, 4), opt).shapes_mean / 5;
  CHECK(std::abs(mean - same.shapes_floor) < 0.012);
  CHECK(same.shapes_floor < 0.97);
  CHECK(same.trends_floor < 1.0);
  // Ten times the synthetic rows: the floor rises (√(1/400 + 1/4000) against √(2/400)).
  const TabularReport more = tabular_report(real, separable(4000, 7, 4), opt);
  CHECK(more.shapes_floor > same.shapes_floor + 0.008);
  CHECK(more.trends_floor > same.trends_floor);
  // A shifted column scores far below its floor; the floor does not look at the synthetic values.
  Table shifted = separable(400, 6, 4);
  for (double& v : shifted.columns[0].numbers) v += 0.75;
  const TabularReport off = tabular_report(real, shifted, opt);
  CHECK(off.shapes[0].score < off.shapes[0].floor - 0.15);
  CHECK(off.shapes_floor == same.shapes_floor);  // same row counts, same seed: same draws
  // No draws: no floor, and the text says nothing of it.
  opt.floor_draws = 0;
  const TabularReport none = tabular_report(real, shifted, opt);
  CHECK(std::isnan(none.shapes_floor));
  CHECK(std::isnan(none.shapes[0].floor));
  CHECK(to_text(none).find("floor") == std::string::npos);
  CHECK(to_text(off).find("floor") != std::string::npos);
  CHECK(to_json(off).find("\"shapes_floor\": ") != std::string::npos);
}

TEST_CASE("column shapes: the missing rate folds in, categories are matched by text") {
  Table real, syn;
  real.columns = {numeric("x", {1, 2, 3, NaN}), categorical("c", {"a", "a", "b", "a"})};
  // Same texts coded the other way round ("b" first), and a text the real table lacks.
  syn.columns = {numeric("x", {1, 2, 3, 4}), categorical("c", {"b", "a", "a", "a"})};
  TabularReport r = tabular_report(real, syn, {});
  // KS of {1, 2, 3} and {1, 2, 3, 4} is 1/4 (at 3: 1 against 3/4); missing 1/4 against 0.
  CHECK(r.shapes[0].statistic == doctest::Approx(0.25));
  CHECK(r.shapes[0].missing_real == doctest::Approx(0.25));
  CHECK(r.shapes[0].missing_synthetic == 0.0);
  CHECK(r.shapes[0].score == doctest::Approx(0.75 * 0.75));
  CHECK(r.shapes[1].score == 1.0);  // a: 3/4, b: 1/4 in both, whatever the codes

  syn.columns[1] = categorical("c", {"a", "z", "a", "a"});  // b: 1/4 against 0, z: 0 against 1/4
  r = tabular_report(real, syn, {});
  CHECK(r.shapes[1].statistic == doctest::Approx(0.25));
  CHECK(r.shapes[1].score == doctest::Approx(0.75));
  // Without missing cells a number's score is exactly 1 − KS.
  syn.columns[0] = numeric("x", {1, 2, 3, 4});
  real.columns[0] = numeric("x", {1, 2, 2, 2});
  r = tabular_report(real, syn, {});
  CHECK(r.shapes[0].score == doctest::Approx(1 - 0.5));  // at 2: 1 against 1/2
}

TEST_CASE("pair trends: correlation similarity of r = 1 against r = −1 is 0; a real trend is counted") {
  // x = 0..99, y = x (r = 1), c alternates a, b: every decile of x holds 5 a and 5 b (V = 0).
  std::vector<double> x(100), y(100), ny(100);
  std::vector<std::string> c(100);
  for (int i = 0; i < 100; ++i) {
    x[std::size_t(i)] = i;
    y[std::size_t(i)] = i;
    ny[std::size_t(i)] = -i;
    c[std::size_t(i)] = i % 2 ? "a" : "b";
  }
  Table real, syn;
  real.columns = {numeric("x", x), numeric("y", y, ColumnKind::Integer), categorical("c", c)};
  syn.columns = {numeric("x", x), numeric("y", ny, ColumnKind::Integer), categorical("c", c)};
  const TabularReport r = tabular_report(real, syn, {});
  REQUIRE(r.pairs.size() == 3);
  const PairTrend& xy = r.pairs[0];
  CHECK(xy.first == "x");
  CHECK(xy.second == "y");
  CHECK(xy.metric == PairMetric::Correlation);
  CHECK(xy.real_value == doctest::Approx(1.0));
  CHECK(xy.synthetic_value == doctest::Approx(-1.0));
  CHECK(xy.real_trend);
  CHECK(xy.score == doctest::Approx(0.0));
  for (int k : {1, 2}) {
    CHECK(r.pairs[std::size_t(k)].metric == PairMetric::Contingency);
    CHECK(r.pairs[std::size_t(k)].real_value == doctest::Approx(0.0).epsilon(1e-9));
    CHECK_FALSE(r.pairs[std::size_t(k)].real_trend);
  }
  CHECK(r.pairs[1].score == doctest::Approx(1.0));  // x and c: unchanged
  // y and c: y's bins are the real deciles; −y puts every synthetic row in the first bin.
  // Real: 10 bins of 5 a + 5 b, each 1/10; synthetic: bin 0 holds 1/2 a and 1/2 b.
  // TVD = ½ (2 · |1/20 − 1/2| + 18 · 1/20) = 0.9.
  CHECK(r.pairs[2].score == doctest::Approx(0.1));
  CHECK(r.trends_real_count == 1);
  CHECK(r.trends_real_mean == doctest::Approx(0.0));
  CHECK(r.trends_mean == doctest::Approx((0.0 + 1.0 + 0.1) / 3));

  // A perfectly dependent category pair has V = 1: a real trend.
  Table dep;
  dep.columns = {categorical("p", {"a", "a", "b", "b"}), categorical("q", {"x", "x", "y", "y"})};
  const TabularReport d = tabular_report(dep, dep, {});
  CHECK(d.pairs[0].real_value == doctest::Approx(1.0));
  CHECK(d.trends_real_count == 1);
}

TEST_CASE("DCR: a copy of training is at 0, a shifted table at the known distance") {
  Table train, syn;
  train.columns = {numeric("x", {0, 4, 10}), categorical("c", {"a", "b", "a"})};
  // x spans 10, so a shift of 1 is 0.1; a different text adds 1 to the squared distance.
  syn.columns = {numeric("x", {1, 5, 9.5, 4}), categorical("c", {"a", "a", "a", "a"})};
  const std::vector<double> d = distances_to_closest(train, syn);
  REQUIRE(d.size() == 4);
  CHECK(d[0] == doctest::Approx(0.1));  // (0, a)
  CHECK(d[1] == doctest::Approx(0.5));  // (0, a) or (10, a); (4, b) is √(0.01 + 1)
  CHECK(d[2] == doctest::Approx(0.05));
  CHECK(d[3] == doctest::Approx(0.4));  // (0, a): 0.4; (4, b): 1
  // Missing against present: −1 against 0 and the indicator, √2.
  Table m;
  m.columns = {numeric("x", {NaN}), categorical("c", {"a"})};
  Table z;
  z.columns = {numeric("x", {0}), categorical("c", {"a"})};
  CHECK(distances_to_closest(z, m)[0] == doctest::Approx(std::sqrt(2.0)));
  CHECK(distances_to_closest(m, m)[0] == 0.0);

  ReportOptions opt;
  opt.test = &syn;  // a holdout further from training than the synthetic copy
  const TabularReport r = tabular_report(train, train, opt);
  CHECK(r.privacy.exact_copies == 3);
  CHECK(r.privacy.median_dcr_synthetic == 0.0);
  CHECK(r.privacy.median_dcr_holdout == doctest::Approx(0.25));  // median of 0.05, 0.1, 0.4, 0.5
  CHECK(r.privacy.dcr_ratio == 0.0);
  CHECK(r.privacy.share_closer == 1.0);
  CHECK(r.privacy.holdout_evaluated == 4);
  // A missing cell is a value like any other for exact copies.
  const TabularReport rm = tabular_report(m, m, {});
  CHECK(rm.privacy.exact_copies == 1);
}

TEST_CASE("DCR by blocks equals brute force; the cap takes the first rows") {
  Rng rng(7);
  const std::size_t nt = 2500, ns = 1500;  // more than one block each way (1024 x 2048)
  std::vector<double> a(nt), b(nt), qa(ns), qb(ns);
  std::vector<std::string> c(nt), qc(ns);
  for (std::size_t i = 0; i < nt; ++i) a[i] = rng.normal(), b[i] = rng.uniform(), c[i] = rng.below(2) ? "p" : "q";
  for (std::size_t i = 0; i < ns; ++i) qa[i] = rng.normal(), qb[i] = rng.uniform(), qc[i] = rng.below(2) ? "p" : "q";
  Table train, q;
  train.columns = {numeric("a", a), numeric("b", b), categorical("c", c)};
  q.columns = {numeric("a", qa), numeric("b", qb), categorical("c", qc)};
  const std::vector<double> d = distances_to_closest(train, q);
  const double lo = *std::min_element(a.begin(), a.end()), span = *std::max_element(a.begin(), a.end()) - lo;
  const double blo = *std::min_element(b.begin(), b.end()), bspan = *std::max_element(b.begin(), b.end()) - blo;
  double worst = 0;
  for (std::size_t i = 0; i < ns; i += 7) {
    double best = 1e300;
    for (std::size_t j = 0; j < nt; ++j) {
      const double da = (qa[i] - a[j]) / span, db = (qb[i] - b[j]) / bspan;
      best = std::min(best, da * da + db * db + (qc[i] == c[j] ? 0.0 : 1.0));
    }
    worst = std::max(worst, std::abs(d[i] - std::sqrt(best)));
  }
  CHECK(worst < 1e-5);

  ReportOptions opt;
  opt.privacy_rows = 100;
  opt.test = &q;
  const TabularReport r = tabular_report(train, q, opt);
  CHECK(r.privacy.synthetic_evaluated == 100);
  CHECK(r.privacy.holdout_evaluated == 100);
  const std::vector<double> first(d.begin(), d.begin() + 100);
  CHECK(r.privacy.median_dcr_synthetic == doctest::Approx(gan::tabular::detail::median(first)).epsilon(1e-12));
  CHECK(r.privacy.exact_copies == 0);
}

/// The target of `t` (column 3) shuffled: the same class frequencies, no link to the features.
Table shuffle_target(Table t, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::int32_t>& y = t.columns[3].codes;
  for (std::size_t i = y.size(); i > 1; --i) std::swap(y[i - 1], y[rng.below(i)]);
  return t;
}

TEST_CASE("efficacy: a separable target is learnt (AUC > 0.95), a shuffled one is not") {
  // 20 noise columns: a model fitted to a shuffled target points in a random direction of 25,
  // nearly orthogonal to x1 + x2 (with 2 features it could point anywhere, AUC anywhere in [0, 1]).
  const Table train = separable(2000, 11, 20), test = separable(1000, 12, 20);
  const Table shuffled = shuffle_target(train, 5);

  ReportOptions opt;
  opt.test = &test;
  opt.target = "y";
  const TabularReport r = tabular_report(train, shuffled, opt);
  const EfficacyReport& e = r.efficacy;
  REQUIRE(e.models.size() == 2);
  CHECK(e.classes.size() == 2);
  CHECK(e.features == 22 + 3);  // x1, x2, the noise (no missing cells) and one-hot c
  CHECK(e.test_rows == 1000);
  for (const EfficacyModel& m : e.models) {
    INFO(m.model);
    CHECK(m.real.auc > 0.95);
    CHECK(m.real.accuracy > 0.85);
    CHECK(m.real.minority_f1 > 0.8);
    CHECK(std::abs(m.synthetic.auc - 0.5) < 0.15);
    CHECK(m.difference().auc == doctest::Approx(m.synthetic.auc - m.real.auc));
  }
  // The minority is the rarer class of the training table.
  std::size_t yes = 0;
  for (std::int32_t v : train.columns[3].codes) yes += train.columns[3].categories[std::size_t(v)] == "yes";
  CHECK(e.minority_class == (yes < 1000 ? "yes" : "no"));

  // Fixed seeds: the same inputs give the same figures.
  const TabularReport again = tabular_report(train, shuffled, opt);
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(again.efficacy.models[k].real.auc == e.models[k].real.auc);
    CHECK(again.efficacy.models[k].synthetic.accuracy == e.models[k].synthetic.accuracy);
  }

  // Test labels unrelated to the features: whatever was learnt, AUC is 0.5 up to the noise of
  // 1000 rows (standard error ~0.02).
  const Table plain = separable(2000, 11), noise_test = shuffle_target(separable(1000, 12), 6);
  opt.test = &noise_test;
  const TabularReport n = tabular_report(plain, plain, opt);
  for (const EfficacyModel& m : n.efficacy.models) {
    INFO(m.model);
    CHECK(std::abs(m.real.auc - 0.5) < 0.1);
    CHECK(std::abs(m.real.accuracy - 0.5) < 0.1);
  }
}

TEST_CASE("efficacy: three classes (macro AUC, the rarest as minority), missing cells, texts by name") {
  Rng rng(21);
  auto make = [&](std::size_t n, bool recode) {
    std::vector<double> x(n), noise(n);
    std::vector<std::string> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = rng.normal();
      noise[i] = rng.uniform() < 0.2 ? NaN : rng.normal();
      y[i] = x[i] < -0.5 ? "low" : x[i] < 1.0 ? "mid" : "high";  // high is rarest (~16%)
    }
    Table t;
    Column yc;
    yc.name = "y";
    yc.kind = ColumnKind::Categorical;
    if (recode) yc.categories = {"high", "mid", "low"};  // other codes for the same texts
    for (const std::string& s : y) yc.push_category(s);
    t.columns = {numeric("x", x), numeric("noise", noise), yc};
    return t;
  };
  const Table train = make(1500, false), test = make(600, true);
  ReportOptions opt;
  opt.test = &test;
  opt.target = "y";
  opt.mlp = false;
  const TabularReport r = tabular_report(train, train, opt);
  const EfficacyReport& e = r.efficacy;
  CHECK(e.classes.size() == 3);
  CHECK(e.minority_class == "high");
  CHECK(e.features == 1 + 2);  // x; noise and its missing indicator
  REQUIRE(e.models.size() == 1);
  CHECK(e.models[0].real.auc > 0.9);
  CHECK(e.models[0].real.accuracy > 0.8);
  CHECK(e.models[0].synthetic.auc == e.models[0].real.auc);  // the same table, the same seed
}

TEST_CASE("tabular_report names a column that is missing or of another kind") {
  Table real, syn;
  real.columns = {numeric("age", {1, 2}), categorical("job", {"a", "b"})};
  syn.columns = {numeric("age", {1, 2})};
  try {
    tabular_report(real, syn, {});
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("'job'") != std::string::npos);
  }
  syn.columns = {numeric("age", {1, 2}), numeric("job", {1, 2})};
  try {
    tabular_report(real, syn, {});
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    const std::string w = e.what();
    CHECK(w.find("'job'") != std::string::npos);
    CHECK(w.find("continuous") != std::string::npos);
    CHECK(w.find("categorical") != std::string::npos);
  }
  ReportOptions opt;
  opt.target = "job";
  CHECK_THROWS_AS(tabular_report(real, real, opt), std::invalid_argument);  // no test table
  opt.test = &real;
  opt.target = "age";
  CHECK_THROWS_WITH_AS(tabular_report(real, real, opt), doctest::Contains("categorical target"), std::invalid_argument);
  opt.target = "salary";
  CHECK_THROWS_WITH_AS(tabular_report(real, real, opt), doctest::Contains("'salary'"), std::invalid_argument);
}

TEST_CASE("to_text and to_json show every part; JSON strings are escaped") {
  const Table train = separable(400, 1), test = separable(200, 2);
  Table renamed = train, renamed_test = test;
  renamed.columns[2].name = renamed_test.columns[2].name = "say \"hi\"\\";
  ReportOptions opt;
  opt.test = &renamed_test;
  opt.target = "y";
  opt.mlp = false;
  const TabularReport r = tabular_report(renamed, renamed, opt);
  const std::string text = to_text(r);
  for (const char* s : {"Column shapes", "Pair trends", "Machine-learning efficacy", "logistic regression",
                        "median DCR", "exact copies"})
    CHECK(text.find(s) != std::string::npos);
  const std::string json = to_json(r);
  CHECK(json.find("\"say \\\"hi\\\"\\\\\"") != std::string::npos);
  CHECK(json.find("\"shapes_mean\": 1") != std::string::npos);
  CHECK(json.find("\"exact_copies\": 400") != std::string::npos);
  CHECK(json.find("nan") == std::string::npos);
  // Balanced braces and brackets (outside strings, which hold none here but the name's).
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char ch = json[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      ++depth;
    } else if (ch == '}' || ch == ']') {
      CHECK(--depth >= 0);
    }
  }
  CHECK(depth == 0);
}
