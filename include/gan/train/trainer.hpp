// gan/train/trainer.hpp: one object that runs GAN training steps.
//
//   gan::Trainer trainer(g, d, gan::Objective<gan::Wasserstein, gan::GradientPenalty>{},
//                        gan::Adam(1e-4, 0.5, 0.9), gan::Adam(1e-4, 0.5, 0.9),
//                        {.batch = 256, .n_critic = 5, .seed = 1});
//   auto losses = trainer.step(real_sampler);   // real_sampler(Tensor& batch, Rng& rng)
//
// One step = n_critic critic updates, then one generator update:
//   critic:    z ~ N(0, I); f = G(z); r = real batch; grad of L_D(D(r), D(f)) + penalties; D update
//   generator: z ~ N(0, I); f = G(z); dL_G/df back through D (D's weights untouched), then G
// Under PacGAN (pac > 1) `pac` consecutive samples form one critic input row, so the critic's
// input is pac times the generator's output: features side by side (Input<pac * F>), or images
// stacked along the channels (Input<pac * C, H, W>). The grouping is a view, never a copy.
// Conditional GANs: a sampler real(batch, condition, rng) gives each real batch's condition; the
// generator makes the fake batch for that same condition, a conditional critic (one with Concat
// or Projection) sees it with both batches, and the generator update reuses it. Under PacGAN the
// critic's condition rows are the pac samples' conditions side by side. The same seed gives bit-identical
// losses on the CPU backend, and a checkpoint resumes a run exactly (train/checkpoint.hpp).
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"
#include "../core/ops.hpp"
#include "../losses/objective.hpp"
#include "../optim/ema.hpp"
#include "../optim/optimizer.hpp"
#include "progress.hpp"

namespace gan {

struct TrainerOptions {
  index_t batch = 64;           // samples per critic and generator update
  int n_critic = 1;             // critic updates per generator update (5 for WGAN-GP)
  index_t pac = 1;              // PacGAN group size (CTGAN uses 10)
  std::uint64_t seed = 0;       // latent draws, real-batch sampling, penalties
  double ema_decay = 0;         // > 0 keeps an EMA of the generator's weights (e.g. 0.999)
  bool check_finite = true;     // throw DivergenceError when a loss stops being finite
};

/// The losses of one Trainer::step.
template <class T>
struct StepLosses {
  long step = 0;  // 1-based number of this step
  T d_loss = 0;   // critic loss (the last critic update), without the penalties
  T penalty = 0;  // the regularisers' penalty (the last critic update)
  T g_loss = 0;   // generator loss (the adversarial term)
  T g_extra = 0;  // the generator's extra terms (add_generator_term), summed
};

template <class GNet, class DNet, class Obj, class GRule, class DRule>
class Trainer {
 public:
  using T = typename GNet::scalar;
  using B = typename GNet::backend;
  using Tn = Tensor<T, B>;
  using Losses = StepLosses<T>;
  static_assert(std::is_same_v<T, typename DNet::scalar> && std::is_same_v<B, typename DNet::backend>,
                "gan::Trainer: the generator and the critic must use the same scalar type and backend");
  static constexpr index_t g_out = GNet::sequential::output_size, d_in = DNet::sequential::input_size;
  static_assert(g_out == Dynamic || d_in == Dynamic || d_in % g_out == 0,
                "gan::Trainer: the critic's input width must be the generator's output width (times pac)");
  static_assert(DNet::sequential::output_size == Dynamic || DNet::sequential::output_size == 1,
                "gan::Trainer: the critic must output one logit per sample; end it with gan::Dense<1>");

  /// A loss on the generator's output added to the adversarial one (e.g. CTGAN's cross-entropy
  /// that makes the generator honour its condition; see losses/generator_terms.hpp):
  /// term(fake, condition, dfake) adds d(term)/dfake to `dfake` and returns the term's value.
  using GeneratorTerm = std::function<T(const Tn& fake, const Tn* condition, Tn& dfake)>;

  Trainer(GNet& g, DNet& d, Obj objective, GRule g_rule, DRule d_rule, TrainerOptions opt = {})
      : g_(g), d_(d), obj_(objective), g_opt_(g_rule), d_opt_(d_rule), opt_(opt), rng_(opt.seed, streams::training),
        sample_rng_(opt.seed, streams::sampling) {
    if (opt.batch <= 0 || opt.n_critic <= 0 || opt.pac <= 0)
      throw std::invalid_argument("gan::Trainer: batch, n_critic and pac must be > 0");
    if (opt.batch % opt.pac != 0)
      throw ShapeError("gan::Trainer: batch " + std::to_string(opt.batch) + " is not a multiple of pac " +
                       std::to_string(opt.pac));
    const Shape gs = g.output_shape(), grouped = gs.grouped(opt.pac), ds = d.input_shape();
    if (d.input_size() != g.output_size() * opt.pac)
      throw ShapeError("gan::Trainer: the critic takes " + std::to_string(d.input_size()) +
                       " features, the generator makes " + std::to_string(g.output_size()) + " x pac " +
                       std::to_string(opt.pac) + " = " + std::to_string(g.output_size() * opt.pac));
    if (ds.rank == 3 && gs.rank == 3 && ds != grouped)
      throw ShapeError("gan::Trainer: the critic takes images of shape " + ds.str() + ", the generator makes " +
                       gs.str() + (opt.pac > 1 ? ", i.e. " + grouped.str() + " under pac " + std::to_string(opt.pac) : ""));
    if (d.output_size() != 1)
      throw ShapeError("gan::Trainer: the critic outputs " + std::to_string(d.output_size()) +
                       " values per sample; it must output one logit");
    if (opt.ema_decay > 0) ema_.emplace(g, opt.ema_decay);
  }

