// gan/data/image_folder.hpp and gan/data/labelled_images.hpp: a folder of small images written
// here with known pixels gives the expected classes, labels, conversions, sizes and samples; bad
// files, missing and empty folders give errors that name them.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gan/data/image_folder.hpp>
#include <gan/data/labelled_images.hpp>
#include <gan/gan.hpp>
#include <gan/io/png.hpp>
#include <string>
#include <vector>

using namespace gan;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

// A fresh, uniquely named folder under the system's temporary folder, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    static int serial = 0;
    path = fs::temp_directory_path() /
           ("gan_test_image_folder_" + std::to_string(::getpid()) + "_" + std::to_string(serial++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Writes a PNG of w x h pixels with `channels` interleaved values per pixel (HWC), creating folders.
void png(const std::string& path, int w, int h, int channels, const Bytes& hwc) {
  REQUIRE(hwc.size() == std::size_t(w * h * channels));
  fs::create_directories(fs::path(path).parent_path());
  io::write_png(path, w, h, channels, hwc.data());
}

// A w x h image of one colour (1 to 4 values per pixel).
void solid(const std::string& path, int w, int h, const Bytes& colour) {
  Bytes px(std::size_t(w * h) * colour.size());
  for (std::size_t k = 0; k < px.size(); ++k) px[k] = colour[k % colour.size()];
  png(path, w, h, int(colour.size()), px);
}

void write_bytes(const std::string& path, const Bytes& b) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  REQUIRE(f.good());
}

Bytes slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// Image i's pixels as a vector (C*H*W bytes).
Bytes image(const data::LabelledImages& d, std::size_t i) {
  const std::size_t n = std::size_t(d.shape().size());
  return Bytes(d.pixels(i), d.pixels(i) + n);
}

// Two classes and things to ignore:
//   cats/c1.png (value 10)  cats/deep/c2.png (20)  cats/.DS_Store  cats/notes.txt
//   dogs/d1.png (30)  dogs/d2.PNG (40)  dogs/d3.png (50)
//   empty/   .hidden/h.png   loose.png (beside the class folders)   README.md
void two_classes(const TempDir& dir) {
  solid(dir / "cats/c1.png", 4, 4, {10});
  solid(dir / "cats/deep/c2.png", 4, 4, {20});
  write_bytes(dir / "cats/.DS_Store", {1, 2, 3});
  write_bytes(dir / "cats/notes.txt", {'h', 'i'});
  solid(dir / "dogs/d1.png", 4, 4, {30});
  solid(dir / "dogs/d2.PNG", 4, 4, {40});
  solid(dir / "dogs/d3.png", 4, 4, {50});
  fs::create_directories(dir.path / "empty");
  solid(dir / ".hidden/h.png", 4, 4, {60});
  solid(dir / "loose.png", 4, 4, {70});
  write_bytes(dir / "README.md", {'#'});
}

}  // namespace

TEST_CASE("ImageFolder: one class per subfolder, sorted, subfolders included, the rest ignored and listed") {
  TempDir dir;
  two_classes(dir);
  const data::ImageFolder d(dir.path.string(), {.channels = 1});
  REQUIRE(d.size() == 5);
  CHECK(d.classes() == 2);
  CHECK(d.class_name(0) == "cats");
  CHECK(d.class_name(1) == "dogs");
  CHECK_THROWS_AS(d.class_name(2), std::out_of_range);
  CHECK(d.class_counts() == std::vector<std::size_t>{2, 3});
  CHECK(d.labels() == std::vector<int>{0, 0, 1, 1, 1});
  CHECK(d.shape() == Shape::image(1, 4, 4));  // 0 x 0 asked: the first image's size

  // Sorted paths: c1 before deep/c2 (byte order: 'c' < 'd'), d2.PNG read (the case of the extension does not matter).
  const std::vector<int> values = {10, 20, 30, 40, 50};
  for (std::size_t i = 0; i < d.size(); ++i) {
    CAPTURE(i);
    CHECK(image(d, i) == Bytes(16, std::uint8_t(values[i])));
  }
  CHECK(d.file(0) == dir / "cats/c1.png");
  CHECK(d.file(1) == dir / "cats/deep/c2.png");
  CHECK(d.file(3) == dir / "dogs/d2.PNG");

  std::vector<std::string> ignored;
  for (const auto& f : d.ignored()) ignored.push_back(f.path);
  CHECK(ignored == std::vector<std::string>{dir / ".hidden", dir / "README.md", dir / "cats/.DS_Store",
                                            dir / "cats/notes.txt", dir / "empty", dir / "loose.png"});
  CHECK(d.ignored()[0].reason == "hidden");
  CHECK(d.ignored()[1].reason.find("not an image") != std::string::npos);
  CHECK(d.ignored()[5].reason.find("beside the class folders") != std::string::npos);
  CHECK(d.skipped().empty());

  const std::string s = d.summary();
  MESSAGE(s);
  CHECK(s.find("5 images in 2 classes, each 1x4x4") != std::string::npos);
  CHECK(s.find("0 cats: 2 images") != std::string::npos);
  CHECK(s.find("1 dogs: 3 images") != std::string::npos);
  CHECK(s.find("ignored: 6") != std::string::npos);
  CHECK(s.find("skipped (unreadable): 0") != std::string::npos);
  CHECK(s.find(dir / "cats/notes.txt") != std::string::npos);
}

