// gan/tabular/filter.hpp: conditions on rows ("income=>50K", "age>=50", "sex!=Male") and the
// filter that keeps the rows meeting all of them.
//   Categorical columns: = and != against a category's text.
//   Numeric columns: =, !=, <, <=, >, >= against a number; a missing cell meets no condition
//   but "col=" (empty value: missing) and "col!=" (present).
// The operator is the first of < > = ! in the text, so a value may itself contain one
// ("income=<=50K" is income equal to "<=50K").
#pragma once
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "table.hpp"

namespace gan::tabular {

struct Condition {
  enum Op { Eq, Ne, Lt, Le, Gt, Ge } op = Eq;
  std::string column, value;
  std::string str() const {
    static const char* names[] = {"=", "!=", "<", "<=", ">", ">="};
    return column + names[op] + value;
  }
};

/// Parses "column<op>value"; throws std::invalid_argument when there is no operator or column.
inline Condition parse_condition(const std::string& text) {
  const std::size_t at = text.find_first_of("<>=!");
  if (at == std::string::npos || at == 0)
    throw std::invalid_argument("condition '" + text + "': expected column=value, column!=value, column<value, "
                                "column<=value, column>value or column>=value");
  Condition c;
  c.column = text.substr(0, at);
  const char a = text[at], b = at + 1 < text.size() ? text[at + 1] : '\0';
  std::size_t len = 1;
  if (a == '!') {
    if (b != '=') throw std::invalid_argument("condition '" + text + "': '!' must be followed by '='");
    c.op = Condition::Ne, len = 2;
  } else if (a == '=') {
    c.op = Condition::Eq;
    if (b == '=') len = 2;  // "==" also means equal
  } else if (b == '=') {
    c.op = a == '<' ? Condition::Le : Condition::Ge, len = 2;
  } else {
    c.op = a == '<' ? Condition::Lt : Condition::Gt;
  }
  c.value = text.substr(at + len);
  return c;
}

/// The conditions resolved against a table's columns, ready to test rows.
class RowFilter {
 public:
  RowFilter(const Table& like, const std::vector<Condition>& conditions) {
    for (const Condition& c : conditions) {
      Test t;
      t.cond = c;
      t.column = like.index_of(c.column);
      const Column& col = like.columns[t.column];
      if (col.categorical()) {
        if (c.op != Condition::Eq && c.op != Condition::Ne)
          throw std::invalid_argument("condition '" + c.str() + "': column '" + c.column +
                                      "' is categorical; use = or != with one of its categories");
        t.code = col.code_of(c.value);
        if (t.code < 0) {
          std::string some;
          for (std::size_t k = 0; k < col.categories.size() && k < 20; ++k) some += (k ? ", " : "") + col.categories[k];
          if (col.categories.size() > 20) some += ", ... (" + std::to_string(col.categories.size()) + " in all)";
          throw std::invalid_argument("condition '" + c.str() + "': column '" + c.column + "' has no category '" + c.value +
                                      "' (its categories: " + some + ")");
        }
      } else if (c.value.empty()) {
        if (c.op != Condition::Eq && c.op != Condition::Ne)
          throw std::invalid_argument("condition '" + c.str() + "': an empty value (missing) takes = or !=");
        t.missing = true;
      } else {
        const char* end = c.value.data() + c.value.size();
        auto [p, ec] = std::from_chars(c.value.data(), end, t.number);
        if (ec != std::errc() || p != end || !std::isfinite(t.number))
          throw std::invalid_argument("condition '" + c.str() + "': column '" + c.column + "' is numeric and '" + c.value +
                                      "' is not a number");
      }
      tests_.push_back(t);
    }
  }

  /// (column, category) of every categorical equality: what a generator can be conditioned on.
  std::vector<std::pair<std::size_t, index_t>> categories() const {
    std::vector<std::pair<std::size_t, index_t>> out;
    for (const Test& t : tests_)
      if (t.code >= 0 && t.cond.op == Condition::Eq) out.emplace_back(t.column, index_t(t.code));
    return out;
  }

  /// True when row i of `t` (a table with the filter's columns and categories) meets every condition.
  bool matches(const Table& t, std::size_t i) const {
    for (const Test& s : tests_) {
      const Column& c = t.columns[s.column];
      bool ok;
      if (c.categorical()) {
        const bool eq = c.categories[std::size_t(c.codes[i])] == s.cond.value;
        ok = s.cond.op == Condition::Eq ? eq : !eq;
      } else if (s.missing) {
        ok = std::isnan(c.numbers[i]) == (s.cond.op == Condition::Eq);
      } else {
        const double v = c.numbers[i];
        switch (s.cond.op) {
          case Condition::Eq: ok = v == s.number; break;
          case Condition::Ne: ok = !std::isnan(v) && v != s.number; break;
          case Condition::Lt: ok = v < s.number; break;
          case Condition::Le: ok = v <= s.number; break;
          case Condition::Gt: ok = v > s.number; break;
          default: ok = v >= s.number; break;
        }
      }
      if (!ok) return false;
    }
    return true;
  }

  /// Appends the rows of `from` that match to `to` (same columns), until `to` has `limit` rows.
  void append_matching(const Table& from, Table& to, std::size_t limit) const {
    std::vector<char> same(from.cols());  // same categories in the same order: copy the codes
    for (std::size_t j = 0; j < from.cols(); ++j) same[j] = from.columns[j].categories == to.columns[j].categories;
    for (std::size_t i = 0; i < from.rows() && to.rows() < limit; ++i) {
      if (!matches(from, i)) continue;
      for (std::size_t j = 0; j < from.cols(); ++j) {
        const Column& f = from.columns[j];
        Column& c = to.columns[j];
        if (!f.categorical()) c.numbers.push_back(f.numbers[i]);
        else if (same[j]) c.codes.push_back(f.codes[i]);
        else c.push_category(f.categories[std::size_t(f.codes[i])]);
      }
    }
  }

  std::string str() const {
    if (tests_.empty()) return "no condition";
    std::string s;
    for (const Test& t : tests_) s += (s.empty() ? "" : " and ") + t.cond.str();
    return s;
  }

 private:
  struct Test {
    Condition cond;
    std::size_t column = 0;
    std::int32_t code = -1;
    double number = 0;
    bool missing = false;
  };
  std::vector<Test> tests_;
};

}  // namespace gan::tabular
