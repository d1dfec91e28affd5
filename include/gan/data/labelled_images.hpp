// gan/data/labelled_images.hpp: labelled 8-bit images held in memory, as a real-data sampler for
// gan::Trainer. Fashion-MNIST (fashion_mnist.hpp) and a folder of the user's own images
// (image_folder.hpp) are both LabelledImages; anything else that yields pixels and labels can be one.
//
//   gan::data::LabelledImages data(std::move(pixels), n, 3, 32, 32, std::move(labels), 10, "my set");
//   data(batch, rng);              // (rows, 3x32x32) random images, values in [-1, 1]
//   data(batch, condition, rng);   // and their labels one-hot: (rows, 10)
//
// Each image is stored as C x H x W bytes (channel planes, each row-major: CHW, the layout of one
// sample of an NCHW batch). A byte b becomes b / 127.5 - 1: 0 -> -1, 255 -> 1, the range of Tanh.
// Needs nothing beyond the core headers (no zlib, no stb).
#pragma once
#include <array>
#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../core/shape.hpp"
#include "../core/tensor.hpp"

namespace gan::data {

struct IdxArray;  // gan/data/idx.hpp (needs zlib): only the IDX constructor below uses it

/// Labelled images with C channels, all of one size, and a sampler of them usable by gan::Trainer:
/// random images in [-1, 1] of shape C x H x W and, for a conditional GAN, their labels one-hot.
class LabelledImages {
 public:
  LabelledImages() = default;

  /// `count` images of `channels` x `height` x `width` bytes each, one after the other in `pixels`
  /// (CHW per image), with labels in 0..classes-1 and optionally a name per class.
  /// `what` names the data in error messages. Throws FormatError when the sizes do not agree.
  LabelledImages(std::vector<std::uint8_t> pixels, std::size_t count, index_t channels, index_t height, index_t width,
                 std::vector<int> labels, int classes, const std::string& what,
                 std::vector<std::string> class_names = {}) {
    init(std::move(pixels), count, channels, height, width, std::move(labels), classes, what, std::move(class_names));
  }

