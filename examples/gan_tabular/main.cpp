// gan-tabular: synthetic tables from a CSV file with the CTGAN-class synthesizer
// (gan/tabular.hpp). Subcommands:
//
//   gan-tabular fit data.csv -o model.gan --epochs 300      # train; checkpoints every 10 epochs
//   gan-tabular sample model.gan -n 10000 -o synthetic.csv --where income=>50K
//   gan-tabular report data.csv synthetic.csv --target income --test test.csv
//   gan-tabular augment data.csv --target income -o balanced.csv
//
// Every command prints its figures as one JSON line, the last line on stdout. Output files are
// written atomically: they appear whole or not at all. Exit codes: 0 done, 1 an error (the message
// names the file, column or value), 2 bad usage or the report library missing, 130 fit stopped
// by Ctrl-C (after saving the model of the last finished epoch). docs/tabular.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#if defined(GAN_WITH_GPU)
#include <gan/gan_gpu.hpp>
#endif
#include <gan/tabular.hpp>
#if __has_include(<gan/metrics/tabular_report.hpp>)
#include <gan/metrics/tabular_report.hpp>
#define GAN_TABULAR_HAS_REPORT 1
#endif

namespace {

using namespace gan::tabular;
// --backend: the synthesizer on gan::Cpu, or on gan::Gpu in the CUDA build (gan-tabular-cuda).
// Model files are the same on both.
std::string g_backend = "cpu";
using json = nlohmann::ordered_json;  // keys in the order written

// --- Options shared by the subcommands --------------------------------------------------------

struct ReadArgs {
  std::string schema;                 // --schema: a schema file (docs/data.md)
  std::vector<std::string> discrete;  // --discrete: columns forced categorical
  std::string sep = ",";              // --sep
};

struct FitArgs {
  ReadArgs read;
  int epochs = 300;
  long batch = 500, pac = 10;
  std::uint64_t seed = 0;
  std::string target;  // fit --target, or augment's target
  bool no_target_classifier = false;
  double target_weight = SynthesizerOptions{}.target_weight;
  bool quiet = false;
};

void add_read_options(CLI::App* c, ReadArgs& a) {
  c->add_option("--schema", a.schema, "schema file (column,type,min,max,decimals) fixing column types");
  c->add_option("--discrete", a.discrete, "columns to treat as categorical, e.g. --discrete zip,code")
      ->delimiter(',')
      ->expected(1)
      ->take_all();
  c->add_option("--sep", a.sep, "field separator: one character, or 'tab'")->capture_default_str();
}

void add_fit_options(CLI::App* c, FitArgs& a) {
  c->add_option("--epochs", a.epochs, "passes over the table")->capture_default_str()->check(CLI::NonNegativeNumber);
  c->add_option("--batch", a.batch, "rows per step (a multiple of --pac)")->capture_default_str()->check(CLI::PositiveNumber);
  c->add_option("--pac", a.pac, "rows the critic judges together (PacGAN)")->capture_default_str()->check(CLI::PositiveNumber);
  c->add_option("--seed", a.seed, "random seed: the same seed and data give the same model")->capture_default_str();
  c->add_flag("--no-target-classifier", a.no_target_classifier,
              "with a target: keep the generator's target in sampled rows instead of drawing it from a classifier "
              "of the real rows given the other columns");
  c->add_option("--target-weight", a.target_weight,
                "with a target: > 0 adds CTAB-GAN's auxiliary classifier term to the generator's loss at this weight")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  add_read_options(c, a.read);
  c->add_flag("--quiet", a.quiet, "no column summary and no progress line");
}

CsvOptions csv_options(const ReadArgs& a) {
  CsvOptions o;
  if (a.sep == "tab" || a.sep == "\\t") o.separator = '\t';
  else if (a.sep.size() == 1) o.separator = a.sep[0];
  else throw std::invalid_argument("--sep '" + a.sep + "': give one character (',' ';' '|') or 'tab'");
  return o;
}

/// Reads a CSV file with the schema file, if any; --discrete columns become categorical (read,
/// take the schema as read, force the columns, read again).
Table read_table(const std::string& path, const ReadArgs& a) {
  const CsvOptions opt = csv_options(a);
  std::optional<Schema> schema;
  if (!a.schema.empty()) schema = load_schema(a.schema);
  Table t = read_csv(path, opt, schema ? &*schema : nullptr);
  if (!a.discrete.empty()) {
    Schema s = infer_schema(t);
    try {
      force_categorical(s, a.discrete);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--discrete: " + path + ": " + e.what());
    }
    t = read_csv(path, opt, &s);
  }
  if (t.rows() == 0) throw std::invalid_argument(path + ": the file has a header but no rows");
  return t;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Seconds for the JSON line, to the millisecond.
double ms(double s) { return std::round(s * 1000) / 1000; }

std::string percent(double share) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * share);
  return b;
}

