// gan/core/stack.hpp: a list of layers run one after the other, with the buffers between them.
// Network (a whole generator or critic) and Chain (a block that is itself a layer) are both a
// Stack; this file is the one place that knows how a pass walks through layers.
//
//   shapes[0] = input, shapes[k + 1] = output of layer k
//   forward:   a[k + 1] = layer_k(a[k])                         a[0] = x, a[depth] = y (the caller's)
//   backward:  g[k] = dL/da[k] from g[k + 1]                    g[depth] = dy, g[0] = dx (the caller's)
//   tangent:   the same walk with (a, at) and (g, gt)
// A view layer (Flatten, Reshape) computes nothing: its output is its input viewed under the
// new shape, and its input gradient the output gradient viewed back.
#pragma once
#include <array>
#include <string>
#include <tuple>
#include <utility>

#include "error.hpp"
#include "layer.hpp"
#include "shape.hpp"
#include "tensor.hpp"

namespace gan {

namespace detail {

/// Readies `t` to receive `rows` samples of shape `s`: a slot that held a view (of another
/// buffer) gets storage of its own again. Allocates only when the slot grows.
template <class T, class B>
void ready(Tensor<T, B>& t, index_t rows, Shape s) {
  if (t.is_view()) t = Tensor<T, B>();
  t.resize(rows, s);
}

/// The Dynamic sizes given at construction, consumed in order of appearance.
struct SizeList {
  const index_t* next;
  const index_t* end;
  std::string owner;  // "Input<Dynamic> -> Dense<64> -> ..." for messages

  index_t take(const std::string& who) {
    if (next == end) throw ShapeError(owner + ": " + who + " needs a Dynamic size at construction; too few given");
    const index_t v = *next++;
    if (v <= 0)
      throw ShapeError(owner + ": " + who + " was given the size " + std::to_string(v) + "; sizes must be > 0");
    return v;
  }
};

/// The shapes of a list of specs from an input shape: [in, out of layer 1, ..., out of layer n].
template <class... Ls>
constexpr std::array<Shape, sizeof...(Ls) + 1> fold_shapes(Shape in) {
  std::array<Shape, sizeof...(Ls) + 1> s{in};
  std::size_t k = 0;
  ((s[k + 1] = accepts<Ls>(s[k]) ? output_shape<Ls>(s[k]) : Shape{}, ++k), ...);  // Shape{}: Dynamic, no cascade
  return s;
}

/// A composite layer (Chain, Residual, SkipConcat) sets itself up from its input shape and the
/// size list, and returns its output shape.
template <class L>
concept CompositeLayer = requires(L& l, const Shape& in, Rng& init, SizeList& sizes) {
  { l.setup_composite(in, init, sizes) } -> std::convertible_to<Shape>;
};

/// A layer that receives its Dynamic size before setup (when it is not the output's).
template <class L>
concept TakesRuntimeSize = requires(L& l, index_t v) { l.take_runtime_size(v); };

}  // namespace detail

template <class T, class B, class... Ls>
class Stack {
 public:
  using Tn = Tensor<T, B>;
  static constexpr std::size_t depth = sizeof...(Ls);
  using specs = std::tuple<Ls...>;
  using layers_type = std::tuple<typename Ls::template Layer<T, B>...>;

  static constexpr bool all_tangent() { return (detail::has_tangent<typename Ls::template Layer<T, B>>() && ...); }
  static constexpr bool all_per_sample() { return (detail::per_sample<typename Ls::template Layer<T, B>>() && ...); }

  /// Computes every layer's shapes from `in` (checking them against `expected`, the compile-time
  /// fold, where known), takes the Dynamic sizes, and sets the layers up.
  template <std::size_t N>
  void setup(Shape in, const std::array<Shape, N>& expected, Rng& init, detail::SizeList& sizes,
             const std::string& where) {
    static_assert(N == depth + 1);
    shapes_[0] = in;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (setup_one<K>(expected[K + 1], init, sizes, where), ...);
    }(std::make_index_sequence<depth>{});
  }

  const Shape& shape(std::size_t k) const { return shapes_[k]; }
  const Shape& input_shape() const { return shapes_[0]; }
  const Shape& output_shape() const { return shapes_[depth]; }

