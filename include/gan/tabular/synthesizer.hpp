// gan/tabular/synthesizer.hpp: a CTGAN-class synthesizer of mixed-type tables (Xu et al. 2019).
//
//   gan::tabular::Synthesizer synth({.epochs = 300, .seed = 1});
//   synth.fit(table);                                   // transformer + WGAN-GP training
//   Table rows = synth.sample(10000);                   // rows that follow the real frequencies
//   Table rare = synth.sample(500, {parse_condition("income=>50K"), parse_condition("age>=50")});
//   synth.save("model.gan");  auto back = Synthesizer::load("model.gan");
//   synth.prepare(table);  synth.train_step();          // fit() = prepare + epochs x rows/batch steps
//
// The networks are CTGAN's:
//   G: [z (128), condition] -> SkipConcat(Dense 256, BatchNorm, ReLU) x 2 -> Dense(width) -> heads
//      (tanh on each mode scalar, Gumbel-softmax with temperature tau on each one-hot)
//   D: pac rows side by side with their conditions -> (Dense 256, LeakyReLU 0.2, Dropout 0.5) x 2 -> Dense 1
// trained by WGAN-GP (lambda 10) with Adam(2e-4, 0.5, 0.9), training-by-sampling for the
// condition, and the cross-entropy between the condition and the generator's logits of the
// conditioned column added to the generator's loss. An epoch is rows / batch steps.
//
// With a target column (options().target), each sampled row's target is drawn from a classifier
// of the real rows given the row's other columns (target_classifier.hpp); with target_weight > 0
// the generator also learns with CTAB-GAN's auxiliary classifier term.
//
// Sampling with conditions returns exactly what was asked: the generator is conditioned on the
// rarest requested category, and rows that do not meet every condition are rejected. A condition
// the generator cannot meet within `max_tries` generated rows throws, saying how many matched.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../backend/eigen/cpu.hpp"
#include "../core/sequential.hpp"
#include "../core/small_array.hpp"
#include "../io/serialize.hpp"
#include "../layers/activations.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/chain.hpp"
#include "../layers/concat.hpp"
#include "../layers/dense.hpp"
#include "../layers/dropout.hpp"
#include "../layers/skip_concat.hpp"
#include "../layers/span_heads.hpp"
#include "../losses/auxiliary_classifier.hpp"
#include "../losses/gradient_penalty.hpp"
#include "../losses/objective.hpp"
#include "../losses/wasserstein.hpp"
#include "../optim/adam.hpp"
#include "../train/progress.hpp"
#include "../train/trainer.hpp"
#include "condition.hpp"
#include "filter.hpp"
#include "target_classifier.hpp"
#include "transformer.hpp"

