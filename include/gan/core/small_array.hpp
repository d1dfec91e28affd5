// gan/core/small_array.hpp: up to N small records held by value, so that a kernel can capture a
// list known only at run time (the spans of a table's encoded row) without device memory. A
// longer list goes in chunks: small_array(list, first) holds list[first .. first + N), and
// for_each_row_record runs a kernel over (row, record) pairs, one launch per chunk.
#pragma once
#include <algorithm>
#include <vector>

#include "config.hpp"

namespace gan {

template <class S, int N = 32>
struct SmallArray {
  static constexpr int capacity = N;
  S item[N];
  index_t size = 0;
  GAN_HD const S& operator[](index_t i) const { return item[i]; }
};

/// The records list[first], ..., at most N of them.
template <int N = 32, class S>
SmallArray<S, N> small_array(const std::vector<S>& list, std::size_t first) {
  SmallArray<S, N> a{};
  a.size = index_t(first < list.size() ? std::min<std::size_t>(N, list.size() - first) : 0);
  std::copy_n(list.begin() + std::ptrdiff_t(first), a.size, a.item);
  return a;
}

/// f(r, i, list[i]) for every row r < rows and every record i of `list`, one thread each on
/// backend B (neighbouring threads on neighbouring records of a row): one launch per N records.
template <class B, int N = 32, class S, class F>
void for_each_row_record(index_t rows, const std::vector<S>& list, F f) {
  for (std::size_t c0 = 0; c0 < list.size(); c0 += N) {
    const SmallArray<S, N> a = small_array<N>(list, c0);
    const index_t k = a.size, first = index_t(c0);
    B::for_each(rows * k, [=] GAN_HD(index_t q) { f(q / k, first + q % k, a[q % k]); });
  }
}

}  // namespace gan
