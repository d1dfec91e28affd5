// gan/data/idx.hpp: the IDX file format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
//   bytes 0-1  0x00 0x00          magic
//   byte  2    type               0x08 unsigned byte (the only type MNIST-like sets use; others rejected)
//   byte  3    ndims              1..16 here
//   then       ndims big-endian u32 dimensions, then the values, row-major, nothing after them.
//
// Needs zlib (Debian: zlib1g-dev; link ZLIB::ZLIB), so gan/gan.hpp does not include this header.
// Every failure is a gan::FormatError that names the file and what is wrong; a file is either read
// whole and checked or not at all (never a partial result). A gzip stream is inflated in memory with
// a limit taken from the header, so a hostile file cannot make the reader allocate more than its
// dimensions say (and those are capped at idx_max_values).
#pragma once
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace gan::data {

/// The most values an IDX array may hold (2^31): more is treated as a hostile or corrupt header.
inline constexpr std::uint64_t idx_max_values = std::uint64_t(1) << 31;
/// The most dimensions an IDX header may declare.
inline constexpr int idx_max_dims = 16;

/// An IDX array of unsigned bytes: its dimensions (outermost first) and its values, row-major.
struct IdxArray {
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> values;

  /// The number of items (the first dimension), 0 for no dimensions.
  std::size_t items() const { return dims.empty() ? 0 : dims[0]; }
  /// The number of values per item (the product of the other dimensions).
  std::size_t item_size() const {
    std::size_t n = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
    return n;
  }
};

namespace detail {

inline const char* idx_type_name(unsigned t) {
  switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
  }
}

inline std::string hex_byte(unsigned b) {
  char s[8];
  std::snprintf(s, sizeof s, "0x%02X", b & 0xFFu);
  return s;
}

/// The header of an IDX array: its dimensions, its length in bytes and the number of values.
struct IdxHeader {
  std::vector<std::size_t> dims;
  std::size_t header_bytes = 0;
  std::size_t values = 0;
};

/// Parses the header from the first `n` bytes at `p`. Returns nothing when more bytes are needed to
/// decide; throws a FormatError naming `what` when the header is malformed or absurd.
inline std::optional<IdxHeader> idx_header(const unsigned char* p, std::size_t n, const std::string& what) {
  if (n >= 2 && (p[0] != 0 || p[1] != 0))
    throw FormatError(what + ": not an IDX file (bad magic " + hex_byte(p[0]) + " " + hex_byte(p[1]) +
                      ", expected 0x00 0x00 followed by the type and the number of dimensions)");
  if (n < 4) return std::nullopt;
  if (p[2] != 0x08)
    throw FormatError(what + ": IDX value type " + hex_byte(p[2]) + " (" + idx_type_name(p[2]) +
                      ") is not supported; only 0x08 (unsigned byte, as in MNIST) is read");
  const int nd = p[3];
  if (nd < 1 || nd > idx_max_dims)
    throw FormatError(what + ": an IDX header with " + std::to_string(nd) + " dimensions (expected 1 to " +
                      std::to_string(idx_max_dims) + ")");
  const std::size_t hb = 4 + 4 * std::size_t(nd);
  if (n < hb) return std::nullopt;
  IdxHeader h;
  h.header_bytes = hb;
  std::uint64_t total = 1;
  for (int i = 0; i < nd; ++i) {
    const unsigned char* q = p + 4 + 4 * i;
    const std::uint64_t d = (std::uint64_t(q[0]) << 24) | (std::uint64_t(q[1]) << 16) | (std::uint64_t(q[2]) << 8) | q[3];
    h.dims.push_back(std::size_t(d));
    // Both factors are at most 2^32 here, so the product cannot overflow 64 bits before the check.
    if (total != 0) total *= d;
    if (total > idx_max_values)
      throw FormatError(what + ": absurd IDX dimensions (dimension " + std::to_string(i) + " = " + std::to_string(d) +
                        " makes more than " + std::to_string(idx_max_values) + " values)");
  }
  h.values = std::size_t(total);
  return h;
}

inline std::string idx_dims_str(const std::vector<std::size_t>& d) {
  std::string s;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(d[i]);
  }
  return s;
}

