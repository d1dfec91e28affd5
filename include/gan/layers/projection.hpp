// gan/layers/projection.hpp: the projection discriminator's head (Miyato & Koyama 2018).
//   features h (batch, F), class condition c (batch, K) one-hot or soft, from ctx.condition:
//   y = h w^T + b + sum_f (c E)_f h_f  =  sum_f h_f v_f + b,   v = w + c E  (each sample's own head)
//   dh = dy v;  dw += sum_rows dy h,  db += sum_rows dy,  dE += c^T (dy h)
// w (1, F), b (1), E (K, F): the class embedding. The condition is data, not differentiated: it
// gets no gradient, and the tangent pass is along h only (yt = sum_f ht_f v_f, linear in h, so
// its reverse has no second-order term). Projection<Dynamic> takes K at construction.
#pragma once
#include <cmath>
#include <string>

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/ops.hpp"

namespace gan {

template <index_t K>
struct Projection {
  static_assert(K > 0 || K == Dynamic, "gan::Projection<K>: the number of classes K must be > 0 or gan::Dynamic");
  static constexpr bool uses_condition = true;  // the critic reads Network::forward's condition
  static constexpr bool takes_runtime_size = (K == Dynamic);
  static constexpr index_t output_size(index_t) { return 1; }
  /// For Projection<Dynamic> the run-time size given at construction is K; the output is one logit.
  static constexpr Shape runtime_output_shape(Shape, index_t) { return Shape::flat(1); }
  static std::string name() { return "Projection<" + detail::size_name(K) + ">"; }

  template <class T, class B>
  struct Layer {
    using Tn = Tensor<T, B>;
    static constexpr bool has_tangent = true;
    static constexpr bool per_sample = true;
    Tn w, b, E, dw, db, dE;  // trained
    Tn v, g;                 // scratch (batch, F): v = w + c E of the last forward; g = dy h (+ dyt ht)
    index_t k_ = K;          // classes (Projection<Dynamic>: given at construction)

    /// Called by Network before setup with Projection<Dynamic>'s run-time size: K.
    void take_runtime_size(index_t given) { k_ = given; }

    /// w, b as Dense (PyTorch's Linear): U(-1/sqrt(F), 1/sqrt(F)). E on the same scale, not zero:
    /// each class starts with its own random linear head w + E_k, as in the authors' code (a
    /// Glorot-uniform embedding). With E = 0 the logit, and the gradient sent back to phi and to
    /// the generator, would ignore the class until E had grown from its own gradient.
    void setup(const Shape& in_shape, const Shape&, Rng& init) {
      const index_t in = in_shape.size();
      if (k_ <= 0)
        throw ShapeError(name() + ": the number of classes was not given (Projection<Dynamic> takes it at "
                         "construction, Network(init, {..., K, ...}))");
      const T bound = T(1) / std::sqrt(T(in));
      w.resize(1, in);
      b.resize(1, 1);
      E.resize(k_, in);
      ops::fill_uniform(w, init, -bound, bound);
      ops::fill_uniform(b, init, -bound, bound);
      ops::fill_uniform(E, init, -bound, bound);
      dw.resize(1, in);
      db.resize(1, 1);
      dE.resize(k_, in);
      ops::fill(dw, T(0));
      ops::fill(db, T(0));
      ops::fill(dE, T(0));
    }

    /// The condition of this pass, checked: (batch, K).
    const Tn& condition(const Context<T, B>& ctx, index_t rows) const {
      const Tn* c = ctx.condition;
      if (!c)
        throw ShapeError(name() + ": no condition given; pass the class labels (batch, " + std::to_string(k_) +
                         "), one-hot or soft, to Network::forward(x, condition)");
      if (c->cols() != k_ || c->rows() != rows)
        throw ShapeError(name() + ": condition is (" + std::to_string(c->rows()) + ", " + std::to_string(c->cols()) +
                         "), expected (" + std::to_string(rows) + ", " + std::to_string(k_) + ")");
      return *c;
    }