std::string number(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// --- The column summary (fit) -------------------------------------------------------------------

/// Categories (the commonest first) or the observed range.
std::string values_of(const Column& c) {
  if (c.categorical()) {
    std::vector<std::size_t> count(c.categories.size());
    for (std::int32_t k : c.codes) ++count[std::size_t(k)];
    std::vector<std::size_t> order(count.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return count[a] > count[b]; });
    std::string s = std::to_string(c.categories.size()) + (c.categories.size() == 1 ? " category: " : " categories: ");
    for (std::size_t i = 0; i < order.size() && i < 3; ++i)
      s += (i ? ", " : "") + c.categories[order[i]] + " " + percent(double(count[order[i]]) / double(c.codes.size()));
    if (order.size() > 3) s += ", ...";
    return s;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (double v : c.numbers)
    if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  std::string s = lo <= hi ? number(lo) + " .. " + number(hi) : "no values";
  if (!std::isnan(c.lo) || !std::isnan(c.hi))
    s += " (clipped to " + (std::isnan(c.lo) ? "min" : number(c.lo)) + " .. " + (std::isnan(c.hi) ? "max" : number(c.hi)) + ")";
  return s;
}

/// Share of missing cells: NaN in a numeric column, a missing marker's text in a categorical one
/// (there it is a category of its own).
double missing_share(const Column& c) {
  if (c.size() == 0) return 0;
  std::size_t n = 0;
  if (c.categorical()) {
    const CsvOptions d;
    std::vector<char> marker(c.categories.size());
    for (std::size_t k = 0; k < marker.size(); ++k)
      marker[k] = std::find(d.missing.begin(), d.missing.end(), c.categories[k]) != d.missing.end();
    for (std::int32_t k : c.codes) n += marker[std::size_t(k)];
  } else {
    for (double v : c.numbers) n += std::isnan(v);
  }
  return double(n) / double(c.size());
}

/// How the transformer encodes a column: its one-hot modes.
std::string modes_of(const ColumnModel& m, const Table& t) {
  if (m.is_derived()) return "derived from " + t.columns[std::size_t(m.source)].name;
  if (m.categorical()) return std::to_string(m.modes()) + " one-hot";
  std::string s = std::to_string(m.means.size()) + (m.means.size() == 1 ? " Gaussian" : " Gaussians");
  if (!m.masses.empty()) {
    s += " + point mass" + std::string(m.masses.size() > 1 ? "es " : " ");
    for (std::size_t k = 0; k < m.masses.size(); ++k) s += (k ? "," : "") + number(m.masses[k]);
  }
  if (m.has_missing) s += " + missing";
  return s;
}

void print_summary(const std::string& path, const Table& t, const DataTransformer& tf) {
  std::size_t w = 6;
  for (const Column& c : t.columns) w = std::max(w, std::min<std::size_t>(c.name.size(), 28));
  std::printf("%s: %zu rows, %zu columns\n", path.c_str(), t.rows(), t.cols());
  std::printf("  %-*s  %-11s  %-7s  %-40s  %s\n", int(w), "column", "kind", "missing", "modes", "values");
  for (std::size_t j = 0; j < t.cols(); ++j) {
    const Column& c = t.columns[j];
    std::printf("  %-*s  %-11s  %-7s  %-40s  %s\n", int(w), c.name.c_str(), kind_name(c.kind),
                percent(missing_share(c)).c_str(), modes_of(tf.model(j), t).c_str(), values_of(c).c_str());
  }
  std::printf("encoded row: %ld values\n", long(tf.width()));
  std::fflush(stdout);
}

// --- fit ------------------------------------------------------------------------------------------

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_sigint(int) {
  g_stop = 1;
  static const char msg[] = "\ngan-tabular: Ctrl-C: stopping at the end of this epoch, after saving it (Ctrl-C again quits at once)\n";
  [[maybe_unused]] auto r = write(2, msg, sizeof msg - 1);
}

/// SIGINT sets g_stop while alive (once: a second Ctrl-C has the default effect).
struct InterruptGuard {
  struct sigaction old {};
  InterruptGuard() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, &old);
  }
  ~InterruptGuard() { sigaction(SIGINT, &old, nullptr); }
};