namespace gan::tabular {

namespace detail {
/// out(r, s) = spans[s].read(row r of y), one thread per row and span.
template <class T, class B>
void read_spans(const Tensor<T, B>& y, const std::vector<OutputSpan>& spans, Tensor<T, B>& out) {
  const index_t m = y.rows(), ns = index_t(spans.size()), w = y.cols();
  out.resize(m, Shape::flat(ns));
  const T* yp = y.data();
  T* rp = out.data();
  for_each_row_record<B>(m, spans, [=] GAN_HD(index_t r, index_t s, const OutputSpan& sp) {
    rp[r * ns + s] = sp.read(yp + r * w);
  });
}

/// The encoded rows (rows, width) whose spans read as `read` (read_spans' inverse): a scalar
/// span holds its read, a one-hot span the one-hot of its read index.
template <class T, class B>
void encode_reads(const Tensor<T, B>& read, const std::vector<OutputSpan>& spans, index_t width, Tensor<T, B>& out) {
  const index_t m = read.rows(), ns = read.cols();
  out.resize(m, Shape::flat(width));
  const T* rp = read.data();
  T* op = out.data();
  for_each_row_record<B>(m, spans, [=] GAN_HD(index_t r, index_t s, const OutputSpan& sp) {
    const T v = rp[r * ns + s];
    T* o = op + r * width + sp.start;
    if (sp.kind == OutputSpan::Scalar) o[0] = v;
    else
      for (index_t j = 0; j < sp.width; ++j) o[j] = j == index_t(v) ? T(1) : T(0);
  });
}
}  // namespace detail

struct SynthesizerOptions {
  int epochs = 300;               // passes over the table (rows / batch steps each)
  index_t batch = 500;            // a multiple of pac
  index_t pac = 10;               // PacGAN group of the critic
  std::uint64_t seed = 0;
  double g_lr = 2e-4, d_lr = 2e-4;
  int n_critic = 1;
  double gp_lambda = 10;          // WGAN-GP weight
  double tau = 0.2;               // Gumbel-softmax temperature
  double ce_weight = 1;           // weight of the conditional cross-entropy
  double ema_decay = 0.999;       // > 0: sample from (and save) an EMA of the generator's weights; 0: the last one
  std::string target;             // a categorical column that downstream models will predict; empty: none
  bool target_classifier = true;  // with a target: draw it in sampled rows from a classifier of the real rows,
                                  // p(target | the other columns) (target_classifier.hpp); false: the generator's
  double target_weight = 0;       // with a target: > 0 adds CTAB-GAN's auxiliary classifier term to the
                                  // generator's loss at this weight (losses/auxiliary_classifier.hpp)
  bool progress = true;           // a progress line on stderr
  TransformerOptions transformer;
};

template <class B = Cpu, class T = float>
class Synthesizer {
 public:
  static constexpr char magic[8] = {'G', 'A', 'N', 'T', 'A', 'B', 'L', '\0'};
  static constexpr std::uint32_t format_version = 4;  // 2: one-hot entries of categorical columns; 3: derived
                                                      // columns; 4: the target and its classifier
  static constexpr index_t z_dim = 128;
  using Generator = Sequential<Input<z_dim>, Concat<Dynamic>,                    // (n, 128 + cond)
                               SkipConcat<Chain<Dense<256>, BatchNorm, ReLU>>,   // (n, 256 + 128 + cond)
                               SkipConcat<Chain<Dense<256>, BatchNorm, ReLU>>,   // (n, 512 + 128 + cond)
                               Dense<Dynamic>, SpanHeads>;                       // (n, width)
  using Critic = Sequential<Input<Dynamic>, Concat<Dynamic>,                     // (n/pac, pac (width + cond))
                            Dense<256>, LeakyReLU<0.2f>, Dropout<0.5f>,
                            Dense<256>, LeakyReLU<0.2f>, Dropout<0.5f>, Dense<1>>;
  using GNet = Network<Generator, B, T>;
  using DNet = Network<Critic, B, T>;
  using Obj = Objective<Wasserstein, GradientPenalty>;
  using Tn = Tensor<T, B>;
  using Losses = StepLosses<T>;
  /// Called after every epoch with its 1-based number and the last step's losses.
  using EpochCallback = std::function<void(int epoch, const Losses&)>;

  explicit Synthesizer(SynthesizerOptions opt = {}) : opt_(opt), sample_rng_(opt.seed, streams::sampling) {
    if (!(opt.target_weight >= 0))
      throw std::invalid_argument("tabular::Synthesizer: target_weight must be >= 0 (0: no auxiliary classifier)");
    if (opt.epochs < 0 || opt.batch <= 0 || opt.pac <= 0 || opt.batch % opt.pac != 0)
      throw std::invalid_argument("tabular::Synthesizer: need epochs >= 0, batch > 0, pac > 0 and batch a multiple of pac (batch " +
                                  std::to_string(opt.batch) + ", pac " + std::to_string(opt.pac) + ")");
  }

  /// Fits the transformer and trains the networks on `table`: prepare(table), then
  /// epochs x steps_per_epoch() train_step()s.
  void fit(const Table& table, EpochCallback on_epoch = {}) {
    prepare(table);
    train(std::move(on_epoch));
  }