TEST_CASE("ImageFolder: images directly in the folder are one class named after it") {
  TempDir dir;
  solid(dir / "faces/a.png", 3, 2, {1, 2, 3});
  solid(dir / "faces/b.png", 3, 2, {4, 5, 6});
  fs::create_directories(dir.path / "faces/nothing_here");
  write_bytes(dir / "faces/nothing_here/x.txt", {1});
  for (const std::string& path : {dir / "faces", dir / "faces/"}) {
    CAPTURE(path);
    const data::ImageFolder d(path);
    REQUIRE(d.size() == 2);
    CHECK(d.classes() == 1);
    CHECK(d.class_name(0) == "faces");
    CHECK(d.shape() == Shape::image(3, 2, 3));
    // CHW: the R plane, then G, then B.
    CHECK(image(d, 1) == Bytes{4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6});
    CHECK(d.ignored().size() == 2);  // the folder without images and the file in it
  }
}

TEST_CASE("ImageFolder: channel conversion, RGB to grey by luma and grey to RGB by copying; alpha over a background") {
  TempDir dir;
  // One 4x1 RGB image: red, green, blue, and a mixed colour.
  png(dir / "rgb/a.png", 4, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 100, 50});
  const data::ImageFolder grey(dir / "rgb", {.channels = 1});
  REQUIRE(grey.shape() == Shape::image(1, 1, 4));
  const auto luma = [](double r, double g, double b) { return std::uint8_t(std::lround(0.299 * r + 0.587 * g + 0.114 * b)); };
  CHECK(image(grey, 0) == Bytes{luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255), luma(200, 100, 50)});
  CHECK(image(grey, 0) == Bytes{76, 150, 29, 124});

  // Grey (and grey + alpha) to RGB: the same value in the three planes.
  png(dir / "grey/a.png", 2, 1, 1, {7, 200});
  png(dir / "grey/b.png", 2, 1, 2, {9, 255, 99, 255});  // grey + alpha, opaque
  const data::ImageFolder rgb(dir / "grey", {.channels = 3});
  REQUIRE(rgb.shape() == Shape::image(3, 1, 2));
  CHECK(image(rgb, 0) == Bytes{7, 200, 7, 200, 7, 200});
  CHECK(image(rgb, 1) == Bytes{9, 99, 9, 99, 9, 99});

  // RGBA to RGB and to grey: opaque pixels keep their colour.
  png(dir / "rgba/a.png", 1, 1, 4, {200, 100, 50, 255});
  CHECK(image(data::ImageFolder(dir / "rgba", {.channels = 3}), 0) == Bytes{200, 100, 50});
  CHECK(image(data::ImageFolder(dir / "rgba", {.channels = 1}), 0) == Bytes{124});

  // Transparent pixels (stored black, as icons often are) become the background: white by
  // default, or the grey level asked for; half-transparent ones a mix.
  png(dir / "icon/a.png", 3, 1, 4, {0, 0, 0, 0, 0, 0, 0, 255, 200, 100, 50, 51});
  CHECK(image(data::ImageFolder(dir / "icon", {.channels = 3}), 0) ==
        Bytes{255, 0, 244, 255, 0, 224, 255, 0, 214});  // 0.2 * 200 + 0.8 * 255 = 244, ...
  CHECK(image(data::ImageFolder(dir / "icon", {.channels = 1, .background = 0}), 0) == Bytes{0, 0, 25});
  png(dir / "greya/a.png", 2, 1, 2, {9, 0, 99, 255});  // grey + alpha: transparent, opaque
  CHECK(image(data::ImageFolder(dir / "greya", {.channels = 1}), 0) == Bytes{255, 99});
  CHECK_THROWS_AS(data::ImageFolder(dir / "icon", {.background = 256}), std::invalid_argument);

  // RGB stays RGB.
  CHECK(image(data::ImageFolder(dir / "rgb"), 0) == Bytes{255, 0, 0, 200, 0, 255, 0, 100, 0, 0, 255, 50});
}

