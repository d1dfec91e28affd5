// gan-image-metrics: scores a folder of generated 28x28 images against real ones, from any
// generator (this toolkit's or another's).
//
//   gan-image-metrics fashion samples/        # against Fashion-MNIST's test split
//   gan-image-metrics real_pictures/ samples/ # against your own folder of real images
//
// Both sets are read as grey 28x28 images (resized when they are not) and passed through the
// Fashion-MNIST classifier (gan/metrics/image_classifier.hpp; its weights are --classifier, trained
// and saved there on first use, about 3 minutes). On its 128 penultimate features it reports the
// Fréchet distance ("FD (Fashion-MNIST classifier)": FID's formula on these features, not FID),
// KID with its standard error, and k-NN precision and recall (docs/metrics.md), and beside them the
// floor: the same figures for two sets of real images (Fashion-MNIST: test against train; a
// folder: one half against the other). When the fake folder has subfolders named 0..9 (as
// cdcgan_fashion writes them), each holding images generated for that class, it also reports the
// classifier's accuracy on them. The last line is one line of JSON.
#include <cmath>
#include <cstdio>
#include <string>

#include <gan/data/fashion_mnist.hpp>
#include <gan/data/image_folder.hpp>
#include <gan/metrics/feature_metrics.hpp>
#include <gan/metrics/image_classifier.hpp>

namespace {

using Classifier = gan::metrics::ImageClassifier<1, 10>;

void usage() {
  std::puts("usage: gan-image-metrics fashion|REAL_DIR FAKE_DIR [--classifier FILE] [--k K] [--kid-subsets N]\n"
            "                         [--kid-subset-size N] [--max N] [--train-steps N]\n"
            "  REAL_DIR, FAKE_DIR: PNG/JPEG files (or subfolders of them), read as grey 28x28\n"
            "  --classifier FILE:  the Fashion-MNIST classifier's weights (default fashion_classifier.ckpt;\n"
            "                      trained and saved there when missing)\n"
            "  --max N:            use at most N images of each set (default 10000)\n"
            "  --train-steps N:    steps to train a missing classifier (default 3000, ~90% test accuracy)");
}

}  // namespace

int main(int argc, char** argv) {
  std::string real_arg, fake_dir, clf_path = "fashion_classifier.ckpt";
  gan::metrics::FeatureMetricsOptions mo;
  std::size_t max = 10000;
  long train_steps = 3000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(), 0;
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return usage(), std::fprintf(stderr, "gan-image-metrics: %s needs a value\n", a.c_str()), 2;
      const std::string v = argv[++i];
      try {
        if (a == "--classifier") clf_path = v;
        else if (a == "--k") mo.k = std::stoi(v);
        else if (a == "--kid-subsets") mo.kid_subsets = std::stoi(v);
        else if (a == "--kid-subset-size") mo.kid_subset_size = std::stol(v);
        else if (a == "--max") max = std::stoul(v);
        else if (a == "--train-steps") train_steps = std::stol(v);
        else return usage(), std::fprintf(stderr, "gan-image-metrics: unknown option %s\n", a.c_str()), 2;
      } catch (const std::exception&) {
        return std::fprintf(stderr, "gan-image-metrics: %s: '%s' is not a number\n", a.c_str(), v.c_str()), 2;
      }
    } else if (real_arg.empty()) {
      real_arg = a;
    } else if (fake_dir.empty()) {
      fake_dir = a;
    } else {
      return usage(), std::fprintf(stderr, "gan-image-metrics: one real and one fake set, not '%s'\n", a.c_str()), 2;
    }
  }
  if (fake_dir.empty()) return usage(), 2;
  try {
    Classifier clf;
    if (std::filesystem::exists(clf_path)) {
      clf.load(clf_path);
    } else {
      std::fprintf(stderr, "gan-image-metrics: no classifier at %s: training one on Fashion-MNIST (once)\n", clf_path.c_str());
      clf.fit(gan::data::FashionMnist(gan::data::Split::train), train_steps);
      clf.save(clf_path);
    }
    const gan::data::ImageFolderOptions grey28{.channels = 1, .height = 28, .width = 28};
    // The real set and the floor's second real set.
    Eigen::MatrixXd real, other;
    if (real_arg == "fashion") {
      real = clf.features(gan::data::FashionMnist(gan::data::Split::test), max);
      other = clf.features(gan::data::FashionMnist(gan::data::Split::train), max);
    } else {
      const gan::data::ImageFolder folder(real_arg, grey28);
      std::fprintf(stderr, "real: %s\n", folder.summary().c_str());
      const Eigen::MatrixXd all = clf.features(folder, 2 * max);
      const Eigen::Index half = all.rows() / 2;
      real = all.topRows(half);
      other = all.bottomRows(all.rows() - half);
    }
    const gan::data::ImageFolder fake(fake_dir, grey28);
    std::fprintf(stderr, "fake: %s\n", fake.summary().c_str());
    std::vector<int> predicted;
    const Eigen::MatrixXd fake_f = clf.features(fake, max, &predicted);
    mo.kid_subset_size = std::min<Eigen::Index>({mo.kid_subset_size, real.rows(), other.rows(), fake_f.rows()});
    const auto m = gan::metrics::feature_metrics(real, fake_f, mo);
    const auto floor = gan::metrics::feature_metrics(real, other, mo);
    std::printf("FD (Fashion-MNIST classifier), KID, precision, recall of %ld fake against %ld real images:\n",
                long(fake_f.rows()), long(real.rows()));
    std::printf("  fake:  %s\n  floor: %s  (real against real)\n", m.str().c_str(), floor.str().c_str());
    // Class subfolders named by label: the accuracy of the classes asked for.
    double accuracy = NAN;
    bool labelled = fake.classes() == 10;
    for (int k = 0; labelled && k < 10; ++k) labelled = fake.class_name(k) == std::to_string(k);
    if (labelled) {
      long right = 0;
      for (std::size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == fake.label(i);
      accuracy = double(right) / double(predicted.size());
      std::printf("  classifier accuracy on the requested classes: %.1f%%\n", 100 * accuracy);
    }
    std::printf("{\"tool\": \"gan-image-metrics\", \"real\": \"%s\", \"fake\": \"%s\", \"fake_images\": %ld, %s, "
                "\"floor\": %s, \"class_accuracy\": %s}\n",
                real_arg.c_str(), fake_dir.c_str(), long(fake_f.rows()), m.json_fields().c_str(),
                floor.to_json().c_str(), std::isnan(accuracy) ? "null" : std::to_string(accuracy).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gan-image-metrics: %s\n", e.what());
    return 1;
  }
}
