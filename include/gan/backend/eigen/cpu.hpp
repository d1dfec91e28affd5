// gan/backend/eigen/cpu.hpp: the CPU backend. GEMM through Eigen; element-wise work and
// reductions are plain loops over the same GAN_HD functors the Thrust backend runs.
//
// Threads (gan/core/threads.hpp): products and long point-wise passes are cut into pieces that the
// pool's blocking threads share. Every cut is made where it cannot change a value: a product is
// cut along the rows or columns of its result at multiples of Eigen's register blocks (Eigen's
// depth blocking depends on the inner size and the cache only, so each entry sums the same terms
// in the same order); a column or row reduction is cut between columns or rows; a point-wise pass
// anywhere. So a step gives bit-identical results for every thread count.
//
// Define GAN_USE_CBLAS (and link a CBLAS, e.g. OpenBLAS; the CMake option GAN_USE_OPENBLAS) to hand
// the products to cblas_?gemm. A BLAS must prove itself: at the first product the backend times it
// against Eigen on a 256^3 product and keeps Eigen, with one line on stderr, if the BLAS is slower
// (Debian's OpenBLAS 0.3.21 runs a CPU it does not know on its 2004 "Prescott" kernel at a fifth of
// the speed). GAN_GEMM=blas or GAN_GEMM=eigen skips the check. Results under a BLAS are not
// promised to be identical across thread counts.
//
// The backend vocabulary (what a layer may call; the Thrust backend implements the same):
//   vector<T>                         storage type;  raw(v) -> T*
//   for_each(n, f)                    f(i) for i in [0, n)
//   for_each_2d(rows, cols, f)        f(i, j) over a (rows, cols) block (broadcasts without i % cols)
//   gemm(ta, tb, m, n, k, alpha, A, B, beta, C)   C = alpha op(A) op(B) + beta C, row-major
//   reduce_cols(rows, cols, f, out, beta)  out[j] = beta out[j] + sum_i f(i, j)
//   reduce_rows(rows, cols, f, out)   out[i] = sum_j f(i, j)
//   reduce_sum<T>(n, f)               sum_i f(i), returned to the host
//   (every sum adds its terms in the blocks of backend/reduction_order.hpp, on every backend)
//   copy_to_host / copy_from_host / copy
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../core/config.hpp"
#include "../../core/threads.hpp"
#include "../reduction_order.hpp"

#if defined(GAN_USE_CBLAS)
#include <cblas.h>
#endif

namespace gan {

namespace detail {

/// The instruction set this translation unit was compiled for (what Eigen's kernels use).
inline const char* compiled_isa() {
#if defined(__AVX512F__)
  return "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "AVX2+FMA";
#elif defined(__AVX__)
  return "AVX";
#elif defined(__SSE2__)
  return "SSE2";
#elif defined(__ARM_NEON)
  return "NEON";
#else
  return "scalar";
#endif
}

// C = alpha op(A) op(B) + beta C with Eigen; lda/ldb/ldc are the row strides (row-major).
template <class T>
void eigen_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda, const T* B,
                index_t ldb, T beta, T* C, index_t ldc) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using S = Eigen::OuterStride<>;
  Eigen::Map<const M, 0, S> a(A, ta ? k : m, ta ? m : k, S(lda)), b(B, tb ? n : k, tb ? k : n, S(ldb));
  Eigen::Map<M, 0, S> c(C, m, n, S(ldc));
  if (beta == T(0))
    c.setZero();
  else if (beta != T(1))
    c *= beta;
  if (!ta && !tb) c.noalias() += alpha * a * b;
  else if (ta && !tb) c.noalias() += alpha * a.transpose() * b;
  else if (!ta && tb) c.noalias() += alpha * a * b.transpose();
  else c.noalias() += alpha * a.transpose() * b.transpose();
}

