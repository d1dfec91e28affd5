// Shaped samples: compile-time shape folds, Flatten and Reshape as views, tensor views, a
// DCGAN-shaped pair of networks that type-checks before any convolution exists, PacGAN over
// images, and checkpoints that store full shapes (and still read the flat version 1).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "gradcheck.hpp"
#include <gan/core/concepts.hpp>
#include <gan/core/stack.hpp>

using namespace gan;
using gantest::Td;

// The DCGAN generator's shapes, z = 100 -> 128x7x7 -> ... -> 1x28x28 (Dense stands in for the
// transposed convolutions until they exist), and a critic on 1x28x28 images.
using DcganG = Sequential<Input<100>, Dense<128 * 7 * 7>, Reshape<128, 7, 7>, ReLU, Flatten, Dense<784>, Tanh,
                          Reshape<1, 28, 28>>;
using DcganD = Sequential<Input<1, 28, 28>, Flatten, Dense<64>, LeakyReLU<>, Dense<1>>;
static_assert(DcganG::shapes[2] == Shape::image(128, 7, 7));
static_assert(DcganG::shapes[3] == Shape::image(128, 7, 7));  // activations keep the shape
static_assert(DcganG::output_shape == Shape::image(1, 28, 28));
static_assert(DcganD::input_shape == DcganG::output_shape);
static_assert(DcganD::shapes[1] == Shape::flat(784));
static_assert(Sequential<Input<12>, Reshape<Dynamic, 2, 2>>::output_shape == Shape::image(3, 2, 2));
static_assert(Input<Dynamic, 28, 28>::runtime_dims == 1);
static_assert(Shape::image(1, 28, 28).grouped(4) == Shape::image(4, 28, 28));

TEST_CASE("Shapes fold at compile time and are checked at construction") {
  Rng rng(1);
  Network<DcganG, Cpu> g(rng);
  Network<DcganD, Cpu> d(rng);
  CHECK(g.output_shape() == Shape::image(1, 28, 28));
  CHECK(g.shape(2).str() == "128x7x7");
  CHECK(DcganD::describe() == "Input<1, 28, 28> -> Flatten -> Dense<64> -> LeakyReLU<0.200000> -> Dense<1>");
  // A Dynamic image dimension is given at construction.
  using DynImg = Sequential<Input<Dynamic, 4, 4>, Flatten, Dense<3>>;
  Network<DynImg, Cpu> dyn(rng, {2});
  CHECK(dyn.input_shape() == Shape::image(2, 4, 4));
  CHECK(dyn.size(1) == 32);
  // A Reshape that cannot take a run-time width says which layer and which shapes.
  using DynR = Sequential<Input<Dynamic>, Reshape<2, 3, 3>>;
  CHECK_THROWS_WITH_AS((Network<DynR, Cpu>(rng, {17})), doctest::Contains("layer 1 (Reshape<2, 3, 3>) cannot take an input of shape 17"),
                       ShapeError);
}

TEST_CASE("Flatten and Reshape are views: no copy forward or backward, gradients pass through") {
  using Seq = Sequential<Input<2, 2, 3>, Flatten, Dense<5>, Reshape<5, 1, 1>>;
  Rng rng(2);
  Network<Seq, Cpu, double> net(rng);
  Td x = gantest::random_tensor(4, 12, rng);
  const Td& y = net.forward(x);
  CHECK(y.shape() == Shape::image(5, 1, 1));
  CHECK(y.is_view());  // the last Reshape views Dense's output
  gantest::check_layer_gradients<Seq>();
  gantest::check_layer_gradients<Sequential<Input<12>, Reshape<3, 2, 2>, Tanh, Flatten, Dense<2>>>();
}

TEST_CASE("Tensor views share memory and check sizes") {
  Tensor<float, Cpu> t(8, Shape::image(1, 2, 3));
  ops::fill(t, 1.f);
  Tensor<float, Cpu> v = t.view(4, Shape::image(2, 2, 3));  // PacGAN: 2 samples per row
  CHECK(v.data() == t.data());
  CHECK(v.rows() == 4);
  CHECK(v.cols() == 12);
  v.data()[0] = 5.f;
  CHECK(t.data()[0] == 5.f);
  CHECK_THROWS_WITH_AS(t.view(3, Shape::flat(12)), doctest::Contains("cannot be viewed as 3 samples of shape 12"),
                       ShapeError);
  CHECK_THROWS_AS(v.resize(5, Shape::flat(12)), ShapeError);  // a view cannot grow
}

