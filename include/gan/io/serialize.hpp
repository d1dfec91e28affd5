// gan/io/serialize.hpp: little-endian binary records and atomic file writes.
// Every file the library writes goes to "<path>.tmp-<random>" first and is renamed into place,
// so a crash or a full disk never leaves a half-written checkpoint or image behind.
#pragma once
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace gan::io {

static_assert(std::endian::native == std::endian::little,
              "gan/io/serialize.hpp: the binary formats are little-endian; this platform is not");

/// Writes `bytes` to `path` atomically (temporary file, then rename). Throws std::runtime_error
/// naming the path on failure and removes the temporary file.
inline void atomic_write(const std::string& path, const void* bytes, std::size_t n) {
  std::random_device rd;
  const std::string tmp = path + ".tmp-" + std::to_string(rd());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot open '" + tmp + "' for writing (does the directory exist?)");
    out.write(static_cast<const char*>(bytes), std::streamsize(n));
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw std::runtime_error("writing '" + path + "' failed (disk full?); nothing was written");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

inline std::vector<unsigned char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError("cannot open '" + path + "' for reading");
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

/// 64-bit FNV-1a, a checksum that catches truncation and flipped bits.
inline std::uint64_t fnv1a(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/// Appends plain values to a byte buffer.
class Writer {
 public:
  template <class V>
  void put(const V& v) {
    static_assert(std::is_trivially_copyable_v<V>);
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(V));
  }
  void put_bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    buf_.insert(buf_.end(), c, c + n);
  }
  void put_string(const std::string& s) {
    put(std::uint32_t(s.size()));
    put_bytes(s.data(), s.size());
  }
  std::vector<unsigned char>& bytes() { return buf_; }

 private:
  std::vector<unsigned char> buf_;
};

/// Reads plain values from a byte buffer; every read is bounds-checked and a short read throws
/// a FormatError naming the file and the offset.
class Reader {
 public:
  Reader(const unsigned char* p, std::size_t n, std::string what) : p_(p), n_(n), what_(std::move(what)) {}
  template <class V>
  V get() {
    V v;
    std::memcpy(&v, need(sizeof(V)), sizeof(V));
    return v;
  }
  const unsigned char* get_bytes(std::size_t n) { return need(n); }
  std::string get_string(std::size_t max_len = 4096) {
    const auto len = get<std::uint32_t>();
    if (len > max_len) fail("a name of " + std::to_string(len) + " bytes");
    const auto* c = need(len);
    return std::string(reinterpret_cast<const char*>(c), len);
  }
  std::size_t offset() const { return off_; }
  std::size_t left() const { return n_ - off_; }
  [[noreturn]] void fail(const std::string& why) const {
    throw FormatError(what_ + ": " + why + " at byte " + std::to_string(off_));
  }

 private:
  const unsigned char* need(std::size_t k) {
    if (k > n_ - off_) fail("truncated (needs " + std::to_string(k) + " more bytes, " + std::to_string(n_ - off_) + " left)");
    const unsigned char* r = p_ + off_;
    off_ += k;
    return r;
  }
  const unsigned char* p_;
  std::size_t n_, off_ = 0;
  std::string what_;
};

}  // namespace gan::io
