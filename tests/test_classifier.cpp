// The metrics' classifier (gan/metrics/image_classifier.hpp) on real Fashion-MNIST: it learns
// (test accuracy above a bar after a short, seeded training run), its features have the documented
// width, saving and loading reproduces its predictions exactly, and a damaged or foreign weights
// file is refused by name. The image grid writer (gan/io/image_grid.hpp) is checked here too.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gan/data/fashion_mnist.hpp>
#include <gan/gan.hpp>
#include <gan/io/image_grid.hpp>
#include <gan/metrics/image_classifier.hpp>

#if __has_include(<stb/stb_image.h>)
#include <gan/data/image_folder.hpp>  // stb_image, to read the PNGs back
#endif

using namespace gan;
namespace fs = std::filesystem;

namespace {
bool have_fashion() {
  return fs::exists(std::string(data::FashionMnist::default_dir) + "/train-images-idx3-ubyte.gz");
}
std::string temp_path(const std::string& name) { return (fs::temp_directory_path() / ("gan_test_clf_" + name)).string(); }
}  // namespace

TEST_CASE("ImageClassifier learns Fashion-MNIST; features, save and load, bad files") {
  if (!have_fashion()) {
    MESSAGE("dataset-fashion-mnist is not installed: skipped");
    return;
  }
  const data::FashionMnist train(data::Split::train), test(data::Split::test);
  metrics::ImageClassifier<1, 10> clf(3);
  const double loss = clf.fit(train, 300, 64, false);
  CHECK(loss < 0.8);
  // Accuracy on the first 2000 test images: chance is 10%; 300 steps reach about 80%.
  std::vector<std::size_t> idx(2000);
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Tensor<float, Cpu> images;
  test.images(idx, images);
  const std::vector<int> pred = clf.predict(images);
  long right = 0;
  for (std::size_t i = 0; i < idx.size(); ++i) right += pred[i] == test.label(i);
  const double acc = double(right) / double(idx.size());
  MESSAGE("test accuracy after 300 steps: " << acc);
  CHECK(acc > 0.72);

  const Eigen::MatrixXd f = clf.features(images);
  CHECK(f.rows() == 2000);
  CHECK(f.cols() == 128);
  CHECK(f.minCoeff() >= 0);     // after a ReLU
  CHECK(f.maxCoeff() > 0);

  const std::string path = temp_path("weights.ckpt");
  clf.save(path);
  metrics::ImageClassifier<1, 10> again(99);  // other initial weights
  again.load(path);
  CHECK(again.predict(images) == pred);
  CHECK((again.features(images) - f).cwiseAbs().maxCoeff() == 0.0);

  // A truncated file and a classifier of another shape are refused, naming the file.
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(path + ".cut", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));
  }
  CHECK_THROWS_WITH_AS(again.load(path + ".cut"), doctest::Contains("gan_test_clf_weights.ckpt.cut"), FormatError);
  metrics::ImageClassifier<1, 5> five;
  CHECK_THROWS_AS(five.load(path), FormatError);
  CHECK(again.predict(images) == pred);  // unchanged by the failed load
  fs::remove(path);
  fs::remove(path + ".cut");
}

TEST_CASE("ImageClassifier refuses data of another shape or class count") {
  metrics::ImageClassifier<1, 10> clf;
  data::LabelledImages rgb(std::vector<std::uint8_t>(2 * 3 * 28 * 28, 0), 2, 3, 28, 28, {0, 1}, 10, "rgb");
  CHECK_THROWS_AS(clf.fit(rgb, 1, 2, false), ShapeError);
  data::LabelledImages three(std::vector<std::uint8_t>(2 * 28 * 28, 0), 2, 1, 28, 28, {0, 1}, 3, "three");
  CHECK_THROWS_AS(clf.accuracy(three), ShapeError);
}

#if __has_include(<stb/stb_image.h>)
TEST_CASE("save_image_grid: layout, value mapping, non-finite values counted; save_images writes one PNG each") {
  const std::vector<float> v = {-1, 1, 0, -1,  1, 1, 1, 1,  -1, -1, -1, std::nanf("")};
  Tensor<float, Cpu> x;
  x.from_host(v.data(), 3, Shape::image(1, 2, 2));
  const std::string path = temp_path("grid.png");
  const long bad = io::save_image_grid(path, x, {.cols = 2, .scale = 2, .gap = 1});
  CHECK(bad == 1);
  int w = 0, h = 0, c = 0;
  unsigned char* px = stbi_load(path.c_str(), &w, &h, &c, 3);
  REQUIRE(px);
  CHECK(w == 2 * (2 * 2 + 1) + 1);  // 2 columns of 4 pixels, gaps of 1
  CHECK(h == 2 * (2 * 2 + 1) + 1);  // 2 rows
  auto at = [&](int X, int Y) { return int(px[(Y * w + X) * 3]); };
  CHECK(at(1, 1) == 0);      // image 0, pixel (0, 0) = -1
  CHECK(at(3, 1) == 255);    // image 0, pixel (0, 1) = 1, scaled x2
  CHECK(at(1, 3) == 128);    // image 0, pixel (1, 0) = 0
  CHECK(at(6, 1) == 255);    // image 1
  CHECK(at(4, 3 + 5) == 0);  // image 2's NaN drawn black
  CHECK(at(0, 0) == 96);     // the gap
  stbi_image_free(px);
  fs::remove(path);

  const std::string dir = temp_path("images");
  fs::remove_all(dir);
  const auto paths = io::save_images(dir, x, "fake_");
  REQUIRE(paths.size() == 3);
  CHECK(fs::path(paths[2]).filename() == "fake_000002.png");
  unsigned char* one = stbi_load(paths[1].c_str(), &w, &h, &c, 0);
  REQUIRE(one);
  CHECK((w == 2 && h == 2 && c == 1));
  CHECK(int(one[0]) == 255);
  stbi_image_free(one);
  fs::remove_all(dir);
  Tensor<float, Cpu> flat(2, 5);
  CHECK_THROWS_AS(io::save_image_grid(path, flat), ShapeError);
}
#endif
