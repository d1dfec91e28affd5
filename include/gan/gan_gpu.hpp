// gan/gan_gpu.hpp: the umbrella header with both backends, gan::Cpu (Eigen) and gan::Gpu (Thrust).
// Build with nvcc for CUDA, or with -DTHRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP -fopenmp to
// run the GPU code path on host threads.
#pragma once

#include "gan.hpp"
#include "backend/thrust/gpu.hpp"
