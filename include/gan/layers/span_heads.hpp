// gan/layers/span_heads.hpp: the output heads of a tabular generator, one per span of its output.
//   Tanh span:          y = tanh(x)                                  dx = dy (1 - y^2)
//   GumbelSoftmax span: y = softmax((x + g) / tau),  g_k = -log(-log u_k), u_k ~ U(0, 1)
//                       dx_k = y_k (dy_k - sum_i y_i dy_i) / tau
// Columns outside every span pass through unchanged. The spans are known only at run time (they
// follow a table's columns), so they are set after construction with set_spans(); a forward pass
// before that throws. The Gumbel noise is drawn in eval mode too: the argmax of (x + g) is a draw
// from softmax(x), which is how a trained generator samples categories (Jang et al. 2017).
//
// Logit-side losses: a loss on the logits x rather than on y (CTGAN's conditional cross-entropy,
// losses/generator_terms.hpp) reads logits() after the forward pass and writes its gradient into
// logit_grad(); the next backward pass adds it to dx, then clears the flag.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"
#include "../core/small_array.hpp"

namespace gan {

struct HeadSpan {
  enum Kind { Tanh, GumbelSoftmax } kind;
  index_t start, width;
};

struct SpanHeads {
  static constexpr Shape output_shape(Shape in) { return in; }
  static std::string name() { return "SpanHeads"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool per_sample = true;
    static constexpr bool has_tangent = false;
    std::vector<HeadSpan> spans;
    T tau = T(0.2);
    bool configured = false;
    bool covers_all = false;  // the spans cover every column: no pass-through copy
    Tn noise, extra;
    const Tn* last_x = nullptr;
    bool use_extra = false;
    index_t width = 0;

    void setup(const Shape& in, const Shape&, Rng&) { width = in.size(); }

    /// Sets the spans (non-overlapping, inside the width) and the Gumbel-softmax temperature.
    void set_spans(std::vector<HeadSpan> s, T temperature = T(0.2)) {
      if (!(temperature > T(0))) throw std::invalid_argument(name() + ": the temperature must be > 0");
      std::sort(s.begin(), s.end(), [](const HeadSpan& a, const HeadSpan& b) { return a.start < b.start; });
      index_t end = 0, covered = 0;
      for (const HeadSpan& h : s) {
        if (h.width <= 0 || h.start < end || h.start + h.width > width)
          throw ShapeError(name() + ": span (start " + std::to_string(h.start) + ", width " + std::to_string(h.width) +
                           ") overlaps another or does not fit the " + std::to_string(width) + " outputs");
        end = h.start + h.width;
        covered += h.width;
      }
      covers_all = covered == width;
      spans = std::move(s);
      tau = temperature;
      configured = true;
    }

    /// The logits of the last forward pass, (batch, width).
    const Tn& logits() const {
      if (!last_x) throw std::logic_error(name() + ": logits() before a forward pass");
      return *last_x;
    }
    /// A (batch, width) gradient on the logits, zeroed, that the next backward pass adds to dx.
    Tn& logit_grad() {
      extra.resize(logits().rows(), logits().shape());
      ops::fill(extra, T(0));
      use_extra = true;
      return extra;
    }

    void forward(Context<T, B>& ctx, const Tn& x, Tn& y) {
      if (!configured) throw std::logic_error(name() + ": call set_spans() on the layer before the first forward pass");
      last_x = &x;
      if (!covers_all) B::copy(x.data(), x.size(), y.data());  // columns outside every span
      const index_t n = x.rows(), w = width;
      if (!ctx.reuse_noise) {
        if (!ctx.rng) throw std::logic_error(name() + ": needs Context::rng for the Gumbel noise");
        noise.resize(n, x.shape());
        ops::fill_uniform(noise, *ctx.rng, T(1e-10), T(1));
      }
      const T* xp = x.data();
      const T* up = noise.data();
      T* yp = y.data();
      const T inv_tau = T(1) / tau;
      // One thread per (row, span), every span in one launch (up to SmallArray's capacity).
      for_each_row_record<B>(n, spans, [=] GAN_HD(index_t r, index_t, const HeadSpan& h) {
        const T* xr = xp + r * w + h.start;
        T* yr = yp + r * w + h.start;
        const index_t k = h.width;
        if (h.kind == HeadSpan::Tanh) {
          for (index_t j = 0; j < k; ++j) yr[j] = std::tanh(xr[j]);
          return;
        }
        const T* ur = up + r * w + h.start;
        T m = T(-1e30);
        for (index_t j = 0; j < k; ++j) {
          yr[j] = (xr[j] - std::log(-std::log(ur[j]))) * inv_tau;
          m = yr[j] > m ? yr[j] : m;
        }
        T s = T(0);
        for (index_t j = 0; j < k; ++j) s += (yr[j] = std::exp(yr[j] - m));
        for (index_t j = 0; j < k; ++j) yr[j] /= s;
      });
    }

    void backward(Context<T, B>&, const Tn&, const Tn& y, const Tn& dy, Tn* dx, bool) {
      if (!dx) {
        use_extra = false;
        return;
      }
      const index_t n = y.rows(), w = width;
      const T *yp = y.data(), *gp = dy.data();
      T* dp = dx->data();
      const T inv_tau = T(1) / tau;
      // Columns outside every span pass dy (plus the logit gradient) through; the spans' kernel
      // then overwrites its own columns and adds the logit gradient there.
      const T* ep = use_extra ? extra.data() : nullptr;
      if (!covers_all) {
        B::copy(gp, dy.size(), dp);
        if (ep) B::for_each(dx->size(), [=] GAN_HD(index_t i) { dp[i] += ep[i]; });
      }
      for_each_row_record<B>(n, spans, [=] GAN_HD(index_t r, index_t, const HeadSpan& h) {
        const index_t o = r * w + h.start, k = h.width;
        const T* yr = yp + o;
        const T* gr = gp + o;
        T* dr = dp + o;
        if (h.kind == HeadSpan::Tanh) {
          for (index_t j = 0; j < k; ++j) dr[j] = gr[j] * (T(1) - yr[j] * yr[j]);
        } else {
          T dot = T(0);
          for (index_t j = 0; j < k; ++j) dot += yr[j] * gr[j];
          for (index_t j = 0; j < k; ++j) dr[j] = yr[j] * (gr[j] - dot) * inv_tau;
        }
        if (ep)
          for (index_t j = 0; j < k; ++j) dr[j] += ep[o + j];
      });
      use_extra = false;
    }
    template <class F>
    void visit_params(F) {}
    template <class F>
    void visit_buffers(F) {}
  };
};

}  // namespace gan
