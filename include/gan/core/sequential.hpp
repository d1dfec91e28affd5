// gan/core/sequential.hpp: compile-time composition of layers, and the Network that runs them.
//
//   using Critic = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::LeakyReLU<>, gan::Dense<1>>;
//   gan::Rng init(42);
//   gan::Network<Critic, gan::Cpu> d(init);             // float by default; double for tests
//
// Each layer states only its output width; Sequential folds the widths at compile time
// (Sequential::sizes) and checks every link. Dynamic widths pass through the fold and are
// given at construction, in order of appearance: Network<Seq, Cpu> g(init, {n_cols}).
#pragma once
#include <array>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "error.hpp"
#include "layer.hpp"
#include "ops.hpp"

namespace gan {

/// The first entry of a Sequential: the width of one sample (or gan::Dynamic).
template <index_t N>
struct Input {
  static_assert(N > 0 || N == Dynamic, "gan::Input<N>: N must be > 0 or gan::Dynamic");
  static constexpr index_t size = N;
  static std::string name() { return "Input<" + detail::size_name(N) + ">"; }
};

namespace detail {
template <class T>
struct is_input : std::false_type {};
template <index_t N>
struct is_input<Input<N>> : std::true_type {};

/// One named check per link, so the compiler's "required from" line names the layer and its
/// position K when the layer cannot take the previous layer's output.
template <std::size_t K, class L, index_t In>
struct check_link {
  static_assert(LayerSpec<L>,
                "gan::Sequential: this entry is not a layer spec (it needs static output_size(index_t) and "
                "name(); see gan/core/layer.hpp)");
  static_assert(accepts<L>(In), "gan::Sequential: layer K cannot take the previous layer's output width In");
  static constexpr bool ok = true;
};
}  // namespace detail

template <class In, class... Ls>
struct Sequential {
  static_assert(detail::is_input<In>::value,
                "gan::Sequential: the first entry must be gan::Input<N>, the width of one sample");
  static_assert(sizeof...(Ls) > 0, "gan::Sequential: give at least one layer after the Input");

  static constexpr std::size_t depth = sizeof...(Ls);
  /// sizes[0] is the input width, sizes[k + 1] the output width of layer k (Dynamic where unknown).
  static constexpr std::array<index_t, depth + 1> sizes = [] {
    std::array<index_t, depth + 1> s{In::size};
    std::size_t k = 0;
    ((s[k + 1] = Ls::output_size(s[k]), ++k), ...);
    return s;
  }();
  static constexpr index_t input_size = In::size;
  static constexpr index_t output_size = sizes[depth];

 private:
  template <std::size_t... K>
  static constexpr bool check(std::index_sequence<K...>) {
    return (detail::check_link<K, std::tuple_element_t<K, std::tuple<Ls...>>, sizes[K]>::ok && ...);
  }

 public:
  static constexpr bool links_ok = check(std::make_index_sequence<depth>{});
  static_assert(links_ok);

  using specs = std::tuple<Ls...>;
  template <class T, class B>
  using layers = std::tuple<typename Ls::template Layer<T, B>...>;

  /// "Input<2> -> Dense<128> -> ReLU -> ..." for messages.
  static std::string describe() {
    std::string s = In::name();
    ((s += " -> " + Ls::name()), ...);
    return s;
  }
  static std::vector<std::string> layer_names() { return {Ls::name()...}; }
  /// How many Dynamic sizes a Network of this type needs at construction.
  static constexpr std::size_t runtime_sizes = (In::size == Dynamic ? 1 : 0) + (detail::takes_runtime_size<Ls>() + ... + 0);
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
 public:
  using sequential = Seq;
  using backend = B;
  using scalar = T;
  using Tn = Tensor<T, B>;
  static constexpr std::size_t depth = Seq::depth;

  /// Initialises the parameters from `init`; `dynamic` gives the Dynamic widths in order of
  /// appearance (Input<Dynamic> first, then each Dense<Dynamic> or Concat<Dynamic>).
  /// Each network's noise generator (dropout masks) is split from `init` on a fresh stream, so
  /// two networks made from one `init` draw different masks.
  explicit Network(Rng& init, std::initializer_list<index_t> dynamic = {}) : rng_(init.split(init.below(1ull << 62))) {
    if (dynamic.size() != Seq::runtime_sizes)
      throw ShapeError(Seq::describe() + ": needs " + std::to_string(Seq::runtime_sizes) +
                       " Dynamic size(s) at construction, " + std::to_string(dynamic.size()) + " given");
    auto given = dynamic.begin();  // consumed in order of appearance
    sizes_[0] = Seq::input_size;
    if (Seq::input_size == Dynamic) sizes_[0] = take(given, "Input<Dynamic>");
    setup_all(init, given, std::make_index_sequence<depth>{});
  }

  index_t input_size() const { return sizes_[0]; }
  index_t output_size() const { return sizes_[depth]; }
  /// Width after layer k (k = 0 is the input).
  index_t size(std::size_t k) const { return sizes_[k]; }