  /// One training step. `real(batch, rng)` fills a (batch, generator output shape) tensor with
  /// real samples; it is called n_critic times. For a conditional GAN (a layer of either network
  /// reads the condition) the sampler is `real(batch, condition, rng)` and also fills the
  /// (batch, width) condition of the batch.
  template <class Sampler>
  Losses step(Sampler&& real) {
    // A conditional GAN (a network reads the condition) asks the sampler for the condition too;
    // an unconditional one asks for samples only, even from a sampler that can give both.
    constexpr bool conditional = GNet::conditional() || DNet::conditional();
    constexpr bool with_condition = conditional && std::is_invocable_v<Sampler&, Tn&, Tn&, Rng&>;
    static_assert(!conditional || with_condition,
                  "gan::Trainer::step: this generator or critic reads a condition (Concat, Projection): the sampler "
                  "must be real(batch, condition, rng) and fill the condition too");
    static_assert(conditional || std::is_invocable_v<Sampler&, Tn&, Rng&>,
                  "gan::Trainer::step: the sampler must be callable as real(batch, rng), or as "
                  "real(batch, condition, rng) for a conditional GAN");
    Losses out;
    out.step = step_ + 1;
    const index_t n = opt_.batch, rows = n / opt_.pac;
    const Shape gs = g_.output_shape(), ds = d_.input_shape();
    for (int k = 0; k < opt_.n_critic; ++k) {
      real_.resize(n, gs);
      if constexpr (with_condition) {
        real(real_, cond_, rng_);
        if (cond_.rows() != n)
          throw ShapeError("gan::Trainer: the sampler gave " + std::to_string(cond_.rows()) + " condition rows for a batch of " +
                           std::to_string(n));
        condition_ = &cond_;
      } else {
        real(real_, rng_);
      }
      if (real_.rows() != n || real_.cols() != gs.size())
        throw ShapeError("gan::Trainer: the real-data sampler gave " + std::to_string(real_.rows()) + " samples of " +
                         std::to_string(real_.cols()) + " values, expected " + std::to_string(n) + " of shape " + gs.str());
      generate_fake();
      const Tn real_rows = real_.view(rows, ds), fake_rows = g_.output().view(rows, ds);  // PacGAN: views
      d_.zero_grad();
      const CriticLosses<T> c = obj_state_.critic_gradients(obj_, d_, real_rows, fake_rows, critic_condition(rows), rng_);
      d_opt_.step(d_);
      obj_state_.after_critic_step(obj_, d_);
      out.d_loss = c.loss;
      out.penalty = c.penalty;
    }
    generate_fake();
    const Tn fake_rows = g_.output().view(rows, ds);
    const Tn* dcritic = nullptr;
    out.g_loss = obj_state_.generator_gradient(obj_, d_, fake_rows, critic_condition(rows), dcritic);
    Tn dfake = dcritic->view(n, gs);  // back to one row per generated sample (a view)
    for (auto& term : terms_) out.g_extra += term(g_.output(), condition_, dfake);
    g_.zero_grad();
    g_.backward(dfake);
    g_opt_.step(g_);
    if (ema_) ema_->update(g_);
    ++step_;
    if (opt_.check_finite && !(std::isfinite(double(out.d_loss)) && std::isfinite(double(out.penalty)) &&
                               std::isfinite(double(out.g_loss)) && std::isfinite(double(out.g_extra))))
      throw DivergenceError("gan::Trainer: training diverged at step " + std::to_string(step_) +
                            " (critic loss " + std::to_string(double(out.d_loss)) + ", penalty " +
                            std::to_string(double(out.penalty)) + ", generator loss " +
                            std::to_string(double(out.g_loss)) + ", extra terms " + std::to_string(double(out.g_extra)) +
                            "); lower the learning rates or check the data");
    for (auto& cb : callbacks_)
      if (step_ % cb.every == 0) cb.fn(out);
    return out;
  }

  /// Adds a loss on the generator's output to every generator update (see GeneratorTerm).
  void add_generator_term(GeneratorTerm term) { terms_.push_back(std::move(term)); }

