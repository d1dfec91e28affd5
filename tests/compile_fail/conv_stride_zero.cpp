// A Conv2d parameter out of range is a readable static_assert.
// expect: Stride must be > 0
#include <gan/gan.hpp>
using D = gan::Sequential<gan::Input<1, 8, 8>, gan::Conv2d<8, 3, 0>>;
gan::Network<D, gan::Cpu>* d = nullptr;
static_assert(D::links_ok);