TEST_CASE("ImageFolder: BMP, TGA and JPEG files are read too") {
  TempDir dir;
  fs::create_directories(dir.path / "x");
  Bytes colour;
  for (int i = 0; i < 64; ++i) colour.insert(colour.end(), {180, 90, 30});
  REQUIRE(stbi_write_bmp((dir / "x/a.bmp").c_str(), 8, 8, 3, colour.data()));
  REQUIRE(stbi_write_tga((dir / "x/b.tga").c_str(), 8, 8, 3, colour.data()));
  REQUIRE(stbi_write_jpg((dir / "x/c.jpg").c_str(), 8, 8, 3, colour.data(), 95));
  const data::ImageFolder d(dir / "x");
  REQUIRE(d.size() == 3);
  CHECK(image(d, 0) == image(d, 1));
  const Bytes bmp = image(d, 0), jpg = image(d, 2);
  for (std::size_t k = 0; k < jpg.size(); ++k) CHECK(std::abs(int(jpg[k]) - int(bmp[k])) <= 3);  // JPEG is lossy
  CHECK(bmp[0] == 180);
  CHECK(bmp[64] == 90);
  CHECK(bmp[128] == 30);
}

TEST_CASE("ImageFolder: shrinking averages the pixels each output pixel covers") {
  TempDir dir;
  // 4x4 grey, in 2x2 blocks {10, 20, 30, 40}, {0, 0, 0, 4}, {255, 255, 255, 255}, {1, 2, 3, 6}.
  png(dir / "g/a.png", 4, 4, 1,
      {10, 20, 0, 0,  //
       30, 40, 0, 4,  //
       255, 255, 1, 2,  //
       255, 255, 3, 6});
  const data::ImageFolder d(dir / "g", {.channels = 1, .height = 2, .width = 2});
  REQUIRE(d.shape() == Shape::image(1, 2, 2));
  CHECK(image(d, 0) == Bytes{25, 1, 255, 3});

  // The same with three channels, each plane its own pattern.
  Bytes hwc;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) hwc.insert(hwc.end(), {std::uint8_t(x < 2 ? 100 : 0), std::uint8_t(y * 10), std::uint8_t((x + y) % 2 ? 200 : 0)});
  png(dir / "c/a.png", 4, 4, 3, hwc);
  const data::ImageFolder c(dir / "c", {.channels = 3, .height = 2, .width = 2});
  // R: left half 100, right 0; G: rows 0,10 -> 5 and 20,30 -> 25; B: a checkerboard -> 100.
  CHECK(image(c, 0) == Bytes{100, 0, 100, 0, 5, 5, 25, 25, 100, 100, 100, 100});

  // One axis shrinks, the other is kept: a 4x2 image (w x h) to 2x2.
  png(dir / "w/a.png", 4, 2, 1, {0, 10, 20, 40, 100, 100, 7, 9});
  CHECK(image(data::ImageFolder(dir / "w", {.channels = 1, .height = 2, .width = 2}), 0) == Bytes{5, 30, 100, 8});
}

