// gan/backend/eigen/cpu.hpp: the CPU backend. GEMM through Eigen; element-wise work and
// reductions are plain loops over the same GAN_HD functors the Thrust backend runs.
// Define GAN_USE_CBLAS (and link a CBLAS, e.g. OpenBLAS) to hand the products to cblas_?gemm:
// on these shapes a tuned single-threaded BLAS is about twice as fast as Eigen's own kernel.
//
// The backend vocabulary (what a layer may call; the Thrust backend implements the same):
//   vector<T>                         storage type;  raw(v) -> T*
//   for_each(n, f)                    f(i) for i in [0, n)
//   for_each_2d(rows, cols, f)        f(i, j) over a (rows, cols) block (broadcasts without i % cols)
//   gemm(ta, tb, m, n, k, alpha, A, B, beta, C)   C = alpha op(A) op(B) + beta C, row-major
//   reduce_cols(rows, cols, f, out, beta)  out[j] = beta out[j] + sum_i f(i, j)
//   reduce_rows(rows, cols, f, out)   out[i] = sum_j f(i, j)
//   reduce_sum<T>(n, f)               sum_i f(i), returned to the host
//   copy_to_host / copy_from_host / copy
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "../../core/config.hpp"

#if defined(GAN_USE_CBLAS)
#include <cblas.h>
#endif

namespace gan {

/// Tag of the CPU backend (Eigen).
struct Cpu {
#if defined(GAN_USE_CBLAS)
  static constexpr const char* name = "cpu-blas";
#else
  static constexpr const char* name = "cpu";
#endif

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

  // for_each's iterations are independent by contract (the Thrust backend runs them in
  // parallel), so the loops may be vectorised even when the functor's pointers could alias.
  template <class F>
  static void for_each(index_t n, F f) {
#pragma GCC ivdep
    for (index_t i = 0; i < n; ++i) f(i);
  }

  template <class F>
  static void for_each_2d(index_t rows, index_t cols, F f) {
    for (index_t i = 0; i < rows; ++i)
#pragma GCC ivdep
      for (index_t j = 0; j < cols; ++j) f(i, j);
  }

  template <class T>
  static void gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, const T* B, T beta, T* C) {
#if defined(GAN_USE_CBLAS)
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const auto opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
      const int lda = int(ta ? m : k), ldb = int(tb ? k : n);
      if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, opa, opb, int(m), int(n), int(k), alpha, A, lda, B, ldb, beta, C, int(n));
      else
        cblas_dgemm(CblasRowMajor, opa, opb, int(m), int(n), int(k), alpha, A, lda, B, ldb, beta, C, int(n));
      return;
    }
#endif
    using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const M> a(A, ta ? k : m, ta ? m : k), b(B, tb ? n : k, tb ? k : n);
    Eigen::Map<M> c(C, m, n);
    if (beta == T(0))
      c.setZero();
    else if (beta != T(1))
      c *= beta;
    if (!ta && !tb) c.noalias() += alpha * a * b;
    else if (ta && !tb) c.noalias() += alpha * a.transpose() * b;
    else if (!ta && tb) c.noalias() += alpha * a * b.transpose();
    else c.noalias() += alpha * a.transpose() * b.transpose();
  }

  template <class T, class F>
  static void reduce_cols(index_t rows, index_t cols, F f, T* out, T beta = T(0)) {
    if (beta == T(0))
      std::fill(out, out + cols, T(0));
    else
      for (index_t j = 0; j < cols; ++j) out[j] *= beta;
    for (index_t i = 0; i < rows; ++i)
      for (index_t j = 0; j < cols; ++j) out[j] += f(i, j);
  }

  template <class T, class F>
  static void reduce_rows(index_t rows, index_t cols, F f, T* out) {
    for (index_t i = 0; i < rows; ++i) {
      T s = T(0);
      for (index_t j = 0; j < cols; ++j) s += f(i, j);
      out[i] = s;
    }
  }

  template <class T, class F>
  static T reduce_sum(index_t n, F f) {
    T s = T(0);
    for (index_t i = 0; i < n; ++i) s += f(i);
    return s;
  }
};

}  // namespace gan
