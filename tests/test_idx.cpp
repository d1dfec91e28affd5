// The IDX reader (plain and gzip) on good, truncated, corrupt and hostile files, the labelled-image
// sampler, and the real Fashion-MNIST test set when Debian's dataset-fashion-mnist is installed.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gan/data/fashion_mnist.hpp>
#include <gan/data/idx.hpp>
#include <gan/gan.hpp>
#include <string>
#include <vector>

using namespace gan;
using Bytes = std::vector<unsigned char>;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("gan_test_idx_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// An IDX file of unsigned bytes with the given dimensions and values.
Bytes idx_bytes(const std::vector<std::uint32_t>& dims, const Bytes& values) {
  Bytes b = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
  for (auto d : dims) b.insert(b.end(), {static_cast<unsigned char>(d >> 24), static_cast<unsigned char>(d >> 16),
                                         static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d)});
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

void write_plain(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  REQUIRE(f.good());
}

void write_gz(const std::string& path, const Bytes& b) {
  gzFile g = gzopen(path.c_str(), "wb9");
  REQUIRE(g != nullptr);
  if (!b.empty()) REQUIRE(gzwrite(g, b.data(), unsigned(b.size())) == int(b.size()));
  REQUIRE(gzclose(g) == Z_OK);
}

Bytes slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// A small array: 3 items of 2x4, values 0..23.
Bytes small_values() {
  Bytes v(24);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<unsigned char>(i * 10);
  return v;
}

void check_small(const data::IdxArray& a) {
  REQUIRE(a.dims == std::vector<std::size_t>{3, 2, 4});
  CHECK(a.items() == 3);
  CHECK(a.item_size() == 8);
  CHECK(a.values == small_values());
}

}  // namespace

TEST_CASE("read_idx: a round trip of plain and gzipped files") {
  TempDir dir;
  const Bytes file = idx_bytes({3, 2, 4}, small_values());
  write_plain(dir / "a.idx", file);
  write_gz(dir / "a.idx.gz", file);
  check_small(data::read_idx(dir / "a.idx"));
  check_small(data::read_idx(dir / "a.idx.gz"));
  check_small(data::parse_idx(file.data(), file.size()));

  // Two gzip members (what `cat a.gz b.gz` gives) are one stream.
  const Bytes head(file.begin(), file.begin() + 10), tail(file.begin() + 10, file.end());
  write_gz(dir / "h.gz", head);
  write_gz(dir / "t.gz", tail);
  Bytes two = slurp(dir / "h.gz"), t = slurp(dir / "t.gz");
  two.insert(two.end(), t.begin(), t.end());
  write_plain(dir / "two.gz", two);
  check_small(data::read_idx(dir / "two.gz"));

  // One dimension; a dimension of 0 is an empty (valid) array.
  write_gz(dir / "labels.gz", idx_bytes({5}, {1, 2, 3, 4, 5}));
  const auto l = data::read_idx(dir / "labels.gz");
  CHECK(l.dims == std::vector<std::size_t>{5});
  CHECK(l.values == Bytes{1, 2, 3, 4, 5});
  write_plain(dir / "empty.idx", idx_bytes({0, 28, 28}, {}));
  CHECK(data::read_idx(dir / "empty.idx").values.empty());
}

TEST_CASE("read_idx: a file truncated at every length throws FormatError, plain and gzipped") {
  TempDir dir;
  const Bytes file = idx_bytes({3, 2, 4}, small_values());
  for (std::size_t n = 0; n < file.size(); ++n) {
    CAPTURE(n);
    const Bytes cut(file.begin(), file.begin() + std::ptrdiff_t(n));
    write_plain(dir / "cut.idx", cut);
    CHECK_THROWS_AS(data::read_idx(dir / "cut.idx"), FormatError);
    write_gz(dir / "cut.gz", cut);  // a complete gzip stream of a truncated IDX
    CHECK_THROWS_AS(data::read_idx(dir / "cut.gz"), FormatError);
  }
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "cut.idx"), doctest::Contains("truncated"), FormatError);

  write_gz(dir / "full.gz", file);
  const Bytes gz = slurp(dir / "full.gz");
  for (std::size_t n = 0; n < gz.size(); ++n) {  // a truncated gzip stream of a complete IDX
    CAPTURE(n);
    write_plain(dir / "cutgz.gz", Bytes(gz.begin(), gz.begin() + std::ptrdiff_t(n)));
    CHECK_THROWS_AS(data::read_idx(dir / "cutgz.gz"), FormatError);
  }
  write_plain(dir / "cutgz.gz", Bytes(gz.begin(), gz.end() - 3));
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "cutgz.gz"), doctest::Contains("truncated gzip"), FormatError);
}