TEST_CASE("A network takes a flat batch of an image's size, and names both shapes otherwise") {
  Rng rng(3);
  Network<DcganD, Cpu> d(rng);
  Tensor<float, Cpu> flat(2, 784), wrong(2, Shape::image(1, 27, 27));
  ops::fill(flat, 0.f);
  ops::fill(wrong, 0.f);
  CHECK(d.forward(flat).rows() == 2);
  CHECK_THROWS_WITH_AS(d.forward(wrong), doctest::Contains("samples of shape 1x27x27 (729 values), the network takes 1x28x28"),
                       ShapeError);
}

TEST_CASE("PacGAN over images groups samples along the channels, as a view") {
  using G = Sequential<Input<4>, Dense<12>, Reshape<3, 2, 2>>;
  using D = Sequential<Input<6, 2, 2>, Flatten, Dense<8>, LeakyReLU<>, Dense<1>>;  // pac 2
  using Dbad = Sequential<Input<3, 2, 4>, Flatten, Dense<1>>;  // 24 values, but not 2 x 3x2x2
  Rng init(4);
  Network<G, Cpu> g(init);
  Network<D, Cpu> d(init);
  Network<Dbad, Cpu> dbad(init);
  auto real = [](Tensor<float, Cpu>& b, Rng& rng) { ops::fill_normal(b, rng); };
  Trainer t(g, d, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
            TrainerOptions{.batch = 8, .pac = 2, .seed = 1});
  const auto l = t.step(real);
  CHECK(std::isfinite(l.g_loss));
  auto make_bad = [&] {
    return Trainer(g, dbad, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
                   TrainerOptions{.batch = 8, .pac = 2});
  };
  CHECK_THROWS_WITH_AS(make_bad(), doctest::Contains("critic takes images of shape 3x2x4, the generator makes 3x2x2, i.e. 6x2x2"),
                       ShapeError);
}

namespace {
// Rewrites a version-2 checkpoint as version 1 (flat tensors: cols instead of rank and c, h, w,
// no EMA update count), as the previous library wrote them.
std::vector<unsigned char> as_version1(const std::vector<unsigned char>& v2) {
  io::Reader r(v2.data(), v2.size() - 8, "v2");
  io::Writer w;
  w.put_bytes(r.get_bytes(8), 8);
  r.get<std::uint32_t>();
  w.put(std::uint32_t(1));
  w.put(r.get<std::uint32_t>());
  const auto nc = r.get<std::uint32_t>();
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  for (std::uint32_t i = 0; i < nc; ++i) {
    std::string n = r.get_string();
    const auto v = r.get<std::uint64_t>();
    if (n != "generator_ema/updates") counts.emplace_back(n, v);
  }
  w.put(std::uint32_t(counts.size()));
  for (auto& [n, v] : counts) {
    w.put_string(n);
    w.put(v);
  }
  const auto nt = r.get<std::uint32_t>();
  w.put(nt);
  for (std::uint32_t i = 0; i < nt; ++i) {
    w.put_string(r.get_string());
    const auto rows = r.get<std::uint64_t>();
    r.get<std::uint32_t>();
    const auto c = r.get<std::uint64_t>(), h = r.get<std::uint64_t>(), wd = r.get<std::uint64_t>();
    w.put(rows);
    w.put(c * h * wd);
    w.put_bytes(r.get_bytes(rows * c * h * wd * 4), rows * c * h * wd * 4);
  }
  w.put(io::fnv1a(w.bytes().data(), w.bytes().size()));
  return w.bytes();
}
}  // namespace