  /// Training mode (batch statistics, dropout) or evaluation mode.
  void train(bool on = true) { ctx_.training = on; }
  void eval() { ctx_.training = false; }
  bool training() const { return ctx_.training; }

  /// y = net(x). `x` (and `condition`) must stay alive until backward.
  const Tn& forward(const Tn& x, const Tn* condition = nullptr) {
    check_input(x);
    x_ = &x;
    ctx_.condition = condition;
    ctx_.rng = &rng_;  // (re)bound here so that copies of a network use their own generator
    forward_all(std::make_index_sequence<depth>{});
    return acts_[depth];
  }
  const Tn& output() const { return acts_[depth]; }

  /// Back-propagates dL/dy through the last forward pass. Returns dL/dx when `what.input`.
  const Tn& backward(const Tn& dy, Grads what = {}) {
    if (dy.rows() != acts_[depth].rows() || dy.cols() != acts_[depth].cols())
      throw ShapeError(Seq::describe() + ": backward got dy of shape (" + std::to_string(dy.rows()) + ", " +
                       std::to_string(dy.cols()) + "), the output is (" + std::to_string(acts_[depth].rows()) + ", " +
                       std::to_string(acts_[depth].cols()) + ")");
    dy_ = &dy;
    backward_all(what, std::make_index_sequence<depth>{});
    return grads_[0];
  }

  /// Forward-mode pass: returns yt = J(x) xt, the derivative of the output along xt, per sample.
  /// Re-runs the forward pass with the noise (dropout masks) of the last forward pass.
  const Tn& forward_tangent(const Tn& x, const Tn& xt, const Tn* condition = nullptr) {
    static_assert(all_tangent(), "gan::Network::forward_tangent: a layer of this network has no tangent pass "
                                 "(BatchNorm mixes samples; use no normalisation in a penalised critic)");
    check_input(x);
    x_ = &x;
    xt_ = &xt;
    ctx_.rng = &rng_;
    ctx_.condition = condition;
    const bool reuse = ctx_.reuse_noise;
    ctx_.reuse_noise = true;
    tangent_all(std::make_index_sequence<depth>{});
    ctx_.reuse_noise = reuse;
    return tacts_[depth];
  }
  /// Reverse pass through (y, yt): given dL/dy and dL/dyt, adds dL/dtheta to the gradients.
  /// Returns dL/dx when `what.input` (and dL/dxt is then input_tangent_grad()).
  const Tn& backward_tangent(const Tn& dy, const Tn& dyt, Grads what = {}) {
    static_assert(all_tangent(), "gan::Network::backward_tangent: a layer of this network has no tangent pass");
    dy_ = &dy;
    dyt_ = &dyt;
    const bool reuse = ctx_.reuse_noise;
    ctx_.reuse_noise = true;
    backward_tangent_all(what, std::make_index_sequence<depth>{});
    ctx_.reuse_noise = reuse;
    return grads_[0];
  }
  const Tn& input_tangent_grad() const { return tgrads_[0]; }

