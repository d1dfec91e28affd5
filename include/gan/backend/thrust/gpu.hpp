// gan/backend/thrust/gpu.hpp: the Thrust backend (`gan::Gpu`), the same vocabulary as the Eigen
// backend (see backend/eigen/cpu.hpp), on Thrust's device system:
//   - under nvcc: CUDA. Storage in device memory, point-wise work and reductions as Thrust
//     kernels, GEMM through cuBLAS (one handle per thread, created on first use).
//   - under g++/clang with THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP (or _CPP): the same code
//     on host threads, with a row-blocked GEMM. This is how machines without a GPU build and test
//     the GPU code path.
// Host/device traffic happens only in copy_to_host / copy_from_host and in reduce_sum (one
// scalar). Define GAN_COUNT_TRANSFERS to count them (gan::Gpu::transfers()) and the kernels
// launched (gan::Gpu::launches(): each for_each, device copy and GEMM is one).
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

#include <atomic>
#include <stdexcept>
#include <string>

#include "../../core/config.hpp"
#include "../reduction_order.hpp"

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

  /// The execution policy of every kernel. Under CUDA, `par_nosync`: a kernel is queued on the
  /// default stream and the host goes on without waiting for it (`thrust::device` would wait after
  /// every algorithm, which costs a round trip per kernel). The stream keeps kernels, cuBLAS calls
  /// and copies in order; the host waits only where it reads a result (copy_to_host, reduce_sum).
  static auto policy() {
#if defined(__CUDACC__)
    return thrust::cuda::par_nosync;
#else
    return thrust::device;
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

  /// Kernels launched so far (counted when GAN_COUNT_TRANSFERS is defined). On a GPU, small
  /// layers cost about a launch each, so this is what a step's fusions are measured by.
  static std::atomic<long>& launches() {
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
    launched();
    thrust::copy(policy(), src, src + n, dst);
  }

  template <class F>
  static void for_each(index_t n, F f) {
    if (n <= 0) return;
    launched();
    thrust::for_each(policy(), thrust::counting_iterator<index_t>(0), thrust::counting_iterator<index_t>(n), f);
  }

  template <class F>
  static void for_each_2d(index_t rows, index_t cols, F f) {
    if (cols <= 0) return;
    for_each(rows * cols, [=] GAN_HD(index_t k) { f(k / cols, k % cols); });
  }

  // Reductions in two passes, so that a GPU has work for all its threads: a first pass of one
  // thread per (block of rows, column) (or per (row, block of columns), or per block) writes the
  // block sums into a scratch buffer kept between calls; a second pass adds them in order. The
  // blocks are those of backend/reduction_order.hpp, which the CPU backend follows too, so both
  // give the same bits; nothing is allocated once the buffer has grown to a step's largest one.

  /// out[j] = beta out[j] + sum_i f(i, j).
  template <class T, class F>
  static void reduce_cols(index_t rows, index_t cols, F f, T* out, T beta = T(0)) {
    blocked_sums<T>(cols, rows, detail::reduction_block(rows, cols), [=] GAN_HD(index_t j, index_t i) { return f(i, j); },
                    [=] GAN_HD(index_t j, T s) { out[j] = (beta == T(0) ? T(0) : beta * out[j]) + s; });
  }

  /// out[i] = sum_j f(i, j).
  template <class T, class F>
  static void reduce_rows(index_t rows, index_t cols, F f, T* out) {
    blocked_sums<T>(rows, cols, detail::reduction_block(cols, rows), f, [=] GAN_HD(index_t i, T s) { out[i] = s; });
  }

  /// sum_i f(i), returned to the host: one scalar crosses.
  template <class T, class F>
  static T reduce_sum(index_t n, F f) {
    if (n <= 0) {
      count();
      return T(0);
    }
    const index_t block = detail::sum_block(n), blocks = (n + block - 1) / block;
    T* part = scratch<T>(blocks + 1);
    for_each(blocks, [=] GAN_HD(index_t b) {
      const index_t end = (b + 1) * block < n ? (b + 1) * block : n;
      T s = T(0);
      for (index_t i = b * block; i < end; ++i) s += f(i);
      part[b] = s;
    });
    for_each(1, [=] GAN_HD(index_t) {
      T s = T(0);
      for (index_t b = 0; b < blocks; ++b) s += part[b];
      part[blocks] = s;
    });
    T result;
    copy_to_host(part + blocks, 1, &result);
    return result;
  }

  /// C = alpha op(A) op(B) + beta C, all row-major.
  template <class T>
  static void gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, const T* B, T beta, T* C) {
#if defined(__CUDACC__)
    launched();
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

  // (Public only because nvcc does not allow extended lambdas in private member functions.)
  // put(o, sum_t term(o, t)) for every o in [0, outputs), the terms added in blocks of `block`.
  // The first pass has one thread per (block, output), neighbouring threads on neighbouring
  // outputs (coalesced when outputs are columns); the second adds each output's block sums in order.
  template <class T, class Term, class Put>
  static void blocked_sums(index_t outputs, index_t terms, index_t block, Term term, Put put) {
    if (outputs <= 0) return;
    const index_t blocks = (terms + block - 1) / block;
    if (blocks <= 1) {
      for_each(outputs, [=] GAN_HD(index_t o) {
        T s = T(0);
        for (index_t t = 0; t < terms; ++t) s += term(o, t);
        put(o, s);
      });
      return;
    }
    T* part = scratch<T>(blocks * outputs);
    for_each(blocks * outputs, [=] GAN_HD(index_t k) {
      const index_t b = k / outputs, o = k % outputs, end = (b + 1) * block < terms ? (b + 1) * block : terms;
      T s = T(0);
      for (index_t t = b * block; t < end; ++t) s += term(o, t);
      part[k] = s;
    });
    for_each(outputs, [=] GAN_HD(index_t o) {
      T s = T(0);
      for (index_t b = 0; b < blocks; ++b) s += part[b * outputs + o];
      put(o, s);
    });
  }

 private:
  // A device buffer of at least n values, reused by every reduction of this thread (grown, never
  // shrunk; deliberately never freed, so that no CUDA call runs after the runtime shut down).
  template <class T>
  static T* scratch(index_t n) {
    thread_local vector<T>* buf = new vector<T>();
    if (index_t(buf->size()) < n) buf->resize(std::size_t(n));
    return raw(*buf);
  }

  static void count() {
#if defined(GAN_COUNT_TRANSFERS)
    ++transfers();
#endif
  }
  static void launched() {
#if defined(GAN_COUNT_TRANSFERS)
    ++launches();
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
