// gan/core/threads.hpp: the CPU backend's threads. A small pool whose threads *block* while
// they wait (a condition variable, never a spin loop), so that a busy neighbour on another core
// costs a step no more than that core's share: PyTorch's and Eigen's OpenMP pools spin-wait, and
// on a 2-core machine with one core busy they run 3-200x slower than one thread.
//
//   gan::set_num_threads(n)   threads the CPU backend may use, the caller included (n >= 1)
//   gan::num_threads()        the current count
//   GAN_NUM_THREADS=n         the same from the environment, read once at the first use
//   default                   the CPUs this process may run on (sched_getaffinity)
//
// parallel_for(chunks, f) calls f(c) for every c in [0, chunks): the caller and the workers take
// chunks from one shared counter, so a worker that the OS delays costs only the chunk it holds.
// A call from inside a chunk, or from a second user thread while the pool is busy, runs serially.
// How work is cut into chunks is the caller's choice; the CPU backend cuts so that every value
// it computes is bit-identical whatever the thread count (see backend/eigen/cpu.hpp).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#endif

#include "config.hpp"

namespace gan {

namespace detail {

/// The CPUs this process may run on (its affinity mask on Linux), at least 1.
inline int available_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? int(n) : 1;
}

/// GAN_NUM_THREADS if it is set to a positive integer, else available_cpus().
inline int default_num_threads() {
  if (const char* s = std::getenv("GAN_NUM_THREADS"); s && *s) {
    char* end = nullptr;
    const long n = std::strtol(s, &end, 10);
    if (end && *end == '\0' && n >= 1 && n <= 1024) return int(n);
    throw std::invalid_argument("GAN_NUM_THREADS='" + std::string(s) + "': expected a whole number from 1 to 1024");
  }
  return available_cpus();
}

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool;
    return pool;
  }

  int size() const { return threads_.load(std::memory_order_relaxed); }

  void resize(int n) {
    if (n < 1) throw std::invalid_argument("set_num_threads(" + std::to_string(n) + "): needs at least 1 thread");
    std::lock_guard<std::mutex> run(run_mutex_);
    stop_workers();
    threads_.store(n, std::memory_order_relaxed);
  }

  /// f(c) for c in [0, chunks); returns when all are done. Exceptions from f reach the caller.
  template <class F>
  void run(index_t chunks, F& f) {
    if (chunks <= 0) return;
    const int threads = size();
    std::unique_lock<std::mutex> run(run_mutex_, std::defer_lock);
    bool serial = chunks == 1 || threads == 1 || chunks > index_t(0xffffffff) || in_chunk() || !run.try_lock();
    if (!serial && std::chrono::steady_clock::now() < serial_until_) {
      serial = true;
      run.unlock();
    }
    if (serial) {  // on this thread alone; a parallel_for inside f runs serially too
      const bool outer = std::exchange(in_chunk(), true);
      struct Restore {
        bool v;
        ~Restore() { in_chunk() = v; }
      } restore{outer};
      for (index_t c = 0; c < chunks; ++c) f(c);
      return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (int(workers_.size()) != threads - 1) start_workers(threads - 1);
    std::uint32_t gen;
    {
      std::lock_guard<std::mutex> lk(mutex_);
      call_ = [](void* ctx, index_t c) { (*static_cast<F*>(ctx))(c); };
      ctx_ = &f;
      chunks_ = chunks;
      done_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      gen = generation_.load(std::memory_order_relaxed) + 1;
      // The claim counter carries the generation in its high half, so that a worker that wakes
      // late cannot take a chunk of a later job with this job's function.
      next_.store(std::uint64_t(gen) << 32, std::memory_order_relaxed);
      generation_.store(gen, std::memory_order_release);
    }
    if (sleeping_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    work(gen);
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == chunks; })) {
      std::unique_lock<std::mutex> lk(mutex_);
      finished_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == chunks; });
    }
    judge(std::chrono::steady_clock::now() - t0);
    std::lock_guard<std::mutex> lk(mutex_);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

  ~ThreadPool() { stop_workers(); }

 private:
  ThreadPool() : threads_(default_num_threads()), spin_(default_spin()) {}

  // How long an idle thread polls for the next job before it blocks: GAN_THREAD_SPIN_US, default
  // 100 microseconds (0: always block). Waking a blocked thread costs ~50 us on a VM and a training
  // step issues its jobs back to back, so a short poll catches most of them on a quiet machine.
  // The poll yields the core after every look (sched_yield), and it stops at the first sign that
  // another thread wants this core (an involuntary context switch of the polling thread): then
  // the thread blocks, and keeps blocking instead of polling for the next 50 ms. A blocked thread
  // that is woken gets the scheduler's credit for having slept; a polling one has spent it.
  static std::chrono::nanoseconds default_spin() {
    long us = 100;
    if (const char* s = std::getenv("GAN_THREAD_SPIN_US"); s && *s) {
      char* end = nullptr;
      us = std::strtol(s, &end, 10);
      if (!end || *end != '\0' || us < 0 || us > 1000000)
        throw std::invalid_argument("GAN_THREAD_SPIN_US='" + std::string(s) + "': expected microseconds from 0 to 1000000");
    }
    return std::chrono::microseconds(us);
  }

  // CPU time of the calling thread, in nanoseconds (0 where the OS does not say).
  static std::int64_t thread_cpu_ns() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
    timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0) return std::int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