TEST_CASE("read_idx: bad magic, unsupported type, bad dimensions name the file and the fault") {
  TempDir dir;
  const std::string p = dir / "bad.idx";
  const Bytes good = idx_bytes({3, 2, 4}, small_values());

  Bytes b = good;
  b[0] = 0x50;  // "P": not IDX, not gzip
  write_plain(p, b);
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("bad magic 0x50 0x00"), FormatError);
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains(p.c_str()), FormatError);
  write_gz(dir / "bad.gz", b);
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "bad.gz"), doctest::Contains("bad magic"), FormatError);

  b = good;
  b[2] = 0x0D;  // float
  write_plain(p, b);
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("0x0D (float) is not supported"), FormatError);

  b = good;
  b[3] = 0;  // no dimensions
  write_plain(p, b);
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("0 dimensions"), FormatError);
  b[3] = 200;
  write_plain(p, b);
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("200 dimensions"), FormatError);

  // Dimensions that claim more data than present, and fewer.
  write_plain(p, idx_bytes({4, 2, 4}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("need 32 values but the file holds 24"), FormatError);
  write_gz(dir / "more.gz", idx_bytes({4, 2, 4}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "more.gz"), doctest::Contains("truncated"), FormatError);
  write_plain(p, idx_bytes({2, 2, 4}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("do not match the file size"), FormatError);
  write_gz(dir / "fewer.gz", idx_bytes({2, 2, 4}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "fewer.gz"), doctest::Contains("do not match"), FormatError);

  // Absurd dimensions: overflow of 64 bits and more than 2^31 values; nothing is allocated for them.
  write_plain(p, idx_bytes({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("absurd"), FormatError);
  write_plain(p, idx_bytes({65536, 32768}, small_values()));  // 2^31 values exactly: allowed, but truncated
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("truncated"), FormatError);
  write_plain(p, idx_bytes({65536, 32769}, small_values()));
  CHECK_THROWS_WITH_AS(data::read_idx(p), doctest::Contains("absurd"), FormatError);
  write_gz(dir / "absurd.gz", idx_bytes({0x10000, 0x10000, 0x10000}, {}));
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "absurd.gz"), doctest::Contains("absurd"), FormatError);

  // A gzip "bomb": a header of 10 values (18 bytes) followed by 8 MiB of zeros stops at the header's size.
  write_gz(dir / "bomb.gz", idx_bytes({10}, Bytes(8 << 20, 0)));
  CHECK(fs::file_size(dir / "bomb.gz") < 100000);
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "bomb.gz"), doctest::Contains("more than the 18 bytes"), FormatError);
}

TEST_CASE("read_idx: a missing file, a directory and a corrupt gzip stream") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "nope.idx.gz"), doctest::Contains("nope.idx.gz': not found"), FormatError);
  CHECK_THROWS_WITH_AS(data::read_idx(dir.path.string()), doctest::Contains("directory"), FormatError);

  const Bytes file = idx_bytes({3, 2, 4}, small_values());
  write_gz(dir / "good.gz", file);
  const Bytes gz = slurp(dir / "good.gz");

  Bytes bad = gz;
  bad[2] = 7;  // compression method other than deflate
  write_plain(dir / "bad.gz", bad);
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "bad.gz"), doctest::Contains("corrupt gzip"), FormatError);
  bad = gz;
  bad[bad.size() - 6] ^= 0xFF;  // the CRC
  write_plain(dir / "bad.gz", bad);
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "bad.gz"), doctest::Contains("corrupt gzip"), FormatError);
  bad = gz;
  bad.insert(bad.end(), {1, 2, 3});
  write_plain(dir / "bad.gz", bad);
  CHECK_THROWS_WITH_AS(data::read_idx(dir / "bad.gz"), doctest::Contains("garbage after the gzip"), FormatError);

  // Every single-byte corruption either throws FormatError or (a byte the format ignores, such as
  // the time stamp) reads the original array: never a crash, never a partial or altered result.
  int thrown = 0, same = 0;
  for (std::size_t i = 0; i < gz.size(); ++i)
    for (unsigned char x : {0x01, 0x80, 0xFF}) {
      bad = gz;
      bad[i] ^= x;
      write_plain(dir / "bad.gz", bad);
      try {
        const auto a = data::read_idx(dir / "bad.gz");
        CHECK(a.dims == std::vector<std::size_t>{3, 2, 4});
        CHECK(a.values == small_values());
        ++same;
      } catch (const FormatError&) {
        ++thrown;
      }
    }
  CHECK(thrown > int(gz.size()));
  MESSAGE("single-byte corruptions of a ", gz.size(), "-byte gzip file: ", thrown, " rejected, ", same, " harmless");
}

