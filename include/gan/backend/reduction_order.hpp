// gan/backend/reduction_order.hpp: the order in which every backend adds up a reduction.
//
// A sum of n terms is cut into blocks of consecutive terms; each block is summed in order from
// zero, then the block sums are added in order from zero. A GPU computes the block sums with one
// thread each (enough threads to fill it), the CPU in a loop; both add the same numbers in the
// same order, so the backends give bit-identical reductions. (Summed in a different order, a
// gradient that is exactly zero in exact arithmetic, such as a WGAN critic's last bias, comes out
// as +-1e-9 on one backend and -+1e-9 on the other, and RMSProp or Adam turns that into a full
// step in opposite directions.)
//   reduce_cols(rows, cols, ...)   blocks of reduction_block(rows, cols) rows, per column
//   reduce_rows(rows, cols, ...)   blocks of reduction_block(cols, rows) columns, per row
//   reduce_sum(n, ...)             blocks of sum_block(n) terms
#pragma once
#include "../core/config.hpp"

namespace gan::detail {

/// Terms per block when each of `outputs` results sums `n` terms: at least 16, and enough blocks
/// that outputs x blocks is about 65536 (a GPU's worth of threads).
GAN_HD inline index_t reduction_block(index_t n, index_t outputs) {
  const index_t want = (index_t(1) << 16) / (outputs > 0 ? outputs : 1);
  const index_t block = want > 0 ? (n + want - 1) / want : n;
  return block < 16 ? 16 : block;
}

/// Terms per block of one sum of n terms: the power of two at or above sqrt(n), at least 256
/// (so at most about sqrt(n) block sums are left for one thread to add).
GAN_HD inline index_t sum_block(index_t n) {
  index_t block = 256;
  while (block * block < n) block *= 2;
  return block;
}

}  // namespace gan::detail
