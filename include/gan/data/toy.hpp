// gan/data/toy.hpp: the 2-D toy distributions used to teach and test GANs.
// RingOfGaussians: `modes` Gaussians of standard deviation `stddev` evenly spaced on a circle of
// `radius` (Metz et al. 2017, "Unrolled GANs": 8 modes, radius 2, stddev 0.02).
#pragma once
#include <array>
#include <cmath>
#include <vector>

#include "../core/ops.hpp"

namespace gan::data {

struct RingOfGaussians {
  int modes = 8;
  double radius = 2.0;
  double stddev = 0.02;

  std::vector<std::array<double, 2>> centres() const {
    std::vector<std::array<double, 2>> c;
    for (int k = 0; k < modes; ++k) {
      const double a = 2 * 3.14159265358979323846 * k / modes;
      c.push_back({radius * std::cos(a), radius * std::sin(a)});
    }
    return c;
  }

  /// Fills `batch` (rows, 2) with samples, drawing from `rng`; usable as a Trainer's real sampler.
  template <class T, class B>
  void operator()(Tensor<T, B>& batch, Rng& rng) const {
    const index_t n = batch.rows();
    batch.resize(n, 2);
    T* p = batch.data();
    const RandomDraw d = rng.draw(std::uint64_t(3 * n));
    const int m = modes;
    const T r = T(radius), s = T(stddev);
    B::for_each(n, [=] GAN_HD(index_t i) {
      const std::uint64_t k = std::uint64_t(3 * i);
      const int mode = int(d.template uniform<T>(k) * T(m)) % m;
      const T a = T(6.283185307179586) * T(mode) / T(m);
      p[2 * i] = r * std::cos(a) + s * d.template normal<T>(k + 1);
      p[2 * i + 1] = r * std::sin(a) + s * d.template normal<T>(k + 2);
    });
  }
};

}  // namespace gan::data
