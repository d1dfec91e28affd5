// gan/layers/chain.hpp: a block of layers that is itself a layer, so blocks nest:
//   gan::Chain<gan::Dense<256>, gan::LayerNorm, gan::ReLU>          f(x) = relu(norm(W x + b))
//   gan::Residual<gan::Chain<...>>,  gan::SkipConcat<gan::Chain<...>>  (see residual.hpp, skip_concat.hpp)
// A Chain checks its links from whatever shape it is given, takes its Dynamic sizes in order
// of appearance, and has a tangent pass (or is per-sample) when all its layers do.
#pragma once
#include <string>

#include "../core/layer.hpp"
#include "../core/stack.hpp"

namespace gan {

template <class... Ls>
struct Chain {
  static_assert(sizeof...(Ls) > 0, "gan::Chain: give at least one layer");
  static_assert((LayerSpec<Ls> && ...),
                "gan::Chain: an entry is not a layer spec (it needs static name() and output_shape(Shape) or "
                "output_size(index_t); see gan/core/layer.hpp)");

  /// Every link of the block accepts the shape it is given.
  static constexpr bool accepts(Shape in) {
    const auto s = detail::fold_shapes<Ls...>(in);
    std::size_t k = 0;
    bool ok = true;
    ((ok = ok && detail::accepts<Ls>(s[k]), ++k), ...);
    return ok;
  }
  static constexpr Shape output_shape(Shape in) { return detail::fold_shapes<Ls...>(in)[sizeof...(Ls)]; }
  static constexpr std::size_t runtime_sizes = (detail::runtime_sizes<Ls>() + ... + 0);
  static constexpr bool uses_condition = (detail::uses_condition<Ls>() || ...);
  static std::string name() {
    std::string s;
    ((s += (s.empty() ? "" : ", ") + Ls::name()), ...);
    return "Chain<" + s + ">";
  }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    using Body = Stack<T, B, Ls...>;
    static constexpr bool per_sample = Body::all_per_sample();
    static constexpr bool has_tangent = Body::all_tangent();
    static constexpr bool sizes_own_output = true;  // its layers size (or view) y and dx
    Body body;

    Shape setup_composite(const Shape& in, Rng& init, detail::SizeList& sizes) {
      body.setup(in, detail::fold_shapes<Ls...>(in), init, sizes, name() + ": ");
      return body.output_shape();
    }
    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) { body.forward(ctx, x, y); }
    void backward(Context<T, B>& ctx, const Tn&, const Tn&, const Tn& dy, Tn* dx, bool params) {
      body.backward(ctx, dy, dx, params);
    }
    void forward_tangent(Context<T, B>& ctx, const Tn& x, const Tn& xt, Tn& y, Tn& yt) {
      body.forward_tangent(ctx, x, xt, y, yt);
    }
    void backward_tangent(Context<T, B>& ctx, const Tn&, const Tn&, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dx, Tn* dxt, bool params) {
      body.backward_tangent(ctx, dy, dyt, dx, dxt, params);
    }
    template <class F>
    void visit_params(F&& f) { body.visit_params(f); }
    template <class F>
    void visit_buffers(F&& f) { body.visit_buffers(f); }
    template <class F>
    void visit_named(const std::string& prefix, F&& f) { body.visit_named(prefix, f); }
  };
};

namespace detail {
/// A block's body as a Chain: Residual<Dense<8>> means Residual<Chain<Dense<8>>>.
template <class F>
struct as_chain {
  using type = Chain<F>;
};
template <class... Ls>
struct as_chain<Chain<Ls...>> {
  using type = Chain<Ls...>;
};

/// What a block that wraps a body f (Residual, SkipConcat) shares: the body, its properties and
/// its parameters, state and names.
template <class Body>
struct WrapsBody {
  static constexpr bool per_sample = Body::per_sample;
  static constexpr bool has_tangent = Body::has_tangent;
  Body f;

  template <class F>
  void visit_params(F&& fn) { f.visit_params(fn); }
  template <class F>
  void visit_buffers(F&& fn) { f.visit_buffers(fn); }
  template <class F>
  void visit_named(const std::string& prefix, F&& fn) { f.visit_named(prefix, fn); }
};
}  // namespace detail

}  // namespace gan