/// Checks that `n` bytes hold exactly the header and its values and returns the array.
inline IdxArray idx_parse(const unsigned char* p, std::size_t n, const std::string& what) {
  if (n == 0) throw FormatError(what + ": empty file (not an IDX file)");
  const auto h = idx_header(p, n, what);
  if (!h) throw FormatError(what + ": truncated IDX header (" + std::to_string(n) + " bytes)");
  const std::size_t want = h->header_bytes + h->values;
  if (n < want)
    throw FormatError(what + ": truncated: dimensions " + idx_dims_str(h->dims) + " need " + std::to_string(h->values) +
                      " values but the file holds " + std::to_string(n - h->header_bytes));
  if (n > want)
    throw FormatError(what + ": dimensions " + idx_dims_str(h->dims) + " do not match the file size: " +
                      std::to_string(n - want) + " bytes after the " + std::to_string(h->values) + " values");
  IdxArray a;
  a.dims = h->dims;
  a.values.assign(p + h->header_bytes, p + want);
  return a;
}

/// Inflates a gzip stream (one or more members) holding an IDX array, never producing more bytes
/// than the array's header says (plus one, to tell that there are too many).
inline std::vector<unsigned char> idx_gunzip(const std::vector<unsigned char>& in, const std::string& what) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) throw FormatError(what + ": zlib could not start inflating");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&s, inflateEnd);
  if (in.size() > 0xFFFFFFFFu) throw FormatError(what + ": compressed file too large (over 4 GiB)");
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = uInt(in.size());

  std::vector<unsigned char> out;
  std::size_t have = 0;               // bytes produced so far
  std::optional<std::size_t> limit;  // header + values, once the header is known
  const auto fail = [&](const std::string& why) -> FormatError { return FormatError(what + ": " + why); };
  for (;;) {
    if (have == out.size()) {  // grow the output: doubling, but never past what the header allows
      std::size_t next = std::max<std::size_t>(out.size() * 2, 1 << 16);
      if (limit) next = std::min(next, *limit + 1);
      if (next <= have) next = have + 1;
      out.resize(next);
    }
    s.next_out = out.data() + have;
    s.avail_out = uInt(std::min<std::size_t>(out.size() - have, 0x7FFFFFFF));
    const int r = inflate(&s, Z_NO_FLUSH);
    have = std::size_t(s.next_out - out.data());
    if (!limit) {
      if (const auto h = idx_header(out.data(), have, what + " (gzip)")) limit = h->header_bytes + h->values;
    }
    if (limit && have > *limit)
      throw fail("dimensions do not match the data: the gzip stream holds more than the " + std::to_string(*limit) +
                 " bytes its IDX header declares");
    if (r == Z_STREAM_END) {
      if (s.avail_in == 0) break;
      if (s.avail_in >= 2 && s.next_in[0] == 0x1F && s.next_in[1] == 0x8B) {  // another gzip member
        inflateReset(&s);
        continue;
      }
      throw fail(std::to_string(s.avail_in) + " bytes of garbage after the gzip stream");
    }
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR && s.avail_in == 0) throw fail("truncated gzip stream (unexpected end of file)");
    if (r == Z_BUF_ERROR && s.avail_out == 0) continue;
    if (r == Z_MEM_ERROR) throw fail("out of memory while inflating");
    throw fail(std::string("corrupt gzip data (") + (s.msg ? s.msg : "zlib error " + std::to_string(r)) + ")");
  }
  out.resize(have);
  return out;
}

}  // namespace detail

/// Parses an IDX array held in memory (uncompressed); `what` names it in error messages.
inline IdxArray parse_idx(const unsigned char* p, std::size_t n, const std::string& what = "IDX data") {
  return detail::idx_parse(p, n, what);
}

/// Reads an IDX file, plain or gzip-compressed (told apart by the gzip magic 0x1F 0x8B).
/// Throws gan::FormatError naming `path` and what is wrong.
inline IdxArray read_idx(const std::string& path) {
  const std::string what = "IDX file '" + path + "'";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw FormatError(what + ": not found");
  if (std::filesystem::is_directory(path, ec)) throw FormatError(what + ": is a directory, not a file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw FormatError(what + ": cannot read its size (" + ec.message() + ")");
  if (size > idx_max_values + 4 + 4 * idx_max_dims)
    throw FormatError(what + ": " + std::to_string(size) + " bytes is larger than any IDX array read here (" +
                      std::to_string(idx_max_values) + " values)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw FormatError(what + ": cannot open it for reading");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (size) f.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size));
  if (!f || std::size_t(f.gcount()) != bytes.size()) throw FormatError(what + ": reading it failed");
  if (bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
    const std::vector<unsigned char> raw = detail::idx_gunzip(bytes, what);
    bytes = std::vector<unsigned char>();  // free the compressed copy before the values are copied
    return detail::idx_parse(raw.data(), raw.size(), what + " (gzip)");
  }
  return detail::idx_parse(bytes.data(), bytes.size(), what);
}

}  // namespace gan::data
