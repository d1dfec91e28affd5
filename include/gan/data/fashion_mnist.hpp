// gan/data/fashion_mnist.hpp: Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) as a real-data sampler.
// 70000 grey 28x28 images of clothing in 10 classes (60000 train, 10000 test), read from the IDX
// files of Debian's package `dataset-fashion-mnist`, which installs them in
// /usr/share/datasets/fashion-mnist/ ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz).
//
//   gan::data::FashionMnist data(gan::data::Split::train);    // or (split, "/my/dir")
//   trainer.step(data);   // a conditional GAN gets images and one-hot labels, an unconditional one images
//
// Pixels become values in [-1, 1] (the range of a Tanh output: 0 -> -1, 255 -> 1), each sample of
// shape 1x28x28. Needs zlib (see idx.hpp), so gan/gan.hpp does not include this header.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../core/shape.hpp"
#include "../core/tensor.hpp"
#include "idx.hpp"

namespace gan::data {

enum class Split { train, test };

/// Labelled grey images from an IDX pair (images n x h x w, labels n): MNIST, Fashion-MNIST, ...
/// A sampler usable by gan::Trainer: random images in [-1, 1], shape 1 x h x w, and optionally their
/// labels one-hot.
class LabelledImages {
 public:
  LabelledImages() = default;
  /// Takes an images array (n, h, w) and a labels array (n) with labels below `classes`.
  /// `what` names the pair in error messages.
  LabelledImages(IdxArray images, IdxArray labels, int classes, const std::string& what) : classes_(classes) {
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
      throw FormatError(what + ": no images (dimensions " + detail::idx_dims_str(images.dims) + ")");
    for (std::size_t i = 0; i < labels.values.size(); ++i)
      if (labels.values[i] >= classes)
        throw FormatError(what + ": label " + std::to_string(labels.values[i]) + " of image " + std::to_string(i) +
                          " is not below " + std::to_string(classes));
    count_ = images.dims[0];
    height_ = index_t(images.dims[1]);
    width_ = index_t(images.dims[2]);
    pixels_ = std::move(images.values);
    labels_ = std::move(labels.values);
  }

  std::size_t size() const { return count_; }
  int classes() const { return classes_; }
  /// The shape of one sample: 1 x height x width.
  Shape shape() const { return Shape::image(1, height_, width_); }
  /// Image i's pixels, 0..255, row-major.
  const std::uint8_t* pixels(std::size_t i) const { return pixels_.data() + i * std::size_t(height_ * width_); }
  int label(std::size_t i) const { return labels_[i]; }
  const std::vector<std::uint8_t>& labels() const { return labels_; }

  /// Copies images `idx` into `batch` (idx.size() rows of shape 1 x h x w, values in [-1, 1]).
  template <class T, class B>
  void images(const std::vector<std::size_t>& idx, Tensor<T, B>& batch) const {
    const std::size_t per = std::size_t(height_ * width_);
    std::vector<T>& host = scratch<T>(0);
    host.resize(idx.size() * per);
    for (std::size_t r = 0; r < idx.size(); ++r) {
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
    for (std::size_t r = 0; r < idx.size(); ++r) host[r * std::size_t(classes_) + labels_[idx[r]]] = T(1);
    condition.from_host(host.data(), index_t(idx.size()), index_t(classes_));
  }

 private:
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

  std::vector<std::uint8_t> pixels_, labels_;
  std::size_t count_ = 0;
  index_t height_ = 0, width_ = 0;
  int classes_ = 0;
};

/// Fashion-MNIST's train or test split, from `dir` (default: where Debian's package puts it).
class FashionMnist : public LabelledImages {
 public:
  static constexpr int num_classes = 10;
  static constexpr index_t height = 28, width = 28;
  /// Where Debian's `dataset-fashion-mnist` installs the files.
  static constexpr const char* default_dir = "/usr/share/datasets/fashion-mnist";
  static constexpr std::array<const char*, num_classes> class_names = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

  explicit FashionMnist(Split split = Split::train, const std::string& dir = default_dir)
      : LabelledImages(load(split, dir)) {}

  static const char* class_name(int label) {
    if (label < 0 || label >= num_classes)
      throw std::out_of_range("FashionMnist::class_name: label " + std::to_string(label) + " is not in 0..9");
    return class_names[std::size_t(label)];
  }

  /// The path of a split's file ("images" or "labels") in `dir`: the .gz the package installs, or an
  /// uncompressed copy when only that exists.
  static std::string file(Split split, const std::string& kind, const std::string& dir) {
    const std::string stem = std::string(split == Split::train ? "train" : "t10k") + "-" + kind +
                             (kind == "images" ? "-idx3-ubyte" : "-idx1-ubyte");
    const std::filesystem::path base = std::filesystem::path(dir) / stem;
    std::error_code ec;
    if (!std::filesystem::exists(base.string() + ".gz", ec) && std::filesystem::exists(base, ec)) return base.string();
    return base.string() + ".gz";
  }

 private:
  static LabelledImages load(Split split, const std::string& dir) {
    const std::string images = file(split, "images", dir), labels = file(split, "labels", dir);
    std::error_code ec;
    for (const std::string& p : {images, labels})
      if (!std::filesystem::exists(p, ec))
        throw FormatError("Fashion-MNIST not found: '" + p + "' does not exist; install it with: " +
                          "sudo apt-get install dataset-fashion-mnist (or pass the directory that holds the files)");
    const std::string what = std::string("Fashion-MNIST ") + (split == Split::train ? "train" : "test") + " set in '" + dir + "'";
    IdxArray im = read_idx(images);
    if (im.dims.size() != 3 || im.dims[1] != std::size_t(height) || im.dims[2] != std::size_t(width))
      throw FormatError(what + ": '" + images + "' holds " + detail::idx_dims_str(im.dims) +
                        " values, expected n x 28 x 28 images");
    return LabelledImages(std::move(im), read_idx(labels), num_classes, what);
  }
};

}  // namespace gan::data
