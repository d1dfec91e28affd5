// gan/train/progress.hpp: a one-line progress report for long runs ("step 1200/5000  24%  D 0.61
// G 1.93  312 steps/s  eta 12s"), redrawn in place on a terminal, printed every 10% otherwise.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace gan {

class Progress {
 public:
  explicit Progress(long total, std::FILE* out = stderr)
      : total_(total), out_(out), tty_(isatty(fileno(out)) != 0), start_(std::chrono::steady_clock::now()) {}

  /// Reports step `done` (1-based) with the latest losses.
  void update(long done, double d_loss, double g_loss) {
    const double secs = seconds();
    const bool last = done == total_;
    if (tty_) {
      if (secs - last_draw_ < 0.1 && !last) return;
    } else if (!last && done * 10 / total_ == (done - 1) * 10 / total_) {
      return;
    }
    last_draw_ = secs;
    const double rate = done / (secs > 0 ? secs : 1e-9);
    std::fprintf(out_, "%sstep %ld/%ld %3ld%%  D %.4f  G %.4f  %.0f steps/s  eta %.0fs%s", tty_ ? "\r" : "", done,
                 total_, done * 100 / total_, d_loss, g_loss, rate, (total_ - done) / rate, tty_ && !last ? "" : "\n");
    std::fflush(out_);
  }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  long total_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  double last_draw_ = -1;
};

}  // namespace gan
