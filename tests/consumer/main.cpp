// A user's program: one forward pass of a small generator. Prints the output width.
#include <cstdio>
#include <gan/gan.hpp>

int main() {
  using G = gan::Sequential<gan::Input<4>, gan::Dense<8>, gan::ReLU, gan::Dense<3>, gan::Tanh>;
  gan::Rng rng(1);
  gan::Network<G, gan::Cpu> g(rng);
  gan::Tensor<float, gan::Cpu> z(5, 4);
  gan::ops::fill_normal(z, rng);
  const auto& y = g.forward(z);
  std::printf("consumer ok: %ld x %ld\n", long(y.rows()), long(y.cols()));
  return y.cols() == 3 ? 0 : 1;
}
