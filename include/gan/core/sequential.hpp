// gan/core/sequential.hpp: compile-time composition of layers, and the Network that runs them.
//
//   using Critic = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::LeakyReLU<>, gan::Dense<1>>;
//   gan::Rng init(42);
//   gan::Network<Critic, gan::Cpu> d(init);             // float by default; double for tests
//
// Each layer states only its output; Sequential folds the sample shapes at compile time
// (Sequential::shapes) and checks every link, so `Input<1, 28, 28>` followed by a layer that
// cannot take 1x28x28 does not compile. Dynamic sizes pass through the fold and are given at
// construction, in order of appearance: Network<Seq, Cpu> g(init, {n_cols}).
#pragma once
#include <array>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "concepts.hpp"
#include "error.hpp"
#include "layer.hpp"
#include "ops.hpp"
#include "shape.hpp"
#include "stack.hpp"

namespace gan {

namespace detail {
template <class T>
struct is_input : std::false_type {};
template <index_t... D>
struct is_input<Input<D...>> : std::true_type {};

/// One named check per link. When it fails, the compiler's "required from here" names this
/// template with the position K, the layer and the shape it was given:
///   gan::detail::link_check<2, gan::Reshape<128, 7, 7>, gan::Shape{6000, 1, 1, 1}>
template <std::size_t K, class L, Shape In>
struct link_check {
  static_assert(LayerSpec<L>,
                "gan::Sequential: this entry is not a layer spec (it needs static name() and output_shape(Shape) "
                "or output_size(index_t); see gan/core/layer.hpp)");
  static_assert(accepts<L>(In),
                "gan::Sequential: layer K (counted from 0) cannot take the shape In that the layer before it gives "
                "(see link_check<K, Layer, In> in the line above)");
  static constexpr bool ok = true;
};
}  // namespace detail

/// The specs of a network: an Input (the shape of one sample) and the layers.
template <class In, class... Ls>
struct Sequential {
  static_assert(detail::is_input<In>::value,
                "gan::Sequential: the first entry must be gan::Input<N> or gan::Input<C, H, W>, the shape of one sample");
  static_assert(sizeof...(Ls) > 0, "gan::Sequential: give at least one layer after the Input");
  static_assert((LayerSpec<Ls> && ...),
                "gan::Sequential: an entry is not a layer spec (it needs static name() and output_shape(Shape) "
                "or output_size(index_t); see gan/core/layer.hpp)");

  static constexpr std::size_t depth = sizeof...(Ls);
  /// shapes[0] is the input's shape, shapes[k + 1] the output of layer k (Dynamic where unknown).
  static constexpr std::array<Shape, depth + 1> shapes = detail::fold_shapes<Ls...>(In::shape);
  /// The same as values per sample (C*H*W).
  static constexpr std::array<index_t, depth + 1> sizes = [] {
    std::array<index_t, depth + 1> s{};
    for (std::size_t k = 0; k <= depth; ++k) s[k] = shapes[k].size();
    return s;
  }();
  static constexpr Shape input_shape = In::shape, output_shape = shapes[depth];
  static constexpr index_t input_size = In::shape.size(), output_size = shapes[depth].size();

 private:
  template <std::size_t... K>
  static constexpr bool check(std::index_sequence<K...>) {
    return (detail::link_check<K, std::tuple_element_t<K, std::tuple<Ls...>>, shapes[K]>::ok && ...);
  }

 public:
  static constexpr bool links_ok = check(std::make_index_sequence<depth>{});

  using specs = std::tuple<Ls...>;
  template <class T, class B>
  using stack = Stack<T, B, Ls...>;
  template <class T, class B>
  using layers = typename Stack<T, B, Ls...>::layers_type;

