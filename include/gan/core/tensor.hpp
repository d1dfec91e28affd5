// gan/core/tensor.hpp: a batch of samples, one contiguous row-major block (rows = samples,
// cols = features), owned by a backend's storage. Resizing only allocates when the block grows,
// so buffers sized on the first training step are reused by every later step.
#pragma once
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"

namespace gan {

template <class T, class Backend>
class Tensor {
 public:
  using value_type = T;
  using backend = Backend;

  Tensor() = default;
  Tensor(index_t rows, index_t cols) { resize(rows, cols); }

  /// Sets the shape; reallocates only when the new size exceeds the capacity. Contents are
  /// unspecified afterwards (use fill).
  void resize(index_t rows, index_t cols) {
    if (rows < 0 || cols < 0)
      throw ShapeError("Tensor: negative shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ")");
    if (static_cast<std::size_t>(rows * cols) > data_.size()) data_.resize(static_cast<std::size_t>(rows * cols));
    rows_ = rows;
    cols_ = cols;
  }
  /// Reinterprets the same block with another shape of the same size (free: no copy). This is
  /// how PacGAN groups `pac` consecutive samples into one critic input.
  void reshape(index_t rows, index_t cols) {
    if (rows * cols != size())
      throw ShapeError("Tensor::reshape: (" + std::to_string(rows_) + ", " + std::to_string(cols_) + ") has " +
                       std::to_string(size()) + " values, cannot view it as (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + ")");
    rows_ = rows;
    cols_ = cols;
  }

  index_t rows() const { return rows_; }
  index_t cols() const { return cols_; }
  index_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }

  /// Raw pointer in the backend's memory space (device memory for the GPU backend).
  T* data() { return Backend::raw(data_); }
  const T* data() const { return Backend::raw(data_); }

  /// Copies to and from host memory: the only host/device traffic a tensor makes.
  std::vector<T> to_host() const {
    std::vector<T> h(static_cast<std::size_t>(size()));
    if (size()) Backend::copy_to_host(data(), size(), h.data());
    return h;
  }
  void from_host(const T* src, index_t rows, index_t cols) {
    resize(rows, cols);
    if (size()) Backend::copy_from_host(src, size(), data());
  }
  void from_host(const std::vector<T>& src, index_t rows, index_t cols) {
    if (static_cast<index_t>(src.size()) != rows * cols)
      throw ShapeError("Tensor::from_host: " + std::to_string(src.size()) + " values given for shape (" +
                       std::to_string(rows) + ", " + std::to_string(cols) + ")");
    from_host(src.data(), rows, cols);
  }

 private:
  typename Backend::template vector<T> data_;
  index_t rows_ = 0, cols_ = 0;
};

}  // namespace gan
