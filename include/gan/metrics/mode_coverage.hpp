// gan/metrics/mode_coverage.hpp: the two standard figures for mixtures of Gaussians
// (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN):
//   high_quality  the fraction of samples within 3 standard deviations of some mode's centre
//   modes         how many modes receive at least `min_share` of the samples (within 3 sd)
#pragma once
#include <array>
#include <cmath>
#include <vector>

namespace gan::metrics {

struct ModeCoverage {
  int modes = 0;            // modes covered
  double high_quality = 0;  // fraction of samples near some mode
};

/// `xy` holds n points as x0, y0, x1, y1, ...
inline ModeCoverage mode_coverage(const std::vector<double>& xy, const std::vector<std::array<double, 2>>& centres,
                                  double stddev, double min_share = 0.02) {
  const std::size_t n = xy.size() / 2;
  std::vector<std::size_t> hits(centres.size(), 0);
  std::size_t good = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < centres.size(); ++k) {
      const double dx = xy[2 * i] - centres[k][0], dy = xy[2 * i + 1] - centres[k][1];
      if (std::sqrt(dx * dx + dy * dy) <= 3 * stddev) {
        ++hits[k];
        ++good;
        break;
      }
    }
  }
  ModeCoverage m;
  for (std::size_t h : hits) m.modes += (n > 0 && double(h) >= min_share * double(n)) ? 1 : 0;
  m.high_quality = n ? double(good) / double(n) : 0;
  return m;
}

}  // namespace gan::metrics