  /// "Input<2> -> Dense<128> -> ReLU -> ..." for messages.
  static std::string describe() {
    std::string s = In::name();
    ((s += " -> " + Ls::name()), ...);
    return s;
  }
  static std::vector<std::string> layer_names() { return {Ls::name()...}; }
  /// How many Dynamic sizes a Network of this type needs at construction.
  static constexpr std::size_t runtime_sizes = In::runtime_dims + (detail::runtime_sizes<Ls>() + ... + 0);
  /// True when a layer reads the condition (Concat, Projection): the network is conditional.
  static constexpr bool uses_condition = (detail::uses_condition<Ls>() || ...);
};

/// Which gradients a backward pass computes.
struct Grads {
  bool params = true;  // accumulate dL/dtheta into the layers' gradients
  bool input = false;  // compute dL/dx for the network's input (the critic's, for the generator)
};

/// A Sequential instantiated for a scalar type and a backend: the layers' parameters, and the
/// buffers of the forward, backward and tangent passes (sized on the first pass, then reused).
template <class Seq, class B, class T = float>
class Network {
  static_assert(Seq::links_ok);
  static_assert(gan::Backend<B>,
                "gan::Network<Seq, B>: B is not a backend (gan::Cpu, gan::Gpu, or a type with the vocabulary of "
                "gan/core/concepts.hpp: vector, raw, copies, for_each, for_each_2d, gemm, reduce_cols, reduce_rows, "
                "reduce_sum)");

 public:
  using sequential = Seq;
  using backend = B;
  using scalar = T;
  using Tn = Tensor<T, B>;
  static constexpr std::size_t depth = Seq::depth;

  /// Initialises the parameters from `init`; `dynamic` gives the Dynamic sizes in order of
  /// appearance (the Input's Dynamic dimensions first, then each Dense<Dynamic> or Concat<Dynamic>).
  /// Each network's noise generator (dropout masks) is split from `init` on a fresh stream, so
  /// two networks made from one `init` draw different masks.
  explicit Network(Rng& init, std::initializer_list<index_t> dynamic = {}) : rng_(init.split(init.below(1ull << 62))) {
    if (dynamic.size() != Seq::runtime_sizes)
      throw ShapeError(Seq::describe() + ": needs " + std::to_string(Seq::runtime_sizes) +
                       " Dynamic size(s) at construction, " + std::to_string(dynamic.size()) + " given");
    detail::SizeList sizes{dynamic.begin(), dynamic.end(), Seq::describe()};
    Shape in = Seq::input_shape;
    if (in.c == Dynamic) in.c = sizes.take("Input");
    if (in.h == Dynamic) in.h = sizes.take("Input");
    if (in.w == Dynamic) in.w = sizes.take("Input");
    stack_.setup(in, Seq::shapes, init, sizes, "");
  }

  const Shape& input_shape() const { return stack_.input_shape(); }
  const Shape& output_shape() const { return stack_.output_shape(); }
  index_t input_size() const { return input_shape().size(); }
  index_t output_size() const { return output_shape().size(); }
  /// The shape after layer k (k = 0 is the input).
  const Shape& shape(std::size_t k) const { return stack_.shape(k); }
  /// Values per sample after layer k.
  index_t size(std::size_t k) const { return shape(k).size(); }

  /// Training mode (batch statistics, dropout) or evaluation mode.
  void train(bool on = true) { ctx_.training = on; }
  void eval() { ctx_.training = false; }
  bool training() const { return ctx_.training; }

  /// y = net(x). `x` (and `condition`) must stay alive until backward. `x` holds samples of the
  /// input shape, or of any shape with as many values per sample (a flat batch for an image).
  const Tn& forward(const Tn& x, const Tn* condition = nullptr) {
    check_input(x);
    ctx_.condition = condition;
    ctx_.rng = &rng_;  // (re)bound here so that copies of a network use their own generator
    stack_.forward(ctx_, x, out_);
    return out_;
  }
  const Tn& output() const { return out_; }

  /// Back-propagates dL/dy through the last forward pass. Returns dL/dx when `what.input`.
  const Tn& backward(const Tn& dy, Grads what = {}) {
    if (dy.rows() != out_.rows() || dy.cols() != out_.cols())
      throw ShapeError(Seq::describe() + ": backward got dy of shape (" + std::to_string(dy.rows()) + ", " +
                       std::to_string(dy.cols()) + "), the output is (" + std::to_string(out_.rows()) + ", " +
                       std::to_string(out_.cols()) + ")");
    stack_.backward(ctx_, dy, what.input ? &dx_ : nullptr, what.params);
    return dx_;
  }

