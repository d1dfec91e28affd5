// one_step: the GAN training step written out by hand, without gan::Trainer.
//
// What you will see: a generator and a critic on the ring of 8 Gaussians, trained by the loop
// below for 3000 steps; every 500 steps it prints the critic's and the generator's losses and
// how many modes the generator covers. The loop is the one README.md annotates: read it next to
// include/gan/train/trainer.hpp, which does the same with buffers, n_critic, PacGAN and EMA.
// It ends with one line of JSON.
#include <cstdio>
#include <gan/gan.hpp>

using Generator = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::ReLU, gan::Dense<128>, gan::ReLU, gan::Dense<2>>;
using Critic = gan::Sequential<gan::Input<2>, gan::Dense<128>, gan::LeakyReLU<0.2f>, gan::Dense<128>,
                               gan::LeakyReLU<0.2f>, gan::Dense<1>>;
using Tensor = gan::Tensor<float, gan::Cpu>;

int main() {
  gan::Rng init(1), rng(2);
  gan::Network<Generator, gan::Cpu> g(init);
  gan::Network<Critic, gan::Cpu> d(init);
  gan::Optimizer<gan::Adam, float, gan::Cpu> g_opt(gan::Adam(1e-3, 0.5, 0.999)), d_opt(gan::Adam(1e-3, 0.5, 0.999));
  const gan::NonSaturating loss;
  const gan::data::RingOfGaussians ring;
  const gan::index_t batch = 256;
  Tensor real(batch, 2), z(batch, 2), fake, dl;
  float d_loss = 0, g_loss = 0;
  gan::metrics::ModeCoverage m;

  for (int step = 1; step <= 3000; ++step) {
    // --- critic update: make D tell real from fake ----------------------------------------
    ring(real, rng);                                           // real samples r      (256, 2)
    gan::ops::fill_normal(z, rng);                             // z ~ N(0, I)         (256, 2)
    gan::ops::copy(g.forward(z), fake);                        // f = G(z), kept apart from G's buffers
    d.zero_grad();
    d.forward(real);                                           // D(r)                (256, 1)
    d_loss = gan::evaluate<gan::Term::real>(loss, d.output(), dl);  // E softplus(-D(r)); dl = dL/dlogit
    d.backward(dl);                                            // adds dL/dtheta_D
    d.forward(fake);                                           // D(f)
    d_loss += gan::evaluate<gan::Term::fake>(loss, d.output(), dl); // + E softplus(D(f))
    d.backward(dl);
    d_opt.step(d);                                             // Adam on D

    // --- generator update: move G(z) to where D says "real" --------------------------------
    gan::ops::fill_normal(z, rng);
    const Tensor& f = g.forward(z);                            // f = G(z)            (256, 2)
    d.forward(f);
    g_loss = gan::evaluate<gan::Term::gen>(loss, d.output(), dl);   // E softplus(-D(f))
    const Tensor& df = d.backward(dl, {.params = false, .input = true});  // dL/df; D's weights untouched
    g.zero_grad();
    g.backward(df);                                            // dL/dtheta_G
    g_opt.step(g);                                             // Adam on G

    if (step % 500 == 0) {
      g.eval();                                                // sampling: no training-mode layers
      gan::ops::fill_normal(z, rng);
      const auto s = g.forward(z).to_host();
      g.train();
      m = gan::metrics::mode_coverage(std::vector<double>(s.begin(), s.end()), ring.centres(), ring.stddev);
      std::printf("step %4d  D %.3f  G %.3f  modes %d  high quality %.2f\n", step, d_loss, g_loss, m.modes, m.high_quality);
    }
  }
  std::printf("{\"example\": \"one_step\", \"d_loss\": %.4f, \"g_loss\": %.4f, \"modes\": %d, \"high_quality\": %.4f}\n",
              d_loss, g_loss, m.modes, m.high_quality);
}
