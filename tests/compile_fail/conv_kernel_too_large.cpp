// A convolution whose kernel does not fit the padded image is a compile error naming the link:
// a 5x5 kernel on a 1x4x4 image without padding has no output position.
// expect: cannot take the shape In that the layer before it gives
#include <gan/gan.hpp>
using D = gan::Sequential<gan::Input<1, 4, 4>, gan::Conv2d<8, 5>, gan::Flatten, gan::Dense<1>>;
gan::Network<D, gan::Cpu>* d = nullptr;
static_assert(D::links_ok);
