// gan/core/small_array.hpp: up to N small records held by value, so that a kernel can capture a
// list known only at run time (the spans of a table's encoded row) without device memory. A
// longer list goes in chunks: small_array(list, first) holds list[first .. first + N).
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

}  // namespace gan