  /// Forward-mode pass: returns yt = J(x) xt, the derivative of the output along xt, per sample.
  /// Re-runs the forward pass with the noise (dropout masks) of the last forward pass.
  const Tn& forward_tangent(const Tn& x, const Tn& xt, const Tn* condition = nullptr) {
    static_assert(all_tangent(), "gan::Network::forward_tangent: a layer of this network has no tangent pass "
                                 "(BatchNorm mixes samples; use LayerNorm or no normalisation in a penalised critic)");
    check_input(x);
    if (xt.rows() != x.rows() || xt.cols() != x.cols())
      throw ShapeError(Seq::describe() + ": the tangent xt must have x's shape");
    ctx_.rng = &rng_;
    ctx_.condition = condition;
    const bool reuse = ctx_.reuse_noise;
    ctx_.reuse_noise = true;
    stack_.forward_tangent(ctx_, x, xt, out_, tout_);
    ctx_.reuse_noise = reuse;
    return tout_;
  }
  /// Reverse pass through (y, yt): given dL/dy and dL/dyt, adds dL/dtheta to the gradients.
  /// Returns dL/dx when `what.input` (and dL/dxt is then input_tangent_grad()).
  const Tn& backward_tangent(const Tn& dy, const Tn& dyt, Grads what = {}) {
    static_assert(all_tangent(), "gan::Network::backward_tangent: a layer of this network has no tangent pass");
    const bool reuse = ctx_.reuse_noise;
    ctx_.reuse_noise = true;
    stack_.backward_tangent(ctx_, dy, dyt, what.input ? &dx_ : nullptr, what.input ? &dxt_ : nullptr, what.params);
    ctx_.reuse_noise = reuse;
    return dx_;
  }
  const Tn& input_tangent_grad() const { return dxt_; }

  /// f(param, grad) for every trained tensor, in layer order.
  template <class F>
  void visit_params(F&& f) { stack_.visit_params(f); }
  /// f(state) for every non-trained state tensor (BatchNorm running statistics), in layer order.
  template <class F>
  void visit_buffers(F&& f) { stack_.visit_buffers(f); }
  /// f(name, tensor) for every parameter and state tensor, named "<k>:<Layer>.param<i>" or
  /// "<k>:<Layer>.state<i>" (k = 1-based layer position; a block's layers "<k>:<Block>/<j>:..."):
  /// the names a checkpoint stores.
  template <class F>
  void visit_named(F&& f) { stack_.visit_named("", f); }
  void zero_grad() {
    visit_params([](Tn&, Tn& g) { ops::fill(g, T(0)); });
  }
  index_t parameter_count() {
    index_t n = 0;
    visit_params([&](Tn& p, Tn&) { n += p.size(); });
    return n;
  }

  template <std::size_t K>
  auto& layer() { return stack_.template layer<K>(); }
  Context<T, B>& context() { return ctx_; }
  Rng& noise_rng() { return rng_; }
  static std::string describe() { return Seq::describe(); }

  /// True when every layer treats each sample on its own (no BatchNorm), so stacking batches
  /// changes nothing: the trainer then runs the critic once over [real; fake].
  static constexpr bool per_sample() { return StackT::all_per_sample(); }
  /// True when every layer has a tangent pass (what the gradient penalties need).
  static constexpr bool all_tangent() { return StackT::all_tangent(); }
  /// True when a layer reads the condition passed to forward (Concat, Projection).
  static constexpr bool conditional() { return Seq::uses_condition; }

 private:
  using StackT = typename Seq::template stack<T, B>;

  void check_input(const Tn& x) const {
    if (x.cols() != input_size()) {
      const bool flat = x.shape().rank == 1 && input_shape().rank == 1;
      throw ShapeError(Seq::describe() + ": input has " +
                       (flat ? std::to_string(x.cols()) + " features per sample, the network takes " +
                                   std::to_string(input_size())
                             : "samples of shape " + x.shape().str() + " (" + std::to_string(x.cols()) +
                                   " values), the network takes " + input_shape().str() + " (" +
                                   std::to_string(input_size()) + " values)"));
    }
    if (x.rows() == 0) throw ShapeError(Seq::describe() + ": input batch is empty");
  }

  StackT stack_;
  Tn out_, dx_, tout_, dxt_;
  Rng rng_;
  Context<T, B> ctx_;
};

}  // namespace gan