TEST_CASE("resize taps: area weights for a 3 -> 2 shrink, bilinear for a 2 -> 4 enlargement") {
  const auto shrink = data::detail::resize_taps(3, 2);
  REQUIRE(shrink.size() == 2);
  CHECK(shrink[0].first == 0);
  REQUIRE(shrink[0].weight.size() == 2);
  CHECK(shrink[0].weight[0] == doctest::Approx(2.0 / 3));
  CHECK(shrink[0].weight[1] == doctest::Approx(1.0 / 3));
  CHECK(shrink[1].first == 1);
  REQUIRE(shrink[1].weight.size() == 2);
  CHECK(shrink[1].weight[0] == doctest::Approx(1.0 / 3));
  CHECK(shrink[1].weight[1] == doctest::Approx(2.0 / 3));

  // Enlarging [0, 100] to 4: source points -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const std::vector<float> up = data::detail::resize_planes({0, 100}, 1, 1, 2, 1, 4);
  REQUIRE(up.size() == 4);
  CHECK(up[0] == doctest::Approx(0));
  CHECK(up[1] == doctest::Approx(25));
  CHECK(up[2] == doctest::Approx(75));
  CHECK(up[3] == doctest::Approx(100));

  // Every shrink's weights sum to 1 and cover the input once: a constant stays, the mean is kept.
  for (int in = 1; in <= 13; ++in)
    for (int out = 1; out <= in; ++out) {
      CAPTURE(in);
      CAPTURE(out);
      std::vector<double> cover(std::size_t(in), 0.0);
      for (const auto& t : data::detail::resize_taps(in, out)) {
        double sum = 0;
        for (std::size_t k = 0; k < t.weight.size(); ++k) sum += t.weight[k], cover[std::size_t(t.first) + k] += t.weight[k];
        CHECK(sum == doctest::Approx(1.0));
      }
      for (double c : cover) CHECK(c == doctest::Approx(double(out) / in));
    }
}

TEST_CASE("ImageFolder: enlarging keeps a constant image constant, and every image gets the asked size") {
  TempDir dir;
  solid(dir / "k/a.png", 3, 5, {37, 120, 250});
  solid(dir / "k/b.png", 2, 2, {0, 0, 0});
  solid(dir / "k/c.png", 1, 1, {255, 1, 128});
  solid(dir / "k/d.png", 20, 13, {9, 9, 9});  // shrinks: larger than the target
  const data::ImageFolder d(dir / "k", {.channels = 3, .height = 11, .width = 7});
  REQUIRE(d.size() == 4);
  CHECK(d.shape() == Shape::image(3, 11, 7));
  const std::vector<Bytes> colours = {{37, 120, 250}, {0, 0, 0}, {255, 1, 128}, {9, 9, 9}};
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    Bytes want;
    for (int c = 0; c < 3; ++c) want.insert(want.end(), 77, colours[i][std::size_t(c)]);
    CHECK(image(d, i) == want);
  }
}

TEST_CASE("ImageFolder as a sampler: C x H x W batches in [-1, 1] and one-hot labels that match the images") {
  TempDir dir;
  // Class k's images are filled with 60 * k + 15 in the red plane; every image has a white pixel
  // and a black one, so the range reaches both ends.
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 4; ++i) {
      Bytes hwc;
      for (int p = 0; p < 6 * 5; ++p) hwc.insert(hwc.end(), {std::uint8_t(60 * k + 15), 128, std::uint8_t(p == 0 ? 255 : p == 1 ? 0 : 64)});
      png(dir / ("class" + std::to_string(k) + "/" + std::to_string(i) + ".png"), 6, 5, 3, hwc);
    }
  const data::ImageFolder d(dir.path.string());
  REQUIRE(d.size() == 12);
  REQUIRE(d.shape() == Shape::image(3, 5, 6));

  Rng rng(4);
  Tensor<float, Cpu> batch(50, d.shape()), cond;
  d(batch, cond, rng);
  CHECK(batch.rows() == 50);
  CHECK(batch.shape() == Shape::image(3, 5, 6));
  REQUIRE(cond.rows() == 50);
  REQUIRE(cond.cols() == 3);
  const auto x = batch.to_host(), c = cond.to_host();
  float lo = 1, hi = -1;
  std::vector<int> seen(3, 0);
  for (int r = 0; r < 50; ++r) {
    int label = -1, ones = 0;
    for (int k = 0; k < 3; ++k) {
      CHECK((c[std::size_t(r * 3 + k)] == 0.0f || c[std::size_t(r * 3 + k)] == 1.0f));
      if (c[std::size_t(r * 3 + k)] == 1.0f) label = k, ++ones;
    }
    REQUIRE(ones == 1);
    ++seen[std::size_t(label)];
    const float* s = x.data() + std::size_t(r) * 90;
    CHECK(s[7] == doctest::Approx((60.0 * label + 15) / 127.5 - 1));  // red plane
    CHECK(s[30 + 7] == doctest::Approx(128 / 127.5 - 1));            // green plane
    CHECK(s[60 + 7] == doctest::Approx(64 / 127.5 - 1));             // blue plane
    for (int k = 0; k < 90; ++k) lo = std::min(lo, s[k]), hi = std::max(hi, s[k]);
  }
  CHECK(lo == -1.0f);
  CHECK(hi == 1.0f);
  for (int k = 0; k < 3; ++k) CHECK(seen[std::size_t(k)] > 0);

  // Unconditional: images only; the same seed gives the same batch.
  Rng r1(9), r2(9);
  Tensor<float, Cpu> p(16, 90), q(16, 90);
  d(p, r1);
  d(q, r2);
  CHECK(p.shape() == Shape::image(3, 5, 6));
  CHECK(p.to_host() == q.to_host());
}

