// tests/gradcheck.hpp: one numerical gradient checker (central differences, double precision)
// used for every layer, loss and regulariser.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <gan/gan.hpp>
#include <vector>

namespace gantest {

using Td = gan::Tensor<double, gan::Cpu>;

inline Td random_tensor(gan::index_t r, gan::index_t c, gan::Rng& rng, double scale = 1.0) {
  Td t(r, c);
  gan::ops::fill_normal(t, rng, 0.0, scale);
  return t;
}

/// Largest relative error between an analytic gradient `g` of f w.r.t. `x` and central
/// differences of f, perturbing each value of x by h. Relative to max(1, |g|, |numeric|)... scaled.
inline double max_grad_error(Td& x, const std::vector<double>& g, const std::function<double()>& f,
                             double h = 1e-6) {
  double worst = 0;
  double* p = x.data();
  for (gan::index_t i = 0; i < x.size(); ++i) {
    const double keep = p[i];
    p[i] = keep + h;
    const double up = f();
    p[i] = keep - h;
    const double down = f();
    p[i] = keep;
    const double num = (up - down) / (2 * h);
    const double err = std::abs(num - g[std::size_t(i)]) / std::max(1.0, std::abs(num) + std::abs(g[std::size_t(i)]));
    worst = std::max(worst, err);
  }
  return worst;
}

inline double dot(const Td& a, const Td& b) {
  double s = 0;
  for (gan::index_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
  return s;
}

/// Checks a network's backward pass (input and parameter gradients) against central differences
/// of its forward pass, and, when every layer has one, its tangent pass and the tangent pass's
/// reverse. Dropout masks are drawn once and kept. `cond_width` > 0 passes a random condition.
template <class Seq>
void check_layer_gradients(std::initializer_list<gan::index_t> dynamic = {}, gan::index_t cond_width = 0) {
  gan::Rng rng(7);
  gan::Network<Seq, gan::Cpu, double> net(rng, dynamic);
  const gan::index_t n = 6;
  Td x = gantest::random_tensor(n, net.input_size(), rng);
  Td cond = gantest::random_tensor(n, cond_width, rng);
  const Td* c = cond_width ? &cond : nullptr;
  Td w = gantest::random_tensor(n, net.output_size(), rng);

  net.forward(x, c);                 // draws dropout masks once ...
  net.context().reuse_noise = true;  // ... and keeps them, so the function is deterministic
  auto loss = [&] { return gantest::dot(w, net.forward(x, c)); };

  net.zero_grad();
  loss();
  const std::vector<double> dx = net.backward(w, gan::Grads{.params = true, .input = true}).to_host();
  CHECK(gantest::max_grad_error(x, dx, loss) < 1e-6);
  net.visit_params([&](Td& p, Td& g) {
    INFO("parameter of shape (" << p.rows() << ", " << p.cols() << ") in " << Seq::describe());
    CHECK(gantest::max_grad_error(p, g.to_host(), loss) < 1e-6);
  });

  if constexpr (gan::Network<Seq, gan::Cpu, double>::all_tangent()) {
    // yt = J xt: compare with (f(x + h xt) - f(x - h xt)) / 2h.
    Td xt = gantest::random_tensor(n, net.input_size(), rng);
    Td wt = gantest::random_tensor(n, net.output_size(), rng);
    const double h = 1e-6;
    Td xp = x, xm = x;
    for (gan::index_t i = 0; i < x.size(); ++i) {
      xp.data()[i] += h * xt.data()[i];
      xm.data()[i] -= h * xt.data()[i];
    }
    const std::vector<double> yp = net.forward(xp, c).to_host(), ym = net.forward(xm, c).to_host();
    const std::vector<double> yt = net.forward_tangent(x, xt, c).to_host();
    for (std::size_t i = 0; i < yt.size(); ++i) CHECK(yt[i] == doctest::Approx((yp[i] - ym[i]) / (2 * h)).epsilon(1e-6));

    // L2 = w . y + wt . yt; its reverse pass gives dL2/dtheta, dL2/dx and dL2/dxt.
    auto loss2 = [&] {
      const double a = gantest::dot(wt, net.forward_tangent(x, xt, c));
      return a + gantest::dot(w, net.output());
    };
    net.zero_grad();
    loss2();
    const std::vector<double> dx2 = net.backward_tangent(w, wt, gan::Grads{.params = true, .input = true}).to_host();
    const std::vector<double> dxt2 = net.input_tangent_grad().to_host();
    CHECK(gantest::max_grad_error(x, dx2, loss2) < 1e-6);
    CHECK(gantest::max_grad_error(xt, dxt2, loss2) < 1e-6);
    net.visit_params([&](Td& p, Td& g) { CHECK(gantest::max_grad_error(p, g.to_host(), loss2) < 1e-6); });
  }
}

/// sum_b phi(|| d D(x_b, c_b) / d x_b ||) / n by ordinary backprop, the condition held fixed:
/// an independent reference for the penalty machinery.
template <class Net, class Phi>
double reference_penalty(Net& d, const Td& x, const Td* c, Phi phi) {
  d.forward(x, c);
  gantest::Td ones(x.rows(), 1);
  gan::ops::fill(ones, 1.0);
  const auto g = d.backward(ones, gan::Grads{.params = false, .input = true}).to_host();
  double p = 0;
  for (gan::index_t i = 0; i < x.rows(); ++i) {
    double s = 0;
    for (gan::index_t j = 0; j < x.cols(); ++j) s += g[std::size_t(i * x.cols() + j)] * g[std::size_t(i * x.cols() + j)];
    p += phi(std::sqrt(s));
  }
  return p / double(x.rows());
}

}  // namespace gantest
