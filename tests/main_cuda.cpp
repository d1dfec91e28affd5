// The doctest runner of the CUDA build: on a machine without a GPU it reports the tests skipped
// (CTest's SKIP_RETURN_CODE 77) instead of failing or pretending to pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <cstdio>

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t err = cudaGetDeviceCount(&devices);
  if (err != cudaSuccess || devices == 0) {
    std::printf("skipped: no CUDA device visible (%s); the CUDA build compiled and linked\n",
                err != cudaSuccess ? cudaGetErrorString(err) : "0 devices");
    return 77;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