#endif
    return 0;
  }

  // Whether the threads pay off: over windows of >= 10 ms of parallel jobs, the CPU time the
  // chunks took against the wall time of the jobs. Near 1 means the other threads added nothing
  // (their cores are busy with other work, or the OS put them on the caller's core), so the jobs of
  // the next 500 ms run on the caller alone; then the threads are tried again (a failed try costs
  // a few percent of its 10 ms). The cut of the work
  // does not depend on who runs it, so results stay bit-identical either way.
  void judge(std::chrono::nanoseconds wall) {
    window_wall_ += wall;
    window_cpu_ += cpu_ns_.exchange(0, std::memory_order_acq_rel);
    if (window_wall_ < std::chrono::milliseconds(10)) return;
    const double gain = double(window_cpu_) / double(window_wall_.count());
    window_wall_ = {};
    window_cpu_ = 0;
    if (gain < 1.2) serial_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  }

  // Involuntary context switches of the calling thread so far (-1 where the OS does not say).
  static long preempted() {
#if defined(__linux__) && defined(RUSAGE_THREAD)
    rusage u;
    if (getrusage(RUSAGE_THREAD, &u) == 0) return u.ru_nivcsw;
#endif
    return -1;
  }

  template <class Pred>
  bool spin_until(Pred done) const {
    if (done()) return true;
    thread_local std::chrono::steady_clock::time_point no_polling_until{};
    auto now = std::chrono::steady_clock::now();
    if (spin_.count() == 0 || now < no_polling_until) return false;
    const auto until = now + spin_;
    const long before = preempted();
    for (int k = 1;; ++k) {
      std::this_thread::yield();
      if (done()) return true;
      if (k % 8 == 0) {
        now = std::chrono::steady_clock::now();
        if (before >= 0 && preempted() != before) {
          no_polling_until = now + std::chrono::milliseconds(50);
          return false;
        }
        if (now >= until) return false;
      }
    }
  }

  static bool& in_chunk() {
    thread_local bool flag = false;
    return flag;
  }

  // Takes chunks of job `gen` until none are left; counts each finished one.
  void work(std::uint32_t gen) {
    void (*call)(void*, index_t);
    void* ctx;
    index_t chunks;
    {
      std::lock_guard<std::mutex> lk(mutex_);
      if (generation_.load(std::memory_order_relaxed) != gen) return;
      call = call_, ctx = ctx_, chunks = chunks_;
    }
    in_chunk() = true;
    std::uint64_t v = next_.load(std::memory_order_acquire);
    for (;;) {
      if (std::uint32_t(v >> 32) != gen || index_t(v & 0xffffffffu) >= chunks) break;
      if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
      const std::int64_t c0 = thread_cpu_ns();
      try {
        call(ctx, index_t(v & 0xffffffffu));
      } catch (...) {
        std::lock_guard<std::mutex> lk(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      cpu_ns_.fetch_add(thread_cpu_ns() - c0, std::memory_order_relaxed);
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
        std::lock_guard<std::mutex> lk(mutex_);  // the caller may be between its check and its wait
        finished_.notify_one();
      }
      v = next_.load(std::memory_order_acquire);
    }
    in_chunk() = false;
  }

  // `seen`: the generation when the worker was started, so that it takes the job that is
  // published right after (run() starts workers before it publishes).
  void worker_loop(std::uint32_t seen) {
    for (;;) {
      if (!spin_until([&] { return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lk(mutex_);
        sleeping_.fetch_add(1, std::memory_order_acq_rel);
        wake_.wait(lk, [&] { return stop_.load() || generation_.load() != seen; });
        sleeping_.fetch_sub(1, std::memory_order_acq_rel);
      }
      if (stop_.load(std::memory_order_acquire)) return;
      seen = generation_.load(std::memory_order_acquire);
      work(seen);
    }
  }

  void start_workers(int n) {
    stop_workers();
    stop_.store(false);
    workers_.reserve(std::size_t(n));
    const std::uint32_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < n; ++i) workers_.emplace_back([this, gen] { worker_loop(gen); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(mutex_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::atomic<int> threads_;
  const std::chrono::nanoseconds spin_;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;      // guards the job's fields below and the waits
  std::condition_variable wake_, finished_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sleeping_{0};
  std::atomic<std::uint32_t> generation_{0};
  void (*call_)(void*, index_t) = nullptr;
  void* ctx_ = nullptr;
  index_t chunks_ = 0;
  std::atomic<index_t> done_{0};
  std::exception_ptr error_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::int64_t> cpu_ns_{0};  // CPU time of the chunks of the current job
  std::chrono::nanoseconds window_wall_{};
  std::int64_t window_cpu_ = 0;
  std::chrono::steady_clock::time_point serial_until_{};
};

}  // namespace detail

/// Sets how many threads the CPU backend may use, the calling thread included (n >= 1).
/// Call it between steps, not while another thread is inside a network call.
inline void set_num_threads(int n) { detail::ThreadPool::instance().resize(n); }

/// The number of threads the CPU backend may use (GAN_NUM_THREADS, or the available CPUs).
inline int num_threads() { return detail::ThreadPool::instance().size(); }

/// Runs f(c) for every c in [0, chunks) on the pool (the caller takes part) and waits for all.
template <class F>
void parallel_for(index_t chunks, F&& f) {
  detail::ThreadPool::instance().run(chunks, f);
}

}  // namespace gan
