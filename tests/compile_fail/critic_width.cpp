// A critic that does not take the generator's samples is a compile error.
// expect: the critic's input width must be the generator's output width
#include <gan/gan.hpp>
using G = gan::Sequential<gan::Input<2>, gan::Dense<3>>;
using D = gan::Sequential<gan::Input<4>, gan::Dense<1>>;
using Tr = gan::Trainer<gan::Network<G, gan::Cpu>, gan::Network<D, gan::Cpu>, gan::Objective<gan::NonSaturating>, gan::Adam, gan::Adam>;
Tr* p = nullptr;
static_assert(sizeof(Tr) > 0);
