// Tabular synthesis: the transformer's exact inverse, point masses, missing values, the heads'
// gradients, training-by-sampling, conditions, and a small synthesizer that learns.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gan/gan.hpp>
#include <gan/layers/span_heads.hpp>
#include <gan/tabular.hpp>
#include <gan/tabular/filter.hpp>
#include <map>

#include "gradcheck.hpp"

using namespace gan::tabular;

namespace {

Column numeric(std::string name, ColumnKind kind, std::vector<double> v) {
  Column c;
  c.name = std::move(name);
  c.kind = kind;
  c.numbers = std::move(v);
  return c;
}
Column categorical(std::string name, const std::vector<std::string>& texts) {
  Column c;
  c.name = std::move(name);
  c.kind = ColumnKind::Categorical;
  for (const auto& t : texts) c.push_category(t);
  return c;
}

// n rows: a category (70% a, 25% b, 5% c); x ~ N(mean of the category, 1); y is 0 in 80% of
// rows and log-normal otherwise (a point mass); k an integer 18..90 with 10% missing.
Table mixed_table(std::size_t n, std::uint64_t seed) {
  gan::Rng rng(seed);
  std::vector<std::string> cat;
  std::vector<double> x, y, k;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.uniform();
    const int c = u < 0.70 ? 0 : u < 0.95 ? 1 : 2;
    cat.push_back(std::string(1, char('a' + c)));
    x.push_back((c == 0 ? -4.0 : c == 1 ? 0.0 : 6.0) + rng.normal());
    y.push_back(rng.uniform() < 0.8 ? 0.0 : std::round(100 * std::exp(1 + 0.5 * rng.normal())) / 100);
    k.push_back(rng.uniform() < 0.1 ? std::nan("") : std::round(18 + 72 * rng.uniform()));
  }
  Table t;
  t.columns.push_back(categorical("group", cat));
  t.columns.push_back(numeric("x", ColumnKind::Continuous, x));
  t.columns.push_back(numeric("y", ColumnKind::Continuous, y));
  t.columns.push_back(numeric("k", ColumnKind::Integer, k));
  t.columns[1].decimals = 6;
  t.columns[2].decimals = 2;
  return t;
}

double share(const Column& c, const std::string& text) {
  double n = 0;
  for (auto code : c.codes) n += c.categories[std::size_t(code)] == text;
  return n / double(c.codes.size());
}

}  // namespace

TEST_CASE("EM finds the modes of a bimodal column") {
  gan::Rng rng(3);
  std::vector<double> v;
  for (int i = 0; i < 4000; ++i) v.push_back(i % 4 == 0 ? 10 + 0.5 * rng.normal() : -3 + rng.normal());
  std::vector<double> mu, sd, w;
  gan::tabular::detail::fit_mixture(v, 10, 0.005, 300, mu, sd, w);
  // The heaviest components sit on the two modes with their weights.
  double w_lo = 0, w_hi = 0, m_lo = 0, m_hi = 0;
  for (std::size_t k = 0; k < mu.size(); ++k) (mu[k] < 4 ? w_lo : w_hi) += w[k], (mu[k] < 4 ? m_lo : m_hi) += w[k] * mu[k];
  CHECK(w_hi == doctest::Approx(0.25).epsilon(0.02));
  CHECK(m_lo / w_lo == doctest::Approx(-3).epsilon(0.05));
  CHECK(m_hi / w_hi == doctest::Approx(10).epsilon(0.02));
  for (double x : w) CHECK(x >= 0.005);
}