  /// From an IDX pair, as MNIST and Fashion-MNIST come: images (n, h, w) and labels (n), labels below
  /// `classes`; grey images (C = 1). A template only so that this header needs no zlib: IdxArray is
  /// complete wherever one exists (gan/data/idx.hpp).
  template <class Idx>
    requires std::same_as<Idx, IdxArray>
  LabelledImages(Idx images, Idx labels, int classes, const std::string& what) {
    if (images.dims.size() != 3)
      throw FormatError(what + ": the images file has " + std::to_string(images.dims.size()) +
                        " dimensions, expected 3 (count, height, width)");
    if (labels.dims.size() != 1)
      throw FormatError(what + ": the labels file has " + std::to_string(labels.dims.size()) +
                        " dimensions, expected 1 (count)");
    if (images.dims[0] != labels.dims[0])
      throw FormatError(what + ": " + std::to_string(images.dims[0]) + " images but " + std::to_string(labels.dims[0]) +
                        " labels");
    if (images.dims[0] == 0 || images.dims[1] == 0 || images.dims[2] == 0)
      throw FormatError(what + ": no images (dimensions " + std::to_string(images.dims[0]) + "x" +
                        std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]) + ")");
    init(std::move(images.values), images.dims[0], 1, index_t(images.dims[1]), index_t(images.dims[2]),
         std::vector<int>(labels.values.begin(), labels.values.end()), classes, what, {});
  }

  std::size_t size() const { return count_; }
  int classes() const { return classes_; }
  /// The shape of one sample: channels x height x width.
  Shape shape() const { return Shape::image(channels_, height_, width_); }
  /// Image i's pixels, 0..255: C planes of H rows of W bytes.
  const std::uint8_t* pixels(std::size_t i) const { return pixels_.data() + i * per_image(); }
  int label(std::size_t i) const { return labels_[i]; }
  const std::vector<int>& labels() const { return labels_; }
  /// The number of images with each label (classes() entries).
  std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> n(std::size_t(classes_), 0);
    for (int l : labels_) ++n[std::size_t(l)];
    return n;
  }
  /// The name of class `label`: the one given at construction, or the label's number when none was.
  std::string class_name(int label) const {
    if (label < 0 || label >= classes_)
      throw std::out_of_range("LabelledImages::class_name: label " + std::to_string(label) + " is not in 0.." +
                              std::to_string(classes_ - 1));
    return names_.empty() ? std::to_string(label) : names_[std::size_t(label)];
  }

  /// Copies images `idx` into `batch` (idx.size() rows of shape C x H x W, values in [-1, 1]).
  template <class T, class B>
  void images(const std::vector<std::size_t>& idx, Tensor<T, B>& batch) const {
    const std::size_t per = per_image();
    std::vector<T>& host = scratch<T>(0);
    host.resize(idx.size() * per);
    for (std::size_t r = 0; r < idx.size(); ++r) {
      if (idx[r] >= count_)
        throw std::out_of_range("LabelledImages::images: image " + std::to_string(idx[r]) + " of " +
                                std::to_string(count_));
      const std::uint8_t* p = pixels(idx[r]);
      T* q = host.data() + r * per;
      for (std::size_t k = 0; k < per; ++k) q[k] = T(p[k]) / T(127.5) - T(1);
    }
    batch.from_host(host.data(), index_t(idx.size()), shape());
  }

  /// Fills `batch` (batch.rows() rows) with random images, drawn with `rng`.
  template <class T, class B>
  void operator()(Tensor<T, B>& batch, Rng& rng) const {
    images(draw(batch.rows(), rng), batch);
  }
  /// Fills `batch` with random images and `condition` (batch.rows(), classes) with their one-hot labels.
  template <class T, class B>
  void operator()(Tensor<T, B>& batch, Tensor<T, B>& condition, Rng& rng) const {
    const std::vector<std::size_t>& idx = draw(batch.rows(), rng);
    images(idx, batch);
    std::vector<T>& host = scratch<T>(1);
    host.assign(idx.size() * std::size_t(classes_), T(0));
    for (std::size_t r = 0; r < idx.size(); ++r) host[r * std::size_t(classes_) + std::size_t(labels_[idx[r]])] = T(1);
    condition.from_host(host.data(), index_t(idx.size()), index_t(classes_));
  }

 protected:
  /// Gives the classes names after construction (none, or one per class).
  void name_classes(std::vector<std::string> names) {
    if (!names.empty() && names.size() != std::size_t(classes_))
      throw std::invalid_argument("LabelledImages: " + std::to_string(names.size()) + " class names for " +
                                  std::to_string(classes_) + " classes");
    names_ = std::move(names);
  }

 private:
  void init(std::vector<std::uint8_t> pixels, std::size_t count, index_t channels, index_t height, index_t width,
            std::vector<int> labels, int classes, const std::string& what, std::vector<std::string> names) {
    if (channels <= 0 || height <= 0 || width <= 0)
      throw FormatError(what + ": images of " + std::to_string(channels) + "x" + std::to_string(height) + "x" +
                        std::to_string(width) + " (channels x height x width must all be positive)");
    if (count == 0) throw FormatError(what + ": no images");
    if (classes <= 0) throw FormatError(what + ": " + std::to_string(classes) + " classes (must be positive)");
    const std::size_t per = std::size_t(channels) * std::size_t(height) * std::size_t(width);
    if (pixels.size() / per != count || pixels.size() % per != 0)
      throw FormatError(what + ": " + std::to_string(pixels.size()) + " pixel bytes for " + std::to_string(count) +
                        " images of " + std::to_string(channels) + "x" + std::to_string(height) + "x" +
                        std::to_string(width) + " (expected " + std::to_string(count) + " x " + std::to_string(per) + ")");
    if (labels.size() != count)
      throw FormatError(what + ": " + std::to_string(count) + " images but " + std::to_string(labels.size()) + " labels");
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] < 0 || labels[i] >= classes)
        throw FormatError(what + ": label " + std::to_string(labels[i]) + " of image " + std::to_string(i) +
                          (labels[i] < 0 ? " is negative" : " is not below " + std::to_string(classes)));
    if (!names.empty() && names.size() != std::size_t(classes))
      throw FormatError(what + ": " + std::to_string(names.size()) + " class names for " + std::to_string(classes) +
                        " classes");
    pixels_ = std::move(pixels);
    labels_ = std::move(labels);
    names_ = std::move(names);
    count_ = count;
    channels_ = channels;
    height_ = height;
    width_ = width;
    classes_ = classes;
  }

  std::size_t per_image() const { return std::size_t(channels_) * std::size_t(height_) * std::size_t(width_); }

  std::vector<std::size_t>& draw(index_t rows, Rng& rng) const {
    if (rows < 0) throw ShapeError("LabelledImages: a batch of " + std::to_string(rows) + " rows");
    std::vector<std::size_t>& idx = index_scratch();
    idx.resize(std::size_t(rows));
    if (rows > 0 && count_ == 0) throw ShapeError("LabelledImages: sampling from an empty data set");
    for (auto& i : idx) i = std::size_t(rng.below(count_));
    return idx;
  }
  // Per-thread host buffers, so sampling allocates only when the batch grows.
  template <class T>
  static std::vector<T>& scratch(int which) {
    thread_local std::array<std::vector<T>, 2> buf;
    return buf[std::size_t(which)];
  }
  static std::vector<std::size_t>& index_scratch() {
    thread_local std::vector<std::size_t> buf;
    return buf;
  }

  std::vector<std::uint8_t> pixels_;
  std::vector<int> labels_;
  std::vector<std::string> names_;
  std::size_t count_ = 0;
  index_t channels_ = 1, height_ = 0, width_ = 0;
  int classes_ = 0;
};

}  // namespace gan::data
