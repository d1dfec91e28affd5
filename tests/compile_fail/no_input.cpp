// A Sequential must start with the sample width.
// expect: the first entry must be gan::Input<N>
#include <gan/gan.hpp>
gan::Sequential<gan::Dense<4>, gan::ReLU> net;
