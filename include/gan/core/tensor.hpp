// gan/core/tensor.hpp: a batch of samples of one Shape, one contiguous row-major block (batch
// first; NCHW for images), owned by a backend's storage or viewed from another tensor.
//
//   rows()   samples in the batch          shape()  the Shape of one sample
//   cols()   values per sample (C*H*W)     size()   rows() * cols()
//
// Resizing only allocates when the block grows, so buffers sized on the first training step are
// reused by every later step. A *view* (`view`, `map`) shares another block's memory, like
// Eigen::Map: Flatten, Reshape and PacGAN grouping are views, never copies. A view does not own
// its memory: it is valid while the viewed tensor is alive and not resized. Copying a tensor,
// a view included, gives a tensor that owns a copy of the values (a snapshot); moving a view
// moves the view.
#pragma once
#include <string>
#include <vector>

#include "config.hpp"
#include "error.hpp"
#include "shape.hpp"

namespace gan {

template <class T, class Backend>
class Tensor {
 public:
  using value_type = T;
  using backend = Backend;

  Tensor() = default;
  Tensor(index_t rows, index_t cols) { resize(rows, cols); }
  Tensor(const Tensor& o) : data_(o.view_ ? decltype(data_)() : o.data_), rows_(o.rows_), shape_(o.shape_) {
    if (o.view_) {  // a snapshot of the viewed values
      data_.resize(static_cast<std::size_t>(o.size()));
      if (o.size()) Backend::copy(o.data(), o.size(), Backend::raw(data_));
    }
  }
  Tensor(Tensor&&) = default;
  Tensor& operator=(const Tensor& o) {
    if (this != &o) *this = Tensor(o);
    return *this;
  }
  Tensor& operator=(Tensor&&) = default;
  Tensor(index_t rows, Shape s) { resize(rows, s); }

  /// A view of `rows` samples of shape `s` at `data` (backend memory), which it does not own.
  static Tensor map(T* data, index_t rows, Shape s) {
    Tensor t;
    t.view_ = data;
    t.rows_ = rows;
    t.shape_ = s;
    return t;
  }
  /// The same values under another shape: `rows` samples of shape `s`, no copy. The total size
  /// must not change (a batch of 64 of 1x28x28 viewed as 64 of 784, or as 32 of 2x28x28).
  Tensor view(index_t rows, Shape s) const {
    check_view(rows, s);
    return map(const_cast<T*>(data()), rows, s);
  }
  Tensor view(index_t rows, index_t cols) const { return view(rows, Shape::flat(cols)); }

  /// Sets the shape; reallocates only when the new size exceeds the capacity. Contents are
  /// unspecified afterwards (use fill). A view can take another shape of the same size only.
  void resize(index_t rows, Shape s) {
    if (rows < 0 || !s.known() || s.c <= 0 || s.h <= 0 || s.w <= 0)
      throw ShapeError("Tensor: invalid shape (" + std::to_string(rows) + ", " + s.str() + ")");
    const std::size_t n = static_cast<std::size_t>(rows * s.size());
    if (view_) {
      if (index_t(n) != size())
        throw ShapeError("Tensor::resize: a view of " + std::to_string(size()) + " values cannot hold " +
                         std::to_string(n) + " (resize the tensor it views)");
    } else if (n > data_.size()) {
      data_.resize(n);
    }
    rows_ = rows;
    shape_ = s;
  }
  void resize(index_t rows, index_t cols) {
    if (cols < 0) throw ShapeError("Tensor: negative shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ")");
    if (cols == 0) {  // an empty batch of no features (a condition that is absent)
      if (view_) throw ShapeError("Tensor::resize: a view cannot be emptied");
      rows_ = rows;
      shape_ = Shape::flat(0);
      return;
    }
    resize(rows, Shape::flat(cols));
  }
  /// Reinterprets this tensor's block under another shape of the same size (free: no copy).
  void reshape(index_t rows, Shape s) {
    check_view(rows, s);
    rows_ = rows;
    shape_ = s;
  }
  void reshape(index_t rows, index_t cols) { reshape(rows, Shape::flat(cols)); }

  index_t rows() const { return rows_; }
  index_t cols() const { return shape_.c == 0 ? 0 : shape_.size(); }
  const Shape& shape() const { return shape_; }
  index_t size() const { return rows_ * cols(); }
  bool empty() const { return size() == 0; }
  /// True when this tensor shares another's memory (see view, map).
  bool is_view() const { return view_ != nullptr; }

  /// Raw pointer in the backend's memory space (device memory for the GPU backend).
  T* data() { return view_ ? view_ : Backend::raw(data_); }
  const T* data() const { return view_ ? view_ : Backend::raw(data_); }

  /// Copies to and from host memory: the only host/device traffic a tensor makes.
  std::vector<T> to_host() const {
    std::vector<T> h(static_cast<std::size_t>(size()));
    if (size()) Backend::copy_to_host(data(), size(), h.data());
    return h;
  }
  void from_host(const T* src, index_t rows, Shape s) {
    resize(rows, s);
    if (size()) Backend::copy_from_host(src, size(), data());
  }
  void from_host(const T* src, index_t rows, index_t cols) { from_host(src, rows, Shape::flat(cols)); }
  void from_host(const std::vector<T>& src, index_t rows, Shape s) {
    if (static_cast<index_t>(src.size()) != rows * s.size())
      throw ShapeError("Tensor::from_host: " + std::to_string(src.size()) + " values given for " +
                       std::to_string(rows) + " samples of shape " + s.str());
    from_host(src.data(), rows, s);
  }
  void from_host(const std::vector<T>& src, index_t rows, index_t cols) {
    if (static_cast<index_t>(src.size()) != rows * cols)
      throw ShapeError("Tensor::from_host: " + std::to_string(src.size()) + " values given for shape (" +
                       std::to_string(rows) + ", " + std::to_string(cols) + ")");
    from_host(src.data(), rows, cols);
  }

 private:
  void check_view(index_t rows, Shape s) const {
    if (rows < 0 || !s.known() || rows * s.size() != size())
      throw ShapeError("Tensor: " + std::to_string(rows_) + " samples of shape " + shape_.str() + " (" +
                       std::to_string(size()) + " values) cannot be viewed as " + std::to_string(rows) +
                       " samples of shape " + s.str());
  }

  typename Backend::template vector<T> data_;
  T* view_ = nullptr;
  index_t rows_ = 0;
  Shape shape_ = Shape::flat(0);
};

}  // namespace gan
