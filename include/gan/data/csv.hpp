// gan/data/csv.hpp: CSV files to and from a tabular::Table, and the schema file that fixes each
// column's type.
//
// Reading (read_csv, parse_csv) follows RFC 4180: fields in double quotes may hold separators, line
// ends and doubled quotes (""); lines end in LF, CRLF or CR; a UTF-8 byte order mark is skipped;
// blank lines are skipped and counted. Each column's kind is inferred from its texts unless a
// Schema names it (see infer_column below for the rules). Writing (write_csv) quotes what needs
// quoting and writes each number with its column's decimals, so what is read is written back
// unchanged. Every error is a gan::FormatError naming the file, the line and the column.
#pragma once
#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "../core/error.hpp"
#include "../io/serialize.hpp"
#include "../tabular/table.hpp"

namespace gan::tabular {

struct CsvOptions {
  char separator = ',';
  bool header = true;       // the first record names the columns; without one they are c1, c2, ...
  bool trim_spaces = true;  // drop blanks around unquoted fields (UCI files put one after each comma)
  /// Texts that mean "no value" in a numeric column (the cell becomes NaN). In a categorical column
  /// every text, these included, is a category of its own.
  std::vector<std::string> missing = {"", "?", "NA", "N/A", "NaN", "nan", "null", "NULL"};
  /// An integer column with at most this many distinct values is categorical (0/1 flags, labels).
  std::size_t max_integer_categories = 2;
  /// What write_csv writes for a missing number; must be one of `missing` so it reads back as NaN.
  std::string missing_out = "";
};

/// Optional facts about a read that are not part of the table.
struct CsvReport {
  std::size_t rows = 0;         // data records (the header not counted)
  std::size_t blank_lines = 0;  // empty lines outside quotes, skipped
};

/// One column of a schema. NaN lo/hi: the observed range; decimals -1: inferred from the text.
struct SchemaEntry {
  std::string name;
  ColumnKind kind = ColumnKind::Continuous;
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  int decimals = -1;
};

/// Column types that override inference; columns not listed are inferred.
struct Schema {
  std::vector<SchemaEntry> columns;
  const SchemaEntry* find(const std::string& name) const {
    for (const SchemaEntry& e : columns)
      if (e.name == name) return &e;
    return nullptr;
  }
  SchemaEntry* find(const std::string& name) {
    for (SchemaEntry& e : columns)
      if (e.name == name) return &e;
    return nullptr;
  }
};

/// The records of a CSV text, row-major, each field with the byte offset where it starts (so
/// that later errors can name its line and column).
struct CsvRecords {
  std::vector<std::string> fields;
  std::vector<std::size_t> starts;  // offset of each field in the text
  std::size_t width = 0;            // fields per record (all records have the same number)
  std::size_t blank_lines = 0;
  std::size_t records() const { return width == 0 ? 0 : fields.size() / width; }
  const std::string& at(std::size_t record, std::size_t field) const { return fields[record * width + field]; }
  std::size_t start(std::size_t record, std::size_t field) const { return starts[record * width + field]; }
};

namespace csv_detail {

inline std::size_t bom_length(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

struct Position {
  std::size_t line = 1, column = 1;
};

/// The line and column of a byte offset of `text`. Lines end in LF, CRLF or CR (inside quotes
/// too); columns count UTF-8 characters from 1. Only errors need this, so it rescans the text.
inline Position locate(std::string_view text, std::size_t offset) {
  const std::size_t begin = bom_length(text);
  offset = std::min(offset, text.size());
  Position p;
  std::size_t line_start = begin;
  for (std::size_t k = begin; k < offset; ++k) {
    const char c = text[k];
    if (c == '\n' || (c == '\r' && !(k + 1 < text.size() && text[k + 1] == '\n'))) {
      ++p.line;
      line_start = k + 1;
    }
  }
  for (std::size_t k = line_start; k < offset; ++k)
    if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++p.column;  // not a UTF-8 continuation byte
  return p;
}

/// "what, line L, column C: ", the start of every error message.
inline std::string where(std::string_view text, std::size_t offset, const std::string& what) {
  const Position p = locate(text, offset);
  return what + ", line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": ";
}

/// A character as a reader sees it: 'x', or \xNN for bytes that do not print.
inline std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return std::string("'") + c + "'";
  if (c == '\t') return "a tab";
  const char* hex = "0123456789ABCDEF";
  return std::string("byte \\x") + hex[u >> 4] + hex[u & 15];
}

inline void check_separator(char sep, bool trim) {
  if (sep == '"' || sep == '\n' || sep == '\r')
    throw std::invalid_argument(std::string("CSV separator cannot be ") + shown(sep));
  if (sep == ' ' && trim)
    throw std::invalid_argument("CSV separator ' ' needs CsvOptions::trim_spaces = false");
}

/// Whole-text number: what std::from_chars reads (a leading '+' allowed), finite, nothing left
/// over; no hex, inf or nan. `decimals` gets the digits needed after the point to write it back
/// (the fraction's digits, less the exponent: 1.25 -> 2, 1.5e-3 -> 4, 1.5e3 -> 0).
inline bool parse_number(std::string_view s, double& value, int& decimals) {
  if (s.empty()) return false;
  std::size_t b = 0;
  if (s[0] == '+') {
    if (s.size() < 2 || !(std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.')) return false;
    b = 1;
  }
  const char* first = s.data() + b;
  const char* last = s.data() + s.size();
  const auto r = std::from_chars(first, last, value, std::chars_format::general);
  if (r.ec != std::errc{} || r.ptr != last || !std::isfinite(value)) return false;
  long frac = 0, exponent = 0;
  const std::size_t e = s.find_first_of("eE", b);
  const std::size_t dot = s.find('.', b);
  if (dot != std::string_view::npos) frac = long((e == std::string_view::npos ? s.size() : e) - dot - 1);
  if (e != std::string_view::npos) {
    std::string_view ex = s.substr(e + 1);
    if (!ex.empty() && ex[0] == '+') ex.remove_prefix(1);
    if (std::from_chars(ex.data(), ex.data() + ex.size(), exponent).ec != std::errc{})
      exponent = ex.starts_with("-") ? -100000 : 100000;  // absurd exponents: clamped below
  }
  decimals = int(std::clamp(frac - exponent, 0L, 400L));
  return true;
}

inline bool is_missing(const std::string& s, const std::vector<std::string>& markers) {
  for (const std::string& m : markers)
    if (s == m) return true;
  return false;
}

inline std::string join(const std::vector<std::string>& names) {
  std::string all;
  for (const std::string& n : names) all += (all.empty() ? "'" : ", '") + n + "'";
  return all;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError("cannot open '" + path + "' for reading");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw FormatError("reading '" + path + "' failed");
  return std::move(s).str();
}

/// Shortest text that reads back as exactly `v`.
inline std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// `v` with exactly `decimals` digits after the point.
inline std::string fixed(double v, int decimals) {
  char buf[128];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (r.ec == std::errc{}) return std::string(buf, r.ptr);
  std::string big(std::size_t(decimals) + 400, '\0');  // up to 309 integer digits, sign, point
  r = std::to_chars(big.data(), big.data() + big.size(), v, std::chars_format::fixed, decimals);
  big.resize(std::size_t(r.ptr - big.data()));
  return big;
}

}  // namespace csv_detail

/// Splits a CSV text into records. `what` names the text in errors (the file's path).
/// Throws FormatError for a quote that is never closed, a character after a closing quote that is
/// not the separator or a line end, and a record whose field count differs from the first one's.
/// A quote inside an unquoted field is kept as text (a"b reads as a"b).
inline CsvRecords read_records(std::string_view text, const CsvOptions& opt, const std::string& what) {
  const char sep = opt.separator;
  csv_detail::check_separator(sep, opt.trim_spaces);
  CsvRecords out;
  const std::size_t n = text.size();
  std::size_t i = csv_detail::bom_length(text);
  auto fail = [&](std::size_t at, const std::string& why) -> void {
    throw FormatError(csv_detail::where(text, at, what) + why);
  };
  while (i < n) {
    if (text[i] == '\n' || text[i] == '\r') {  // a blank line
      i += (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
      ++out.blank_lines;
      continue;
    }
    const std::size_t first_field = out.fields.size();
    for (;;) {  // one field per pass; i is at its first character
      std::size_t j = i;
      if (opt.trim_spaces)
        while (j < n && text[j] == ' ') ++j;
      std::string value;
      if (j < n && text[j] == '"') {
        const std::size_t open = j;
        i = j + 1;
        for (;;) {  // copy up to each quote; "" is one quote, any other quote closes the field
          const std::size_t q = text.find('"', i);
          if (q == std::string_view::npos)
            fail(open, "the quote opened here is never closed (the file ends inside the quoted field)");
          value.append(text.substr(i, q - i));
          if (q + 1 < n && text[q + 1] == '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (opt.trim_spaces)
          while (i < n && text[i] == ' ') ++i;
        if (i < n && text[i] != sep && text[i] != '\n' && text[i] != '\r')
          fail(i, csv_detail::shown(text[i]) + " after the closing quote of a field (expected " +
                      csv_detail::shown(sep) + " or the end of the line; a quote inside quotes is written \"\")");
      } else {
        i = j;
        while (i < n && text[i] != sep && text[i] != '\n' && text[i] != '\r') ++i;
        std::size_t end = i;
        if (opt.trim_spaces)
          while (end > j && text[end - 1] == ' ') --end;
        value.assign(text.substr(j, end - j));
      }
      out.fields.push_back(std::move(value));
      out.starts.push_back(j);
      if (i < n && text[i] == sep) {
        ++i;
        continue;
      }
      break;  // the end of the line or of the text
    }
    const std::size_t count = out.fields.size() - first_field;
    if (out.width == 0) {
      out.width = count;
      // Reserve for the rest of the text, judging by the first record's length.
      const std::size_t per_record = std::max<std::size_t>(i - out.starts.front(), 1);
      const std::size_t guess = std::min<std::size_t>(n / per_record + 2, std::size_t(1) << 24);
      out.fields.reserve(guess * count);
      out.starts.reserve(guess * count);
    } else if (count != out.width) {
      const std::size_t at = count > out.width ? out.starts[first_field + out.width] : i;
      const std::size_t record_line = csv_detail::locate(text, out.starts[first_field]).line;
      const std::size_t line = csv_detail::locate(text, at).line;
      std::string why = "line " + std::to_string(line) + " has " + std::to_string(count) + " fields, the " +
                        (opt.header ? "header has " : "first record has ") + std::to_string(out.width);
      if (record_line != line) why += " (the record starts at line " + std::to_string(record_line) + ")";
      fail(at, why);
    }
    if (i < n) i += (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;  // the line end
  }
  return out;
}

/// The records of a CSV text as rows of strings (the header, if any, is the first row).
inline std::vector<std::vector<std::string>> parse_csv_records(std::string_view text, char sep,
                                                               const std::string& what, bool trim_spaces = true) {
  CsvOptions opt;
  opt.separator = sep;
  opt.trim_spaces = trim_spaces;
  CsvRecords rec = read_records(text, opt, what);
  std::vector<std::vector<std::string>> rows(rec.records());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t j = 0; j < rec.width; ++j) rows[r].push_back(std::move(rec.fields[r * rec.width + j]));
  return rows;
}

namespace csv_detail {

/// One column from the records (rows first_row..), by the schema entry if there is one, else by
/// inference:
///   - a column whose texts are all numbers or missing markers, with at least one number, is
///     numeric: Integer when every text is a whole number written without decimals and below
///     2^53 in size, else Continuous; missing markers become NaN;
///   - an Integer column with at most opt.max_integer_categories distinct values is Categorical;
///   - anything else (a text that is no number, or no numbers at all) is Categorical, and every
///     text is a category of its own.
inline Column build_column(const CsvRecords& rec, std::size_t first_row, std::size_t j, std::string name,
                           const SchemaEntry* entry, const CsvOptions& opt, std::string_view text,
                           const std::string& what) {
  Column col;
  col.name = std::move(name);
  const std::size_t rows = rec.records() - first_row;
  auto categorical = [&] {
    col.kind = ColumnKind::Categorical;
    col.numbers.clear();
    col.codes.reserve(rows);
    std::unordered_map<std::string_view, std::int32_t> code;  // the texts live in `rec`
    for (std::size_t r = first_row; r < rec.records(); ++r) {
      const std::string& s = rec.at(r, j);
      auto [it, fresh] = code.try_emplace(s, std::int32_t(col.categories.size()));
      if (fresh) col.categories.push_back(s);
      col.codes.push_back(it->second);
    }
  };
  if (entry && entry->kind == ColumnKind::Categorical) {
    categorical();
    return col;
  }

  col.numbers.reserve(rows);
  bool whole = true;  // every number integral, written without decimals, below 2^53
  std::size_t numbers = 0;
  std::vector<double> distinct;  // up to max_integer_categories + 1 of them
  int decimals = 0;
  for (std::size_t r = first_row; r < rec.records(); ++r) {
    const std::string& s = rec.at(r, j);
    if (is_missing(s, opt.missing)) {
      col.numbers.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    double v = 0;
    int d = 0;
    if (!parse_number(s, v, d)) {
      if (!entry) {
        categorical();
        return col;
      }
      throw FormatError(where(text, rec.start(r, j), what) + "column '" + col.name + "' is " +
                        kind_name(entry->kind) + " in the schema, but '" + s +
                        "' is neither a number nor a missing marker (" + join(opt.missing) + ")");
    }
    const bool integral = v == std::floor(v) && std::fabs(v) < 9007199254740992.0;
    if (entry && entry->kind == ColumnKind::Integer && v != std::floor(v))
      throw FormatError(where(text, rec.start(r, j), what) + "column '" + col.name +
                        "' is integer in the schema, but '" + s + "' is not a whole number");
    whole = whole && integral && d == 0;
    decimals = std::max(decimals, d);
    if (distinct.size() <= opt.max_integer_categories && std::find(distinct.begin(), distinct.end(), v) == distinct.end())
      distinct.push_back(v);
    col.numbers.push_back(v);
    ++numbers;
  }
  if (entry) {
    col.kind = entry->kind;
    col.decimals = entry->decimals >= 0 ? entry->decimals : (entry->kind == ColumnKind::Integer ? 0 : decimals);
    col.lo = entry->lo;
    col.hi = entry->hi;
    return col;
  }
  if (numbers == 0 || (whole && distinct.size() <= opt.max_integer_categories)) {
    categorical();
    return col;
  }
  if (whole) {
    col.kind = ColumnKind::Integer;
    col.decimals = 0;
  } else {
    col.kind = ColumnKind::Continuous;
    col.decimals = decimals;
  }
  return col;
}

}  // namespace csv_detail

/// A table from a CSV text; `what` names it in errors. Columns named in `schema` take its kind,
/// range and decimals; the others are inferred (see csv_detail::build_column). Throws FormatError
/// naming the line and column for malformed text, an empty, duplicate or missing header name, a
/// schema column the text lacks, and a cell of a schema-numeric column that is not a number.
inline Table parse_csv(std::string_view text, const CsvOptions& opt, const std::string& what,
                       const Schema* schema = nullptr, CsvReport* report = nullptr) {
  const CsvRecords rec = read_records(text, opt, what);
  Table t;
  if (rec.records() == 0) {
    if (opt.header) throw FormatError(what + ", line 1, column 1: the file is empty (expected a header line)");
    if (schema && !schema->columns.empty())
      throw FormatError(what + ", line 1, column 1: the file is empty, but the schema names columns");
    if (report) *report = {0, rec.blank_lines};
    return t;
  }
  std::vector<std::string> names(rec.width);
  for (std::size_t j = 0; j < rec.width; ++j) {
    if (!opt.header) {
      names[j] = "c" + std::to_string(j + 1);
      continue;
    }
    names[j] = rec.at(0, j);
    if (names[j].empty())
      throw FormatError(csv_detail::where(text, rec.start(0, j), what) + "column " + std::to_string(j + 1) +
                        " of the header has no name");
    for (std::size_t k = 0; k < j; ++k)
      if (names[k] == names[j])
        throw FormatError(csv_detail::where(text, rec.start(0, j), what) + "the header names '" + names[j] +
                          "' twice (columns " + std::to_string(k + 1) + " and " + std::to_string(j + 1) + ")");
  }
  if (schema) {
    std::vector<std::string> absent;
    for (const SchemaEntry& e : schema->columns)
      if (std::find(names.begin(), names.end(), e.name) == names.end()) absent.push_back(e.name);
    if (!absent.empty())
      throw FormatError(csv_detail::where(text, rec.start(0, 0), what) + "the schema names column" +
                        (absent.size() > 1 ? "s " : " ") + csv_detail::join(absent) +
                        " that the file does not have (its columns are: " + csv_detail::join(names) + ")");
  }
  const std::size_t first_row = opt.header ? 1 : 0;
  for (std::size_t j = 0; j < rec.width; ++j)
    t.columns.push_back(csv_detail::build_column(rec, first_row, j, names[j], schema ? schema->find(names[j]) : nullptr,
                                                 opt, text, what));
  if (report) *report = {rec.records() - first_row, rec.blank_lines};
  return t;
}

/// Reads a CSV file (see parse_csv).
inline Table read_csv(const std::string& path, const CsvOptions& opt = {}, const Schema* schema = nullptr,
                      CsvReport* report = nullptr) {
  const std::string text = csv_detail::read_text(path);
  return parse_csv(text, opt, path, schema, report);
}

namespace csv_detail {

/// Appends a field, in quotes (with quotes doubled) when it holds the separator, a quote, a line
/// end, or a leading or trailing blank, or when it is empty and alone on its line.
inline void put_field(std::string& out, const std::string& s, char sep, bool alone) {
  bool quote = (alone && s.empty()) || (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  for (std::size_t k = 0; k < s.size() && !quote; ++k)
    quote = s[k] == sep || s[k] == '"' || s[k] == '\n' || s[k] == '\r';
  if (!quote) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace csv_detail

/// The CSV text of a table: the header (if opt.header), then one line per row, LF line ends.
/// Integer columns are written as whole numbers (rounded), Continuous ones rounded to `decimals`
/// digits after the point without trailing zeros (15.1 in a column of 3 decimals is "15.1"), or
/// in the shortest form that reads back exactly when `decimals` is 0;
/// a missing number as opt.missing_out. Throws std::invalid_argument for an infinite value, a
/// categorical code outside the categories, or a missing_out that would not read back as missing.
inline std::string to_csv_text(const Table& t, const CsvOptions& opt = {}) {
  csv_detail::check_separator(opt.separator, opt.trim_spaces);
  t.check();
  const char sep = opt.separator;
  const bool alone = t.cols() == 1;
  std::string out;
  if (t.cols() == 0) return out;
  if (opt.header) {
    for (std::size_t j = 0; j < t.cols(); ++j) {
      if (j) out += sep;
      csv_detail::put_field(out, t.columns[j].name, sep, alone);
    }
    out += '\n';
  }
  for (std::size_t r = 0; r < t.rows(); ++r) {
    for (std::size_t j = 0; j < t.cols(); ++j) {
      const Column& c = t.columns[j];
      if (j) out += sep;
      auto bad = [&](const std::string& why) {
        return std::invalid_argument("CSV output: column '" + c.name + "', row " + std::to_string(r + 1) + ": " + why);
      };
      if (c.categorical()) {
        const std::int32_t k = c.codes[r];
        if (k < 0 || std::size_t(k) >= c.categories.size())
          throw bad("code " + std::to_string(k) + " is not one of its " + std::to_string(c.categories.size()) +
                    " categories");
        csv_detail::put_field(out, c.categories[std::size_t(k)], sep, alone);
        continue;
      }
      const double v = c.numbers[r];
      if (std::isnan(v)) {
        if (!csv_detail::is_missing(opt.missing_out, opt.missing))
          throw bad("missing_out '" + opt.missing_out + "' is not one of the missing markers, so it would not read back as missing");
        csv_detail::put_field(out, opt.missing_out, sep, alone);
      } else if (std::isinf(v)) {
        throw bad("the value is infinite, which a CSV number cannot hold");
      } else if (c.kind == ColumnKind::Integer) {
        out += csv_detail::fixed(std::nearbyint(v) + 0.0, 0);  // + 0.0 turns -0 into 0
      } else {
        if (c.decimals <= 0) {
          out += csv_detail::shortest(v);
          continue;
        }
        // Rounded to the column's decimals, without trailing zeros: 15.1 stays "15.1", not "15.100".
        std::string f = csv_detail::fixed(v, c.decimals);
        while (f.back() == '0') f.pop_back();
        if (f.back() == '.') f.pop_back();
        if (f == "-0") f = "0";
        out += f;
      }
    }
    out += '\n';
  }
  return out;
}

/// Writes a table as CSV, atomically: the file appears complete or not at all.
inline void write_csv(const std::string& path, const Table& t, const CsvOptions& opt = {}) {
  const std::string text = to_csv_text(t, opt);
  io::atomic_write(path, text.data(), text.size());
}

// --- Schema files --------------------------------------------------------------------------------
// A CSV file with the header column,type,min,max,decimals and one line per column, e.g.
//   column,type,min,max,decimals
//   age,integer,17,90,
//   fnlwgt,integer,,,
//   "hours, per week",continuous,0,99.5,1
//   education-num,categorical,,,
// Empty min/max: the observed range; empty decimals: inferred from the text.

/// The schema of a table as read: every column's kind, range and decimals.
inline Schema infer_schema(const Table& t) {
  Schema s;
  for (const Column& c : t.columns) {
    SchemaEntry e;
    e.name = c.name;
    e.kind = c.kind;
    if (!c.categorical()) {
      e.lo = c.lo;
      e.hi = c.hi;
      if (c.kind == ColumnKind::Continuous) e.decimals = c.decimals;
    }
    s.columns.push_back(std::move(e));
  }
  return s;
}

/// The schema file's text (see above).
inline std::string schema_text(const Schema& s) {
  std::string out = "column,type,min,max,decimals\n";
  auto number = [](double v) { return std::isnan(v) ? std::string() : csv_detail::shortest(v); };
  for (const SchemaEntry& e : s.columns) {
    csv_detail::put_field(out, e.name, ',', false);
    out += std::string(",") + kind_name(e.kind) + "," + number(e.lo) + "," + number(e.hi) + "," +
           (e.decimals >= 0 ? std::to_string(e.decimals) : std::string()) + "\n";
  }
  return out;
}

inline void save_schema(const Schema& s, const std::string& path) {
  const std::string text = schema_text(s);
  io::atomic_write(path, text.data(), text.size());
}

/// A schema from its text; `what` names it in errors. Throws FormatError naming the line and
/// column for a wrong header, an unknown type, a column listed twice, an empty name, a min or max
/// that is no number, min > max, decimals that are no whole number in 0..30, and a range or
/// decimals on a categorical column (or decimals other than 0 on an integer one).
inline Schema parse_schema(std::string_view text, const std::string& what) {
  CsvOptions opt;  // ',' and trimmed blanks, so hand-edited files may align their columns
  const CsvRecords rec = read_records(text, opt, what);
  const std::vector<std::string> head = {"column", "type", "min", "max", "decimals"};
  if (rec.records() == 0) throw FormatError(what + ", line 1, column 1: the schema file is empty");
  for (std::size_t j = 0; j < head.size(); ++j)
    if (j >= rec.width || rec.at(0, j) != head[j])
      throw FormatError(csv_detail::where(text, rec.start(0, std::min(j, rec.width - 1)), what) +
                        "the header of a schema file is column,type,min,max,decimals");
  if (rec.width != head.size())
    throw FormatError(csv_detail::where(text, rec.start(0, head.size()), what) +
                      "the header of a schema file is column,type,min,max,decimals (it has more fields)");
  Schema s;
  std::vector<std::size_t> first_line;
  for (std::size_t r = 1; r < rec.records(); ++r) {
    auto fail = [&](std::size_t field, const std::string& why) {
      return FormatError(csv_detail::where(text, rec.start(r, field), what) + why);
    };
    SchemaEntry e;
    e.name = rec.at(r, 0);
    if (e.name.empty()) throw fail(0, "the column name is empty");
    if (const SchemaEntry* before = s.find(e.name))
      throw fail(0, "column '" + e.name + "' is listed twice (first at line " +
                        std::to_string(first_line[std::size_t(before - s.columns.data())]) + ")");
    try {
      e.kind = parse_kind(rec.at(r, 1));
    } catch (const std::invalid_argument& x) {
      throw fail(1, x.what());
    }
    auto number = [&](std::size_t field, double& v) {
      const std::string& t = rec.at(r, field);
      int d = 0;
      if (!t.empty() && !csv_detail::parse_number(t, v, d))
        throw fail(field, "'" + t + "' is not a number (leave " + head[field] + " empty for the observed range)");
    };
    number(2, e.lo);
    number(3, e.hi);
    if (!std::isnan(e.lo) && !std::isnan(e.hi) && e.lo > e.hi)
      throw fail(2, "min " + rec.at(r, 2) + " is greater than max " + rec.at(r, 3) + " for column '" + e.name + "'");
    if (const std::string& d = rec.at(r, 4); !d.empty()) {
      const auto res = std::from_chars(d.data(), d.data() + d.size(), e.decimals);
      if (res.ec != std::errc{} || res.ptr != d.data() + d.size() || e.decimals < 0 || e.decimals > 30)
        throw fail(4, "decimals '" + d + "' is not a whole number from 0 to 30 (leave it empty to infer it)");
    }
    if (e.kind == ColumnKind::Categorical && (!std::isnan(e.lo) || !std::isnan(e.hi) || e.decimals >= 0))
      throw fail(2, "column '" + e.name + "' is categorical: leave min, max and decimals empty");
    if (e.kind == ColumnKind::Integer && e.decimals > 0)
      throw fail(4, "column '" + e.name + "' is integer: its decimals must be 0 or empty");
    first_line.push_back(csv_detail::locate(text, rec.start(r, 0)).line);
    s.columns.push_back(std::move(e));
  }
  return s;
}

inline Schema load_schema(const std::string& path) {
  const std::string text = csv_detail::read_text(path);
  return parse_schema(text, path);
}

/// Makes the named columns categorical (a --discrete option): their texts stay categories.
/// Throws std::invalid_argument for a name the schema does not have, listing its columns.
inline void force_categorical(Schema& s, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    SchemaEntry* e = s.find(name);
    if (!e) {
      std::vector<std::string> all;
      for (const SchemaEntry& c : s.columns) all.push_back(c.name);
      throw std::invalid_argument("no column named '" + name + "' (the columns are: " + csv_detail::join(all) + ")");
    }
    e->kind = ColumnKind::Categorical;
    e->lo = e->hi = std::numeric_limits<double>::quiet_NaN();
    e->decimals = -1;
  }
}

}  // namespace gan::tabular
