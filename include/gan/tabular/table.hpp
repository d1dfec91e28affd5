// gan/tabular/table.hpp: a table of mixed-type columns, the unit of tabular synthesis.
//
// A Table is column-major: each Column has a name, a kind and its cells.
//   - Continuous and Integer columns hold doubles; a missing cell is NaN.
//   - Categorical columns hold a code per row, an index into `categories` (the distinct texts in
//     order of first appearance). Every text is a category, including `?` or an empty cell:
//     a missing categorical value is a category of its own and comes back as the same text.
// Numeric columns remember how many decimals their text had (`decimals`) so that synthetic rows
// are written with the precision of the real ones, and an optional user range [lo, hi] that
// synthetic values are clipped to (NaN: the observed range).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace gan::tabular {

enum class ColumnKind { Continuous, Integer, Categorical };

inline const char* kind_name(ColumnKind k) {
  switch (k) {
    case ColumnKind::Continuous: return "continuous";
    case ColumnKind::Integer: return "integer";
    case ColumnKind::Categorical: return "categorical";
  }
  return "?";
}

/// Parses "continuous", "integer" or "categorical" (also "discrete"); throws naming the choices.
inline ColumnKind parse_kind(const std::string& s) {
  if (s == "continuous") return ColumnKind::Continuous;
  if (s == "integer") return ColumnKind::Integer;
  if (s == "categorical" || s == "discrete") return ColumnKind::Categorical;
  throw std::invalid_argument("unknown column type '" + s + "' (expected continuous, integer or categorical)");
}

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::Continuous;
  std::vector<double> numbers;          // Continuous, Integer: one value per row, NaN when missing
  std::vector<std::int32_t> codes;      // Categorical: one index into `categories` per row
  std::vector<std::string> categories;  // Categorical: the distinct texts, in order of first appearance
  int decimals = 0;                     // numeric: decimals to write (the most seen in the input)
  double lo = std::numeric_limits<double>::quiet_NaN();  // numeric: user range; NaN = observed
  double hi = std::numeric_limits<double>::quiet_NaN();

  bool categorical() const { return kind == ColumnKind::Categorical; }
  std::size_t size() const { return categorical() ? codes.size() : numbers.size(); }
  bool missing(std::size_t row) const { return !categorical() && std::isnan(numbers[row]); }
  /// The code of a category's text, or -1 when the column has no such category.
  std::int32_t code_of(const std::string& text) const {
    for (std::size_t k = 0; k < categories.size(); ++k)
      if (categories[k] == text) return std::int32_t(k);
    return -1;
  }
  /// Appends a categorical cell by its text, adding the category on first sight.
  void push_category(const std::string& text) {
    std::int32_t c = code_of(text);
    if (c < 0) {
      c = std::int32_t(categories.size());
      categories.push_back(text);
    }
    codes.push_back(c);
  }
};

struct Table {
  std::vector<Column> columns;

  std::size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  std::size_t cols() const { return columns.size(); }
  /// Index of the column named `name`, or -1.
  int find(const std::string& name) const {
    for (std::size_t j = 0; j < columns.size(); ++j)
      if (columns[j].name == name) return int(j);
    return -1;
  }
  /// The column named `name`; throws std::invalid_argument listing the columns when there is none.
  const Column& column(const std::string& name) const { return columns[index_of(name)]; }
  Column& column(const std::string& name) { return columns[index_of(name)]; }
  std::size_t index_of(const std::string& name) const {
    const int j = find(name);
    if (j < 0) {
      std::string all;
      for (const Column& c : columns) all += (all.empty() ? "" : ", ") + c.name;
      throw std::invalid_argument("no column named '" + name + "' (the columns are: " + all + ")");
    }
    return std::size_t(j);
  }
  /// Throws ShapeError when the columns do not all have the same number of rows.
  void check() const {
    for (const Column& c : columns)
      if (c.size() != rows())
        throw ShapeError("table column '" + c.name + "' has " + std::to_string(c.size()) + " rows, column '" +
                         columns.front().name + "' has " + std::to_string(rows()));
  }
};

/// A table with the same columns, kinds and categories as `like` and no rows.
inline Table empty_like(const Table& like) {
  Table t;
  for (const Column& c : like.columns) {
    Column e;
    e.name = c.name;
    e.kind = c.kind;
    e.categories = c.categories;
    e.decimals = c.decimals;
    e.lo = c.lo;
    e.hi = c.hi;
    t.columns.push_back(std::move(e));
  }
  return t;
}

}  // namespace gan::tabular
