// gan/optim/optimizer.hpp: runs an update rule over every parameter of a network.
// An update rule (Sgd, Adam, RMSProp) is a struct of hyper-parameters with
//   static constexpr int slots;                  per-parameter state tensors (0..2)
//   Coefficients<T> coefficients(step) const;    host scalars for update number `step` (1-based)
//   GAN_HD static void update(T& p, T g, T& s0, T& s1, const Coefficients<T>&);
// The state is created on the first step, so an Optimizer can be made before the network's
// Dynamic sizes are known. The step counter and slots are what a checkpoint stores.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/ops.hpp"

namespace gan {

template <class Rule, class T, class B>
class Optimizer {
  static_assert(UpdateRule<Rule>,
                "gan::Optimizer<Rule, T, B>: Rule must provide static name(), static constexpr int slots, "
                "coefficients<T>(step) and static update(p, g, s0, s1, coefficients) (see gan/optim/adam.hpp)");

 public:
  using Tn = Tensor<T, B>;
  Optimizer() = default;
  explicit Optimizer(Rule rule) : rule_(rule) {}

  /// One update of every parameter of `net` from the gradients it holds.
  template <class Net>
  void step(Net& net) {
    ++t_;
    const auto k = rule_.template coefficients<T>(t_);
    std::size_t i = 0;
    net.visit_params([&](Tn& p, Tn& g) {
      if (i == slots_.size()) add_slots(p);
      T* pp = p.data();
      const T* gp = g.data();
      T* s0 = Rule::slots > 0 ? slots_[i][0].data() : pp;  // unused slots alias p (never written)
      T* s1 = Rule::slots > 1 ? slots_[i][1].data() : pp;
      B::for_each(p.size(), [=] GAN_HD(index_t j) {
        T u0 = Rule::slots > 0 ? s0[j] : T(0), u1 = Rule::slots > 1 ? s1[j] : T(0);
        Rule::update(pp[j], gp[j], u0, u1, k);
        if (Rule::slots > 0) s0[j] = u0;
        if (Rule::slots > 1) s1[j] = u1;
      });
      ++i;
    });
  }

  const Rule& rule() const { return rule_; }
  Rule& rule() { return rule_; }
  std::uint64_t steps() const { return t_; }
  void set_steps(std::uint64_t t) { t_ = t; }
  /// f(state tensor) for each slot of each parameter, in parameter order (for checkpoints).
  template <class F>
  void visit_state(F&& f) {
    for (auto& s : slots_)
      for (int j = 0; j < Rule::slots; ++j) f(s[j]);
  }
  /// Creates zeroed slots shaped like `net`'s parameters (before loading a checkpoint).
  template <class Net>
  void prepare(Net& net) {
    if (!slots_.empty()) return;
    net.visit_params([&](Tn& p, Tn&) { add_slots(p); });
  }

 private:
  // Zeroed state slots shaped like parameter p.
  void add_slots(const Tn& p) {
    slots_.emplace_back();
    for (int s = 0; s < Rule::slots; ++s) {
      slots_.back()[s].resize(p.rows(), p.cols());
      ops::fill(slots_.back()[s], T(0));
    }
  }

  Rule rule_{};
  std::vector<std::array<Tn, 2>> slots_;
  std::uint64_t t_ = 0;
};

}  // namespace gan