  /// f(param, grad) for every trained tensor, in layer order.
  template <class F>
  void visit_params(F&& f) {
    std::apply([&](auto&... l) { (l.visit_params(f), ...); }, layers_);
  }
  /// f(state) for every non-trained state tensor (BatchNorm running statistics), in layer order.
  template <class F>
  void visit_buffers(F&& f) {
    std::apply([&](auto&... l) { (l.visit_buffers(f), ...); }, layers_);
  }
  /// f(name, tensor) for every parameter and state tensor, named "<k>:<Layer>.param<i>" or
  /// "<k>:<Layer>.state<i>" (k = 1-based layer position): the names a checkpoint stores.
  template <class F>
  void visit_named(F&& f) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (visit_named_one<K>(f), ...);
    }(std::make_index_sequence<depth>{});
  }
  void zero_grad() {
    visit_params([](Tn&, Tn& g) { ops::fill(g, T(0)); });
  }
  index_t parameter_count() {
    index_t n = 0;
    visit_params([&](Tn& p, Tn&) { n += p.size(); });
    return n;
  }

  template <std::size_t K>
  auto& layer() { return std::get<K>(layers_); }
  Context<T, B>& context() { return ctx_; }
  Rng& noise_rng() { return rng_; }
  static std::string describe() { return Seq::describe(); }

  /// True when every layer treats each sample on its own (no BatchNorm), so stacking batches
  /// changes nothing. Every shipped layer with a tangent pass is per-sample.
  static constexpr bool per_sample() { return all_tangent(); }

  static constexpr bool all_tangent() {
    return []<std::size_t... K>(std::index_sequence<K...>) {
      return (detail::has_tangent<std::tuple_element_t<K, typename Seq::template layers<T, B>>>() && ...);
    }(std::make_index_sequence<depth>{});
  }

 private:
  template <std::size_t K>
  using spec = std::tuple_element_t<K, typename Seq::specs>;

  template <std::size_t K, class F>
  void visit_named_one(F& f) {
    const std::string base = std::to_string(K + 1) + ":" + spec<K>::name();
    int i = 0;
    std::get<K>(layers_).visit_params([&](Tn& p, Tn&) { f(base + ".param" + std::to_string(i++), p); });
    i = 0;
    std::get<K>(layers_).visit_buffers([&](Tn& b) { f(base + ".state" + std::to_string(i++), b); });
  }

  index_t take(std::initializer_list<index_t>::iterator& it, const std::string& who) {
    const index_t v = *it++;
    if (v <= 0)
      throw ShapeError(Seq::describe() + ": " + who + " was given the size " + std::to_string(v) + "; sizes must be > 0");
    return v;
  }

  template <std::size_t... K>
  void setup_all(Rng& init, std::initializer_list<index_t>::iterator& given, std::index_sequence<K...>) {
    (setup_one<K>(init, given), ...);
  }
  template <std::size_t K>
  void setup_one(Rng& init, std::initializer_list<index_t>::iterator& given) {
    using S = spec<K>;
    const index_t in = sizes_[K];
    index_t out;
    const std::string who = "layer " + std::to_string(K + 1) + " (" + S::name() + ")";
    if constexpr (detail::takes_runtime_size<S>()) {
      const index_t v = take(given, who);
      if constexpr (requires { S::runtime_output_size(in, v); })
        out = S::runtime_output_size(in, v);
      else
        out = v;
    } else {
      out = S::output_size(in);
    }
    if (Seq::sizes[K + 1] != Dynamic && out != Seq::sizes[K + 1])
      throw ShapeError(Seq::describe() + ": " + who + " outputs " + std::to_string(out) + " values, its type says " +
                       std::to_string(Seq::sizes[K + 1]));
    sizes_[K + 1] = out;
    std::get<K>(layers_).setup(in, out, init);
  }

  void check_input(const Tn& x) const {
    if (x.cols() != sizes_[0])
      throw ShapeError(Seq::describe() + ": input has " + std::to_string(x.cols()) + " features per sample, the "
                       "network takes " + std::to_string(sizes_[0]));
    if (x.rows() == 0) throw ShapeError(Seq::describe() + ": input batch is empty");
  }
  const Tn& in(std::size_t k) const { return k == 0 ? *x_ : acts_[k]; }
  const Tn& tin(std::size_t k) const { return k == 0 ? *xt_ : tacts_[k]; }

  template <std::size_t... K>
  void forward_all(std::index_sequence<K...>) {
    ((acts_[K + 1].resize(x_->rows(), sizes_[K + 1]), std::get<K>(layers_).forward(ctx_, in(K), acts_[K + 1])), ...);
  }
  template <std::size_t... K>
  void backward_all(Grads what, std::index_sequence<K...>) {
    (backward_one<depth - 1 - K>(what), ...);
  }
  template <std::size_t K>
  void backward_one(Grads what) {
    const Tn& dout = K + 1 == depth ? *dy_ : grads_[K + 1];
    Tn* dx = nullptr;
    if (K > 0 || what.input) {
      grads_[K].resize(x_->rows(), sizes_[K]);
      dx = &grads_[K];
    }
    std::get<K>(layers_).backward(ctx_, in(K), acts_[K + 1], dout, dx, what.params);
  }
  template <std::size_t... K>
  void tangent_all(std::index_sequence<K...>) {
    ((acts_[K + 1].resize(x_->rows(), sizes_[K + 1]), tacts_[K + 1].resize(x_->rows(), sizes_[K + 1]),
      std::get<K>(layers_).forward_tangent(ctx_, in(K), tin(K), acts_[K + 1], tacts_[K + 1])),
     ...);
  }
  template <std::size_t... K>
  void backward_tangent_all(Grads what, std::index_sequence<K...>) {
    (backward_tangent_one<depth - 1 - K>(what), ...);
  }
  template <std::size_t K>
  void backward_tangent_one(Grads what) {
    const bool last = K + 1 == depth;
    const Tn& dout = last ? *dy_ : grads_[K + 1];
    const Tn& dtout = last ? *dyt_ : tgrads_[K + 1];
    Tn *dx = nullptr, *dxt = nullptr;
    if (K > 0 || what.input) {
      grads_[K].resize(x_->rows(), sizes_[K]);
      tgrads_[K].resize(x_->rows(), sizes_[K]);
      dx = &grads_[K];
      dxt = &tgrads_[K];
    }
    std::get<K>(layers_).backward_tangent(ctx_, in(K), tin(K), acts_[K + 1], tacts_[K + 1], dout, dtout, dx, dxt,
                                          what.params);
  }

  typename Seq::template layers<T, B> layers_;
  std::array<index_t, depth + 1> sizes_{};
  std::array<Tn, depth + 1> acts_, grads_, tacts_, tgrads_;
  const Tn *x_ = nullptr, *xt_ = nullptr, *dy_ = nullptr, *dyt_ = nullptr;
  Rng rng_;
  Context<T, B> ctx_;
};

}  // namespace gan
