// A gradient penalty on a critic with BatchNorm is rejected at compile time.
// expect: BatchNorm mixes the samples
#include <gan/gan.hpp>
using Critic = gan::Sequential<gan::Input<2>, gan::Dense<8>, gan::BatchNorm, gan::Dense<1>>;
void f(gan::Network<Critic, gan::Cpu>& d, gan::Tensor<float, gan::Cpu>& x, gan::Rng& rng) {
  gan::GradientPenalty::State<float, gan::Cpu> st;
  st.penalty(gan::GradientPenalty{}, d, x, x, rng);
}