TEST_CASE("DataTransformer: the encoding is reversible, point masses and missing values exact") {
  const Table t = mixed_table(3000, 1);
  DataTransformer tf;
  tf.fit(t);
  gan::Rng rng(5);
  tf.encode(t, rng);
  const ColumnModel& y = tf.model(2);
  REQUIRE(y.masses.size() == 1);
  CHECK(y.masses[0] == 0.0);
  CHECK(tf.model(3).has_missing);
  CHECK_FALSE(tf.model(1).has_missing);
  CHECK(tf.model(0).modes() == 3);
  // spans: group one-hot, then [scalar, modes] per numeric column
  REQUIRE(tf.spans().size() == 7);
  CHECK(tf.spans()[0].kind == OutputSpan::OneHot);
  CHECK(tf.spans()[1].kind == OutputSpan::Scalar);

  std::vector<gan::index_t> rows(t.rows());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = gan::index_t(i);
  std::vector<float> enc(rows.size() * std::size_t(tf.width()));
  tf.encode_rows(rows, enc.data());
  const Table back = tf.decode(enc.data(), gan::index_t(rows.size()), t);
  for (std::size_t i = 0; i < t.rows(); ++i) {
    CHECK(back.columns[0].codes[i] == t.columns[0].codes[i]);
    // Gaussian modes: the float scalar keeps ~1e-6 of 4 sigma; clipped at 4 sigma otherwise
    const double x = t.columns[1].numbers[i], xb = back.columns[1].numbers[i];
    REQUIRE(std::abs(x - xb) < 1e-3);
    if (t.columns[2].numbers[i] == 0.0) CHECK(back.columns[2].numbers[i] == 0.0);  // exact
    const double k = t.columns[3].numbers[i], kb = back.columns[3].numbers[i];
    if (std::isnan(k)) CHECK(std::isnan(kb));
    else CHECK(kb == k);  // integers come back as the same integers
  }
}

TEST_CASE("DataTransformer: an integer column with few distinct values is coded exactly, one mode per value") {
  std::vector<double> years;
  for (int i = 0; i < 500; ++i) years.push_back(1 + (i * 7) % 16);
  Table t;
  t.columns.push_back(numeric("years", ColumnKind::Integer, years));
  DataTransformer tf;
  tf.fit(t);
  CHECK(tf.model(0).masses.size() == 16);
  CHECK(tf.model(0).means.empty());
  gan::Rng rng(1);
  tf.encode(t, rng);
  std::vector<gan::index_t> rows(500);
  for (int i = 0; i < 500; ++i) rows[std::size_t(i)] = i;
  std::vector<double> enc(500 * std::size_t(tf.width()));
  tf.encode_rows(rows, enc.data());
  CHECK(tf.decode(enc.data(), 500, t).columns[0].numbers == years);
}

TEST_CASE("DataTransformer: a column of many categories pools the rare ones in one entry, drawn back by frequency") {
  gan::Rng rng(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back("id" + std::to_string(int(std::min(999.0, -std::log(rng.uniform()) * 150))));
  Table t;
  t.columns.push_back(categorical("id", ids));
  DataTransformer tf;
  tf.fit(t, {.max_categories = 50});
  const ColumnModel& m = tf.model(0);
  REQUIRE(m.categories.size() > 500);
  CHECK(tf.width() == 50);  // 49 own entries and "other", not one per category
  tf.encode(t, rng);
  std::vector<gan::index_t> rows(t.rows());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = gan::index_t(i);
  std::vector<float> enc(rows.size() * 50);
  tf.encode_rows(rows, enc.data());
  const Table back = tf.decode(enc.data(), gan::index_t(rows.size()), t, &rng);
  std::map<std::string, double> real, got;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const auto c = std::size_t(t.columns[0].codes[i]);
    ++real[t.columns[0].categories[c]];
    ++got[back.columns[0].categories[std::size_t(back.columns[0].codes[i])]];
    if (m.slot_of[c] < 49) CHECK(back.columns[0].codes[i] == t.columns[0].codes[i]);  // own entry: exact
    else CHECK(m.slot_of[std::size_t(back.columns[0].codes[i])] == 49);               // pooled stays pooled
  }
  double tvd = 0;
  for (auto& [k, v] : real) tvd += std::abs(v - got[k]) / 2 / double(t.rows());
  // The pooled categories come back at their frequencies: two samples of 20000 over these ~700
  // categories differ by about 0.05 in total variation; drawing them uniformly gives about 0.25.
  CHECK(tvd < 0.1);
}