  /// The epochs of fit() after prepare(): options().epochs x steps_per_epoch() steps.
  void train(EpochCallback on_epoch = {}) {
    if (!trainer_) throw std::logic_error("tabular::Synthesizer::train: prepare() first");
    const long steps = steps_per_epoch_;
    Progress bar(long(opt_.epochs) * steps);
    const auto start = std::chrono::steady_clock::now();
    for (int e = 1; e <= opt_.epochs; ++e) {
      Losses last;
      for (long s = 1; s <= steps; ++s) {
        last = train_step();
        if (opt_.progress) bar.update((e - 1) * steps + s, double(last.d_loss + last.penalty), double(last.g_loss + last.g_extra));
      }
      epochs_done_ = e;
      if (on_epoch) on_epoch(e, last);
    }
    fit_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  /// What fit() does before its first step: fits the transformer, encodes `table`, builds the
  /// condition sampler, the networks and the trainer. train_step() can then be called directly
  /// (a custom loop, a benchmark); fit() is prepare() followed by its steps.
  void prepare(const Table& table) {
    table.check();
    if (table.rows() < std::size_t(opt_.pac))
      throw std::invalid_argument("tabular::Synthesizer::fit: the table has " + std::to_string(table.rows()) +
                                  " rows, fewer than pac = " + std::to_string(opt_.pac));
    if (!opt_.target.empty()) check_target(table);  // before any work
    like_ = empty_like(table);
    tf_.fit(table, opt_.transformer);
    const auto [target_col, target_classes] = opt_.target.empty() ? std::pair<std::size_t, index_t>{0, 0} : target_column();
    Rng rng(opt_.seed, 0x7461626c65ull);  // "table"
    tf_.encode(table, rng);
    cond_ = ConditionSampler(tf_);
    build_networks(rng);
    trainer_ = std::make_unique<TrainerT>(*g_, *d_, Obj{Wasserstein{}, GradientPenalty{.lambda = opt_.gp_lambda}},
                                          Adam(opt_.g_lr, 0.5, 0.9), Adam(opt_.d_lr, 0.5, 0.9),
                                          TrainerOptions{.batch = batch(table.rows()), .n_critic = opt_.n_critic,
                                                         .pac = opt_.pac, .seed = opt_.seed, .ema_decay = opt_.ema_decay});
    SpanCrossEntropy ce{.spans = cond_.cross_entropy_spans(), .weight = opt_.ce_weight};
    if (!cond_.empty())
      trainer_->add_generator_term([&heads = heads_layer(), ce](const Tn&, const Tn* c, Tn&) {
        return ce(heads.logits(), c, heads.logit_grad());  // on the logits, as CTGAN does
      });
    aux_.reset();
    if (!opt_.target.empty() && opt_.target_weight > 0) {
      Rng aux_init = rng.split(2);
      aux_ = std::make_unique<Aux>(aux_init, tf_.width(), tf_.offset(target_col), target_classes, opt_.target_weight,
                                   opt_.d_lr);
      trainer_->add_generator_term([&aux = *aux_](const Tn& fake, const Tn* c, Tn& dfake) { return aux(fake, c, dfake); });
    }
    target_clf_.reset();
    if (!opt_.target.empty() && opt_.target_classifier) {
      Rng clf_init = rng.split(3);
      auto clf = make_target_classifier(clf_init, target_col, target_classes);
      const double loss = clf->fit(tf_, rng.split(4));  // kept only once fitted (fit() may throw)
      target_clf_ = std::move(clf);
      if (opt_.progress)
        std::fprintf(stderr, "target classifier of '%s': %d epochs, held-out cross-entropy %.4f\n", opt_.target.c_str(),
                     target_clf_->epochs(), loss);
    }
    steps_per_epoch_ = std::max<long>(1, long(table.rows()) / long(trainer_->options().batch));
  }

  /// One training step after prepare() (or fit()): n_critic critic updates on a batch drawn by
  /// training-by-sampling, then one generator update. Returns its losses.
  Losses train_step() {
    if (!trainer_) throw std::logic_error("tabular::Synthesizer::train_step: prepare() or fit() first");
    const index_t n = trainer_->options().batch;
    return trainer_->step([this, n](Tn& x, Tn& c, Rng& r) {
      host_c_.resize(std::size_t(n * cond_.width()));
      host_x_.resize(std::size_t(n * tf_.width()));
      cond_.sample_training(n, r, host_c_.data(), rows_);
      tf_.encode_rows(rows_, host_x_.data());
      x.from_host(host_x_.data(), n, tf_.width());
      c.from_host(host_c_.data(), n, cond_.width());
      if (aux_) aux_->train_on(x);  // the auxiliary classifier learns from the same real rows
    });
  }

  /// Steps in one epoch of the prepared table: rows / batch (at least 1); 0 before prepare().
  long steps_per_epoch() const { return steps_per_epoch_; }

  /// n rows whose categories follow the real frequencies.
  Table sample(std::size_t n) { return sample(n, {}); }

  /// n rows that meet every condition (see filter.hpp for the forms: col=value, col>=x, ...).
  Table sample(std::size_t n, const std::vector<Condition>& conditions, std::size_t max_tries = 0) {
    require_fitted("sample");
    const RowFilter filter(like_, conditions);
    // Condition the generator on the rarest requested category, when there is one.
    int col = -1;
    index_t cat = -1;
    double best = 2;
    for (const auto& [j, code] : filter.categories()) {
      if (tf_.model(j).is_derived()) continue;  // met through its source, by rejection
      const index_t k = tf_.model(j).slot_of[std::size_t(code)];  // its one-hot entry
      if (cond_.frequency(j, k) < best) best = cond_.frequency(j, k), col = int(j), cat = k;
    }
    if (max_tries == 0) max_tries = std::max<std::size_t>(100000, 200 * n);
    Table out = empty_like(like_);
    std::size_t made = 0;
    while (out.rows() < n) {
      if (made >= max_tries)
        throw std::runtime_error("tabular::Synthesizer::sample: " + std::to_string(out.rows()) + " of " + std::to_string(made) +
                                 " generated rows met " + filter.str() + ", fewer than the " + std::to_string(n) +
                                 " asked for: the condition is too rare for this model (give a larger max_tries or fewer rows)");
      // Chunks of at most ~4M generated values, so that wide tables do not need gigabytes.
      const std::size_t chunk = std::clamp<std::size_t>(std::size_t(1 << 22) / std::size_t(tf_.width()), 256, 20000);
      // Without conditions every row is kept: generate exactly what is missing. With conditions,
      // twice that (at least 1024), since some rows are rejected.
      const std::size_t missing = n - out.rows();
      const index_t m = index_t(std::min(conditions.empty() ? missing : std::max<std::size_t>(2 * missing, 1024), chunk));
      const Table got = generate(m, col, cat);
      made += std::size_t(m);
      filter.append_matching(got, out, n);
    }
    return out;
  }

  /// Saves the schema, the transformer and the generator to `path` (atomically). The format:
  ///   "GANTABL\0", u32 version, u32 bytes per value, the options, the columns (name, kind,
  ///   decimals, range, categories and counts or modes), the generator's tensors (a count, then
  ///   name, rows, cols, values of each), the target's name (empty: none), a byte saying whether
  ///   the target classifier follows and its tensors, and an FNV-1a checksum of everything before.
  void save(const std::string& path) {
    require_fitted("save");
    io::Writer w;
    w.put_bytes(magic, 8);
    w.put(format_version);
    w.put(std::uint32_t(sizeof(T)));
    w.put(std::int32_t(epochs_done_));
    w.put(std::int64_t(opt_.batch));
    w.put(std::int64_t(opt_.pac));
    w.put(opt_.tau);
    w.put(opt_.seed);
    w.put(std::uint32_t(like_.cols()));
    auto put_doubles = [&](const std::vector<double>& v) {
      w.put(std::uint32_t(v.size()));
      w.put_bytes(v.data(), v.size() * sizeof(double));
    };
    for (std::size_t j = 0; j < like_.cols(); ++j) {
      const Column& c = like_.columns[j];
      const ColumnModel& m = tf_.model(j);
      w.put_string(c.name);
      w.put(std::uint8_t(c.kind));
      w.put(std::int32_t(c.decimals));
      w.put(c.lo);
      w.put(c.hi);
      if (m.categorical()) {
        w.put(std::uint32_t(m.categories.size()));
        for (const std::string& k : m.categories) w.put_string(k);
        put_doubles(m.counts);
        w.put(std::int64_t(m.slots));
      }
      w.put(std::int32_t(m.source));
      put_doubles(m.derived);
      if (!m.categorical()) {
        w.put(std::uint8_t(m.has_missing));
        w.put(m.lo);
        w.put(m.hi);
        put_doubles(m.masses);
        put_doubles(m.means);
        put_doubles(m.stds);
        put_doubles(m.weights);
      }
    }
    put_tensors(w, sampling_net());
    w.put_string(opt_.target);
    w.put(std::uint8_t(target_clf_ != nullptr));
    if (target_clf_) put_tensors(w, target_clf_->network());
    w.put(io::fnv1a(w.bytes().data(), w.bytes().size()));
    io::atomic_write(path, w.bytes().data(), w.bytes().size());
  }

  /// Loads a synthesizer saved by save(). Reads and checks the whole file first; a file that is
  /// not a synthesizer, truncated, corrupted or inconsistent throws gan::FormatError naming it.
  static Synthesizer load(const std::string& path) {
    const std::vector<unsigned char> bytes = io::read_file(path);
    const std::string what = "synthesizer '" + path + "'";
    if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 8) != 0)
      throw FormatError(what + ": not a gan tabular model (bad magic number)");
    if (bytes.size() < 8 + 8 + 8) throw FormatError(what + ": truncated");
    std::uint64_t sum;
    std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
    if (io::fnv1a(bytes.data(), bytes.size() - 8) != sum)
      throw FormatError(what + ": checksum mismatch (the file is truncated or corrupted)");
    io::Reader r(bytes.data(), bytes.size() - 8, what);
    r.get_bytes(8);
    if (const auto v = r.get<std::uint32_t>(); v != format_version)
      throw FormatError(what + ": format version " + std::to_string(v) + ", this library reads version " +
                        std::to_string(format_version) + " only");
    if (const auto sz = r.get<std::uint32_t>(); sz != sizeof(T))
      throw FormatError(what + ": stores " + std::to_string(sz) + "-byte values, this synthesizer uses " + std::to_string(sizeof(T)));
    SynthesizerOptions opt;
    const int epochs = r.get<std::int32_t>();
    opt.batch = index_t(r.get<std::int64_t>());
    opt.pac = index_t(r.get<std::int64_t>());
    opt.tau = r.get<double>();
    opt.seed = r.get<std::uint64_t>();
    if (opt.batch <= 0 || opt.pac <= 0 || opt.batch % opt.pac || !(opt.tau > 0)) r.fail("invalid options");
    opt.progress = false;
    Synthesizer s(opt);
    s.epochs_done_ = epochs;
    const auto cols = r.get<std::uint32_t>();
    if (cols == 0 || cols > 100000) r.fail("a table of " + std::to_string(cols) + " columns");
    auto get_doubles = [&](std::size_t max) {
      const auto n = r.get<std::uint32_t>();
      if (n > max) r.fail("a list of " + std::to_string(n) + " numbers");
      std::vector<double> v(n);
      if (n) std::memcpy(v.data(), r.get_bytes(n * sizeof(double)), n * sizeof(double));
      return v;
    };
    std::vector<ColumnModel> models;
    for (std::uint32_t j = 0; j < cols; ++j) {
      Column c;
      ColumnModel m;
      c.name = m.name = r.get_string(1 << 16);
      const auto kind = r.get<std::uint8_t>();
      if (kind > 2) r.fail("column '" + c.name + "' has kind " + std::to_string(kind));
      c.kind = m.kind = ColumnKind(kind);
      c.decimals = r.get<std::int32_t>();
      c.lo = r.get<double>();
      c.hi = r.get<double>();
      if (m.categorical()) {
        const auto k = r.get<std::uint32_t>();
        if (k == 0 || k > (1u << 24)) r.fail("column '" + c.name + "' has " + std::to_string(k) + " categories");
        for (std::uint32_t i = 0; i < k; ++i) m.categories.push_back(r.get_string(1 << 20));
        m.counts = get_doubles(k);
        if (m.counts.size() != k) r.fail("column '" + c.name + "': category counts do not match its categories");
        m.slots = index_t(r.get<std::int64_t>());
        if (m.slots < 1 || m.slots > index_t(k)) r.fail("column '" + c.name + "' has " + std::to_string(m.slots) + " one-hot entries");
        c.categories = m.categories;
      }
      m.source = r.get<std::int32_t>();
      m.derived = get_doubles(1u << 24);
      if (m.source >= int(cols) || m.source == int(j) || (m.source >= 0) != !m.derived.empty())
        r.fail("column '" + c.name + "' is derived from column " + std::to_string(m.source) + " of " + std::to_string(cols));
      for (double v : m.derived)
        if (m.categorical() && !(v >= 0 && v < double(m.categories.size()) && v == std::floor(v)))
          r.fail("column '" + c.name + "' maps a category to " + std::to_string(v));
      if (!m.categorical()) {
        m.has_missing = r.get<std::uint8_t>() != 0;
        m.lo = r.get<double>();
        m.hi = r.get<double>();
        m.masses = get_doubles(1024);
        m.means = get_doubles(64);
        m.stds = get_doubles(64);
        m.weights = get_doubles(64);
        if (m.stds.size() != m.means.size() || m.weights.size() != m.means.size() ||
            m.masses.size() + m.means.size() + m.has_missing == 0 || !(m.lo <= m.hi))
          r.fail("column '" + c.name + "' has an inconsistent model");
        for (double sd : m.stds)
          if (!(sd > 0)) r.fail("column '" + c.name + "' has a non-positive standard deviation");
      }
      s.like_.columns.push_back(std::move(c));
      models.push_back(std::move(m));
    }
    for (const ColumnModel& m : models)
      if (m.is_derived() && (!models[std::size_t(m.source)].categorical() || models[std::size_t(m.source)].is_derived() ||
                             m.derived.size() != models[std::size_t(m.source)].categories.size()))
        r.fail("column '" + m.name + "' is derived from '" + models[std::size_t(m.source)].name +
               "', which is not a categorical column of " + std::to_string(m.derived.size()) + " categories");
    s.tf_.set_models(std::move(models));
    s.cond_ = ConditionSampler(s.tf_);
    Rng init(opt.seed);
    s.g_ = std::make_unique<GNet>(init, std::initializer_list<index_t>{s.cond_.width(), s.tf_.width()});
    s.configure_heads();
    get_tensors(r, *s.g_, "the generator");
    s.opt_.target = r.get_string(1 << 16);
    const auto has_clf = r.get<std::uint8_t>();
    if (has_clf > 1 || (has_clf && s.opt_.target.empty())) r.fail("a target classifier without a target");
    s.opt_.target_classifier = has_clf == 1;
    if (!s.opt_.target.empty()) {
      const int j = s.like_.find(s.opt_.target);
      if (j < 0 || !s.like_.columns[std::size_t(j)].categorical())
        r.fail("the target '" + s.opt_.target + "' is not one of its categorical columns");
      std::pair<std::size_t, index_t> col;
      try {
        col = s.target_column();
      } catch (const std::invalid_argument& e) {
        r.fail(e.what());
      }
      if (has_clf) {
        s.target_clf_ = s.make_target_classifier(init, col.first, col.second);
        get_tensors(r, s.target_clf_->network(), "the target classifier");
      }
    }
    if (r.left() != 0) r.fail(std::to_string(r.left()) + " unexpected bytes");
    return s;
  }

