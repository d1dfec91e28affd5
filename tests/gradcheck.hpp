// tests/gradcheck.hpp: one numerical gradient checker (central differences, double precision)
// used for every layer, loss and regulariser.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
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

}  // namespace gantest