#if defined(GAN_USE_CBLAS)
template <class T>
void blas_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda, const T* B,
               index_t ldb, T beta, T* C, index_t ldc) {
  const auto opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, int(m), int(n), int(k), alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
  else
    cblas_dgemm(CblasRowMajor, opa, opb, int(m), int(n), int(k), alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
}

inline std::string blas_name() {
#if defined(OPENBLAS_VERSION)
  std::string v = OPENBLAS_VERSION;
  v.erase(0, v.find_first_not_of(' '));
  v.erase(v.find_last_not_of(' ') + 1);
  return v + " (core " + openblas_get_corename() + ")";
#else
  return "CBLAS";
#endif
}

// GFLOP/s of the best of a few 256^3 single-precision products.
template <class Gemm>
double gemm_rate(Gemm gemm) {
  constexpr index_t s = 256;
  std::vector<float> a(s * s, 0.5f), b(s * s, 0.25f), c(s * s);
  double best = 1e30;
  for (int rep = 0; rep < 4; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    gemm(a.data(), b.data(), c.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * s * s * s / best * 1e-9;
}

/// Whether the products go to the BLAS: GAN_GEMM, else the BLAS if it is at least as fast as Eigen.
inline bool use_blas() {
  static const bool blas = [] {
    if (const char* g = std::getenv("GAN_GEMM"); g && *g) {
      if (std::string(g) == "blas") return true;
      if (std::string(g) == "eigen") return false;
      std::fprintf(stderr, "gan: GAN_GEMM='%s' is neither 'blas' nor 'eigen'; checking the BLAS against Eigen\n", g);
    }
    const double rb = gemm_rate([](const float* a, const float* b, float* c) {
      blas_gemm<float>(false, true, 256, 256, 256, 1.0f, a, 256, b, 256, 0.0f, c, 256);
    });
    const double re = gemm_rate([](const float* a, const float* b, float* c) {
      eigen_gemm<float>(false, true, 256, 256, 256, 1.0f, a, 256, b, 256, 0.0f, c, 256);
    });
    if (rb >= 0.95 * re) return true;
    std::fprintf(stderr,
                 "gan: %s ran a 256^3 product at %.0f GFLOP/s against Eigen's %.0f (%s); using Eigen. "
                 "GAN_GEMM=blas forces the BLAS (for OpenBLAS, OPENBLAS_CORETYPE names the right kernel).\n",
                 blas_name().c_str(), rb, re, compiled_isa());
    return false;
  }();
  return blas;
}
#endif

}  // namespace detail

/// Tag of the CPU backend (Eigen).
struct Cpu {
  static constexpr const char* name = "cpu";

  template <class T>
  using vector = std::vector<T, Eigen::aligned_allocator<T>>;

  template <class T>
  static T* raw(vector<T>& v) { return v.data(); }
  template <class T>
  static const T* raw(const vector<T>& v) { return v.data(); }

  template <class T>
  static void copy_to_host(const T* src, index_t n, T* dst) { std::memcpy(dst, src, sizeof(T) * std::size_t(n)); }
  template <class T>
  static void copy_from_host(const T* src, index_t n, T* dst) { std::memcpy(dst, src, sizeof(T) * std::size_t(n)); }
  template <class T>
  static void copy(const T* src, index_t n, T* dst) { std::memcpy(dst, src, sizeof(T) * std::size_t(n)); }

  /// What runs the products: "Eigen 3.4.0, AVX-512" or "OpenBLAS 0.3.21 (core Cooperlake)".
  static std::string gemm_name() {
#if defined(GAN_USE_CBLAS)
    if (detail::use_blas()) return detail::blas_name();
#endif
    return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION) + ", " + detail::compiled_isa();
  }

  // for_each's iterations are independent by contract (the Thrust backend runs them in
  // parallel), so the loops may be vectorised even when the functor's pointers could alias.
  template <class F>
  static void for_each(index_t n, F f) {
    const index_t parts = pieces(double(n), double(parallel_min_elements));
    parallel_for(parts, [&](index_t p) {
      const auto [b, e] = piece(n, parts, p, 64);
#pragma GCC ivdep
      for (index_t i = b; i < e; ++i) f(i);
    });
  }

  template <class F>
  static void for_each_2d(index_t rows, index_t cols, F f) {
    const index_t parts = pieces(double(rows) * double(cols), double(parallel_min_elements));
    parallel_for(parts, [&](index_t p) {
      const auto [b, e] = piece(rows, parts, p, 1);
      for (index_t i = b; i < e; ++i)
#pragma GCC ivdep
        for (index_t j = 0; j < cols; ++j) f(i, j);
    });
  }

  template <class T>
  static void gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, const T* B, T beta, T* C) {
    const index_t lda = ta ? m : k, ldb = tb ? k : n;
    auto run = [&](index_t mm, index_t nn, const T* a, const T* b, T* c) {
#if defined(GAN_USE_CBLAS)
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
        if (detail::use_blas()) return detail::blas_gemm<T>(ta, tb, mm, nn, k, alpha, a, lda, b, ldb, beta, c, n);
#endif
      detail::eigen_gemm<T>(ta, tb, mm, nn, k, alpha, a, lda, b, ldb, beta, c, n);
    };
    const index_t parts = pieces(2.0 * double(m) * double(n) * double(k), parallel_min_flops);
    if (parts == 1) return run(m, n, A, B, C);
    // Eigen computes a row-major C as the column-major Cᵀ = op(B)ᵀ op(A)ᵀ: C's rows are its
    // columns (register block nr), C's columns its rows (register block mr). Cutting at multiples
    // of those keeps every entry on the same kernel path, hence bit-identical.
    using Traits = Eigen::internal::gebp_traits<T, T>;
    if (m >= n) {
      parallel_for(parts, [&](index_t p) {
        const auto [b, e] = piece(m, parts, p, std::max<index_t>(8, Traits::nr));
        if (b < e) run(e - b, n, ta ? A + b : A + b * lda, B, C + b * n);
      });
    } else {
      parallel_for(parts, [&](index_t p) {
        const auto [b, e] = piece(n, parts, p, Traits::mr);
        if (b < e) run(m, e - b, A, tb ? B + b * ldb : B + b, C + b);
      });
    }
  }

  // Reductions add in the blocks of backend/reduction_order.hpp, as the Thrust backend does.
  template <class T, class F>
  static void reduce_cols(index_t rows, index_t cols, F f, T* out, T beta = T(0)) {
    const index_t block = detail::reduction_block(rows, cols);
    // Pieces are column ranges: each column still sums its rows in the same order.
    const index_t parts = pieces(double(rows) * double(cols), double(parallel_min_elements));
    parallel_for(parts, [&](index_t p) {
      const auto [b, e] = piece(cols, parts, p, 16);
      if (b >= e) return;
      T* acc = scratch<T>(2 * (e - b));
      T* part = acc + (e - b);
      std::fill(acc, acc + (e - b), T(0));
      for (index_t r0 = 0; r0 < rows; r0 += block) {
        const index_t r1 = std::min(rows, r0 + block);
        std::fill(part, part + (e - b), T(0));
        for (index_t i = r0; i < r1; ++i)
          for (index_t j = b; j < e; ++j) part[j - b] += f(i, j);
        for (index_t j = b; j < e; ++j) acc[j - b] += part[j - b];
      }
      for (index_t j = b; j < e; ++j) out[j] = (beta == T(0) ? T(0) : beta * out[j]) + acc[j - b];
    });
  }

  template <class T, class F>
  static void reduce_rows(index_t rows, index_t cols, F f, T* out) {
    const index_t block = detail::reduction_block(cols, rows);
    const index_t parts = pieces(double(rows) * double(cols), double(parallel_min_elements));
    parallel_for(parts, [&](index_t p) {
      const auto [b, e] = piece(rows, parts, p, 1);
      for (index_t i = b; i < e; ++i) out[i] = blocked_sum<T>(cols, block, [&](index_t j) { return f(i, j); });
    });
  }

  template <class T, class F>
  static T reduce_sum(index_t n, F f) {
    return blocked_sum<T>(n, detail::sum_block(n), f);
  }

 private:
  // Work below these sizes runs on the calling thread: waking a blocked thread costs ~10-50 us.
  static constexpr double parallel_min_flops = 4e6;          // per piece of a product
  static constexpr index_t parallel_min_elements = 1 << 15;  // per piece of a point-wise pass

  // How many pieces `work` units make when a piece needs at least `min_work` (1 if threads are off).
  static index_t pieces(double work, double min_work) {
    const int t = num_threads();
    if (t <= 1 || work < 2 * min_work) return 1;
    return std::max<index_t>(1, std::min<index_t>(t, index_t(work / min_work)));
  }

  // [begin, end) of piece p of `pieces` over n items, cut at multiples of `align`. A rest
  // narrower than `align` joins the piece before it, so that no piece of a product is a single
  // row or column (Eigen would take its matrix-vector path, which sums in another order).
  static std::pair<index_t, index_t> piece(index_t n, index_t pieces, index_t p, index_t align) {
    const index_t step = ((n + pieces - 1) / pieces + align - 1) / align * align;
    auto cut = [&](index_t q) {
      const index_t x = std::min(n, q * step);
      return q > 0 && n - x < align ? n : x;
    };
    return {cut(p), cut(p + 1)};
  }

  // sum_i g(i) over [0, n), added in blocks of `block` terms (backend/reduction_order.hpp).
  template <class T, class G>
  static T blocked_sum(index_t n, index_t block, G g) {
    T acc = T(0);
    for (index_t i0 = 0; i0 < n; i0 += block) {
      const index_t i1 = std::min(n, i0 + block);
      T s = T(0);
      for (index_t i = i0; i < i1; ++i) s += g(i);
      acc += s;
    }
    return acc;
  }

  // A buffer of at least n values for the calling thread, kept between calls (no allocation once
  // it has grown to the largest reduction).
  template <class T>
  static T* scratch(index_t n) {
    thread_local std::vector<T> buf;
    if (index_t(buf.size()) < n) buf.resize(std::size_t(n));
    return buf.data();
  }
};

}  // namespace gan
