// gan/core/config.hpp: the few definitions every other header relies on.
#pragma once
#include <cstddef>
#include <cstdint>

// GAN_HD marks a function or lambda that must run on the host and, under nvcc, on the device.
// Point-wise functors carry it so that one functor serves the Eigen and the Thrust backends.
#if defined(__CUDACC__)
#define GAN_HD __host__ __device__
#else
#define GAN_HD
#endif

namespace gan {

/// Signed size type used for every dimension (as Eigen::Index).
using index_t = std::ptrdiff_t;

/// Marks a size that is known only at run time, as Eigen's `Eigen::Dynamic`.
inline constexpr index_t Dynamic = -1;

}  // namespace gan
