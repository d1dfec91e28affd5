// gan/core/concepts.hpp: the extension points of the library as C++20 concepts. A type that a
// user writes (a backend, a loss, a regulariser, an optimiser rule) is checked where it is used,
// so a misspelled member is a compile error with one message naming what is missing, never a
// silently skipped feature. docs/layers.md and docs/losses.md describe each contract.
#pragma once
#include <concepts>
#include <cstdint>
#include <string>

#include "config.hpp"

namespace gan {

template <class T, class B>
class Tensor;
class Rng;

namespace detail {
struct IndexFn {
  GAN_HD float operator()(index_t) const { return 0; }
};
struct IndexFn2 {
  GAN_HD float operator()(index_t, index_t) const { return 0; }
};
}  // namespace detail

/// A backend: storage and the small vocabulary layers use (see backend/eigen/cpu.hpp).
template <class B>
concept Backend = requires(typename B::template vector<float>& v, const float* cp, float* p, index_t n,
                           detail::IndexFn f, detail::IndexFn2 f2) {
  { B::name } -> std::convertible_to<const char*>;
  { B::raw(v) } -> std::same_as<float*>;
  B::copy_to_host(cp, n, p);
  B::copy_from_host(cp, n, p);
  B::copy(cp, n, p);
  B::for_each(n, f);
  B::for_each_2d(n, n, f2);
  B::gemm(true, false, n, n, n, 1.0f, cp, cp, 0.0f, p);
  B::reduce_cols(n, n, f2, p, 0.0f);
  B::reduce_rows(n, n, f2, p);
  { B::template reduce_sum<float>(n, f) } -> std::same_as<float>;
};

/// A GAN loss: three per-logit terms and their derivatives (see losses/non_saturating.hpp).
template <class L>
concept GanLoss = requires(float x) {
  { L::name() } -> std::convertible_to<std::string>;
  { L::real(x) } -> std::same_as<float>;
  { L::real_grad(x) } -> std::same_as<float>;
  { L::fake(x) } -> std::same_as<float>;
  { L::fake_grad(x) } -> std::same_as<float>;
  { L::gen(x) } -> std::same_as<float>;
  { L::gen_grad(x) } -> std::same_as<float>;
};

/// An optimiser's update rule (see optim/optimizer.hpp).
template <class R>
concept UpdateRule = requires(const R& r, float& p, float g, float& s0, float& s1, std::uint64_t t) {
  { R::name() } -> std::convertible_to<std::string>;
  { R::slots } -> std::convertible_to<int>;
  r.template coefficients<float>(t);
  R::update(p, g, s0, s1, r.template coefficients<float>(t));
};

/// A regulariser of the critic: hyper-parameters with a State<T, B> that has BOTH
///   T penalty(cfg, critic, real, fake, rng, condition)  adds dP/dtheta, returns P (0 for a constraint)
///   void after_step(cfg, critic)                       a constraint after each critic update (or nothing)
/// Both are required, so a misspelled one cannot be skipped silently.
template <class R, class T, class B, class Net>
concept Regularizer = requires(const R& cfg, typename R::template State<T, B>& st, Net& critic,
                               const Tensor<T, B>& x, Rng& rng, const Tensor<T, B>* condition) {
  { R::name() } -> std::convertible_to<std::string>;
  { st.penalty(cfg, critic, x, x, rng, condition) } -> std::convertible_to<T>;
  st.after_step(cfg, critic);
};

}  // namespace gan
