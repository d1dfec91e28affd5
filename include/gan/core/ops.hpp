// gan/core/ops.hpp: tensor-level operations written once over the backend vocabulary
// (see backend/eigen/cpu.hpp). Layers, losses and optimisers use these and the backend's
// for_each; none of them knows which backend it runs on.
#pragma once
#include <string>

#include "error.hpp"
#include "random.hpp"
#include "tensor.hpp"

namespace gan::ops {

template <class T, class B>
void fill(Tensor<T, B>& t, T value) {
  T* p = t.data();
  B::for_each(t.size(), [=] GAN_HD(index_t i) { p[i] = value; });
}

template <class T, class B>
void copy(const Tensor<T, B>& src, Tensor<T, B>& dst) {
  dst.resize(src.rows(), src.shape());
  if (src.size()) B::copy(src.data(), src.size(), dst.data());
}

/// Standard normal values scaled by `stddev` around `mean`, drawn from `rng`.
template <class T, class B>
void fill_normal(Tensor<T, B>& t, Rng& rng, T mean = T(0), T stddev = T(1)) {
  T* p = t.data();
  const index_t n = t.size();
  const RandomDraw d = rng.draw(std::uint64_t(n));
  B::for_each((n + 1) / 2, [=] GAN_HD(index_t k) {  // one Philox block, two values
    T a, b;
    d.template normal_pair<T>(std::uint64_t(k), a, b);
    p[2 * k] = mean + stddev * a;
    if (2 * k + 1 < n) p[2 * k + 1] = mean + stddev * b;
  });
}

/// Uniform values in (lo, hi).
template <class T, class B>
void fill_uniform(Tensor<T, B>& t, Rng& rng, T lo = T(0), T hi = T(1)) {
  T* p = t.data();
  const index_t n = t.size();
  const RandomDraw d = rng.draw(std::uint64_t(n));
  B::for_each((n + 3) / 4, [=] GAN_HD(index_t k) {  // one Philox block, four values
    T u[4];
    d.template uniform4<T>(std::uint64_t(k), u);
    for (index_t i = 0; i < 4 && 4 * k + i < n; ++i) p[4 * k + i] = lo + (hi - lo) * u[i];
  });
}

/// C = alpha * op(A) * op(B) + beta * C, with op = transpose where asked. C must already have
/// its shape when beta != 0; with beta == 0 it is resized.
template <class T, class B>
void matmul(bool ta, bool tb, T alpha, const Tensor<T, B>& A, const Tensor<T, B>& Bm, T beta, Tensor<T, B>& C) {
  const index_t m = ta ? A.cols() : A.rows(), k = ta ? A.rows() : A.cols();
  const index_t kb = tb ? Bm.cols() : Bm.rows(), n = tb ? Bm.rows() : Bm.cols();
  if (k != kb)
    throw ShapeError("matmul: inner sizes differ (" + std::to_string(k) + " vs " + std::to_string(kb) + ")");
  if (beta == T(0))
    C.resize(m, n);
  else if (C.rows() != m || C.cols() != n)
    throw ShapeError("matmul: accumulating into a (" + std::to_string(C.rows()) + ", " + std::to_string(C.cols()) +
                     ") tensor, product is (" + std::to_string(m) + ", " + std::to_string(n) + ")");
  B::gemm(ta, tb, m, n, k, alpha, A.data(), Bm.data(), beta, C.data());
}

/// Sum of all values, returned to the host (one scalar transfer on a GPU).
template <class T, class B>
T sum(const Tensor<T, B>& t) {
  const T* p = t.data();
  return B::template reduce_sum<T>(t.size(), [=] GAN_HD(index_t i) { return p[i]; });
}

/// out[j] = beta * out[j] + sum over rows of t[i, j]  (bias gradients).
template <class T, class B>
void col_sum(const Tensor<T, B>& t, Tensor<T, B>& out, T beta = T(0)) {
  const T* p = t.data();
  const index_t c = t.cols();
  B::reduce_cols(t.rows(), c, [=] GAN_HD(index_t i, index_t j) { return p[i * c + j]; }, out.data(), beta);
}

/// Per-channel sums over a batch of n samples of c channels of hw values each (NCHW), in two
/// deterministic passes: one sum per (sample, channel) into `part` (sized here), then one per channel:
///   out[j] = beta out[j] + scale * sum over samples s and positions p of f(s * c + j, p)
template <class T, class B, class F>
void channel_sums(index_t n, index_t c, index_t hw, F f, Tensor<T, B>& part, T* out, T beta = T(0), T scale = T(1)) {
  part.resize(n, c);
  T* pp = part.data();
  B::reduce_rows(n * c, hw, f, pp);
  B::reduce_cols(n, c, [=] GAN_HD(index_t s, index_t j) { return scale * pp[s * c + j]; }, out, beta);
}

/// True when every value is finite (a reduction; one scalar to the host).
template <class T, class B>
bool all_finite(const Tensor<T, B>& t) {
  const T* p = t.data();
  const T bad = B::template reduce_sum<T>(t.size(), [=] GAN_HD(index_t i) {
    const T v = p[i];
    return (v - v == T(0)) ? T(0) : T(1);  // inf - inf and NaN - NaN are NaN
  });
  return bad == T(0);
}

}  // namespace gan::ops