  /// y = f(x). `y` is the caller's tensor: sized here and written by the last layer (when the
  /// last layer is a view, `y` becomes a view). The same holds for dx, yt and dxt below.
  void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
    x_ = x.view(x.rows(), x.shape());  // a view: the values must live on, not the Tensor object
    y_ = &y;
    [&]<std::size_t... K>(std::index_sequence<K...>) { (forward_one<K>(ctx), ...); }(std::make_index_sequence<depth>{});
  }
  /// From dy = dL/dy, adds dL/dtheta (when `params`) and writes dL/dx into *dx (when given).
  /// The last forward pass's x and y must be alive.
  void backward(Context<T, B>& ctx, const Tn& dy, Tn* dx, bool params) {
    dy_ = dy.view(dy.rows(), dy.shape());
    dx_ = dx;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (backward_one<depth - 1 - K>(ctx, params), ...);
    }(std::make_index_sequence<depth>{});
  }
  void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
    x_ = x.view(x.rows(), x.shape());
    xt_ = xt.view(xt.rows(), xt.shape());
    y_ = &y;
    yt_ = &yt;
    [&]<std::size_t... K>(std::index_sequence<K...>) { (tangent_one<K>(ctx), ...); }(std::make_index_sequence<depth>{});
  }
  void backward_tangent(Context<T, B>& ctx, const Tn& dy, const Tn& dyt, Tn* dx, Tn* dxt, bool params) {
    dy_ = dy.view(dy.rows(), dy.shape());
    dyt_ = dyt.view(dyt.rows(), dyt.shape());
    dx_ = dx;
    dxt_ = dxt;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (backward_tangent_one<depth - 1 - K>(ctx, params), ...);
    }(std::make_index_sequence<depth>{});
  }

  template <class F>
  void visit_params(F&& f) {
    std::apply([&](auto&... l) { (l.visit_params(f), ...); }, layers_);
  }
  template <class F>
  void visit_buffers(F&& f) {
    std::apply([&](auto&... l) { (l.visit_buffers(f), ...); }, layers_);
  }
  /// f(name, tensor) for every parameter and state tensor, named "<prefix><k>:<Layer>.param<i>"
  /// or ".state<i>" (k = 1-based position); a nested block's layers continue "<k>:<Block>/<j>:...".
  template <class F>
  void visit_named(const std::string& prefix, F&& f) {
    [&]<std::size_t... K>(std::index_sequence<K...>) { (visit_named_one<K>(prefix, f), ...); }(std::make_index_sequence<depth>{});
  }

  template <std::size_t K>
  auto& layer() { return std::get<K>(layers_); }

 private:
  template <std::size_t K>
  using spec = std::tuple_element_t<K, specs>;
  template <std::size_t K>
  using impl = std::tuple_element_t<K, layers_type>;

  template <std::size_t K>
  void setup_one(const Shape& expected, Rng& init, detail::SizeList& sizes, const std::string& where) {
    using S = spec<K>;
    const Shape in = shapes_[K];
    const std::string who = where + "layer " + std::to_string(K + 1) + " (" + S::name() + ")";
    Shape out;
    if constexpr (detail::CompositeLayer<impl<K>>) {
      out = std::get<K>(layers_).setup_composite(in, init, sizes);
    } else {
      if constexpr (detail::takes_runtime_size<S>()) {
        const index_t v = sizes.take(who);
        if constexpr (detail::TakesRuntimeSize<impl<K>>)
          std::get<K>(layers_).take_runtime_size(v);  // a size that is not the output's (Projection's K)
        if constexpr (requires { S::runtime_output_shape(in, v); })
          out = S::runtime_output_shape(in, v);
        else
          out = Shape::flat(v);
      } else {
        out = detail::output_shape<S>(in);
      }
      if (!detail::accepts<S>(in) || !out.known())
        throw ShapeError(sizes.owner + ": " + who + " cannot take an input of shape " + in.str());
      std::get<K>(layers_).setup(in, out, init);
    }
    if (!out.compatible(expected) || (expected.known() && out.size() != expected.size()))
      throw ShapeError(sizes.owner + ": " + who + " outputs shape " + out.str() + ", its type says " + expected.str());
    shapes_[K + 1] = out;
  }

  const Tn& in(std::size_t k) const { return k == 0 ? x_ : acts_[k]; }
  const Tn& tin(std::size_t k) const { return k == 0 ? xt_ : tacts_[k]; }
  Tn& out(std::size_t k) { return k + 1 == depth ? *y_ : acts_[k + 1]; }
  Tn& tout(std::size_t k) { return k + 1 == depth ? *yt_ : tacts_[k + 1]; }
  const Tn& dout(std::size_t k) const { return k + 1 == depth ? dy_ : grads_[k + 1]; }
  const Tn& dtout(std::size_t k) const { return k + 1 == depth ? dyt_ : tgrads_[k + 1]; }
  Tn* din(std::size_t k) { return k == 0 ? dx_ : &grads_[k]; }
  Tn* dtin(std::size_t k) { return k == 0 ? dxt_ : &tgrads_[k]; }

  template <std::size_t K>
  void forward_one(Context<T, B>& ctx) {
    const index_t rows = x_.rows();
    if constexpr (detail::is_view<spec<K>>()) {
      out(K) = in(K).view(rows, shapes_[K + 1]);
    } else {
      if constexpr (!detail::sizes_own_output<impl<K>>()) detail::ready(out(K), rows, shapes_[K + 1]);
      std::get<K>(layers_).forward(ctx, in(K), out(K));
    }
  }
  template <std::size_t K>
  void backward_one(Context<T, B>& ctx, bool params) {
    Tn* dx = din(K);
    const index_t rows = x_.rows();
    if constexpr (detail::is_view<spec<K>>()) {
      if (dx) *dx = dout(K).view(rows, shapes_[K]);
    } else {
      if constexpr (!detail::sizes_own_output<impl<K>>())
        if (dx) detail::ready(*dx, rows, shapes_[K]);
      std::get<K>(layers_).backward(ctx, in(K), out(K), dout(K), dx, params);
    }
  }
  template <std::size_t K>
  void tangent_one(Context<T, B>& ctx) {
    const index_t rows = x_.rows();
    if constexpr (detail::is_view<spec<K>>()) {
      out(K) = in(K).view(rows, shapes_[K + 1]);
      tout(K) = tin(K).view(rows, shapes_[K + 1]);
    } else {
      if constexpr (!detail::sizes_own_output<impl<K>>()) {
        detail::ready(out(K), rows, shapes_[K + 1]);
        detail::ready(tout(K), rows, shapes_[K + 1]);
      }
      std::get<K>(layers_).forward_tangent(ctx, in(K), tin(K), out(K), tout(K));
    }
  }
  template <std::size_t K>
  void backward_tangent_one(Context<T, B>& ctx, bool params) {
    Tn *dx = din(K), *dxt = dtin(K);
    const index_t rows = x_.rows();
    if constexpr (detail::is_view<spec<K>>()) {
      if (dx) *dx = dout(K).view(rows, shapes_[K]);
      if (dxt) *dxt = dtout(K).view(rows, shapes_[K]);
    } else {
      if constexpr (!detail::sizes_own_output<impl<K>>()) {
        if (dx) detail::ready(*dx, rows, shapes_[K]);
        if (dxt) detail::ready(*dxt, rows, shapes_[K]);
      }
      std::get<K>(layers_).backward_tangent(ctx, in(K), tin(K), out(K), tout(K), dout(K), dtout(K), dx, dxt, params);
    }
  }

  template <std::size_t K, class F>
  void visit_named_one(const std::string& prefix, F& f) {
    const std::string base = prefix + std::to_string(K + 1) + ":" + spec<K>::name();
    auto& l = std::get<K>(layers_);
    if constexpr (detail::CompositeLayer<impl<K>>) {  // a block names its own layers
      l.visit_named(base + "/", f);
    } else {
      int i = 0;
      l.visit_params([&](Tn& p, Tn&) { f(base + ".param" + std::to_string(i++), p); });
      i = 0;
      l.visit_buffers([&](Tn& b) { f(base + ".state" + std::to_string(i++), b); });
    }
  }

  layers_type layers_;
  std::array<Shape, depth + 1> shapes_{};
  std::array<Tn, depth + 1> acts_, grads_, tacts_, tgrads_;  // [k] between layer k-1 and layer k
  Tn x_, xt_, dy_, dyt_;  // views of the pass's input, its tangent and the output gradients
  Tn *y_ = nullptr, *yt_ = nullptr, *dx_ = nullptr, *dxt_ = nullptr;  // the caller's tensors
};

}  // namespace gan
