// gan/gan.hpp compiles and runs without stb (GAN_NO_STB stands in for a machine without
// libstb-dev); PNG output then fails with a message saying how to get it.
#include <gan/gan.hpp>

#include <cstdio>
#include <string>

int main() {
  using Net = gan::Sequential<gan::Input<2>, gan::Dense<3>, gan::Tanh>;
  gan::Rng init(1);
  gan::Network<Net, gan::Cpu> net(init);
  gan::Tensor<float, gan::Cpu> x(4, 2);
  gan::ops::fill(x, 0.5f);
  if (net.forward(x).cols() != 3) return 1;
  try {
    gan::io::Canvas(8, 8, 1.0).save("no_stb.png");
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("libstb-dev") != std::string::npos) return std::puts("no-stb ok"), 0;
  }
  return 1;
}