/// Thrown from the epoch callback to leave fit() after a Ctrl-C.
struct Interrupted {
  int epoch;
};

struct FitResult {
  int epochs = 0;
  double seconds = 0;
  bool interrupted = false;
};

/// Trains `synth` on `t`. With a model path, saves it every `every` epochs (0: only at the end),
/// at the end, and at the epoch where Ctrl-C stopped it. With a `summary` name, prints the
/// columns and how the transformer encodes them before training.
template <class Synth>
FitResult train(Synth& synth, const Table& t, const std::string& model, int every, bool quiet,
                const std::string& summary = "") {
  FitResult r;
  int saved = -1;
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<InterruptGuard> guard;
  if (!model.empty()) guard.emplace();
  try {
    synth.prepare(t);
    if (!summary.empty()) print_summary(summary, t, synth.transformer());
    synth.train([&](int e, const auto&) {
      const bool stop = g_stop != 0;
      if (!model.empty() && (stop || e == synth.options().epochs || (every > 0 && e % every == 0))) {
        synth.save(model);
        saved = e;
      }
      if (stop) throw Interrupted{e};
    });
  } catch (const Interrupted& i) {
    if (!quiet && isatty(2)) std::fputc('\n', stderr);  // end the progress line
    r.interrupted = true;
    r.epochs = i.epoch;
    r.seconds = seconds_since(t0);
    return r;
  }
  r.epochs = synth.epochs_done();
  r.seconds = seconds_since(t0);
  if (!model.empty() && saved != r.epochs) synth.save(model);  // --epochs 0
  return r;
}

/// Fails early (before any training) when `path` cannot be created: its folder is missing.
void check_output(const std::string& path, const char* option) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir))
    throw std::invalid_argument(std::string(option) + " " + path + ": the folder '" + dir.string() +
                                "' does not exist (create it first)");
}

SynthesizerOptions synth_options(const FitArgs& a) {
  if (a.batch % a.pac != 0)
    throw std::invalid_argument("--batch " + std::to_string(a.batch) + " is not a multiple of --pac " + std::to_string(a.pac) +
                                " (try --batch " + std::to_string(std::max(1L, a.batch / a.pac) * a.pac) + ")");
  SynthesizerOptions o;
  o.epochs = a.epochs;
  o.batch = gan::index_t(a.batch);
  o.pac = gan::index_t(a.pac);
  o.seed = a.seed;
  o.target = a.target;
  o.target_classifier = !a.no_target_classifier;
  o.target_weight = a.target_weight;
  o.progress = !a.quiet;
  return o;
}

struct FitCmd {
  FitArgs fit;
  std::string data, model, save_schema;
  int checkpoint_every = 10;
};

