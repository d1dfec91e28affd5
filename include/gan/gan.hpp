// gan/gan.hpp: the umbrella header of the CPU build (Eigen backend). Include this, or only the
// headers you use.
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/layer.hpp"
#include "core/ops.hpp"
#include "core/random.hpp"
#include "core/sequential.hpp"
#include "core/tensor.hpp"

#include "backend/eigen/cpu.hpp"

#include "layers/activations.hpp"
#include "layers/batch_norm.hpp"
#include "layers/concat.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"

#include "losses/gradient_penalty.hpp"
#include "losses/hinge.hpp"
#include "losses/least_squares.hpp"
#include "losses/minimax.hpp"
#include "losses/non_saturating.hpp"
#include "losses/objective.hpp"
#include "losses/r1.hpp"
#include "losses/wasserstein.hpp"
#include "losses/weight_clipping.hpp"

#include "optim/adam.hpp"
#include "optim/ema.hpp"
#include "optim/optimizer.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

#include "io/serialize.hpp"
#include "train/checkpoint.hpp"
#include "train/progress.hpp"
#include "train/trainer.hpp"

#include "data/toy.hpp"
#include "io/plot.hpp"
#include "io/png.hpp"
#include "metrics/mode_coverage.hpp"
