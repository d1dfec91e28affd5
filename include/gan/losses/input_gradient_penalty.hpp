// gan/losses/input_gradient_penalty.hpp: the machinery shared by GradientPenalty and R1, which
// penalise the norm of the critic's gradient with respect to its input, per sample:
//   P = mean_b phi(n_b),   n_b = || grad_x D(x_b) ||  (over all features of sample b)
// Minimising P needs dP/dtheta, a derivative of a derivative. With v_b = phi'(n_b) g_b / (n_b B)
// held fixed (g_b = grad_x D(x_b)),  dP/dtheta = d/dtheta sum_b v_b . g_b, and v_b . g_b is the
// directional derivative of D at x_b along v_b: exactly what the tangent (forward-mode) pass
// computes. So, for one batch of points x:
//   1. forward D(x), backward with dy = 1 and no parameter gradients  -> g (batch, features)
//   2. n_b and v_b from g                                            (one row reduction)
//   3. tangent pass along v, then its reverse with dy = 0, dyt = 1    -> adds dP/dtheta
// Cost: about three critic forward/backward passes, with no second-order tape.
// A conditional critic D(x, c) is differentiated with respect to the sample x, the condition c
// held fixed: a class label or one-hot is not a point of the data space that can be moved or
// interpolated (Concat's and Projection's tangent passes treat c as a constant).
#pragma once
#include <cmath>

#include "../core/ops.hpp"
#include "../core/sequential.hpp"

namespace gan::detail {

/// Workspace and the three steps above. Phi supplies value(n) and slope_over_n(n) = phi'(n) / n.
template <class T, class B>
struct InputGradientPenalty {
  using Tn = Tensor<T, B>;
  Tn ones, zeros, norms, v;

  template <class Phi, class Net>
  T apply(Net& critic, const Tn& x, const Phi& phi, const Tn* condition = nullptr) {
    static_assert(Net::all_tangent(),
                  "gan gradient penalties (GradientPenalty, R1): the critic contains a layer without a tangent "
                  "pass. BatchNorm mixes the samples of a batch and breaks the per-sample penalty: use LayerNorm "
                  "or no normalisation in a penalised critic");
    if constexpr (Net::all_tangent()) return apply_checked(critic, x, phi, condition);
    else return T(0);  // not reached: the static_assert above is the one message
  }

  template <class Phi, class Net>
  T apply_checked(Net& critic, const Tn& x, const Phi& phi, const Tn* condition) {
    const index_t n = x.rows();
    critic.forward(x, condition);
    ones.resize(n, critic.output_size());
    zeros.resize(n, critic.output_size());
    ops::fill(ones, T(1));
    ops::fill(zeros, T(0));
    const Tn& g = critic.backward(ones, Grads{.params = false, .input = true});  // (n, features)
    const index_t f = g.cols();
    norms.resize(n, 1);
    const T* gp = g.data();
    T* np = norms.data();
    B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return gp[i * f + j] * gp[i * f + j]; }, np);
    B::for_each(n, [=] GAN_HD(index_t i) { np[i] = std::sqrt(np[i] + T(1e-12)); });
    const T value = B::template reduce_sum<T>(n, [=] GAN_HD(index_t i) { return phi.value(np[i]); }) / T(n);
    v.resize(n, x.shape());  // (the tangent must outlive the reverse pass: no temporary view)
    T* vp = v.data();
    const T inv_n = T(1) / T(n);
    B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) { vp[i * f + j] = phi.slope_over_n(np[i]) * gp[i * f + j] * inv_n; });
    critic.forward_tangent(x, v, condition);
    critic.backward_tangent(zeros, ones, Grads{.params = true, .input = false});
    return value;
  }
};

}  // namespace gan::detail