TEST_CASE("DataTransformer: a column that is a function of a categorical column is derived from it, never contradicts it") {
  gan::Rng rng(8);
  std::vector<std::string> edu, label, id;
  std::vector<double> years, noisy;
  const char* names[] = {"school", "college", "bachelor", "master", "doctor"};
  for (int i = 0; i < 1000; ++i) {
    const int k = int(rng.below(5));
    edu.push_back(names[k]);
    years.push_back(8 + 2 * k);                       // a function of edu
    label.push_back(k < 2 ? "low" : "high");          // a function of edu too (not one-to-one)
    noisy.push_back(8 + 2 * k + (rng.uniform() < 0.05 ? 1 : 0));  // almost, but not a function
    id.push_back("row" + std::to_string(i));          // identifier: determines everything, used for nothing
  }
  Table t;
  t.columns = {categorical("id", id), categorical("edu", edu), numeric("years", ColumnKind::Integer, years),
               categorical("label", label), numeric("noisy", ColumnKind::Integer, noisy)};
  DataTransformer tf;
  tf.fit(t);
  CHECK_FALSE(tf.model(0).is_derived());
  CHECK_FALSE(tf.model(1).is_derived());
  CHECK(tf.model(2).source == 1);
  CHECK(tf.model(3).source == 1);
  CHECK_FALSE(tf.model(4).is_derived());
  CHECK(tf.model(2).width() == 0);
  // Whatever the generator outputs, the derived columns agree with their source.
  std::vector<float> wild(200 * std::size_t(tf.width()));
  for (auto& v : wild) v = float(rng.normal());
  const Table d = tf.decode(wild.data(), 200, t, &rng);
  for (std::size_t i = 0; i < 200; ++i) {
    const std::string e = d.columns[1].categories[std::size_t(d.columns[1].codes[i])];
    const int k = int(std::find(std::begin(names), std::end(names), e) - std::begin(names));
    CHECK(d.columns[2].numbers[i] == 8 + 2 * k);
    CHECK(d.columns[3].categories[std::size_t(d.columns[3].codes[i])] == (k < 2 ? "low" : "high"));
  }
  DataTransformer off;
  off.fit(t, {.derived_columns = false});
  CHECK_FALSE(off.model(2).is_derived());
}

TEST_CASE("DataTransformer: decoded values stay in the observed or the user's range, integers integral") {
  const Table t = mixed_table(1000, 2);
  DataTransformer tf;
  tf.fit(t);
  std::vector<float> wild(50 * std::size_t(tf.width()));
  gan::Rng rng(9);
  for (auto& v : wild) v = float(3 * rng.normal());  // scalars beyond [-1, 1], arbitrary logits
  const Table d = tf.decode(wild.data(), 50, t);
  const auto [lo, hi] = std::minmax_element(t.columns[1].numbers.begin(), t.columns[1].numbers.end());
  for (double v : d.columns[1].numbers) CHECK((v >= *lo && v <= *hi));
  for (double v : d.columns[3].numbers)
    if (!std::isnan(v)) CHECK((v == std::round(v) && v >= 18 && v <= 90));
  Table t2 = t;
  t2.columns[1].lo = -1, t2.columns[1].hi = 1;
  tf.fit(t2);
  const Table d2 = tf.decode(wild.data(), 50, t2);
  for (double v : d2.columns[1].numbers) CHECK((v >= -1 && v <= 1));
}

