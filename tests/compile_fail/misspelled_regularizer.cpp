// A regulariser whose member is misspelled is a compile error, not a silent "no penalty".
// expect: a regulariser's State<T, B> must provide both
#include <gan/gan.hpp>
struct Drift {
  static std::string name() { return "drift"; }
  template <class T, class B>
  struct State {
    template <class Net>
    T penality(const Drift&, Net&, const gan::Tensor<T, B>&, const gan::Tensor<T, B>&, gan::Rng&,
               const gan::Tensor<T, B>* = nullptr) { return T(0); }
    template <class Net>
    void after_step(const Drift&, Net&) {}
  };
};
using D = gan::Sequential<gan::Input<2>, gan::Dense<1>>;
void f(gan::Network<D, gan::Cpu>& d, gan::Tensor<float, gan::Cpu>& x, gan::Rng& rng) {
  gan::Objective<gan::Wasserstein, Drift> obj;
  gan::Objective<gan::Wasserstein, Drift>::State<float, gan::Cpu> st;
  st.critic_gradients(obj, d, x, x, nullptr, rng);
}
