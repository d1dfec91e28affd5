// gan/core/random.hpp: a counter-based random number generator (Philox-4x32-10,
// Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
//
// Counter-based means the i-th number of a draw is a pure function of (seed, counter + i):
// no thread owns a state, so the CPU and the GPU backends draw the very same numbers, and a
// run is reproducible whatever the thread scheduling. The whole generator state is three
// integers (seed, stream, counter), which is what a checkpoint stores.
#pragma once
#include <cmath>
#include <cstdint>

#include "config.hpp"

namespace gan {

namespace philox {

struct Block {
  std::uint32_t v[4];
};

GAN_HD inline std::uint32_t mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi) {
  const std::uint64_t p = std::uint64_t(a) * std::uint64_t(b);
  hi = std::uint32_t(p >> 32);
  return std::uint32_t(p);
}

/// Ten Philox rounds of the 128-bit counter `ctr` under the 64-bit key `key`.
GAN_HD inline Block generate(std::uint64_t key, std::uint64_t ctr_lo, std::uint64_t ctr_hi) {
  std::uint32_t c0 = std::uint32_t(ctr_lo), c1 = std::uint32_t(ctr_lo >> 32);
  std::uint32_t c2 = std::uint32_t(ctr_hi), c3 = std::uint32_t(ctr_hi >> 32);
  std::uint32_t k0 = std::uint32_t(key), k1 = std::uint32_t(key >> 32);
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, hi1;
    const std::uint32_t lo0 = mulhilo(0xD2511F53u, c0, hi0);
    const std::uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, hi1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;  // golden-ratio Weyl increments of the key
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

/// A 32-bit integer to a value strictly inside (0, 1), never 0 or 1 (so log(u) and the Gumbel
/// noise -log(-log u) stay finite). Double: (u + 1/2) / 2^32, exact. Float: the top 23 bits,
/// (k + 1/2) / 2^23, exact in a float's 24-bit mantissa: from 2^-24 to 1 - 2^-24. (Rounding the
/// 32-bit form to float would give exactly 1.0f for the top 128 values of u.)
template <class T>
GAN_HD inline T to_unit(std::uint32_t u) {
  if constexpr (sizeof(T) >= 8)
    return (T(u) + T(0.5)) * T(2.3283064365386963e-10);
  else
    return (T(u >> 9) + T(0.5)) * T(1.1920928955078125e-07);
}

}  // namespace philox

/// Pure functions of (key, index): the value each backend writes at position `index` of a draw.
struct RandomDraw {
  std::uint64_t key;
  std::uint64_t offset;  // counter of the draw's first element
  std::uint64_t stream;

  template <class T>
  GAN_HD T uniform(std::uint64_t index) const {
    return philox::to_unit<T>(philox::generate(key, offset + index, stream).v[0]);
  }
  /// Standard normal by the Box-Muller transform of two uniforms of one Philox block.
  template <class T>
  GAN_HD T normal(std::uint64_t index) const {
    const philox::Block b = philox::generate(key, offset + index, stream);
    const T u1 = philox::to_unit<T>(b.v[0]), u2 = philox::to_unit<T>(b.v[1]);
    return std::sqrt(T(-2) * std::log(u1)) * std::cos(T(6.283185307179586) * u2);
  }
  /// Four uniforms in (0, 1) from one Philox block.
  template <class T>
  GAN_HD void uniform4(std::uint64_t index, T (&u)[4]) const {
    const philox::Block blk = philox::generate(key, offset + index, stream);
    for (int k = 0; k < 4; ++k) u[k] = philox::to_unit<T>(blk.v[k]);
  }
  /// Two independent standard normals from one Philox block (both Box-Muller outputs).
  template <class T>
  GAN_HD void normal_pair(std::uint64_t index, T& a, T& b) const {
    const philox::Block blk = philox::generate(key, offset + index, stream);
    const T u1 = philox::to_unit<T>(blk.v[0]), u2 = philox::to_unit<T>(blk.v[1]);
    const T r = std::sqrt(T(-2) * std::log(u1)), t = T(6.283185307179586) * u2;
    a = r * std::cos(t);
    b = r * std::sin(t);
  }
};

/// The generator: a seed, a stream and a counter. `draw(n)` reserves n consecutive counters.
/// Generators with one seed but other streams draw independent numbers: `Rng(seed)` is stream 0,
/// the one users make for initialisation; the library's own generators (the trainer's data and
/// latent draws, its sampling, each network's dropout noise) use streams of their own.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) : seed_(seed), stream_(stream) {}

  RandomDraw draw(std::uint64_t n) {
    RandomDraw d{seed_, counter_, stream_};
    counter_ += n;
    return d;
  }
  /// An independent generator for a sub-task: same seed, another stream. Callers that split
  /// repeatedly pass distinct `stream` values (Network passes a fresh draw).
  Rng split(std::uint64_t stream) const { return Rng(seed_, stream_ * 0x9E3779B97F4A7C15ull + stream + 1); }
  void set_state(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
    seed_ = seed;
    stream_ = stream;
    counter_ = counter;
  }

  std::uint64_t seed() const { return seed_; }
  std::uint64_t stream() const { return stream_; }
  std::uint64_t counter() const { return counter_; }
  void set_counter(std::uint64_t c) { counter_ = c; }

  // Host-side scalar draws (data sampling in examples, shuffles).
  template <class T = double>
  T uniform() { return draw(1).template uniform<T>(0); }
  template <class T = double>
  T normal() { return draw(1).template normal<T>(0); }
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    const philox::Block b = philox::generate(seed_, counter_++, stream_);
    const std::uint64_t r = (std::uint64_t(b.v[0]) << 32) | b.v[1];
    return r % n;  // bias below 2^-32 for the n used here
  }

 private:
  std::uint64_t seed_;
  std::uint64_t stream_;
  std::uint64_t counter_ = 0;
};

/// The streams of the library's own generators (ASCII tags, far from the small numbers users
/// pick): a Trainer seeded with s draws on Rng(s, streams::training) and Rng(s, streams::sampling),
/// never on stream 0, so it does not repeat the draws of an `Rng init(s)` that made the networks.
namespace streams {
inline constexpr std::uint64_t training = 0x747261696e696e67ull;  // "training"
inline constexpr std::uint64_t sampling = 0x73616d706c696e67ull;  // "sampling"
}  // namespace streams

}  // namespace gan