TEST_CASE("Checkpoints store full shapes; version 1 files still load; newer versions are refused clearly") {
  using G = Sequential<Input<3>, Dense<8>, Reshape<2, 2, 2>, Flatten, Dense<2>>;
  using D = Sequential<Input<2>, Dense<8>, LeakyReLU<>, Dense<1>>;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string p2 = (dir / "gan_shapes_v2.ckpt").string(), p1 = (dir / "gan_shapes_v1.ckpt").string();
  auto ring = data::RingOfGaussians{};
  Rng i1(1);
  Network<G, Cpu> g1(i1);
  Network<D, Cpu> d1(i1);
  Trainer t1(g1, d1, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
             TrainerOptions{.batch = 16, .seed = 3, .ema_decay = 0.9});
  for (int i = 0; i < 3; ++i) t1.step(ring);
  save_checkpoint(t1, p2);
  const auto bytes = io::read_file(p2);
  {
    const auto v1 = as_version1(bytes);
    std::ofstream(p1, std::ios::binary).write(reinterpret_cast<const char*>(v1.data()), std::streamsize(v1.size()));
  }
  Rng i2(9);
  Network<G, Cpu> g2(i2);
  Network<D, Cpu> d2(i2);
  Trainer t2(g2, d2, Objective<NonSaturating>{}, Adam(1e-3, 0.5, 0.999), Adam(1e-3, 0.5, 0.999),
             TrainerOptions{.batch = 16, .seed = 3, .ema_decay = 0.9});
  load_checkpoint(t2, p1);
  CHECK(t2.steps_done() == 3);
  CHECK(t2.ema()->updates() == 3);
  CHECK(g2.layer<0>().W.to_host() == g1.layer<0>().W.to_host());
  CHECK(t2.step(ring).g_loss == t1.step(ring).g_loss);

  auto future = bytes;
  future[8] = 3;  // version 3
  std::ofstream(p1, std::ios::binary).write(reinterpret_cast<const char*>(future.data()), std::streamsize(future.size()));
  CHECK_THROWS_WITH_AS(load_checkpoint(t2, p1), doctest::Contains("format version 3, this library reads versions 1 to 2"),
                       FormatError);
  std::filesystem::remove(p1);
  std::filesystem::remove(p2);
}

TEST_CASE("Copying a tensor snapshots it, a view included; moving a view keeps the view") {
  Tensor<float, Cpu> t(2, 3);
  ops::fill(t, 1.f);
  Tensor<float, Cpu> v = t.view(3, 2);  // a view (moved from view())
  CHECK(v.is_view());
  Tensor<float, Cpu> snap = v;  // a copy: owns its values
  CHECK_FALSE(snap.is_view());
  t.data()[0] = 7.f;
  CHECK(v.data()[0] == 7.f);
  CHECK(snap.data()[0] == 1.f);
  CHECK(snap.shape() == Shape::flat(2));
  CHECK(snap.rows() == 3);
}

namespace {
// The CPU backend with storage that counts its allocations: a backend is a small vocabulary
// (gan::Backend), so a test can swap the storage and keep everything else.
inline long allocations = 0;
template <class T>
struct CountingAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = CountingAllocator<U>;
  };
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) {}
  T* allocate(std::size_t n) {
    ++allocations;
    return std::allocator<T>::allocate(n);
  }
};
struct CountingCpu : Cpu {
  static constexpr const char* name = "counting-cpu";
  template <class T>
  using vector = std::vector<T, CountingAllocator<T>>;
  template <class T>
  static T* raw(vector<T>& v) { return v.data(); }
  template <class T>
  static const T* raw(const vector<T>& v) { return v.data(); }
};
static_assert(gan::Backend<CountingCpu>);
}  // namespace

TEST_CASE("A network whose blocks start or end with a view allocates nothing after its first pass") {
  using Seq = Sequential<Input<4>, Chain<Dense<6>, Reshape<1, 2, 3>>, Flatten, Chain<Reshape<2, 3, 1>, Flatten, Dense<2>>,
                         Residual<Chain<Reshape<1, 1, 2>, Flatten>>>;
  Rng rng(5);
  Network<Seq, CountingCpu> net(rng);
  Tensor<float, CountingCpu> x(5, 4), dy(5, 2);
  ops::fill(x, 0.5f);
  ops::fill(dy, 1.f);
  for (int pass = 0; pass < 3; ++pass) {
    const long before = allocations;
    net.forward(x);
    net.backward(dy, Grads{.params = true, .input = true});
    if (pass > 0) CHECK(allocations == before);
  }
}

TEST_CASE("forward takes a temporary view: the values must live on, not the Tensor object") {
  using D = Sequential<Input<1, 2, 2>, Flatten, Dense<1>>;
  Rng rng(6);
  Network<D, Cpu, double> d(rng);
  Td x = gantest::random_tensor(3, 4, rng), dy(3, 1);
  ops::fill(dy, 1.0);
  d.forward(x.view(3, Shape::image(1, 2, 2)));
  const auto dx = d.backward(dy, Grads{.params = true, .input = true}).to_host();
  CHECK(dx.size() == 12);
}
