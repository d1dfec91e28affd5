// gan/losses/objective.hpp: a GAN objective = a loss + regularisers, composed at compile time:
//   gan::Objective<gan::Wasserstein, gan::GradientPenalty>     WGAN-GP
//   gan::Objective<gan::NonSaturating, gan::R1>                 StyleGAN-style R1
//   gan::Objective<gan::Wasserstein, gan::WeightClipping>       the original WGAN
// A loss satisfies gan::GanLoss and a regulariser gan::Regularizer (core/concepts.hpp): a struct
// of hyper-parameters with a nested State<T, B> that provides both
//   T penalty(cfg, critic, real, fake, rng, condition)   adds dP/dtheta to the critic's gradients, returns P
//   void after_step(cfg, critic)                         a constraint applied after each critic update
// A new loss or regulariser is a new header; this file does not change.
//
// Conditional critics: `condition` (rows of the critic's input, or nullptr) is passed to the
// critic with the real and the fake batch alike, and to the regularisers.
#pragma once
#include <tuple>

#include "../core/concepts.hpp"
#include "../core/sequential.hpp"
#include "objective_terms.hpp"

namespace gan {

namespace detail {
template <class L>
consteval bool checked_loss() {
  static_assert(GanLoss<L>,
                "gan::Objective<Loss, ...>: Loss must provide static name() and the per-logit terms real, real_grad, "
                "fake, fake_grad, gen, gen_grad (see gan/losses/non_saturating.hpp)");
  return GanLoss<L>;
}
template <class R, class T, class B, class Net>
constexpr bool checked_regularizer() {
  static_assert(Regularizer<R, T, B, Net>,
                "gan::Objective<Loss, Regs...>: a regulariser's State<T, B> must provide both "
                "T penalty(cfg, critic, real, fake, rng, condition) and void after_step(cfg, critic) "
                "(see docs/losses.md, 'Writing a regulariser')");
  return Regularizer<R, T, B, Net>;
}
}  // namespace detail

/// The losses of one critic or generator update, as reported to the user.
template <class T>
struct CriticLosses {
  T loss = 0;     // the loss term on real and fake logits
  T penalty = 0;  // the sum of the regularisers' penalties
  T total() const { return loss + penalty; }
};

template <class Loss, class... Regs>
  requires(detail::checked_loss<Loss>())
struct Objective {
  Loss loss{};
  std::tuple<Regs...> regularizers{};

  Objective() = default;
  explicit Objective(Loss l, Regs... r) : loss(l), regularizers(r...) {}

  /// The working state of an objective for one scalar type and backend (gradient buffers and
  /// the regularisers' workspaces), owned by the trainer.
  template <class T, class B>
  struct State {
    using Tn = Tensor<T, B>;
    Tn d_real, d_fake, both_, both_cond_;
    std::tuple<typename Regs::template State<T, B>...> regs;

    /// Adds the critic's loss gradients (on `real` and `fake`, both rows of the critic's input,
    /// with `condition` for both when the critic is conditional) to its parameter gradients and
    /// returns the losses.
    template <class Net>
    CriticLosses<T> critic_gradients(const Objective& obj, Net& critic, const Tn& real, const Tn& fake,
                                     const Tn* condition, Rng& rng) {
      constexpr bool regs_ok = (detail::checked_regularizer<Regs, T, B, Net>() && ...);
      CriticLosses<T> out;
      if constexpr (regs_ok) {
        if constexpr (Net::per_sample()) {
          // Every layer treats samples independently: one pass over the stacked batch [real; fake]
          // gives the same gradients as two passes, with products twice as tall (faster).
          const index_t n = real.rows(), f = real.cols();
          both_.resize(2 * n, real.shape());
          B::copy(real.data(), n * f, both_.data());
          B::copy(fake.data(), n * f, both_.data() + n * f);
          const Tn* both_c = nullptr;
          if (condition) {
            const index_t w = condition->cols();
            both_cond_.resize(2 * n, condition->shape());
            B::copy(condition->data(), n * w, both_cond_.data());
            B::copy(condition->data(), n * w, both_cond_.data() + n * w);
            both_c = &both_cond_;
          }
          const Tn& logits = critic.forward(both_, both_c);
          d_real.resize(2 * n, logits.cols());
          const index_t half = n * logits.cols();
          out.loss += evaluate_range<Term::real, Loss, T, B>(obj.loss, logits.data(), half, d_real.data());
          out.loss += evaluate_range<Term::fake, Loss, T, B>(obj.loss, logits.data() + half, half, d_real.data() + half);
          critic.backward(d_real);
        } else {  // BatchNorm and the like: real and fake batches are normalised separately
          critic.forward(real, condition);
          out.loss += evaluate<Term::real>(obj.loss, critic.output(), d_real);
          critic.backward(d_real);
          critic.forward(fake, condition);
          out.loss += evaluate<Term::fake>(obj.loss, critic.output(), d_fake);
          critic.backward(d_fake);
        }
        [&]<std::size_t... K>(std::index_sequence<K...>) {
          ((out.penalty += std::get<K>(regs).penalty(std::get<K>(obj.regularizers), critic, real, fake, rng, condition)),
           ...);
        }(std::index_sequence_for<Regs...>{});
      }
      return out;
    }

    /// The same for an unconditional critic.
    template <class Net>
    CriticLosses<T> critic_gradients(const Objective& obj, Net& critic, const Tn& real, const Tn& fake, Rng& rng) {
      return critic_gradients(obj, critic, real, fake, nullptr, rng);
    }

    /// The generator's loss on the critic's logits for `fake` (with `condition` when the critic
    /// is conditional: the same one the fake batch was made for); returns it and points `dfake`
    /// at dL/dfake, the gradient the generator back-propagates (the critic's input-gradient
    /// buffer, valid until the critic's next pass).
    template <class Net>
    T generator_gradient(const Objective& obj, Net& critic, const Tn& fake, const Tn* condition, const Tn*& dfake) {
      critic.forward(fake, condition);
      const T l = evaluate<Term::gen>(obj.loss, critic.output(), d_fake);
      dfake = &critic.backward(d_fake, Grads{.params = false, .input = true});
      return l;
    }

    template <class Net>
    void after_critic_step(const Objective& obj, Net& critic) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (std::get<K>(regs).after_step(std::get<K>(obj.regularizers), critic), ...);
      }(std::index_sequence_for<Regs...>{});
    }
  };
};

}  // namespace gan