TEST_CASE("ImageFolder feeds gan::Trainer: a conditional step on 1x8x8 images") {
  TempDir dir;
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 3; ++i) {
      const fs::path file = dir.path / (std::string(1, 'k') + std::to_string(k)) / (std::to_string(i) + ".png");
      solid(file.string(), 8, 8, {std::uint8_t(100 * k + i)});
    }
  const data::ImageFolder d(dir.path.string(), {.channels = 1});
  Rng init(3);
  Network<Sequential<Input<8>, Concat<2>, Dense<16>, ReLU, Dense<64>, Tanh>, Cpu> g(init);
  Network<Sequential<Input<64>, Concat<2>, Dense<16>, LeakyReLU<>, Dense<1>>, Cpu> c(init);
  Trainer trainer(g, c, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                  TrainerOptions{.batch = 8, .seed = 1});
  for (int i = 0; i < 3; ++i) CHECK(std::isfinite(double(trainer.step(d).d_loss)));
}

TEST_CASE("ImageFolder: a corrupt image is an error naming it; skip_unreadable skips and lists it") {
  TempDir dir;
  solid(dir / "a/good.png", 2, 2, {5});
  solid(dir / "b/good.png", 2, 2, {6});
  Rng rng(11);
  Bytes junk(300);
  for (auto& b : junk) b = std::uint8_t(rng.below(256));
  junk[0] = 0x13;  // not the first byte of any format stb_image knows,
  junk[1] = 0x77;  // nor a TGA colour-map type (TGA has no magic number)
  write_bytes(dir / "a/x.png", junk);

  CHECK_THROWS_WITH_AS(data::ImageFolder(dir.path.string()), doctest::Contains((dir / "a/x.png").c_str()), FormatError);
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir.path.string()), doctest::Contains("stb_image: unknown image type"), FormatError);
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir.path.string()), doctest::Contains("skip_unreadable"), FormatError);

  // A PNG cut short, and an empty file.
  const Bytes whole = slurp(dir / "a/good.png");
  write_bytes(dir / "b/cut.png", Bytes(whole.begin(), whole.begin() + 40));
  write_bytes(dir / "b/empty.png", {});

  const data::ImageFolder d(dir.path.string(), {.channels = 1, .skip_unreadable = true});
  CHECK(d.size() == 2);
  CHECK(d.class_counts() == std::vector<std::size_t>{1, 1});
  REQUIRE(d.skipped().size() == 3);
  CHECK(d.skipped()[0].path == dir / "a/x.png");
  CHECK(d.skipped()[0].reason == "stb_image: unknown image type");
  CHECK(d.skipped()[1].path == dir / "b/cut.png");
  CHECK(d.skipped()[2].path == dir / "b/empty.png");
  CHECK(d.skipped()[2].reason == "empty file");
  const std::string s = d.summary();
  CHECK(s.find("skipped (unreadable): 3") != std::string::npos);
  CHECK(s.find(dir / "a/x.png") != std::string::npos);

  // Nothing readable at all.
  TempDir bad;
  write_bytes(bad / "x.png", junk);
  CHECK_THROWS_WITH_AS(data::ImageFolder(bad.path.string(), {.skip_unreadable = true}),
                       doctest::Contains("no readable images"), FormatError);

  // An image larger than max_pixels is unreadable.
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "a", {.max_pixels = 3}), doctest::Contains("more than max_pixels"), FormatError);
}

