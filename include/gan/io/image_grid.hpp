// gan/io/image_grid.hpp: generated images as pictures: a grid of samples in one PNG, or one PNG
// per sample (a folder a metric or a person can read).
//   gan::io::save_image_grid("grid.png", trainer.sample(64), 8);   // 8 columns, values in [-1, 1]
// Values map linearly from [lo, hi] (default [-1, 1], a Tanh output) to 0..255, clamped; a
// non-finite value is drawn as 0 and counted, so a diverged generator shows up as black, not as
// noise. Samples must have an image shape (C x H x W with C = 1 or 3).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../core/tensor.hpp"
#include "png.hpp"

namespace gan::io {

struct GridOptions {
  int cols = 8;          // images per row
  int scale = 1;         // each pixel drawn as scale x scale
  int gap = 2;           // pixels between images, in the background grey
  double lo = -1, hi = 1;  // the value range that maps to black .. white
};

namespace detail {
inline void check_image_shape(const Shape& s, const std::string& what) {
  if (s.rank != 3 || (s.c != 1 && s.c != 3) || s.h <= 0 || s.w <= 0)
    throw ShapeError(what + ": samples of shape " + s.str() + " are not 1- or 3-channel images");
}
inline std::uint8_t to_byte(double v, double lo, double hi) {
  if (!std::isfinite(v)) return 0;
  const double t = (v - lo) / (hi - lo) * 255.0 + 0.5;
  return std::uint8_t(std::clamp(t, 0.0, 255.0));
}
}  // namespace detail

/// Writes `n` images (host values, n x C x H x W, CHW order) as one PNG grid; returns the number
/// of non-finite values met.
template <class T>
long save_image_grid(const std::string& path, const std::vector<T>& values, index_t n, const Shape& shape,
                     GridOptions o = {}) {
  detail::check_image_shape(shape, "save_image_grid('" + path + "')");
  if (n <= 0 || values.size() != std::size_t(n * shape.size()))
    throw ShapeError("save_image_grid('" + path + "'): " + std::to_string(values.size()) + " values for " +
                     std::to_string(n) + " images of shape " + shape.str());
  if (o.cols <= 0 || o.scale <= 0 || o.gap < 0 || !(o.hi > o.lo))
    throw std::invalid_argument("save_image_grid('" + path + "'): cols and scale must be > 0, gap >= 0, hi > lo");
  const int c = int(shape.c), h = int(shape.h), w = int(shape.w), cols = std::min<int>(o.cols, int(n));
  const int rows = int((n + cols - 1) / cols);
  const int cw = w * o.scale + o.gap, ch = h * o.scale + o.gap;
  const int W = cols * cw + o.gap, H = rows * ch + o.gap;
  std::vector<std::uint8_t> px(std::size_t(W) * std::size_t(H) * 3, 96);
  long bad = 0;
  for (const T& v : values) bad += !std::isfinite(double(v));
  for (index_t k = 0; k < n; ++k) {
    const int x0 = o.gap + int(k % cols) * cw, y0 = o.gap + int(k / cols) * ch;
    const T* img = values.data() + std::size_t(k * shape.size());
    for (int y = 0; y < h * o.scale; ++y)
      for (int x = 0; x < w * o.scale; ++x)
        for (int ch3 = 0; ch3 < 3; ++ch3) {
          const int src = c == 1 ? 0 : ch3;
          const double v = double(img[(std::size_t(src) * h + y / o.scale) * w + x / o.scale]);
          px[(std::size_t(y0 + y) * W + std::size_t(x0 + x)) * 3 + std::size_t(ch3)] =
              detail::to_byte(v, o.lo, o.hi);
        }
  }
  write_png(path, W, H, 3, px.data());
  return bad;
}

/// The same from a tensor of image samples (copied to the host).
template <class T, class B>
long save_image_grid(const std::string& path, const Tensor<T, B>& samples, GridOptions o = {}) {
  return save_image_grid(path, samples.to_host(), samples.rows(), samples.shape(), o);
}

/// Writes every sample as its own PNG, dir/<prefix><index>.png (grey or RGB at the sample's size),
/// creating dir; returns the paths written.
template <class T, class B>
std::vector<std::string> save_images(const std::string& dir, const Tensor<T, B>& samples, const std::string& prefix = "",
                                     index_t first_index = 0, double lo = -1, double hi = 1) {
  const Shape s = samples.shape();
  detail::check_image_shape(s, "save_images('" + dir + "')");
  std::filesystem::create_directories(dir);
  const std::vector<T> v = samples.to_host();
  const int c = int(s.c), hw = int(s.h * s.w);
  std::vector<std::uint8_t> px(std::size_t(c * hw));
  std::vector<std::string> paths;
  for (index_t k = 0; k < samples.rows(); ++k) {
    const T* img = v.data() + std::size_t(k * s.size());
    for (int p = 0; p < hw; ++p)
      for (int ch = 0; ch < c; ++ch) px[std::size_t(p * c + ch)] = detail::to_byte(double(img[ch * hw + p]), lo, hi);
    char name[32];
    std::snprintf(name, sizeof name, "%06ld.png", long(first_index + k));
    paths.push_back((std::filesystem::path(dir) / (prefix + name)).string());
    write_png(paths.back(), int(s.w), int(s.h), c, px.data());
  }
  return paths;
}

}  // namespace gan::io