namespace {
// A synthetic Fashion-MNIST-like pair in `dir`: image i is filled with pixel value 25 * label(i),
// label(i) = i % 10, so a sample's label can be read back from its pixels.
void write_synthetic(const TempDir& dir, const std::string& prefix, std::uint32_t n) {
  Bytes px, lab;
  for (std::uint32_t i = 0; i < n; ++i) {
    lab.push_back(static_cast<unsigned char>(i % 10));
    px.insert(px.end(), 28 * 28, static_cast<unsigned char>(25 * (i % 10)));
  }
  px[0] = 255;  // one white pixel: the range reaches 1 exactly
  write_gz(dir / (prefix + "-images-idx3-ubyte.gz"), idx_bytes({n, 28, 28}, px));
  write_gz(dir / (prefix + "-labels-idx1-ubyte.gz"), idx_bytes({n}, lab));
}
}  // namespace

TEST_CASE("FashionMnist sampler on a synthetic pair: shapes, range, one-hot labels that match") {
  TempDir dir;
  write_synthetic(dir, "t10k", 30);
  const data::FashionMnist d(data::Split::test, dir.path.string());
  REQUIRE(d.size() == 30);
  CHECK(d.classes() == 10);
  CHECK(d.shape() == Shape::image(1, 28, 28));
  CHECK(d.label(13) == 3);
  CHECK(std::string(data::FashionMnist::class_name(9)) == "Ankle boot");
  CHECK(data::FashionMnist::class_names[0] == std::string("T-shirt/top"));
  CHECK_THROWS_AS(data::FashionMnist::class_name(10), std::out_of_range);
  const data::LabelledImages& base = d;  // the names reach the generic sampler too
  CHECK(base.class_name(9) == "Ankle boot");
  CHECK(base.class_counts() == std::vector<std::size_t>(10, 3));

  Rng rng(5);
  Tensor<float, Cpu> batch(64, 784), cond;
  d(batch, rng);
  CHECK(batch.rows() == 64);
  CHECK(batch.shape() == Shape::image(1, 28, 28));
  for (float v : batch.to_host()) {
    CHECK(v >= -1.0f);
    CHECK(v <= 1.0f);
  }

  Tensor<double, Cpu> b2(200, 784), c2;
  d(b2, c2, rng);
  REQUIRE(c2.rows() == 200);
  REQUIRE(c2.cols() == 10);
  const auto x = b2.to_host(), c = c2.to_host();
  std::vector<int> seen(10, 0);
  double lo = 1, hi = -1;
  for (int r = 0; r < 200; ++r) {
    int label = -1, ones = 0;
    for (int k = 0; k < 10; ++k) {
      CHECK((c[r * 10 + k] == 0.0 || c[r * 10 + k] == 1.0));
      if (c[r * 10 + k] == 1.0) label = k, ++ones;
    }
    REQUIRE(ones == 1);
    ++seen[label];
    const double pixel = x[std::size_t(r) * 784 + 1];  // all pixels but the first are 25 * label
    CHECK(pixel == doctest::Approx(25.0 * label / 127.5 - 1.0));
    for (int k = 0; k < 784; ++k) lo = std::min(lo, x[std::size_t(r) * 784 + k]), hi = std::max(hi, x[std::size_t(r) * 784 + k]);
  }
  CHECK(lo == -1.0);
  for (int k = 0; k < 10; ++k) CHECK(seen[k] > 0);  // 200 draws from 10 equally common labels

  // Same seed, same batch.
  Rng r1(9), r2(9);
  Tensor<float, Cpu> p(16, 784), q(16, 784);
  d(p, r1);
  d(q, r2);
  CHECK(p.to_host() == q.to_host());
}