    // v = w + c E;  y = sum_f h_f v_f + b.
    void forward(Context<T, B>& ctx, const Tn& h, Tn& y) {
      const Tn& c = condition(ctx, h.rows());
      const index_t n = h.rows(), f = h.cols();
      ops::matmul(false, false, T(1), c, E, T(0), v);  // (batch, K) (K, F)
      const T *hp = h.data(), *wp = w.data(), *bp = b.data();
      T *vp = v.data(), *yp = y.data();
      B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) { vp[i * f + j] += wp[j]; });
      B::reduce_rows(n, f, [=] GAN_HD(index_t i, index_t j) { return hp[i * f + j] * vp[i * f + j]; }, yp);
      B::for_each(n, [=] GAN_HD(index_t i) { yp[i] += bp[0]; });
    }

    void backward(Context<T, B>& ctx, const Tn& h, const Tn&, const Tn& dy, Tn* dh, bool param_grads) {
      const index_t n = h.rows(), f = h.cols();
      const T *hp = h.data(), *dyp = dy.data();
      if (param_grads) {
        g.resize(n, f);
        T* gp = g.data();
        B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) { gp[i * f + j] = dyp[i] * hp[i * f + j]; });
        add_param_grads(condition(ctx, n), dy);
      }
      if (dh) scale_rows(dy, *dh);
    }

    // yt = sum_f ht_f v_f (the condition held fixed).
    void forward_tangent(Context<T, B>& ctx, const Tn& h, const Tn& ht, Tn& y, Tn& yt) {
      forward(ctx, h, y);
      const index_t f = h.cols();
      const T *htp = ht.data(), *vp = v.data();
      B::reduce_rows(h.rows(), f, [=] GAN_HD(index_t i, index_t j) { return htp[i * f + j] * vp[i * f + j]; },
                     yt.data());
    }

    // dh = dy v, dht = dyt v;  with g = dy h + dyt ht:  dw += sum_rows g,  dE += c^T g;  db += sum dy.
    void backward_tangent(Context<T, B>& ctx, const Tn& h, const Tn& ht, const Tn&, const Tn&, const Tn& dy,
                          const Tn& dyt, Tn* dh, Tn* dht, bool param_grads) {
      const index_t n = h.rows(), f = h.cols();
      if (param_grads) {
        g.resize(n, f);
        const T *hp = h.data(), *htp = ht.data(), *dyp = dy.data(), *dytp = dyt.data();
        T* gp = g.data();
        B::for_each_2d(n, f, [=] GAN_HD(index_t i, index_t j) {
          const index_t k = i * f + j;
          gp[k] = dyp[i] * hp[k] + dytp[i] * htp[k];
        });
        add_param_grads(condition(ctx, n), dy);
      }
      if (dh) scale_rows(dy, *dh);
      if (dht) scale_rows(dyt, *dht);
    }

    template <class F>
    void visit_params(F fn) {
      fn(w, dw);
      fn(b, db);
      fn(E, dE);
    }
    template <class F>
    void visit_buffers(F) {}

    // (public: nvcc's device lambdas may not live in private member functions)
    // dw += sum_rows g,  dE += c^T g,  db += sum_rows dy   (g holds the weights of h already)
    void add_param_grads(const Tn& c, const Tn& dy) {
      ops::col_sum(g, dw, T(1));
      ops::matmul(true, false, T(1), c, g, T(1), dE);  // (K, batch) (batch, F)
      ops::col_sum(dy, db, T(1));
    }
    // out = d v per row (d is (batch, 1)).
    void scale_rows(const Tn& d, Tn& out) const {
      const index_t f = v.cols();
      const T *dp = d.data(), *vp = v.data();
      T* op = out.data();
      B::for_each_2d(out.rows(), f, [=] GAN_HD(index_t i, index_t j) { op[i * f + j] = dp[i] * vp[i * f + j]; });
    }
  };
};

}  // namespace gan
