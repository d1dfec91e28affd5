// A layer that cannot take the shape before it is a compile error naming the layer and the shape:
// Dense<6000> cannot be viewed as 128x7x7 (6272 values).
// expect: cannot take the shape In that the layer before it gives
#include <gan/gan.hpp>
using G = gan::Sequential<gan::Input<100>, gan::Dense<6000>, gan::Reshape<128, 7, 7>, gan::ReLU>;
gan::Network<G, gan::Cpu>* g = nullptr;
static_assert(G::links_ok);