  /// Runs `steps` steps with a progress line on stderr (when `progress`); returns the last losses.
  template <class Sampler>
  Losses fit(long steps, Sampler&& real, bool progress = true) {
    Progress bar(steps);
    Losses last;
    for (long i = 1; i <= steps; ++i) {
      last = step(real);
      if (progress) bar.update(i, double(last.d_loss + last.penalty), double(last.g_loss));
    }
    return last;
  }

  /// Calls fn(losses) after every `every`-th step (logging, sample grids, checkpoints).
  void every(long every, std::function<void(const Losses&)> fn) { callbacks_.push_back({every, std::move(fn)}); }

  /// n generated samples (eval mode; from the EMA generator when there is one), (n, features).
  /// A conditional generator needs its (n, width) `condition`. Sampling draws from its own
  /// generator, so looking at samples during training does not change the training run.
  const Tn& sample(index_t n, const Tn* condition = nullptr) {
    GNet& g = ema_ ? ema_->network() : g_;
    const bool was = g.training();
    g.eval();
    zs_.resize(n, g.input_shape());
    ops::fill_normal(zs_, sample_rng_);
    const Tn& out = g.forward(zs_, condition);
    g.train(was);
    return out;
  }

  GNet& generator() { return g_; }
  DNet& critic() { return d_; }
  Ema<GNet>* ema() { return ema_ ? &*ema_ : nullptr; }
  Rng& rng() { return rng_; }
  long steps_done() const { return step_; }
  const TrainerOptions& options() const { return opt_; }
  Obj& objective() { return obj_; }

  /// Every piece of state a checkpoint stores: f_tensor(name, tensor), f_count(name, uint64&).
  /// The optimisers' slots are created first, so a fresh trainer can load a checkpoint.
  template <class FT, class FC>
  void visit_checkpoint(FT&& f_tensor, FC&& f_count) {
    g_opt_.prepare(g_);
    d_opt_.prepare(d_);
    g_.visit_named([&](const std::string& n, Tn& t) { f_tensor("generator/" + n, t); });
    d_.visit_named([&](const std::string& n, Tn& t) { f_tensor("critic/" + n, t); });
    int i = 0;
    g_opt_.visit_state([&](Tn& t) { f_tensor("generator_optimizer/slot" + std::to_string(i++), t); });
    i = 0;
    d_opt_.visit_state([&](Tn& t) { f_tensor("critic_optimizer/slot" + std::to_string(i++), t); });
    if (ema_) ema_->network().visit_named([&](const std::string& n, Tn& t) { f_tensor("generator_ema/" + n, t); });
    std::uint64_t v = 0;
    auto count = [&](const std::string& name, auto get, auto set) {
      v = get();
      f_count(name, v);
      set(v);
    };
    count("step", [&] { return std::uint64_t(step_); }, [&](std::uint64_t x) { step_ = long(x); });
    auto rng_state = [&](const std::string& name, Rng& r) {
      std::uint64_t seed = r.seed(), stream = r.stream(), counter = r.counter();
      f_count(name + ".seed", seed);
      f_count(name + ".stream", stream);
      f_count(name + ".counter", counter);
      r.set_state(seed, stream, counter);
    };
    rng_state("rng", rng_);
    rng_state("sample_rng", sample_rng_);
    rng_state("generator_noise", g_.noise_rng());
    rng_state("critic_noise", d_.noise_rng());
    count("generator_optimizer/steps", [&] { return g_opt_.steps(); }, [&](std::uint64_t x) { g_opt_.set_steps(x); });
    count("critic_optimizer/steps", [&] { return d_opt_.steps(); }, [&](std::uint64_t x) { d_opt_.set_steps(x); });
    if (ema_) count("generator_ema/updates", [&] { return ema_->updates(); }, [&](std::uint64_t x) { ema_->set_updates(x); });
  }

 private:
  // z ~ N(0, I) -> G(z) (for the batch's condition when the generator is conditional).
  void generate_fake() {
    z_.resize(opt_.batch, g_.input_shape());
    ops::fill_normal(z_, rng_);
    g_.forward(z_, condition_);
  }
  // The condition as the critic sees it (pac conditions side by side per row), or nullptr.
  const Tn* critic_condition(index_t rows) {
    if constexpr (!DNet::conditional()) {
      return nullptr;
    } else {
      dcond_ = cond_.view(rows, cond_.cols() * opt_.pac);
      return &dcond_;
    }
  }

  struct Callback {
    long every;
    std::function<void(const Losses&)> fn;
  };

  GNet& g_;
  DNet& d_;
  Obj obj_;
  typename Obj::template State<T, B> obj_state_;
  Optimizer<GRule, T, B> g_opt_;
  Optimizer<DRule, T, B> d_opt_;
  TrainerOptions opt_;
  Rng rng_, sample_rng_;
  std::optional<Ema<GNet>> ema_;
  std::vector<Callback> callbacks_;
  std::vector<GeneratorTerm> terms_;
  Tn z_, zs_, real_, cond_, dcond_;
  const Tn* condition_ = nullptr;
  long step_ = 0;
};

}  // namespace gan