template <class Synth>
int run_fit(const FitCmd& a) {
  const auto t0 = std::chrono::steady_clock::now();
  check_output(a.model, "-o");
  if (!a.save_schema.empty()) check_output(a.save_schema, "--save-schema");
  const Table t = read_table(a.data, a.fit.read);
  if (!a.save_schema.empty()) save_schema(infer_schema(t), a.save_schema);
  Synth synth(synth_options(a.fit));
  const FitResult r = train(synth, t, a.model, a.checkpoint_every, a.fit.quiet, a.fit.quiet ? "" : a.data);
  json j = {{"command", "fit"},         {"data", a.data},       {"rows", t.rows()},
            {"columns", t.cols()},      {"epochs", r.epochs},   {"seconds", ms(r.seconds)},
            {"seconds_per_epoch", r.epochs ? ms(r.seconds / r.epochs) : 0.0},
            {"model", a.model},         {"target", a.fit.target}, {"target_classifier", synth.target_classifier() != nullptr},
            {"interrupted", r.interrupted},
            {"backend", g_backend},     {"total_seconds", ms(seconds_since(t0))}};
  if (r.interrupted) {
    std::fprintf(stderr, "gan-tabular: interrupted: %s holds the model after epoch %d of %d (sample it, or fit again)\n",
                 a.model.c_str(), r.epochs, a.fit.epochs);
    std::printf("%s\n", j.dump().c_str());
    return 130;
  }
  std::printf("saved %s: %d epoch%s in %.1f s (%.3f s per epoch)\n", a.model.c_str(), r.epochs, r.epochs == 1 ? "" : "s", r.seconds,
              r.epochs ? r.seconds / r.epochs : 0.0);
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

// --- sample ---------------------------------------------------------------------------------------

/// The model at `path`; with a seed, sampling draws from that seed instead of the one saved.
template <class Synth>
Synth load_model(const std::string& path, std::optional<std::uint64_t> seed) {
  Synth s = Synth::load(path);
  if (seed) s.reseed(*seed);
  return s;
}

struct SampleCmd {
  std::string model, out;
  std::size_t rows = 0, max_tries = 0;
  std::vector<std::string> where;
  std::optional<std::uint64_t> seed;
};

template <class Synth>
int run_sample(const SampleCmd& a) {
  const auto t0 = std::chrono::steady_clock::now();
  check_output(a.out, "-o");
  std::vector<Condition> conds;
  for (const std::string& w : a.where) conds.push_back(parse_condition(w));
  Synth synth = load_model<Synth>(a.model, a.seed);
  try {
    RowFilter(synth.schema_table(), conds);  // unknown columns and values, before any work
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--where: model '" + a.model + "': " + e.what());
  }
  const Table t = synth.sample(a.rows, conds, a.max_tries);
  write_csv(a.out, t);
  const double secs = seconds_since(t0);
  const std::string where = conds.empty() ? "" : " where " + RowFilter(synth.schema_table(), conds).str();
  std::printf("wrote %s: %zu rows%s in %.2f s\n", a.out.c_str(), t.rows(), where.c_str(), secs);
  json j = {{"command", "sample"}, {"model", a.model},  {"rows", t.rows()},          {"columns", t.cols()},
            {"where", a.where},    {"output", a.out},   {"seed", a.seed ? *a.seed : synth.options().seed},
            {"backend", g_backend}, {"seconds", ms(secs)}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

// --- report ---------------------------------------------------------------------------------------

struct ReportCmd {
  ReadArgs read;
  std::string real, synthetic, test, target, json_out;
  std::uint64_t seed = 0;
  std::size_t floor_draws = 10;
};

int run_report(const ReportCmd& a) {
#ifdef GAN_TABULAR_HAS_REPORT
  const auto t0 = std::chrono::steady_clock::now();
  if (!a.json_out.empty()) check_output(a.json_out, "--json");
  // One schema for all: REAL's columns as read (or as --schema/--discrete make them).
  const Table real = read_table(a.real, a.read);
  const Schema schema = infer_schema(real);
  const CsvOptions opt = csv_options(a.read);
  const Table synthetic = read_csv(a.synthetic, opt, &schema);
  std::optional<Table> test;
  if (!a.test.empty()) test = read_csv(a.test, opt, &schema);
  ReportOptions ro;
  ro.test = test ? &*test : nullptr;
  ro.target = a.target;
  ro.seed = a.seed;
  ro.floor_draws = a.floor_draws;
  const TabularReport r = tabular_report(real, synthetic, ro);
  const std::string text = to_text(r), js = to_json(r);
  std::fputs(text.c_str(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  if (!a.json_out.empty()) gan::io::atomic_write(a.json_out, js.data(), js.size());
  json j = {{"command", "report"}, {"real", a.real},      {"synthetic", a.synthetic},
            {"test", a.test.empty() ? json(nullptr) : json(a.test)},
            {"target", a.target},  {"real_rows", real.rows()}, {"synthetic_rows", synthetic.rows()},
            {"seconds", ms(seconds_since(t0))}, {"report", json::parse(js)}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
#else
  (void)a;
  std::fprintf(stderr, "gan-tabular: report needs gan/metrics/tabular_report.hpp, which this build does not have "
                       "(update the library and rebuild gan-tabular)\n");
  return 2;
#endif
}

// --- augment --------------------------------------------------------------------------------------

/// Appends the rows of `from` to `to`, column by column by name; categories are matched by their
/// text (new ones are added), so `to` keeps its column order and category texts.
void append_rows(Table& to, const Table& from) {
  for (Column& c : to.columns) {
    const int k = from.find(c.name);
    if (k < 0) throw std::invalid_argument("the synthetic rows have no column '" + c.name + "'");
    const Column& f = from.columns[std::size_t(k)];
    if (f.categorical() != c.categorical())
      throw std::invalid_argument("column '" + c.name + "' is " + kind_name(c.kind) + " in the data but " +
                                  kind_name(f.kind) + " in the model (fit the model with the same --discrete and --schema)");
    if (c.categorical())
      for (std::int32_t code : f.codes) c.push_category(f.categories[std::size_t(code)]);
    else
      c.numbers.insert(c.numbers.end(), f.numbers.begin(), f.numbers.end());
  }
  to.check();
}

/// Rows per category of a categorical column.
std::vector<std::size_t> class_counts(const Column& c) {
  std::vector<std::size_t> n(c.categories.size());
  for (std::int32_t k : c.codes) ++n[std::size_t(k)];
  return n;
}

struct AugmentCmd {
  FitArgs fit;
  std::string data, target, out, model;
  double ratio = 1.0;
  std::size_t max_tries = 0;
};

template <class Synth>
int run_augment(const AugmentCmd& a) {
  const auto t0 = std::chrono::steady_clock::now();
  check_output(a.out, "-o");
  Table t = read_table(a.data, a.fit.read);
  const std::size_t rows_in = t.rows();
  const int jt = t.find(a.target);
  if (jt < 0) {
    std::string all;
    for (const Column& c : t.columns) all += (all.empty() ? "'" : ", '") + c.name + "'";
    throw std::invalid_argument("--target: " + a.data + " has no column '" + a.target + "' (its columns: " + all + ")");
  }
  const auto j = std::size_t(jt);
  if (!t.columns[j].categorical())
    throw std::invalid_argument("--target: column '" + a.target + "' of " + a.data + " is " +
                                kind_name(t.columns[j].kind) + "; augment needs classes (add --discrete '" + a.target +
                                "' to treat its values as classes)");
  const std::vector<std::string> classes = t.columns[j].categories;  // a copy: append_rows may add categories
  const std::vector<std::size_t> before = class_counts(t.columns[j]);
  const std::size_t majority = *std::max_element(before.begin(), before.end());
  const auto goal = std::size_t(std::ceil(a.ratio * double(majority) - 1e-9));

  std::optional<Synth> synth;
  double fit_seconds = 0;
  if (!a.model.empty()) {
    synth.emplace(Synth::load(a.model));
  } else {
    FitArgs fa = a.fit;
    // The model is fitted for this target (its classifier), when it has two classes.
    if (std::count_if(before.begin(), before.end(), [](std::size_t c) { return c > 0; }) >= 2) fa.target = a.target;
    synth.emplace(synth_options(fa));
    if (!a.fit.quiet) std::printf("fitting on %s (%zu rows, %d epochs)\n", a.data.c_str(), rows_in, a.fit.epochs);
    std::fflush(stdout);
    fit_seconds = train(*synth, t, "", 0, a.fit.quiet).seconds;
  }
  json added = json::object();
  std::size_t total_added = 0;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    if (before[k] >= goal) continue;
    const std::size_t need = goal - before[k];
    Condition c;
    c.column = a.target;
    c.value = classes[k];
    append_rows(t, synth->sample(need, {c}, a.max_tries));
    added[classes[k]] = need;
    total_added += need;
  }
  const std::vector<std::size_t> after = class_counts(t.columns[j]);
  write_csv(a.out, t, csv_options(a.fit.read));

  std::printf("class counts of '%s' (goal %zu = %g x the majority's %zu):\n", a.target.c_str(), goal, a.ratio, majority);
  std::size_t w = 5;
  for (const std::string& s : classes) w = std::max(w, s.size());
  std::printf("  %-*s  %8s  %8s\n", int(w), "class", "before", "after");
  json jb = json::object(), ja = json::object();
  for (std::size_t k = 0; k < classes.size(); ++k) {
    std::printf("  %-*s  %8zu  %8zu\n", int(w), classes[k].c_str(), before[k], after[k]);
    jb[classes[k]] = before[k];
    ja[classes[k]] = after[k];
  }
  const double secs = seconds_since(t0);
  std::printf("wrote %s: %zu original + %zu synthetic rows in %.1f s\n", a.out.c_str(), rows_in, total_added, secs);
  json j2 = {{"command", "augment"}, {"data", a.data},     {"target", a.target},   {"ratio", a.ratio},
             {"rows", rows_in},      {"added", total_added}, {"rows_out", t.rows()}, {"before", jb},
             {"after", ja},          {"added_per_class", added}, {"model", a.model.empty() ? json(nullptr) : json(a.model)},
             {"fit_seconds", ms(fit_seconds)}, {"seconds", ms(secs)}, {"output", a.out}, {"backend", g_backend}};
  std::printf("%s\n", j2.dump().c_str());
  return 0;
}

/// fit, sample or augment (whichever was asked) with the synthesizer type Synth.
template <class Synth>
int run_synthesizer_command(const CLI::App* f, const CLI::App* s, const FitCmd& fit, const SampleCmd& sample,
                            const AugmentCmd& aug) {
  if (*f) return run_fit<Synth>(fit);
  if (*s) return run_sample<Synth>(sample);
  return run_augment<Synth>(aug);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gan-tabular: synthetic tables from CSV files (a CTGAN-class GAN). Each command prints its "
               "figures as one JSON line, the last line on stdout; output files appear whole or not at all.\n"
               "Exit codes: 0 done, 1 error, 2 bad usage, 130 fit stopped by Ctrl-C."};
  app.require_subcommand(1);
  app.fallthrough();  // --threads also after the command: 'gan-tabular fit data.csv --threads 2'
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads (default: GAN_NUM_THREADS, else every core this process may use); "
                                       "the results are the same for any count")
      ->check(CLI::Range(1, 1024));
#if defined(GAN_WITH_GPU)
  const char* backend_help = "where fit, sample and augment run: cpu, or gpu (CUDA; model files are the same)";
#else
  const char* backend_help = "where fit, sample and augment run: cpu (gpu needs gan-tabular-cuda, built with -DGAN_CUDA=ON)";
#endif
  app.add_option("--backend", g_backend, backend_help)->capture_default_str()->check(CLI::IsMember({"cpu", "gpu"}));
  app.footer("Examples:\n"
             "  gan-tabular fit data/adult/adult_train.csv -o adult.gan --epochs 300\n"
             "  gan-tabular sample adult.gan -n 10000 -o synthetic.csv --where income=>50K\n"
             "  gan-tabular report data/adult/adult_train.csv synthetic.csv --target income\n"
             "  gan-tabular augment data/adult/adult_train.csv --target income -o balanced.csv --model adult.gan\n"
             "Run 'gan-tabular COMMAND --help' for a command's options; docs/tabular.md has more.");

  FitCmd fit;
  CLI::App* f = app.add_subcommand("fit", "train a synthesizer on a CSV file and save it");
  f->add_option("DATA", fit.data, "the CSV file (header line first)")->required();
  f->add_option("-o,--output", fit.model, "the model file to write (checkpoints too)")->required();
  add_fit_options(f, fit.fit);
  f->add_option("--target", fit.fit.target,
                "a class column that models trained on the synthetic rows will predict: sampled rows draw it from a "
                "classifier of the real rows given their other columns");
  f->add_option("--checkpoint-every", fit.checkpoint_every, "save the model every N epochs (0: only at the end)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  f->add_option("--save-schema", fit.save_schema, "write the column types as read to this schema file");
  f->footer("Ctrl-C stops at the end of the current epoch, saves the model of that epoch and exits with code 130.");

  SampleCmd sample;
  CLI::App* s = app.add_subcommand("sample", "generate rows from a fitted model");
  s->add_option("MODEL", sample.model, "a model written by 'fit'")->required();
  s->add_option("-n,--rows", sample.rows, "how many rows")->required()->check(CLI::PositiveNumber);
  s->add_option("-o,--output", sample.out, "the CSV file to write")->required();
  s->add_option("--where", sample.where, "a condition every row meets: col=value, col!=value, col<x, col<=x, col>x, col>=x (repeatable)")
      ->expected(1)
      ->take_all();
  s->add_option("--seed", sample.seed, "sampling seed (default: the model's fit seed)");
  s->add_option("--max-tries", sample.max_tries, "give up after generating this many rows (default max(100000, 200 n))");

  ReportCmd report;
  CLI::App* r = app.add_subcommand("report", "compare a synthetic table with the real one");
  r->add_option("REAL", report.real, "the real (training) CSV file")->required();
  r->add_option("SYNTHETIC", report.synthetic, "the synthetic CSV file, read with REAL's column types")->required();
  r->add_option("--target", report.target, "a column to predict: train on synthetic, test on real (TSTR)");
  r->add_option("--test", report.test, "held-out real rows for the TSTR test (read with REAL's column types)");
  r->add_option("--json", report.json_out, "also write the full report as JSON to this file");
  r->add_option("--seed", report.seed, "seed of the report's models and subsamples")->capture_default_str();
  r->add_option("--floor-draws", report.floor_draws,
                "draws that estimate the noise floor (the score of rows drawn from REAL itself); 0: none")
      ->capture_default_str();
  add_read_options(r, report.read);

  AugmentCmd aug;
  CLI::App* g = app.add_subcommand("augment", "add synthetic rows of the rarer classes of a target column");
  g->add_option("DATA", aug.data, "the CSV file")->required();
  g->add_option("--target", aug.target, "the class column (categorical)")->required();
  g->add_option("-o,--output", aug.out, "the CSV file to write: the original rows, then the synthetic ones")->required();
  g->add_option("--ratio", aug.ratio, "bring every class to at least RATIO x the majority class's count")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  g->add_option("--model", aug.model, "a model fitted on this data by 'fit' (else one is fitted here, with the fit options below)");
  g->add_option("--max-tries", aug.max_tries, "give up on a class after generating this many rows");
  add_fit_options(g, aug.fit);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (threads > 0) gan::set_num_threads(threads);
    if (*r) return run_report(report);
    if (g_backend == "gpu") {
#if defined(GAN_WITH_GPU)
      if (std::string why; !gan::Gpu::available(&why)) throw std::runtime_error("--backend gpu: " + why);
      return run_synthesizer_command<Synthesizer<gan::Gpu>>(f, s, fit, sample, aug);
#else
      throw std::invalid_argument("--backend gpu: this build has the CPU backend only (gan-tabular-cuda, built with -DGAN_CUDA=ON, has gpu)");
#endif
    }
    return run_synthesizer_command<Synthesizer<gan::Cpu>>(f, s, fit, sample, aug);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gan-tabular: %s\n", e.what());
    return 1;
  }
}
