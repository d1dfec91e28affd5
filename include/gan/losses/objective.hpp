// gan/losses/objective.hpp: a GAN objective = a loss + regularisers, composed at compile time:
//   gan::Objective<gan::Wasserstein, gan::GradientPenalty>     WGAN-GP
//   gan::Objective<gan::NonSaturating, gan::R1>                 StyleGAN-style R1
//   gan::Objective<gan::Wasserstein, gan::WeightClipping>       the original WGAN
// A regulariser is a struct of hyper-parameters with a nested State<T, B> that provides
//   T penalty(cfg, critic, real, fake, rng)   adds dP/dtheta to the critic's gradients, returns P
// and/or
//   void after_step(cfg, critic)              a constraint applied after each critic update.
// A new loss or regulariser is a new header; this file does not change.
#pragma once
#include <tuple>

#include "../core/sequential.hpp"
#include "objective_terms.hpp"

namespace gan {

/// The losses of one critic or generator update, as reported to the user.
template <class T>
struct CriticLosses {
  T loss = 0;     // the loss term on real and fake logits
  T penalty = 0;  // the sum of the regularisers' penalties
  T total() const { return loss + penalty; }
};

template <class Loss, class... Regs>
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
    Tn d_real, d_fake, both_;
    std::tuple<typename Regs::template State<T, B>...> regs;

    /// Adds the critic's loss gradients (on `real` and `fake`, both (rows, critic input)) to its
    /// parameter gradients and returns the losses.
    template <class Net>
    CriticLosses<T> critic_gradients(const Objective& obj, Net& critic, const Tn& real, const Tn& fake, Rng& rng) {
      CriticLosses<T> out;
      if constexpr (Net::per_sample()) {
        // Every layer treats samples independently: one pass over the stacked batch [real; fake]
        // gives the same gradients as two passes, with products twice as tall (faster).
        const index_t n = real.rows(), f = real.cols();
        both_.resize(2 * n, f);
        B::copy(real.data(), n * f, both_.data());
        B::copy(fake.data(), n * f, both_.data() + n * f);
        const Tn& logits = critic.forward(both_);
        d_real.resize(2 * n, logits.cols());
        const index_t half = n * logits.cols();
        out.loss += evaluate_range<Term::real, Loss, T, B>(obj.loss, logits.data(), half, d_real.data());
        out.loss += evaluate_range<Term::fake, Loss, T, B>(obj.loss, logits.data() + half, half, d_real.data() + half);
        critic.backward(d_real);
      } else {  // BatchNorm and the like: real and fake batches are normalised separately
        critic.forward(real);
        out.loss += evaluate<Term::real>(obj.loss, critic.output(), d_real);
        critic.backward(d_real);
        critic.forward(fake);
        out.loss += evaluate<Term::fake>(obj.loss, critic.output(), d_fake);
        critic.backward(d_fake);
      }
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((out.penalty += penalty_of(std::get<K>(obj.regularizers), std::get<K>(regs), critic, real, fake, rng)), ...);
      }(std::index_sequence_for<Regs...>{});
      return out;
    }

    /// The generator's loss on the critic's logits for `fake`; returns it and leaves
    /// dL/dfake (the gradient the generator back-propagates) in the returned tensor.
    template <class Net>
    T generator_gradient(const Objective& obj, Net& critic, const Tn& fake, const Tn*& dfake) {
      critic.forward(fake);
      const T l = evaluate<Term::gen>(obj.loss, critic.output(), d_fake);
      dfake = &critic.backward(d_fake, Grads{.params = false, .input = true});
      return l;
    }

    template <class Net>
    void after_critic_step(const Objective& obj, Net& critic) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (after_of(std::get<K>(obj.regularizers), std::get<K>(regs), critic), ...);
      }(std::index_sequence_for<Regs...>{});
    }

   private:
    template <class R, class S, class Net>
    static T penalty_of(const R& cfg, S& st, Net& critic, const Tn& real, const Tn& fake, Rng& rng) {
      if constexpr (requires { st.penalty(cfg, critic, real, fake, rng); })
        return st.penalty(cfg, critic, real, fake, rng);
      else
        return T(0);
    }
    template <class R, class S, class Net>
    static void after_of(const R& cfg, S& st, Net& critic) {
      if constexpr (requires { st.after_step(cfg, critic); }) st.after_step(cfg, critic);
    }
  };
};

}  // namespace gan