TEST_CASE("SpanHeads: tanh and Gumbel-softmax gradients by central differences, logit gradients added") {
  using Seq = gan::Sequential<gan::Input<7>, gan::SpanHeads>;
  gan::Rng rng(4);
  gan::Network<Seq, gan::Cpu, double> net(rng);
  net.layer<0>().set_spans({{gan::HeadSpan::Tanh, 0, 1}, {gan::HeadSpan::GumbelSoftmax, 1, 3}, {gan::HeadSpan::GumbelSoftmax, 5, 2}}, 0.5);
  gantest::Td x = gantest::random_tensor(4, 7, rng), w = gantest::random_tensor(4, 7, rng);
  net.forward(x);
  const auto y = net.output().to_host();
  for (int r = 0; r < 4; ++r) {  // one-hot spans sum to 1; column 4 passes through
    CHECK(y[r * 7 + 1] + y[r * 7 + 2] + y[r * 7 + 3] == doctest::Approx(1));
    CHECK(y[r * 7 + 4] == x.data()[r * 7 + 4]);
    CHECK(y[r * 7 + 0] == doctest::Approx(std::tanh(x.data()[r * 7])));
  }
  net.context().reuse_noise = true;  // the same Gumbel noise for every evaluation
  const auto dx = net.backward(w, {.params = false, .input = true}).to_host();
  auto f = [&] { return gantest::dot(net.forward(x), w); };
  CHECK(gantest::max_grad_error(x, dx, f) < 1e-7);
  // A logit-side gradient is added once, by the next backward pass.
  net.forward(x);
  gantest::Td& e = net.layer<0>().logit_grad();
  e.data()[3] = 2.5;
  e.data()[7 + 4] = -1.5;  // a column outside every span
  const auto dx2 = net.backward(w, {.params = false, .input = true}).to_host();
  CHECK(dx2[3] == doctest::Approx(dx[3] + 2.5));
  CHECK(dx2[7 + 4] == doctest::Approx(dx[7 + 4] - 1.5));
  const auto dx3 = net.backward(w, {.params = false, .input = true}).to_host();
  CHECK(dx3[3] == doctest::Approx(dx[3]));
  CHECK(dx3[7 + 4] == doctest::Approx(dx[7 + 4]));
  // Spans that cover every column (no pass-through copy), more of them than one launch holds.
  using Wide = gan::Sequential<gan::Input<80>, gan::SpanHeads>;
  gan::Network<Wide, gan::Cpu, double> wide(rng);
  std::vector<gan::HeadSpan> many;
  for (gan::index_t a = 0; a < 74; a += 2)  // 77 spans: tanh, a 1-wide softmax, tanh, ...
    many.push_back({gan::HeadSpan::Tanh, a, 1}), many.push_back({gan::HeadSpan::GumbelSoftmax, a + 1, 1});
  many.push_back({gan::HeadSpan::Tanh, 74, 1});
  many.push_back({gan::HeadSpan::GumbelSoftmax, 75, 2});
  many.push_back({gan::HeadSpan::GumbelSoftmax, 77, 3});
  wide.layer<0>().set_spans(many, 0.5);
  gantest::Td xw = gantest::random_tensor(3, 80, rng), ww = gantest::random_tensor(3, 80, rng);
  wide.forward(xw);
  const auto yw = wide.output().to_host();
  for (int r = 0; r < 3; ++r) {
    CHECK(yw[r * 80 + 74] == doctest::Approx(std::tanh(xw.data()[r * 80 + 74])));  // in the third launch
    CHECK(yw[r * 80 + 77] + yw[r * 80 + 78] + yw[r * 80 + 79] == doctest::Approx(1));
  }
  wide.context().reuse_noise = true;
  const auto dxw = wide.backward(ww, {.params = false, .input = true}).to_host();
  auto fw = [&] { return gantest::dot(wide.forward(xw), ww); };
  CHECK(gantest::max_grad_error(xw, dxw, fw) < 1e-7);
  wide.forward(xw);
  wide.layer<0>().logit_grad().data()[80 + 78] = 0.75;
  CHECK(wide.backward(ww, {.params = false, .input = true}).to_host()[80 + 78] == doctest::Approx(dxw[80 + 78] + 0.75));
  gan::Network<Seq, gan::Cpu, double> fresh(rng);
  CHECK_THROWS_WITH_AS(fresh.forward(x), doctest::Contains("set_spans"), std::logic_error);
}

TEST_CASE("Training-by-sampling: categories by log-frequency, real rows of the asked category") {
  const Table t = mixed_table(4000, 3);
  DataTransformer tf;
  tf.fit(t);
  gan::Rng rng(1);
  tf.encode(t, rng);
  ConditionSampler cs(tf);
  REQUIRE(cs.width() == 3);
  const gan::index_t n = 20000;
  std::vector<float> cond(std::size_t(n * 3));
  std::vector<gan::index_t> rows;
  cs.sample_training(n, rng, cond.data(), rows);
  std::array<double, 3> got{}, count{};
  for (std::int32_t c : t.columns[0].codes) count[std::size_t(c)] += 1;
  double tot_log = 0;
  for (double c : count) tot_log += std::log1p(c);
  for (gan::index_t r = 0; r < n; ++r)
    for (int k = 0; k < 3; ++k)
      if (cond[std::size_t(r * 3 + k)] == 1.f) {
        got[std::size_t(k)] += 1.0 / double(n);
        CHECK(t.columns[0].codes[std::size_t(rows[std::size_t(r)])] == k);  // the real row has it
      }
  for (int k = 0; k < 3; ++k) CHECK(got[std::size_t(k)] == doctest::Approx(std::log1p(count[std::size_t(k)]) / tot_log).epsilon(0.05));
  cs.sample_original(n, rng, cond.data());
  double rare = 0;
  for (gan::index_t r = 0; r < n; ++r) rare += cond[std::size_t(r * 3 + 2)];
  CHECK(rare / double(n) == doctest::Approx(count[2] / 4000.0).epsilon(0.15));
}