  /// Restarts the sampling draws from `seed` (sample() after reseed(s) gives the same rows as
  /// a freshly loaded model reseeded with s).
  void reseed(std::uint64_t seed) { sample_rng_ = Rng(seed, streams::sampling); }

  const DataTransformer& transformer() const { return tf_; }
  const ConditionSampler& conditions() const { return cond_; }
  const SynthesizerOptions& options() const { return opt_; }
  const Table& schema_table() const { return like_; }
  int epochs_done() const { return epochs_done_; }
  double fit_seconds() const { return fit_seconds_; }
  bool fitted() const { return g_ != nullptr; }
  GNet& generator() { return *g_; }
  /// The classifier that draws the target of sampled rows; null without a target or with
  /// options().target_classifier off.
  TargetClassifier<B, T>* target_classifier() { return target_clf_.get(); }

 private:
  using TrainerT = Trainer<GNet, DNet, Obj, Adam, Adam>;
  using Aux = AuxiliaryClassifier<B, T>;

  // An error unless options().target names a categorical column of `table` with two classes or more.
  void check_target(const Table& table) const {
    std::size_t j;
    try {
      j = table.index_of(opt_.target);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("tabular::Synthesizer: the target: " + std::string(e.what()));
    }
    const Column& c = table.columns[j];
    if (!c.categorical())
      throw std::invalid_argument("tabular::Synthesizer: the target '" + opt_.target +
                                  "' is not categorical; a target is a class column (declare it discrete)");
    std::vector<bool> seen(c.categories.size());
    std::size_t classes = 0;
    for (const auto code : c.codes)
      if (!seen[std::size_t(code)]) seen[std::size_t(code)] = true, ++classes;
    if (classes < 2)
      throw std::invalid_argument("tabular::Synthesizer: the target '" + opt_.target + "' has " +
                                  (classes ? "one class ('" + c.categories[std::size_t(c.codes.front())] + "')" : std::string("no rows")) +
                                  " in the data; a target needs at least 2");
  }
  // The encoded column (and its one-hot width) of options().target, after the transformer's fit:
  // the target itself, or its source when it is derived from another column.
  std::pair<std::size_t, index_t> target_column() const {
    const int j = like_.find(opt_.target);
    const ColumnModel& own = tf_.model(std::size_t(j));
    const std::size_t col = own.is_derived() ? std::size_t(own.source) : std::size_t(j);
    const ColumnModel& m = tf_.model(col);
    if (!m.categorical() || m.modes() < 2)
      throw std::invalid_argument("tabular::Synthesizer: the target '" + opt_.target + "' is encoded in " +
                                  std::to_string(m.modes()) + " one-hot entries; a target needs at least 2");
    return {col, m.modes()};
  }

