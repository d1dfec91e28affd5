// gan/tabular.hpp: everything for tabular synthesis (CSV tables, the reversible transformer,
// CTGAN-class training with exact conditional sampling, the quality report). Needs Eigen only.
//
//   auto table = gan::tabular::read_csv("data/adult/adult_train.csv");
//   gan::tabular::Synthesizer synth({.epochs = 300, .seed = 1});
//   synth.fit(table);
//   gan::tabular::write_csv("synthetic.csv", synth.sample(table.rows()));
#pragma once
#include "data/csv.hpp"
#include "metrics/tabular_report.hpp"
#include "tabular/condition.hpp"
#include "tabular/filter.hpp"
#include "tabular/synthesizer.hpp"
#include "tabular/table.hpp"
#include "tabular/transformer.hpp"
