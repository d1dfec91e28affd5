// tabular_adult: synthesise the UCI Adult census table with a CTGAN-class GAN and judge the
// synthetic rows against held-out real rows.
//
// What you will see: the columns as read from data/adult/adult_train.csv (26048 rows, 6 integer
// and 9 categorical columns), how each numeric column was split into modes, a progress line with
// both losses, then the quality report of 26048 synthetic rows against the real training rows and
// the 6513 held-out test rows (column shapes, column-pair trends, privacy, and a classifier
// trained on synthetic rows scored on real ones), and one JSON line with the headline figures
// (every figure goes to OUT.report.json).
// A few conditional samples show that a condition is met by every row returned.
//
// Budget: --epochs 100 (the default) is about 4 minutes on the 2 cores of an AMD EPYC (5.5 on one); CTGAN's
// default is 300. Usage:
//   tabular_adult [--epochs 100] [--seed 1] [--train data/adult/adult_train.csv]
//                 [--test data/adult/adult_test.csv] [--target income] [--target-classifier 1]
//                 [--target-weight 0] [--out adult_synthetic.csv] [--backend cpu|gpu]
// --backend gpu needs the CUDA build, tabular_adult_cuda (cmake -DGAN_CUDA=ON).
// The target is the column the report's classifiers predict, and each sampled row draws it from a
// classifier of the real rows given the row's other columns (--target-classifier 0 keeps the
// generator's, as CTGAN does); --target-weight W > 0 also trains with CTAB-GAN's auxiliary
// classifier term at that weight.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <gan/tabular.hpp>
#include <stdexcept>
#include <string>
#if defined(GAN_WITH_GPU)
#include <gan/gan_gpu.hpp>
#endif

#ifndef GAN_DATA_DIR
#define GAN_DATA_DIR "data"
#endif

namespace tab = gan::tabular;

struct Args {
  int epochs = 100;
  std::uint64_t seed = 1;
  std::string train_path = GAN_DATA_DIR "/adult/adult_train.csv", test_path = GAN_DATA_DIR "/adult/adult_test.csv";
  std::string target = "income", out = "adult_synthetic.csv", backend = "cpu";
  double target_weight = tab::SynthesizerOptions{}.target_weight;
  bool target_classifier = tab::SynthesizerOptions{}.target_classifier;
};

template <class B>
int run(const Args& a, const tab::Table& train, const tab::Table& test);

int main(int argc, char** argv) try {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string o = argv[i];
    if (o == "--help" || o == "-h") {
      std::printf("usage: %s [--epochs N] [--seed S] [--train CSV] [--test CSV] [--target COLUMN] [--target-classifier 1|0]\n"
                  "          [--target-weight W] [--out CSV] [--backend cpu|gpu]\n",
                  argv[0]);
      return 0;
    }
    if (i + 1 >= argc) throw std::invalid_argument("option " + o + " needs a value (see --help)");
    const std::string v = argv[++i];
    if (o == "--epochs") a.epochs = std::stoi(v);
    else if (o == "--seed") a.seed = std::stoull(v);
    else if (o == "--train") a.train_path = v;
    else if (o == "--test") a.test_path = v;
    else if (o == "--target") a.target = v;
    else if (o == "--target-weight") a.target_weight = std::stod(v);
    else if (o == "--target-classifier") {
      if (v != "0" && v != "1") throw std::invalid_argument("--target-classifier takes 1 or 0, not '" + v + "'");
      a.target_classifier = v == "1";
    }
    else if (o == "--out") a.out = v;
    else if (o == "--backend") a.backend = v;
    else throw std::invalid_argument("unknown option " + o + " (see --help)");
  }
#if defined(GAN_WITH_GPU)
  if (a.backend != "cpu" && a.backend != "gpu")
    throw std::invalid_argument("--backend must be cpu or gpu, not '" + a.backend + "'");
  if (std::string why; a.backend == "gpu" && !gan::Gpu::available(&why)) throw std::runtime_error("--backend gpu: " + why);
#else
  if (a.backend != "cpu")
    throw std::invalid_argument("--backend " + a.backend + ": this build has the CPU backend only (tabular_adult_cuda, built with -DGAN_CUDA=ON, has gpu)");
#endif
  // 1. Read the table; the test split is read with the training split's schema so kinds agree.
  const tab::Table train = tab::read_csv(a.train_path);
  const tab::Schema schema = tab::infer_schema(train);
  const tab::Table test = tab::read_csv(a.test_path, {}, &schema);
  std::printf("%s: %zu rows, %zu columns\n", a.train_path.c_str(), train.rows(), train.cols());
#if defined(GAN_WITH_GPU)
  if (a.backend == "gpu") return run<gan::Gpu>(a, train, test);
#endif
  return run<gan::Cpu>(a, train, test);
} catch (const std::exception& e) {
  std::fprintf(stderr, "tabular_adult: %s\n", e.what());
  return 1;
}