TEST_CASE("ImageFolder: a missing folder, a file, an empty folder and bad options are errors naming them") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "absent"), doctest::Contains((dir / "absent': does not exist").c_str()),
                       FormatError);
  write_bytes(dir / "file.png", {1, 2, 3});
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "file.png"), doctest::Contains("file.png': is not a folder"), FormatError);

  fs::create_directories(dir.path / "empty");
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "empty"), doctest::Contains((dir / "empty': no images found").c_str()),
                       FormatError);
  write_bytes(dir / "texts/a.txt", {1});
  write_bytes(dir / "texts/sub/b.csv", {1});
  CHECK_THROWS_WITH_AS(data::ImageFolder(dir / "texts"), doctest::Contains("3 entries ignored"), FormatError);

  solid(dir / "ok/a.png", 2, 2, {1});
  CHECK_THROWS_AS(data::ImageFolder(dir / "ok", {.channels = 2}), std::invalid_argument);
  CHECK_THROWS_AS(data::ImageFolder(dir / "ok", {.channels = 4}), std::invalid_argument);
  CHECK_THROWS_AS(data::ImageFolder(dir / "ok", {.height = 8}), std::invalid_argument);
  CHECK_THROWS_AS(data::ImageFolder(dir / "ok", {.height = -1, .width = 4}), std::invalid_argument);
}

TEST_CASE("ImageFolder: the same folder twice gives the same order, labels and pixels") {
  TempDir dir;
  // Written in an order other than the sorted one.
  for (int i : {7, 2, 9, 0, 5})
    for (const char* k : {"zebra", "ant", "Moth"}) solid(dir / (std::string(k) + "/img" + std::to_string(i) + ".png"), 3, 3, {std::uint8_t(i * 20 + k[0] % 7)});
  const data::ImageFolder a(dir.path.string()), b(dir.path.string());
  REQUIRE(a.size() == 15);
  REQUIRE(b.size() == 15);
  CHECK(a.class_name(0) == "Moth");  // byte order: upper case first
  CHECK(a.class_name(1) == "ant");
  CHECK(a.class_name(2) == "zebra");
  CHECK(a.labels() == b.labels());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a.file(i) == b.file(i));
    CHECK(image(a, i) == image(b, i));
  }
  CHECK(a.file(0) == dir / "Moth/img0.png");
  CHECK(a.file(4) == dir / "Moth/img9.png");
}

TEST_CASE("LabelledImages from pixels: C x H x W images, checked sizes, class names") {
  // Two 2x1x2 images: image 0 = planes {1, 2} {3, 4}; image 1 = {255, 0} {0, 255}.
  const data::LabelledImages d(Bytes{1, 2, 3, 4, 255, 0, 0, 255}, 2, 2, 1, 2, {1, 0}, 2, "pairs", {"odd", "even"});
  CHECK(d.size() == 2);
  CHECK(d.shape() == Shape::image(2, 1, 2));
  CHECK(d.class_name(0) == "odd");
  CHECK(d.class_counts() == std::vector<std::size_t>{1, 1});
  Tensor<double, Cpu> batch;
  d.images({1, 0}, batch);
  CHECK(batch.shape() == Shape::image(2, 1, 2));
  CHECK(batch.to_host() == std::vector<double>{1, -1, -1, 1, 1 / 127.5 - 1, 2 / 127.5 - 1, 3 / 127.5 - 1, 4 / 127.5 - 1});
  CHECK_THROWS_AS(d.images({2}, batch), std::out_of_range);

  const data::LabelledImages unnamed(Bytes(12, 0), 3, 1, 2, 2, {0, 2, 1}, 3, "u");
  CHECK(unnamed.class_name(2) == "2");

  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(7), 2, 2, 1, 2, {0, 0}, 1, "set"),
                       doctest::Contains("set: 7 pixel bytes for 2 images of 2x1x2"), FormatError);
  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(8), 2, 2, 1, 2, {0}, 1, "set"), doctest::Contains("2 images but 1 labels"),
                       FormatError);
  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(8), 2, 2, 1, 2, {0, 3}, 3, "set"),
                       doctest::Contains("label 3 of image 1 is not below 3"), FormatError);
  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(8), 2, 2, 1, 2, {0, -1}, 3, "set"), doctest::Contains("is negative"),
                       FormatError);
  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(8), 2, 2, 1, 2, {0, 1}, 2, "set", {"a"}),
                       doctest::Contains("1 class names for 2 classes"), FormatError);
  CHECK_THROWS_WITH_AS(data::LabelledImages(Bytes(), 0, 1, 2, 2, {}, 1, "set"), doctest::Contains("no images"), FormatError);
  CHECK_THROWS_AS(data::LabelledImages(Bytes(8), 2, 0, 1, 2, {0, 1}, 2, "set"), FormatError);
}
