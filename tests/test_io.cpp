// PNG output, plots and the mode-coverage figures.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gan/gan.hpp>

using namespace gan;

TEST_CASE("Canvas::save writes a PNG atomically and names a bad path") {
  const auto dir = std::filesystem::temp_directory_path() / "gan_test_png";
  std::filesystem::create_directories(dir);
  io::Canvas c(40, 30, 3.0);
  c.dot(0.0, 0.0, {255, 0, 0}, 2);
  c.save((dir / "a.png").string());
  std::ifstream in(dir / "a.png", std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  CHECK(std::string(sig + 1, 3) == "PNG");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary file left behind
  CHECK_THROWS_WITH_AS(c.save((dir / "missing" / "b.png").string()), doctest::Contains("missing"), std::runtime_error);
  CHECK_THROWS_AS(io::save_panels((dir / "c.png").string(), {}), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

TEST_CASE("mode_coverage counts modes and near samples within 3 standard deviations") {
  const data::RingOfGaussians ring;  // radius 2, stddev 0.02
  const auto c = ring.centres();
  std::vector<double> xy;
  for (int i = 0; i < 50; ++i) {      // 50 samples on mode 0, 50 on mode 1 (0.05 away: inside 3 sd)
    xy.insert(xy.end(), {c[0][0], c[0][1]});
    xy.insert(xy.end(), {c[1][0] + 0.05, c[1][1]});
  }
  for (int i = 0; i < 100; ++i) xy.insert(xy.end(), {0.0, 0.0});  // 100 samples in the middle
  const auto m = metrics::mode_coverage(xy, c, ring.stddev);
  CHECK(m.modes == 2);
  CHECK(m.high_quality == doctest::Approx(0.5));
  // A mode with fewer than min_share of the samples does not count.
  xy.insert(xy.end(), {c[2][0], c[2][1]});
  CHECK(metrics::mode_coverage(xy, c, ring.stddev).modes == 2);
}

TEST_CASE("RingOfGaussians samples lie on the ring and use every mode") {
  const data::RingOfGaussians ring;
  Rng rng(1);
  Tensor<double, Cpu> b(4000, 2);
  ring(b, rng);
  const auto h = b.to_host();
  const auto m = metrics::mode_coverage(h, ring.centres(), ring.stddev);
  CHECK(m.modes == 8);
  CHECK(m.high_quality == doctest::Approx(1 - std::exp(-4.5)).epsilon(0.01));  // P(r <= 3 sd) in 2-D
}