template <class B>
int run(const Args& a, const tab::Table& train, const tab::Table& test) {
  const int epochs = a.epochs;
  const std::uint64_t seed = a.seed;
  const std::string &target = a.target, &out = a.out;
  const double target_weight = a.target_weight;

  // 2. Fit: the transformer (modes per numeric column), the classifier of the target, then
  //    WGAN-GP with pac 10 and batch 500.
  tab::Synthesizer<B> synth({.epochs = epochs, .seed = seed, .target = target, .target_classifier = a.target_classifier,
                             .target_weight = target_weight});
  synth.fit(train);
  for (const tab::ColumnModel& m : synth.transformer().models())
    if (m.categorical()) std::printf("  %-16s categorical, %zu categories\n", m.name.c_str(), m.categories.size());
    else std::printf("  %-16s %-11s %zu point mass(es), %zu Gaussian mode(s)%s\n", m.name.c_str(), tab::kind_name(m.kind),
                     m.masses.size(), m.means.size(), m.has_missing ? ", missing" : "");
  std::printf("trained %d epochs on %s in %.1f s (%.3f s per epoch)\n", epochs, B::name, synth.fit_seconds(),
              synth.fit_seconds() / epochs);

  // 3. Sample as many rows as the training table and write them (atomically).
  const tab::Table synthetic = synth.sample(train.rows());
  tab::write_csv(out, synthetic);
  std::printf("wrote %zu synthetic rows to %s\n", synthetic.rows(), out.c_str());

  // 4. Conditional sampling: the target's rarest class (on Adult: income=>50K) and the upper half
  //    of the first numeric column (age>=37); every row returned meets both.
  const tab::Column& y = train.column(target);
  if (!y.categorical()) throw std::invalid_argument("--target " + target + " must be a categorical column");
  std::vector<std::size_t> count(y.categories.size());
  for (std::int32_t c : y.codes) ++count[std::size_t(c)];
  const std::size_t rare = std::size_t(std::min_element(count.begin(), count.end()) - count.begin());
  std::vector<tab::Condition> conditions{tab::parse_condition(target + "=" + y.categories[rare])};
  for (const tab::Column& c : train.columns)
    if (!c.categorical()) {
      std::vector<double> v;
      for (double x : c.numbers)
        if (!std::isnan(x)) v.push_back(x);
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      char median[64];
      std::snprintf(median, sizeof median, "%.15g", v[v.size() / 2]);
      conditions.push_back(tab::parse_condition(c.name + ">=" + median));
      break;
    }
  const tab::Table some = synth.sample(1000, conditions);
  std::printf("conditional sample (%s", conditions[0].str().c_str());
  for (std::size_t k = 1; k < conditions.size(); ++k) std::printf(", %s", conditions[k].str().c_str());
  std::printf("): %zu rows, every one meeting them\n", some.rows());

  // 5. The report: synthetic rows against the real training rows and the held-out test rows.
  tab::ReportOptions ro;
  ro.test = &test;
  ro.target = target;
  ro.seed = seed;
  const tab::TabularReport report = tab::tabular_report(train, synthetic, ro);
  std::printf("%s\n", tab::to_text(report).c_str());
  const std::string json = tab::to_json(report);  // every figure, per column and pair, atomically
  gan::io::atomic_write(out + ".report.json", json.data(), json.size());
  std::printf("wrote the full report to %s.report.json\n", out.c_str());

  // 6. One JSON line with the headline figures.
  auto num = [](double x) {  // JSON has no NaN (a table without trend pairs, a one-class target)
    char b[32];
    std::snprintf(b, sizeof b, "%.4f", x);
    return std::isfinite(x) ? std::string(b) : std::string("null");
  };
  std::printf("{\"example\": \"tabular_adult\", \"backend\": \"%s\", \"epochs\": %d, \"seed\": %llu, \"target_weight\": %g, "
              "\"target_classifier\": %s, \"seconds_per_epoch\": %.3f, "
              "\"shapes\": %s, \"shapes_floor\": %s, \"trends\": %s, \"trends_real\": %s, \"trends_real_floor\": %s, "
              "\"exact_copies\": %zu",
              B::name, epochs, (unsigned long long)seed, target_weight, synth.target_classifier() ? "true" : "false",
              synth.fit_seconds() / std::max(1, epochs), num(report.shapes_mean).c_str(),
              num(report.shapes_floor).c_str(), num(report.trends_mean).c_str(), num(report.trends_real_mean).c_str(),
              num(report.trends_real_floor).c_str(), report.privacy.exact_copies);
  for (const tab::EfficacyModel& m : report.efficacy.models)
    std::printf(", \"%s\": {\"auc_real\": %s, \"auc_synthetic\": %s}", m.model.c_str(), num(m.real.auc).c_str(),
                num(m.synthetic.auc).c_str());
  std::printf("}\n");
  return 0;
}