  // A classifier of encoded column `col`.
  std::unique_ptr<TargetClassifier<B, T>> make_target_classifier(Rng& init, std::size_t col, index_t classes) const {
    return std::make_unique<TargetClassifier<B, T>>(init, tf_.width(), tf_.offset(col), classes);
  }

  template <class Net>
  static void put_tensors(io::Writer& w, Net& net) {
    std::vector<std::pair<std::string, Tn*>> tensors;
    net.visit_named([&](const std::string& name, Tn& t) { tensors.emplace_back(name, &t); });
    w.put(std::uint32_t(tensors.size()));
    for (auto& [name, t] : tensors) {
      w.put_string(name);
      w.put(std::uint64_t(t->rows()));
      w.put(std::uint64_t(t->cols()));
      const std::vector<T> h = t->to_host();
      w.put_bytes(h.data(), h.size() * sizeof(T));
    }
  }
  // Reads put_tensors' record into `net`, whose shapes must match.
  template <class Net>
  static void get_tensors(io::Reader& r, Net& net, const std::string& what) {
    std::vector<std::pair<std::string, Tn*>> tensors;
    net.visit_named([&](const std::string& name, Tn& t) { tensors.emplace_back(name, &t); });
    const auto n = r.get<std::uint32_t>();
    if (n != tensors.size())
      r.fail(what + " has " + std::to_string(n) + " tensors, the columns make one with " + std::to_string(tensors.size()));
    for (auto& [name, t] : tensors) {
      const std::string got = r.get_string();
      const auto rows = r.get<std::uint64_t>(), cols = r.get<std::uint64_t>();
      if (got != name || rows != std::uint64_t(t->rows()) || cols != std::uint64_t(t->cols()))
        r.fail(what + ": tensor '" + got + "' (" + std::to_string(rows) + " x " + std::to_string(cols) + ") where '" + name +
               "' (" + std::to_string(t->rows()) + " x " + std::to_string(t->cols()) + ") was expected");
      std::vector<T> h(std::size_t(rows * cols));
      std::memcpy(h.data(), r.get_bytes(h.size() * sizeof(T)), h.size() * sizeof(T));
      t->from_host(h, t->rows(), t->shape());
    }
  }

