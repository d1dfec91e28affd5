// gan/data/fashion_mnist.hpp: Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) as a real-data sampler.
// 70000 grey 28x28 images of clothing in 10 classes (60000 train, 10000 test), read from the IDX
// files of Debian's package `dataset-fashion-mnist`, which installs them in
// /usr/share/datasets/fashion-mnist/ ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz).
//
//   gan::data::FashionMnist data(gan::data::Split::train);    // or (split, "/my/dir")
//   trainer.step(data);   // a conditional GAN gets images and one-hot labels, an unconditional one images
//
// A FashionMnist is a LabelledImages (labelled_images.hpp) with one channel and the class names below.
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
#include "labelled_images.hpp"

namespace gan::data {

enum class Split { train, test };

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
      : LabelledImages(load(split, dir)) {
    name_classes(std::vector<std::string>(class_names.begin(), class_names.end()));
  }

  // The static class_name below hides LabelledImages::class_name; both give the same names.

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