TEST_CASE("FashionMnist feeds gan::Trainer: unconditional and conditional (Concat) steps") {
  TempDir dir;
  write_synthetic(dir, "train", 20);
  const data::FashionMnist d(data::Split::train, dir.path.string());
  Rng init(3);
  {
    Network<Sequential<Input<8>, Dense<16>, ReLU, Dense<784>, Tanh>, Cpu> g(init);
    Network<Sequential<Input<784>, Dense<16>, LeakyReLU<>, Dense<1>>, Cpu> c(init);
    Trainer trainer(g, c, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                    TrainerOptions{.batch = 16, .seed = 1});
    for (int i = 0; i < 3; ++i) {
      const auto l = trainer.step(d);  // unconditional networks: the trainer asks for images only
      CHECK(std::isfinite(double(l.d_loss)));
    }
  }
  {
    Network<Sequential<Input<8>, Concat<10>, Dense<16>, ReLU, Dense<784>, Tanh>, Cpu> g(init);
    Network<Sequential<Input<784>, Concat<10>, Dense<16>, LeakyReLU<>, Dense<1>>, Cpu> c(init);
    Trainer trainer(g, c, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                    TrainerOptions{.batch = 16, .seed = 1});
    for (int i = 0; i < 3; ++i) {
      const auto l = trainer.step(d);
      CHECK(std::isfinite(double(l.g_loss)));
    }
  }
}

TEST_CASE("FashionMnist: missing files and inconsistent pairs are FormatErrors") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::train, dir / "absent"),
                       doctest::Contains("install it with: sudo apt-get install dataset-fashion-mnist"), FormatError);
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::train, dir / "absent"),
                       doctest::Contains((dir / "absent/train-images-idx3-ubyte.gz").c_str()), FormatError);

  Bytes px(3 * 28 * 28, 0);
  write_gz(dir / "t10k-images-idx3-ubyte.gz", idx_bytes({3, 28, 28}, px));
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes({4}, {0, 1, 2, 3}));
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::test, dir.path.string()), doctest::Contains("3 images but 4 labels"),
                       FormatError);
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes({3}, {0, 10, 2}));
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::test, dir.path.string()),
                       doctest::Contains("label 10 of image 1 is not below 10"), FormatError);
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes({3, 1}, {0, 1, 2}));
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::test, dir.path.string()), doctest::Contains("expected 1"), FormatError);
  write_gz(dir / "t10k-images-idx3-ubyte.gz", idx_bytes({3, 32, 32}, Bytes(3 * 32 * 32, 0)));
  CHECK_THROWS_WITH_AS(data::FashionMnist(data::Split::test, dir.path.string()), doctest::Contains("expected n x 28 x 28"),
                       FormatError);

  // Uncompressed copies are read when there is no .gz.
  fs::remove(dir / "t10k-images-idx3-ubyte.gz");
  fs::remove(dir / "t10k-labels-idx1-ubyte.gz");
  write_plain(dir / "t10k-images-idx3-ubyte", idx_bytes({3, 28, 28}, px));
  write_plain(dir / "t10k-labels-idx1-ubyte", idx_bytes({3}, {7, 8, 9}));
  const data::FashionMnist d(data::Split::test, dir.path.string());
  CHECK(d.size() == 3);
  CHECK(d.label(2) == 9);
}

TEST_CASE("FashionMnist: the real test set (Debian's dataset-fashion-mnist)") {
  const std::string images = data::FashionMnist::file(data::Split::test, "images", data::FashionMnist::default_dir);
  if (!fs::exists(images)) {
    MESSAGE("skipped: " << images << " not found (sudo apt-get install dataset-fashion-mnist)");
    return;
  }
  const data::FashionMnist d(data::Split::test);
  REQUIRE(d.size() == 10000);
  std::vector<int> per_class(10, 0);
  for (auto l : d.labels()) ++per_class[l];
  for (int k = 0; k < 10; ++k) CHECK(per_class[k] == 1000);  // the test set is balanced
  double sum = 0;
  for (std::size_t i = 0; i < d.size(); ++i)
    for (int k = 0; k < 784; ++k) sum += d.pixels(i)[k];
  const double mean = sum / (255.0 * 784 * 10000);  // published: 0.286
  CHECK(mean > 0.27);
  CHECK(mean < 0.30);
  Rng rng(1);
  Tensor<float, Cpu> batch(128, 784), cond;
  d(batch, cond, rng);
  CHECK(batch.shape() == Shape::image(1, 28, 28));
  CHECK(cond.cols() == 10);
  double m = 0;
  for (float v : batch.to_host()) m += v;
  m /= 128.0 * 784;
  CHECK(m > -0.6);  // 0.286 * 2 - 1 = -0.43 on average
  CHECK(m < -0.25);
}