  index_t batch(std::size_t rows) const {
    // A table smaller than the batch trains on batches of its size, rounded down to pac.
    index_t b = std::min<index_t>(opt_.batch, index_t(rows));
    return std::max<index_t>(opt_.pac, b / opt_.pac * opt_.pac);
  }

  void build_networks(Rng& rng) {
    Rng init = rng.split(1);
    g_ = std::make_unique<GNet>(init, std::initializer_list<index_t>{cond_.width(), tf_.width()});
    d_ = std::make_unique<DNet>(init, std::initializer_list<index_t>{opt_.pac * tf_.width(), opt_.pac * cond_.width()});
    configure_heads();
  }
  void configure_heads() {
    std::vector<HeadSpan> spans;
    for (const OutputSpan& s : tf_.spans())
      spans.push_back({s.kind == OutputSpan::Scalar ? HeadSpan::Tanh : HeadSpan::GumbelSoftmax, s.start, s.width});
    heads_layer().set_spans(spans, T(opt_.tau));
  }
  auto& heads_layer() { return g_->template layer<GNet::depth - 1>(); }
  // The generator that samples: the EMA of the weights when there is one.
  GNet& sampling_net() { return trainer_ && trainer_->ema() ? trainer_->ema()->network() : *g_; }

  void require_fitted(const char* what) const {
    if (!g_) throw std::logic_error(std::string("tabular::Synthesizer::") + what + ": fit() or load() first");
  }

