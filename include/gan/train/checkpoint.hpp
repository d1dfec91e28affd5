// gan/train/checkpoint.hpp: saving and resuming a Trainer (both networks, the EMA generator,
// both optimisers' state, the step counter and every random generator's position).
//
// File format (version 2), all integers little-endian:
//   magic      8 bytes  "GANCKPT\0"
//   version    u32      2
//   scalar     u32      bytes per value: 4 (float) or 8 (double)
//   counts     u32 n, then n x { name: u32 length + bytes, value: u64 }
//   tensors    u32 n, then n x { name: u32 length + bytes, rows: u64, rank: u32 (1 or 3),
//                                c: u64, h: u64, w: u64, rows*c*h*w values }
//   checksum   u64      FNV-1a of every byte before it
// Version 1 (before sample shapes) stored `cols: u64` where version 2 stores rank and c, h, w;
// such files still load: their tensors are flat, and an EMA update count that early version-1
// files lack is taken to be the step count (one update per step). Version-1 files of models with
// a non-default BatchNormWith<...> do not load: that layer's records were named "BatchNorm".
// Loading reads and checks the whole file (magic, version, scalar size, checksum, that every name
// the trainer needs is present with the same shape) before it changes anything: a wrong, truncated
// or foreign file throws gan::FormatError and leaves the trainer's parameters, state and counters
// as they were.
#pragma once
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../io/serialize.hpp"

