// gan/backend/thrust/gpu.hpp: the Thrust backend (`gan::Gpu`), the same vocabulary as the Eigen
// backend (see backend/eigen/cpu.hpp), on Thrust's device system:
//   - under nvcc: CUDA. Storage in device memory, point-wise work and reductions as Thrust
//     kernels, GEMM through cuBLAS (one handle per thread, created on first use).
//   - under g++/clang with THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP (or _CPP): the same code
//     on host threads, with a row-blocked GEMM. This is how machines without a GPU build and test
//     the GPU code path.
// Host/device traffic happens only in copy_to_host / copy_from_host and in reduce_sum (one
// scalar). Define GAN_COUNT_TRANSFERS to count them (gan::Gpu::transfers()).
#pragma once

#if !defined(__CUDACC__) && !defined(THRUST_DEVICE_SYSTEM)
#error "gan/backend/thrust/gpu.hpp: compile with nvcc, or choose a Thrust host device system with -DTHRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP (and -fopenmp) or THRUST_DEVICE_SYSTEM_CPP"
#endif

#include <thrust/copy.h>
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "../../core/config.hpp"

#if defined(__CUDACC__)
#include <cublas_v2.h>
#endif

namespace gan {

/// Tag of the Thrust backend (CUDA under nvcc; OpenMP or serial host threads otherwise).
struct Gpu {
#if defined(__CUDACC__)
  static constexpr const char* name = "cuda";
#else
  static constexpr const char* name = "thrust-host";
#endif

  template <class T>
  using vector = thrust::device_vector<T>;

  /// Whether the device can be used: a CUDA device is visible (always true on host systems).
  /// `why` receives the reason when it cannot.
  static bool available(std::string* why = nullptr) {
#if defined(__CUDACC__)
    int n = 0;
    const cudaError_t err = cudaGetDeviceCount(&n);
    if (err == cudaSuccess && n > 0) return true;
    if (why) *why = err != cudaSuccess ? cudaGetErrorString(err) : "no CUDA device visible";
    return false;
#else
    (void)why;
    return true;
#endif
  }

  template <class T>
  static T* raw(vector<T>& v) { return thrust::raw_pointer_cast(v.data()); }
  template <class T>
  static const T* raw(const vector<T>& v) { return thrust::raw_pointer_cast(v.data()); }

  /// Host<->device copies made so far (counted when GAN_COUNT_TRANSFERS is defined).
  static std::atomic<long>& transfers() {
    static std::atomic<long> n{0};
    return n;
  }

  template <class T>
  static void copy_to_host(const T* src, index_t n, T* dst) {
    count();
    thrust::copy(thrust::device_pointer_cast(src), thrust::device_pointer_cast(src) + n, dst);
  }
  template <class T>
  static void copy_from_host(const T* src, index_t n, T* dst) {
    count();
    thrust::copy(src, src + n, thrust::device_pointer_cast(dst));
  }
  template <class T>
  static void copy(const T* src, index_t n, T* dst) {
    thrust::copy(thrust::device, src, src + n, dst);
  }

  template <class F>
  static void for_each(index_t n, F f) {
    if (n <= 0) return;
    thrust::for_each(thrust::device, thrust::counting_iterator<index_t>(0), thrust::counting_iterator<index_t>(n), f);
  }

  template <class F>
  static void for_each_2d(index_t rows, index_t cols, F f) {
    if (cols <= 0) return;
    for_each(rows * cols, [=] GAN_HD(index_t k) { f(k / cols, k % cols); });
  }

  /// out[j] = beta out[j] + sum_i f(i, j): one thread per column, rows summed in order
  /// (deterministic, and coalesced on a GPU since neighbouring threads read neighbouring columns).
  template <class T, class F>
  static void reduce_cols(index_t rows, index_t cols, F f, T* out, T beta = T(0)) {
    for_each(cols, [=] GAN_HD(index_t j) {
      T s = T(0);
      for (index_t i = 0; i < rows; ++i) s += f(i, j);
      out[j] = (beta == T(0) ? T(0) : beta * out[j]) + s;
    });
  }

  template <class T, class F>
  static void reduce_rows(index_t rows, index_t cols, F f, T* out) {
    for_each(rows, [=] GAN_HD(index_t i) {
      T s = T(0);
      for (index_t j = 0; j < cols; ++j) s += f(i, j);
      out[i] = s;
    });
  }

  /// sum_i f(i), returned to the host: one scalar crosses.
  template <class T, class F>
  static T reduce_sum(index_t n, F f) {
    count();
    if (n <= 0) return T(0);
    return thrust::transform_reduce(thrust::device, thrust::counting_iterator<index_t>(0),
                                    thrust::counting_iterator<index_t>(n), f, T(0), thrust::plus<T>());
  }

  /// C = alpha op(A) op(B) + beta C, all row-major.
  template <class T>
  static void gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, const T* B, T beta, T* C) {
#if defined(__CUDACC__)
    cublas_gemm(ta, tb, m, n, k, alpha, A, B, beta, C);
#else
    // Row-blocked: each task computes one row of C as a sum of scaled rows of op(B), so the inner
    // loop runs over contiguous memory and vectorises.
    const index_t lda = ta ? m : k, ldb = tb ? k : n;
    for_each(m, [=](index_t i) {
      T* c = C + i * n;
      if (beta == T(0))
        for (index_t j = 0; j < n; ++j) c[j] = T(0);
      else if (beta != T(1))
        for (index_t j = 0; j < n; ++j) c[j] *= beta;
      for (index_t p = 0; p < k; ++p) {
        const T a = alpha * (ta ? A[p * lda + i] : A[i * lda + p]);
        if (a == T(0)) continue;
        if (!tb) {
          const T* b = B + p * ldb;
          for (index_t j = 0; j < n; ++j) c[j] += a * b[j];
        } else {
          for (index_t j = 0; j < n; ++j) c[j] += a * B[j * ldb + p];
        }
      }
    });
#endif
  }

 private:
  static void count() {
#if defined(GAN_COUNT_TRANSFERS)
    ++transfers();
#endif
  }

#if defined(__CUDACC__)
  static cublasHandle_t handle() {
    thread_local struct Handle {
      cublasHandle_t h = nullptr;
      Handle() {
        if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("gan::Gpu: cublasCreate failed");
      }
      ~Handle() { cublasDestroy(h); }
    } hd;
    return hd.h;
  }
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
  template <class T>
  static void cublas_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, const T* B, T beta,
                          T* C) {
    const cublasOperation_t opb = tb ? CUBLAS_OP_T : CUBLAS_OP_N, opa = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int ldb = int(tb ? k : n), lda = int(ta ? m : k), ldc = int(n);
    cublasStatus_t st;
    if constexpr (sizeof(T) == 4)
      st = cublasSgemm(handle(), opb, opa, int(n), int(m), int(k), &alpha, B, ldb, A, lda, &beta, C, ldc);
    else
      st = cublasDgemm(handle(), opb, opa, int(n), int(m), int(k), &alpha, B, ldb, A, lda, &beta, C, ldc);
    if (st != CUBLAS_STATUS_SUCCESS)
      throw std::runtime_error("gan::Gpu::gemm: cuBLAS error " + std::to_string(int(st)));
  }
#endif
};

}  // namespace gan