  // m rows from the generator in eval mode, conditioned on (col, cat) or on real frequencies.
  Table generate(index_t m, int col, index_t cat) {
    host_c_.resize(std::size_t(m * cond_.width()));
    if (col >= 0) cond_.fixed(m, std::size_t(col), cat, host_c_.data());
    else cond_.sample_original(m, sample_rng_, host_c_.data());
    zc_.from_host(host_c_.data(), m, cond_.width());
    z_.resize(m, Shape::flat(z_dim));
    ops::fill_normal(z_, sample_rng_);
    // The Gumbel noise of the heads comes from the sampling generator too, so a loaded model
    // samples the same rows as the one that was saved.
    GNet& g = sampling_net();
    g.noise_rng() = Rng(opt_.seed, sample_rng_.below(1ull << 62));
    const bool was = g.training();
    g.eval();
    const Tn& y = g.forward(z_, &zc_);
    g.train(was);
    // Each span read where the rows were made; only the reads (a mode or category index, or a
    // scalar) come back: ~10x fewer values than the rows.
    detail::read_spans(y, tf_.spans(), read_);
    std::vector<T> h = read_.to_host();
    if (target_clf_) {
      // The target drawn from p(target | the row's other columns). The classifier learnt on real
      // rows as encode() writes them, so it sees each generated row encoded that way too: every
      // numeric cell's value, its mode drawn again from the posterior.
      const std::size_t ns = tf_.spans().size();
      reencoded_ = h;
      tf_.reencode_reads(reencoded_.data(), m, sample_rng_);
      read_.from_host(reencoded_, m, index_t(ns));
      detail::encode_reads(read_, tf_.spans(), tf_.width(), encoded_);
      target_clf_->draw(encoded_, sample_rng_, drawn_);
      std::size_t span = 0;  // the target's one-hot span: the one that starts where the classifier's target does
      while (tf_.spans()[span].start != target_clf_->target()) ++span;
      for (index_t r = 0; r < m; ++r) h[std::size_t(r) * ns + span] = T(drawn_[std::size_t(r)]);
    }
    return tf_.decode_spans(h.data(), m, like_, &sample_rng_);
  }

  SynthesizerOptions opt_;
  Table like_;
  DataTransformer tf_;
  ConditionSampler cond_;
  std::unique_ptr<GNet> g_;
  std::unique_ptr<DNet> d_;
  std::unique_ptr<TrainerT> trainer_;
  std::unique_ptr<Aux> aux_;
  std::unique_ptr<TargetClassifier<B, T>> target_clf_;
  Rng sample_rng_;
  std::vector<T> host_x_, host_c_, reencoded_;
  std::vector<index_t> rows_, drawn_;
  Tn z_, zc_, read_, encoded_;
  long steps_per_epoch_ = 0;
  int epochs_done_ = 0;
  double fit_seconds_ = 0;
};

}  // namespace gan::tabular