namespace gan {

inline constexpr char checkpoint_magic[8] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\0'};
inline constexpr std::uint32_t checkpoint_version = 2;

/// Writes the trainer's state to `path` atomically (temporary file, then rename).
template <class Trainer>
void save_checkpoint(Trainer& trainer, const std::string& path) {
  using T = typename Trainer::T;
  io::Writer w;
  w.put_bytes(checkpoint_magic, 8);
  w.put(checkpoint_version);
  w.put(std::uint32_t(sizeof(T)));
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  std::vector<std::pair<std::string, const typename Trainer::Tn*>> tensors;
  trainer.visit_checkpoint([&](const std::string& n, typename Trainer::Tn& t) { tensors.emplace_back(n, &t); },
                           [&](const std::string& n, std::uint64_t& v) { counts.emplace_back(n, v); });
  w.put(std::uint32_t(counts.size()));
  for (auto& [n, v] : counts) {
    w.put_string(n);
    w.put(v);
  }
  w.put(std::uint32_t(tensors.size()));
  for (auto& [n, t] : tensors) {
    w.put_string(n);
    const Shape sh = t->shape();
    w.put(std::uint64_t(t->rows()));
    w.put(std::uint32_t(sh.rank));
    for (index_t d : {sh.c, sh.h, sh.w}) w.put(std::uint64_t(d));
    const std::vector<T> h = t->to_host();
    w.put_bytes(h.data(), h.size() * sizeof(T));
  }
  w.put(io::fnv1a(w.bytes().data(), w.bytes().size()));
  io::atomic_write(path, w.bytes().data(), w.bytes().size());
}

/// Restores the trainer's state from `path`. Throws gan::FormatError (naming the file and what is
/// wrong) and leaves the trainer unchanged when the file does not fit.
template <class Trainer>
void load_checkpoint(Trainer& trainer, const std::string& path) {
  using T = typename Trainer::T;
  const std::vector<unsigned char> bytes = io::read_file(path);
  const std::string what = "checkpoint '" + path + "'";
  if (bytes.size() < 8 || std::memcmp(bytes.data(), checkpoint_magic, 8) != 0)
    throw FormatError(what + ": not a gan checkpoint (bad magic number)");
  if (bytes.size() < 8 + 4 + 4 + 8) throw FormatError(what + ": truncated (" + std::to_string(bytes.size()) + " bytes)");
  std::uint64_t stored_sum;
  std::memcpy(&stored_sum, bytes.data() + bytes.size() - 8, 8);
  io::Reader r(bytes.data(), bytes.size() - 8, what);
  r.get_bytes(8);
  const auto version = r.get<std::uint32_t>();
  if (version != checkpoint_version && version != 1)
    throw FormatError(what + ": format version " + std::to_string(version) + ", this library reads versions 1 to " +
                      std::to_string(checkpoint_version) + " (a newer library wrote it?)");
  const auto scalar = r.get<std::uint32_t>();
  if (scalar != sizeof(T))
    throw FormatError(what + ": stores " + std::to_string(scalar) + "-byte values, the model uses " +
                      std::to_string(sizeof(T)) + "-byte values");
  if (io::fnv1a(bytes.data(), bytes.size() - 8) != stored_sum)
    throw FormatError(what + ": checksum mismatch (the file is truncated or corrupted)");

  struct Stored {
    std::uint64_t rows;
    Shape shape;
    const unsigned char* data;
  };
  std::map<std::string, std::uint64_t> counts;
  std::map<std::string, Stored> tensors;
  const auto n_counts = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_counts; ++i) {
    std::string name = r.get_string();
    counts[name] = r.get<std::uint64_t>();
  }
  const auto n_tensors = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_tensors; ++i) {
    std::string name = r.get_string();
    const auto rows = r.get<std::uint64_t>();
    std::uint64_t dims[3] = {0, 1, 1};
    std::uint32_t rank = 1;
    if (version == 1) {
      dims[0] = r.get<std::uint64_t>();
    } else {
      rank = r.get<std::uint32_t>();
      if (rank != 1 && rank != 3) r.fail("tensor '" + name + "' has rank " + std::to_string(rank));
      for (auto& d : dims) d = r.get<std::uint64_t>();
    }
    for (auto d : dims)
      if (d == 0 || d > (1ull << 31)) r.fail("tensor '" + name + "' claims a dimension of " + std::to_string(d));
    if (rank == 1 && (dims[1] != 1 || dims[2] != 1)) r.fail("tensor '" + name + "' has rank 1 but a height or width");
    if (dims[1] > (1ull << 40) / dims[2] || dims[0] > (1ull << 40) / (dims[1] * dims[2]))  // no overflow below
      r.fail("tensor '" + name + "' claims more than 2^40 values per row");
    const std::uint64_t cols = dims[0] * dims[1] * dims[2];
    if (rows > (1ull << 31) || (rows && cols > r.left() / sizeof(T) / rows))
      r.fail("tensor '" + name + "' claims " + std::to_string(rows) + " rows of " + std::to_string(cols) +
             " values, more than the file holds");
    const Shape sh{index_t(dims[0]), index_t(dims[1]), index_t(dims[2]), int(rank)};
    tensors[name] = Stored{rows, sh, r.get_bytes(rows * cols * sizeof(T))};
  }
  if (r.left() != 0) r.fail("unexpected trailing data");

  // Check everything the trainer needs before touching it.
  std::size_t needed = 0;
  trainer.visit_checkpoint(
      [&](const std::string& n, typename Trainer::Tn& t) {
        ++needed;
        auto it = tensors.find(n);
        if (it == tensors.end()) throw FormatError(what + ": has no tensor '" + n + "' (a different model?)");
        const Stored& st = it->second;
        const bool same = version == 1 ? st.shape.size() == t.cols() : st.shape == t.shape();
        if (st.rows != std::uint64_t(t.rows()) || !same)
          throw FormatError(what + ": tensor '" + n + "' is (" + std::to_string(st.rows) + ", " + st.shape.str() +
                            "), the model's is (" + std::to_string(t.rows()) + ", " + t.shape().str() + ")");
      },
      [&](const std::string& n, std::uint64_t&) {
        if (version == 1 && n == "generator_ema/updates" && !counts.count(n) && counts.count("step")) {
          counts[n] = counts["step"];  // not stored by early version-1 files: one EMA update per step
          return;
        }
        if (!counts.count(n)) throw FormatError(what + ": has no counter '" + n + "'");
      });
  if (tensors.size() != needed)
    throw FormatError(what + ": holds tensors this model does not have (a different model?)");

  // All checked: copy in.
  std::vector<T> host;
  trainer.visit_checkpoint(
      [&](const std::string& n, typename Trainer::Tn& t) {
        const Stored& s = tensors.at(n);
        host.resize(std::size_t(s.rows) * std::size_t(s.shape.size()));
        std::memcpy(host.data(), s.data, host.size() * sizeof(T));
        t.from_host(host, index_t(s.rows), t.shape());
      },
      [&](const std::string& n, std::uint64_t& v) { v = counts.at(n); });
}

}  // namespace gan
