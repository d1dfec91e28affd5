// A Dense layer with no outputs is a compile error that names the fix.
// expect: Out must be > 0 or gan::Dynamic
#include <gan/gan.hpp>
gan::Sequential<gan::Input<4>, gan::Dense<0>> net;
