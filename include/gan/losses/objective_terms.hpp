// gan/losses/objective_terms.hpp: how a GAN loss is evaluated. A loss is three per-logit terms
// (see non_saturating.hpp for the pattern):
//   critic loss     L_D = mean_r real(r) + mean_f fake(f)
//   generator loss  L_G = mean_f gen(f)
// each with its derivative (real_grad, fake_grad, gen_grad). evaluate() writes dL/dlogit into
// a tensor and returns the mean on the host: one reduction, no host loop.
#pragma once
#include <cmath>

#include "../core/ops.hpp"

namespace gan {

namespace math {
/// softplus(x) = log(1 + e^x), stable for large |x|: max(x, 0) + log1p(e^-|x|).
template <class T>
GAN_HD inline T softplus(T x) {
  return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-(x < T(0) ? -x : x)));
}
/// sigmoid(x) = softplus'(x), stable for large |x|.
template <class T>
GAN_HD inline T sigmoid(T x) {
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}
}  // namespace math

/// Which term of a loss to evaluate.
enum class Term { real, fake, gen };

namespace detail {
template <class Loss, Term term>
struct TermFn {
  template <class T>
  GAN_HD static T value(T x) {
    if constexpr (term == Term::real) return Loss::real(x);
    else if constexpr (term == Term::fake) return Loss::fake(x);
    else return Loss::gen(x);
  }
  template <class T>
  GAN_HD static T grad(T x) {
    if constexpr (term == Term::real) return Loss::real_grad(x);
    else if constexpr (term == Term::fake) return Loss::fake_grad(x);
    else return Loss::gen_grad(x);
  }
};
}  // namespace detail

/// mean_i term(x_i) over n logits at x (backend memory), with dmean/dx_i written to g[i].
template <Term term, class Loss, class T, class B>
T evaluate_range(const Loss&, const T* x, index_t n, T* g) {
  using F = detail::TermFn<Loss, term>;
  const T inv_n = T(1) / T(n);
  B::for_each(n, [=] GAN_HD(index_t i) { g[i] = F::grad(x[i]) * inv_n; });
  return B::template reduce_sum<T>(n, [=] GAN_HD(index_t i) { return F::value(x[i]); }) * inv_n;
}

/// mean_i term(logits_i), with dmean/dlogit_i written to `grad` (resized to logits' shape).
template <Term term, class Loss, class T, class B>
T evaluate(const Loss& loss, const Tensor<T, B>& logits, Tensor<T, B>& grad) {
  grad.resize(logits.rows(), logits.cols());
  return evaluate_range<term, Loss, T, B>(loss, logits.data(), logits.size(), grad.data());
}

}  // namespace gan