TEST_CASE("Conditions: parsing, values that contain an operator, errors that name the column") {
  const Table t = mixed_table(100, 4);
  Condition c = parse_condition("k>=50");
  CHECK((c.column == "k" && c.op == Condition::Ge && c.value == "50"));
  c = parse_condition("group=<=50K");
  CHECK((c.column == "group" && c.op == Condition::Eq && c.value == "<=50K"));
  c = parse_condition("x!=3");
  CHECK(c.op == Condition::Ne);
  CHECK_THROWS_WITH_AS(parse_condition("age"), doctest::Contains("expected column=value"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(RowFilter(t, {parse_condition("nope=1")}), doctest::Contains("no column named 'nope'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(RowFilter(t, {parse_condition("group=z")}), doctest::Contains("has no category 'z'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(RowFilter(t, {parse_condition("group>a")}), doctest::Contains("categorical"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(RowFilter(t, {parse_condition("k>=old")}), doctest::Contains("not a number"), std::invalid_argument);
  const RowFilter f(t, {parse_condition("group=b"), parse_condition("k<40"), parse_condition("k!=")});
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const double k = t.columns[3].numbers[i];
    CHECK(f.matches(t, i) == (t.columns[0].categories[std::size_t(t.columns[0].codes[i])] == "b" && !std::isnan(k) && k < 40));
  }
}

TEST_CASE("Synthesizer: learns the category shares and the conditional means; exact conditional sampling; save and load") {
  const Table t = mixed_table(2000, 5);
  SynthesizerOptions opt;
  opt.epochs = 100, opt.batch = 200, opt.seed = 1, opt.progress = false;
  Synthesizer<> s(opt);
  s.fit(t);
  const Table g = s.sample(3000);
  REQUIRE(g.rows() == 3000);
  CHECK(share(g.columns[0], "a") == doctest::Approx(share(t.columns[0], "a")).epsilon(0.15));
  // x follows its category: mean of x in group c far above the mean in group a
  double xa = 0, xc = 0, na = 0, nc = 0, zeros = 0, missing = 0;
  for (std::size_t i = 0; i < g.rows(); ++i) {
    const std::string& k = g.columns[0].categories[std::size_t(g.columns[0].codes[i])];
    if (k == "a") xa += g.columns[1].numbers[i], ++na;
    if (k == "c") xc += g.columns[1].numbers[i], ++nc;
    zeros += g.columns[2].numbers[i] == 0.0;
    missing += std::isnan(g.columns[3].numbers[i]);
  }
  CHECK(xc / nc - xa / na > 5);  // real: 10
  CHECK(zeros / 3000 == doctest::Approx(0.8).epsilon(0.15));  // the point mass, exactly 0
  CHECK(missing / 3000 == doctest::Approx(0.1).epsilon(0.5));

  // Conditions are met by every row, also for the rare category and a range.
  const Table rare = s.sample(200, {parse_condition("group=c"), parse_condition("k>=40")});
  REQUIRE(rare.rows() == 200);
  for (std::size_t i = 0; i < rare.rows(); ++i) {
    CHECK(rare.columns[0].categories[std::size_t(rare.columns[0].codes[i])] == "c");
    CHECK(rare.columns[3].numbers[i] >= 40);
  }
  CHECK_THROWS_WITH_AS(s.sample(10, {parse_condition("k>=1000")}), doctest::Contains("too rare"), std::runtime_error);

  // The same seed gives the same rows; a saved and loaded model samples the same rows.
  const auto path = (std::filesystem::temp_directory_path() / "gan_test_tabular.gan").string();
  s.save(path);
  auto l = Synthesizer<>::load(path);
  CHECK(l.sample(20).columns[1].numbers == Synthesizer<>::load(path).sample(20).columns[1].numbers);
  opt.epochs = 3;  // a short run for the determinism checks
  Synthesizer<> s1(opt);
  s1.fit(t);
  s1.save(path);
  l = Synthesizer<>::load(path);
  Synthesizer<> s2(opt);
  s2.fit(t);
  const Table a = s2.sample(50), b = l.sample(50);
  Synthesizer<> s3(opt);
  s3.fit(t);
  const Table c = s3.sample(50);
  CHECK(a.columns[1].numbers == c.columns[1].numbers);
  CHECK(a.columns[0].codes == c.columns[0].codes);
  CHECK(b.columns[1].numbers == a.columns[1].numbers);

  // A corrupt or truncated file is refused with its name.
  auto bytes = gan::io::read_file(path);
  bytes[bytes.size() / 2] ^= 0x5a;
  gan::io::atomic_write(path, bytes.data(), bytes.size());
  CHECK_THROWS_WITH_AS(Synthesizer<>::load(path), doctest::Contains("checksum"), gan::FormatError);
  gan::io::atomic_write(path, bytes.data(), 20);
  CHECK_THROWS_WITH_AS(Synthesizer<>::load(path), doctest::Contains(path.c_str()), gan::FormatError);
  std::filesystem::remove(path);
}

TEST_CASE("Synthesizer: a high-cardinality column trains and samples in bounded width; conditions on a pooled category are exact") {
  gan::Rng rng(6);
  std::vector<std::string> ids;
  std::vector<double> x;
  for (int i = 0; i < 3000; ++i) {
    const int k = int(std::min(1999.0, -std::log(rng.uniform()) * 300));
    ids.push_back("z" + std::to_string(k));
    x.push_back(k / 100.0 + rng.normal());
  }
  Table t;
  t.columns.push_back(categorical("zip", ids));
  t.columns.push_back(numeric("x", ColumnKind::Continuous, x));
  SynthesizerOptions opt;
  opt.epochs = 2, opt.seed = 2, opt.progress = false;
  opt.transformer.max_categories = 40;
  Synthesizer<> s(opt);
  s.fit(t);
  CHECK(s.conditions().width() == 40);  // not one entry per category
  const ColumnModel& m = s.transformer().model(0);
  REQUIRE(!m.pooled.empty());
  const std::string pooled = m.categories[std::size_t(m.pooled.front())];  // the most frequent pooled one
  const Table g = s.sample(5, {parse_condition("zip=" + pooled)}, 2000000);
  REQUIRE(g.rows() == 5);
  for (std::size_t i = 0; i < g.rows(); ++i) CHECK(g.columns[0].categories[std::size_t(g.columns[0].codes[i])] == pooled);
  CHECK(s.sample(1000).rows() == 1000);
}

TEST_CASE("Synthesizer with a target: the target's classifier and the auxiliary term tie it to the other columns; bad targets are named") {
  // label is "yes" when x > 0 (5% of labels flipped); z and g are noise.
  gan::Rng rng(8);
  std::vector<std::string> label, g;
  std::vector<double> x, z;
  for (int i = 0; i < 2000; ++i) {
    x.push_back(2 * rng.normal());
    z.push_back(rng.normal());
    g.push_back(std::string(1, char('p' + rng.below(3))));
    label.push_back((x.back() > 0) != (rng.uniform() < 0.05) ? "yes" : "no");
  }
  Table t;
  t.columns.push_back(numeric("x", ColumnKind::Continuous, x));
  t.columns.push_back(numeric("z", ColumnKind::Continuous, z));
  t.columns.push_back(categorical("g", g));
  t.columns.push_back(categorical("label", label));
  t.columns[0].decimals = t.columns[1].decimals = 4;
  auto is_yes = [](const Table& out, std::size_t i) { return out.columns[3].categories[std::size_t(out.columns[3].codes[i])] == "yes"; };
  auto agreement = [&](const Table& out) {
    double agree = 0;
    for (std::size_t i = 0; i < out.rows(); ++i) agree += (out.columns[0].numbers[i] > 0) == is_yes(out, i);
    return agree / double(out.rows());
  };
  auto fitted = [&](const std::string& target, bool classifier, double weight) {
    SynthesizerOptions opt;
    opt.epochs = 60, opt.batch = 200, opt.seed = 3, opt.progress = false, opt.target = target;
    opt.target_classifier = classifier;
    opt.target_weight = weight;
    auto s = std::make_unique<Synthesizer<>>(opt);
    s->fit(t);
    return s;
  };
  // No target; the auxiliary term alone (at full weight); the target's classifier alone (the default).
  auto plain = fitted("", false, 0), aux = fitted("label", false, 1), full = fitted("label", true, 0);
  CHECK(plain->target_classifier() == nullptr);
  CHECK(aux->target_classifier() == nullptr);
  REQUIRE(full->target_classifier() != nullptr);
  const Table out = full->sample(4000);
  const double without = agreement(plain->sample(4000)), with_aux = agreement(aux->sample(4000)), with_clf = agreement(out);
  MESSAGE("P(label agrees with x > 0): real 0.95, without target " << without << ", auxiliary term " << with_aux
                                                                   << ", target classifier " << with_clf);
  CHECK(with_aux > 0.75);            // measured 0.83 (seed 3)
  CHECK(with_aux > without + 0.15);  // measured 0.51 without: after 600 steps the link is not learnt yet
  CHECK(with_clf > 0.87);            // measured 0.90: the label drawn from p(label | x, z, g) of the real rows
  CHECK(with_clf > with_aux + 0.04);
  // The classifier is close to the best possible: the entropy of a 5% flip is 0.199 nats.
  CHECK(full->target_classifier()->holdout_loss() < 0.26);
  // The labels' share stays the real one (0.5), and a condition on the target is still exact.
  double yes = 0;
  for (std::size_t i = 0; i < out.rows(); ++i) yes += is_yes(out, i);
  CHECK(yes / double(out.rows()) == doctest::Approx(0.5).epsilon(0.1));
  const Table only_yes = full->sample(300, {parse_condition("label=yes")});
  REQUIRE(only_yes.rows() == 300);
  for (std::size_t i = 0; i < only_yes.rows(); ++i) CHECK(is_yes(only_yes, i));
  // Saved and loaded, with or without the classifier, a model samples the same rows.
  const auto path = (std::filesystem::temp_directory_path() / "gan_test_tabular_target.gan").string();
  for (Synthesizer<>* s : {aux.get(), full.get()}) {
    s->save(path);
    auto back = Synthesizer<>::load(path);
    CHECK(back.options().target == "label");
    CHECK((back.target_classifier() != nullptr) == (s->target_classifier() != nullptr));
    s->reseed(5), back.reseed(5);
    const Table a = s->sample(500), b = back.sample(500);
    CHECK(a.columns[3].codes == b.columns[3].codes);
    CHECK(a.columns[0].numbers == b.columns[0].numbers);
  }
  std::filesystem::remove(path);

  SynthesizerOptions bad;
  bad.epochs = 1, bad.progress = false, bad.target = "income";
  CHECK_THROWS_WITH_AS(Synthesizer<>(bad).fit(t), doctest::Contains("target: no column named 'income' (the columns are: x, z, g, label)"),
                       std::invalid_argument);
  bad.target = "z";
  CHECK_THROWS_WITH_AS(Synthesizer<>(bad).fit(t), doctest::Contains("'z' is not categorical"), std::invalid_argument);
  bad.target = "label";
  bad.target_weight = -1;
  CHECK_THROWS_WITH_AS(Synthesizer<>{bad}, doctest::Contains("target_weight must be >= 0"), std::invalid_argument);
  Table one = t;
  one.columns[3] = categorical("label", std::vector<std::string>(2000, "yes"));
  bad.target_weight = 0.1;
  CHECK_THROWS_WITH_AS(Synthesizer<>(bad).fit(one), doctest::Contains("'label' has one class ('yes') in the data"),
                       std::invalid_argument);
}

TEST_CASE("TargetClassifier: draws follow its softmax, and fit() learns a rule from encoded real rows") {
  // Rows of 5 values, the target's 2 entries at columns 3 and 4; the logits are set to the last bias.
  gan::Rng init(3);
  TargetClassifier<> clf(init, 5, 3, 2);
  int p = 0, n = 0;
  clf.network().visit_params([&](gan::Tensor<float, gan::Cpu>&, gan::Tensor<float, gan::Cpu>&) { ++n; });
  clf.network().visit_params([&](gan::Tensor<float, gan::Cpu>& w, gan::Tensor<float, gan::Cpu>&) {
    ++p;
    if (p == n - 1) gan::ops::fill(w, 0.0f);                       // the last layer's weights: logits = its bias
    if (p == n) w.from_host(std::vector<float>{std::log(0.2f), std::log(0.8f)}, 1, 2);
  });
  gan::Tensor<float, gan::Cpu> rows(20000, 5);
  gan::ops::fill_normal(rows, init);
  std::vector<gan::index_t> drawn;
  gan::Rng draws(4);
  clf.draw(rows, draws, drawn);
  REQUIRE(drawn.size() == 20000);
  double ones = 0;
  for (auto c : drawn) ones += c == 1;
  CHECK(ones / 20000 == doctest::Approx(0.8).epsilon(0.02));
  CHECK(std::all_of(drawn.begin(), drawn.end(), [](gan::index_t c) { return c == 0 || c == 1; }));

  // fit(): y = [x > 0] with 10% flipped; the held-out cross-entropy approaches H(0.1) = 0.325.
  gan::Rng rng(5);
  std::vector<double> x, noise;
  std::vector<std::string> y;
  for (int i = 0; i < 3000; ++i) {
    x.push_back(std::round(1000 * rng.normal()) / 1000);
    noise.push_back(rng.normal());
    y.push_back((x.back() > 0) != (rng.uniform() < 0.1) ? "yes" : "no");
  }
  Table t;
  t.columns.push_back(numeric("x", ColumnKind::Continuous, x));
  t.columns.push_back(categorical("y", y));
  t.columns.push_back(numeric("noise", ColumnKind::Continuous, noise));
  DataTransformer tf;
  tf.fit(t);
  tf.encode(t, rng);
  gan::Rng init2(6);
  TargetClassifier<> fitted(init2, tf.width(), tf.offset(1), 2);
  const double loss = fitted.fit(tf, gan::Rng(7));
  MESSAGE("held-out cross-entropy " << loss << " after " << fitted.epochs() << " epochs (best possible 0.325)");
  CHECK(loss < 0.40);
  CHECK(fitted.epochs() < TargetClassifierOptions{}.max_epochs);  // it stopped early, on the held-out rows
  CHECK_THROWS_WITH_AS(TargetClassifier<>(init2, tf.width(), tf.offset(1), 2, {.batch = 0}), doctest::Contains("batch >= 1"),
                       std::invalid_argument);
}

TEST_CASE("Synthesizer: a target derived from another column is learnt through its source") {
  // kind is a function of group (a -> big, b and c -> small): derived, so not encoded itself.
  Table t = mixed_table(600, 4);
  std::vector<std::string> kind;
  for (auto code : t.columns[0].codes) kind.push_back(code == 0 ? "big" : "small");
  t.columns.push_back(categorical("kind", kind));
  SynthesizerOptions opt;
  opt.epochs = 2, opt.batch = 200, opt.seed = 1, opt.progress = false, opt.target = "kind";
  Synthesizer<> s(opt);
  s.fit(t);
  REQUIRE(s.transformer().model(4).is_derived());
  REQUIRE(s.target_classifier() != nullptr);  // it predicts the source, group
  CHECK(s.target_classifier()->target() == s.transformer().offset(0));
  CHECK(s.target_classifier()->classes() == s.transformer().model(0).modes());
  const Table g = s.sample(300);
  for (std::size_t i = 0; i < g.rows(); ++i)
    CHECK((g.columns[4].categories[std::size_t(g.columns[4].codes[i])] == "big") ==
          (g.columns[0].categories[std::size_t(g.columns[0].codes[i])] == "a"));
}
