// gan/io/plot.hpp: a tiny RGB canvas for scatter plots of 2-D samples (the toy examples' pictures).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "png.hpp"

namespace gan::io {

using Rgb = std::array<std::uint8_t, 3>;

class Canvas {
 public:
  /// A white width x height image showing the square [-extent, extent]^2.
  Canvas(int width, int height, double extent) : w_(width), h_(height), extent_(extent), px_(std::size_t(width * height * 3), 255) {
    for (int i = 0; i < w_; ++i) pixel(i, h_ / 2, {225, 225, 225});  // axes
    for (int j = 0; j < h_; ++j) pixel(w_ / 2, j, {225, 225, 225});
  }
  /// A dot of `radius` pixels at data coordinates (x, y).
  void dot(double x, double y, Rgb c, int radius = 1) {
    const int cx = int((x / extent_ + 1) * 0.5 * (w_ - 1)), cy = int((1 - (y / extent_ + 1) * 0.5) * (h_ - 1));
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx)
        if (dx * dx + dy * dy <= radius * radius) pixel(cx + dx, cy + dy, c);
  }
  /// Sets one pixel (ignored outside the image).
  void pixel(int i, int j, Rgb c) {
    if (i < 0 || j < 0 || i >= w_ || j >= h_) return;
    std::uint8_t* p = &px_[std::size_t((j * w_ + i) * 3)];
    p[0] = c[0];
    p[1] = c[1];
    p[2] = c[2];
  }
  int width() const { return w_; }
  int height() const { return h_; }
  const std::vector<std::uint8_t>& pixels() const { return px_; }
  void save(const std::string& path) const { write_png(path, w_, h_, 3, px_.data()); }

 private:
  int w_, h_;
  double extent_;
  std::vector<std::uint8_t> px_;
};

/// Panels side by side, separated by a grey line: one picture per training snapshot.
inline void save_panels(const std::string& path, const std::vector<Canvas>& panels) {
  if (panels.empty()) throw std::invalid_argument("save_panels('" + path + "'): no panels");
  const int w = panels[0].width(), h = panels[0].height(), n = int(panels.size()), W = n * w + (n - 1) * 2;
  std::vector<std::uint8_t> px(std::size_t(W * h * 3), 160);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < h; ++j)
      for (int i = 0; i < w; ++i)
        for (int c = 0; c < 3; ++c)
          px[std::size_t((j * W + k * (w + 2) + i) * 3 + c)] = panels[std::size_t(k)].pixels()[std::size_t((j * w + i) * 3 + c)];
  write_png(path, W, h, 3, px.data());
}

}  // namespace gan::io
