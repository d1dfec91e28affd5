// CSV reading and writing (gan/data/csv.hpp): quoting, line ends, type inference, schema files,
// errors with their line and column, atomic writes, random round trips and random bytes, and the
// Adult and Breast Cancer files the project ships.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gan/data/csv.hpp>
#include <random>
#include <string>
#include <vector>

using namespace gan;
using namespace gan::tabular;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("gan_test_csv_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::size_t files() const { return std::size_t(std::distance(fs::directory_iterator(path), fs::directory_iterator())); }
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  REQUIRE(f.good());
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

using Rows = std::vector<std::vector<std::string>>;

// The message of the FormatError that `f` throws ("" when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

Table parse(const std::string& text, CsvOptions opt = {}, const Schema* schema = nullptr) {
  return parse_csv(text, opt, "t.csv", schema);
}

// A numeric column with the given values.
Column numeric(const std::string& name, ColumnKind kind, std::vector<double> values, int decimals = 0) {
  Column c;
  c.name = name;
  c.kind = kind;
  c.numbers = std::move(values);
  c.decimals = decimals;
  return c;
}

// Cell-by-cell equality, NaN equal to NaN.
void check_same(const Table& a, const Table& b) {
  REQUIRE(a.cols() == b.cols());
  REQUIRE(a.rows() == b.rows());
  for (std::size_t j = 0; j < a.cols(); ++j) {
    const Column &x = a.columns[j], &y = b.columns[j];
    INFO("column ", j, " '", x.name, "'");
    CHECK(x.name == y.name);
    REQUIRE(x.kind == y.kind);
    if (x.categorical()) {
      CHECK(x.categories == y.categories);
      CHECK(x.codes == y.codes);
      continue;
    }
    // (decimals may differ: trailing zeros are not written, so fewer may read back)
    for (std::size_t r = 0; r < x.numbers.size(); ++r) {
      INFO("row ", r);
      if (std::isnan(x.numbers[r]))
        CHECK(std::isnan(y.numbers[r]));
      else
        CHECK(x.numbers[r] == y.numbers[r]);
    }
  }
}

}  // namespace

TEST_CASE("parse_csv_records: quoting") {
  const Rows r = parse_csv_records("a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\nlines\",,\"\"\n", ',', "q.csv");
  REQUIRE(r.size() == 2);
  CHECK(r[0] == std::vector<std::string>{"a", "b,c", "say \"hi\""});
  CHECK(r[1] == std::vector<std::string>{"two\nlines", "", ""});
  // A quote inside an unquoted field is text; blanks around unquoted fields go, quoted ones stay.
  CHECK(parse_csv_records("5'6\", x ,\" y \"\n", ',', "q.csv") == Rows{{"5'6\"", "x", " y "}});
  CHECK(parse_csv_records(" x , \"y\" \n", ',', "q.csv", false) == Rows{{" x ", " \"y\" "}});
  // A separator at the end of a line is an empty last field.
  CHECK(parse_csv_records("a,b,\nc,d,\n", ',', "q.csv") == Rows{{"a", "b", ""}, {"c", "d", ""}});
}

TEST_CASE("parse_csv_records: line ends, BOM, blank lines, last line without a line end") {
  const Rows want = {{"a", "b"}, {"1", "2"}, {"3", "4"}};
  CHECK(parse_csv_records("a,b\r\n1,2\r\n3,4\r\n", ',', "t") == want);
  CHECK(parse_csv_records("a,b\n1,2\n3,4", ',', "t") == want);
  CHECK(parse_csv_records("a,b\r1,2\r3,4\r", ',', "t") == want);
  CHECK(parse_csv_records("\xEF\xBB\xBF" "a,b\n1,2\n3,4\n", ',', "t") == want);
  // CRLF inside quotes is kept as it is.
  CHECK(parse_csv_records("\"x\r\ny\",z\r\n", ',', "t") == Rows{{"x\r\ny", "z"}});
  CsvOptions opt;
  const CsvRecords rec = read_records("\na,b\n\n1,2\r\n\r\n3,4\n\n", opt, "t");
  CHECK(rec.records() == 3);
  CHECK(rec.blank_lines == 4);
  CHECK(parse_csv_records("", ',', "t").empty());
  CHECK(parse_csv_records("\xEF\xBB\xBF", ',', "t").empty());
}

TEST_CASE("parse_csv_records: ';' and tab separators") {
  CHECK(parse_csv_records("a;\"b;c\";1,5\n", ';', "t") == Rows{{"a", "b;c", "1,5"}});
  CHECK(parse_csv_records("a\t b \t\"c\td\"\n", '\t', "t") == Rows{{"a", "b", "c\td"}});
  CsvOptions opt;
  opt.separator = ';';
  const Table t = parse("x;y\n1,5;2.5\n2,5;3.5\n3,5;4.5\n", opt);
  CHECK(t.column("x").kind == ColumnKind::Categorical);  // 1,5 is no number here
  CHECK(t.column("y").kind == ColumnKind::Continuous);
  CHECK_THROWS_AS(parse_csv_records("a\"b", '"', "t"), std::invalid_argument);
}

TEST_CASE("parse_csv_records: errors name the file, line and column") {
  // Unterminated quote: the position of the opening quote.
  CHECK(error_of([] { parse_csv_records("a,b\n1,2\n3,\"oops\n4,5\n", ',', "u.csv"); }) ==
        "u.csv, line 3, column 3: the quote opened here is never closed (the file ends inside the quoted field)");
  // A character after the closing quote.
  CHECK(error_of([] { parse_csv_records("a,b\n\"x\"y,2\n", ',', "c.csv"); }) ==
        "c.csv, line 2, column 4: 'y' after the closing quote of a field (expected ',' or the end of the line; a "
        "quote inside quotes is written \"\")");
  // Too few fields: the column where the record ends; too many: where the first extra one starts.
  CHECK(error_of([] { parse_csv_records("a,b,c\n1,2,3\n4,5\n", ',', "f.csv"); }) ==
        "f.csv, line 3, column 4: line 3 has 2 fields, the header has 3");
  CHECK(error_of([] { parse_csv_records("a,b\n1,2\n3,4,5\n", ',', "f.csv"); }) ==
        "f.csv, line 3, column 5: line 3 has 3 fields, the header has 2");
  // A record over several lines; columns count characters, not bytes.
  CHECK(error_of([] { parse_csv_records("a,b\n\"x\ny\",2,3\n", ',', "m.csv"); }) ==
        "m.csv, line 3, column 6: line 3 has 3 fields, the header has 2 (the record starts at line 2)");
  CHECK(error_of([] { parse_csv_records("\xEF\xBB\xBF" "é,ü\n\"ö\"x,1\n", ',', "m.csv"); }) ==
        "m.csv, line 2, column 4: 'x' after the closing quote of a field (expected ',' or the end of the line; a "
        "quote inside quotes is written \"\")");
  CHECK_THROWS_WITH_AS(parse_csv_records("a\r\nb\r\n\"c\r\n", ',', "crlf.csv"), doctest::Contains("line 3, column 1"),
                       FormatError);
}

TEST_CASE("parse_csv: header names, c1.. without a header, empty input") {
  CHECK_THROWS_WITH_AS(parse("a,b,a\n1,2,3\n"), doctest::Contains("t.csv, line 1, column 5: the header names 'a' twice"),
                       FormatError);
  CHECK_THROWS_WITH_AS(parse("a, ,c\n1,2,3\n"), doctest::Contains("line 1, column 4: column 2 of the header has no name"),
                       FormatError);
  CHECK_THROWS_WITH_AS(parse(""), doctest::Contains("t.csv, line 1, column 1: the file is empty"), FormatError);
  CsvOptions opt;
  opt.header = false;
  const Table t = parse("x,1.5\ny,2.5\n", opt);
  REQUIRE(t.cols() == 2);
  CHECK(t.columns[0].name == "c1");
  CHECK(t.columns[1].name == "c2");
  CHECK(t.rows() == 2);
  CHECK(parse("", opt).cols() == 0);
  // A header alone: no rows; columns without numbers are categorical.
  const Table h = parse("a,b\n");
  CHECK(h.rows() == 0);
  CHECK(h.column("a").categorical());
  CsvReport report;
  parse_csv("a\n1\n\n2\n\n3\n", {}, "t", nullptr, &report);
  CHECK(report.rows == 3);
  CHECK(report.blank_lines == 2);
}

TEST_CASE("parse_csv: type inference, missing markers and decimals") {
  const std::string text =
      "id,height,city,flag,score,code,empty,sci\n"
      "1,1.5,Paris,0,?,7,,1e3\n"
      "2,1.75,\"New York\",1,NA,8,NA,2.5e-2\n"
      "3,,Rome,1,12,x9,?,3E1\n"
      "4,2,?,0,13.25,10,,-4\n";
  const Table t = parse(text);
  REQUIRE(t.rows() == 4);
  const Column& id = t.column("id");
  CHECK(id.kind == ColumnKind::Integer);
  CHECK(id.decimals == 0);
  CHECK(id.numbers == std::vector<double>{1, 2, 3, 4});

  const Column& height = t.column("height");
  CHECK(height.kind == ColumnKind::Continuous);
  CHECK(height.decimals == 2);
  CHECK(std::isnan(height.numbers[2]));  // the empty cell
  CHECK(height.numbers[3] == 2.0);

  const Column& city = t.column("city");  // `?` is a category in a text column
  CHECK(city.kind == ColumnKind::Categorical);
  CHECK(city.categories == std::vector<std::string>{"Paris", "New York", "Rome", "?"});

  const Column& flag = t.column("flag");  // 0/1: categorical
  CHECK(flag.kind == ColumnKind::Categorical);
  CHECK(flag.categories == std::vector<std::string>{"0", "1"});
  CHECK(flag.codes == std::vector<std::int32_t>{0, 1, 1, 0});

  const Column& score = t.column("score");  // `?` and NA are missing in a numeric column
  CHECK(score.kind == ColumnKind::Continuous);
  CHECK(score.decimals == 2);
  CHECK(std::isnan(score.numbers[0]));
  CHECK(std::isnan(score.numbers[1]));
  CHECK(score.numbers[3] == 13.25);

  CHECK(t.column("code").kind == ColumnKind::Categorical);  // one text among numbers
  CHECK(t.column("code").categories.size() == 4);
  const Column& empty = t.column("empty");  // missing markers only: no numbers at all
  CHECK(empty.kind == ColumnKind::Categorical);
  CHECK(empty.categories == std::vector<std::string>{"", "NA", "?"});

  const Column& sci = t.column("sci");  // 2.5e-2 needs 3 decimals
  CHECK(sci.kind == ColumnKind::Continuous);
  CHECK(sci.decimals == 3);
  CHECK(sci.numbers == std::vector<double>{1000, 0.025, 30, -4});
}

TEST_CASE("parse_csv: what counts as a number") {
  auto kind = [](const std::string& cells) { return parse("x\n" + cells).column("x").kind; };
  CHECK(kind("1\n2\n3\n") == ColumnKind::Integer);
  CHECK(kind("1\n2\n+3\n") == ColumnKind::Integer);
  CHECK(kind("1\n2\n3.0\n") == ColumnKind::Continuous);  // written with a decimal
  CHECK(kind("1\n2\n.5\n") == ColumnKind::Continuous);
  CHECK(kind("1\n2\ninf\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n-infinity\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n0x10\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n3a\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n1e999\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n++3\n") == ColumnKind::Categorical);
  CHECK(kind("1\n2\n9007199254740993\n") == ColumnKind::Continuous);  // beyond 2^53
  CHECK(kind("1\n1\n2\n2\n") == ColumnKind::Categorical);             // two distinct integers
  CHECK(kind("1.5\n2.5\n") == ColumnKind::Continuous);                // two distinct, not integers
  CsvOptions opt;
  opt.max_integer_categories = 0;
  CHECK(parse("x\n0\n1\n", opt).column("x").kind == ColumnKind::Integer);
  opt.trim_spaces = false;
  CHECK(parse("x\n 1\n2\n3\n", opt).column("x").kind == ColumnKind::Categorical);  // " 1" untrimmed
  opt.missing = {"-"};
  const Table t = parse("x\n1\n-\n3\n4\n", opt);
  CHECK(t.column("x").kind == ColumnKind::Integer);
  CHECK(std::isnan(t.column("x").numbers[1]));
}

TEST_CASE("schema: infer, save, edit, load and read with it") {
  TempDir dir;
  const std::string text = "zip,weight,name with, comma\n01234,1.5,a\n20000,2.25,b\n30000,3,c\n";
  CHECK_THROWS(parse(text));  // the header has 3 names, the rows too: "name with, comma" must be quoted
  const std::string csv = "zip,weight,\"name with, comma\"\n01234,1.5,a\n20000,2.25,b\n30000,3,c\n";
  write_text(dir / "d.csv", csv);
  const Table t = read_csv(dir / "d.csv");
  CHECK(t.column("zip").kind == ColumnKind::Integer);
  CHECK(t.column("zip").numbers[0] == 1234);

  Schema s = infer_schema(t);
  save_schema(s, dir / "schema.csv");
  CHECK(slurp(dir / "schema.csv") ==
        "column,type,min,max,decimals\nzip,integer,,,\nweight,continuous,,,2\n\"name with, comma\",categorical,,,\n");
  CHECK(dir.files() == 2);  // no temporary left behind

  // Edit by hand: zip codes are categories, weight gets a range, name with blanks for alignment.
  write_text(dir / "schema.csv",
             "column,type,min,max,decimals\r\n"
             "zip, categorical,,,\r\n"
             "weight, continuous, 0, 10.5, 3\r\n");
  const Schema edited = load_schema(dir / "schema.csv");
  REQUIRE(edited.columns.size() == 2);
  CHECK(edited.find("weight")->lo == 0);
  CHECK(edited.find("weight")->hi == 10.5);
  CHECK(edited.find("name with, comma") == nullptr);
  const Table u = read_csv(dir / "d.csv", {}, &edited);
  const Column& zip = u.column("zip");
  CHECK(zip.kind == ColumnKind::Categorical);
  CHECK(zip.categories == std::vector<std::string>{"01234", "20000", "30000"});  // the text, leading 0 kept
  const Column& w = u.column("weight");
  CHECK(w.kind == ColumnKind::Continuous);
  CHECK(w.decimals == 3);
  CHECK(w.lo == 0);
  CHECK(w.hi == 10.5);
  CHECK(u.column("name with, comma").kind == ColumnKind::Categorical);  // not in the schema: inferred

  // A schema makes a 0/1 column numeric, and a numeric cell that is no number an error.
  Schema flags;
  flags.columns.push_back({"f", ColumnKind::Integer});
  const Table f = parse("f,g\n0,a\n1,b\n?,c\n", {}, &flags);
  CHECK(f.column("f").kind == ColumnKind::Integer);
  CHECK(std::isnan(f.column("f").numbers[2]));
  CHECK_THROWS_WITH_AS(parse("f,g\n0,a\n1,b\nyes,c\n", {}, &flags),
                       doctest::Contains("t.csv, line 4, column 1: column 'f' is integer in the schema, but 'yes' is "
                                         "neither a number nor a missing marker"),
                       FormatError);
  CHECK_THROWS_WITH_AS(parse("g,f\na,0\nb,1.5\n", {}, &flags),
                       doctest::Contains("line 3, column 3: column 'f' is integer in the schema, but '1.5' is not a whole number"),
                       FormatError);
  Schema more = flags;
  more.columns.push_back({"h", ColumnKind::Continuous});
  more.columns.push_back({"k", ColumnKind::Categorical});
  CHECK_THROWS_WITH_AS(parse("f,g\n0,a\n", {}, &more),
                       doctest::Contains("the schema names columns 'h', 'k' that the file does not have (its columns are: 'f', 'g')"),
                       FormatError);

  // force_categorical, as a --discrete option would.
  Schema all = infer_schema(t);
  force_categorical(all, {"zip"});
  CHECK(read_csv(dir / "d.csv", {}, &all).column("zip").categorical());
  CHECK_THROWS_WITH_AS(force_categorical(all, {"zip", "nope"}),
                       doctest::Contains("no column named 'nope' (the columns are: 'zip', 'weight', 'name with, comma')"),
                       std::invalid_argument);
}

TEST_CASE("schema: names that need quotes round-trip") {
  TempDir dir;
  Schema s;
  s.columns.push_back({" lead", ColumnKind::Integer, 1, 5, -1});
  s.columns.push_back({"a,\"b\"", ColumnKind::Continuous, -0.5, 1e300, 4});
  s.columns.push_back({"x\ny", ColumnKind::Categorical});
  save_schema(s, dir / "s.csv");
  const Schema b = load_schema(dir / "s.csv");
  REQUIRE(b.columns.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(b.columns[k].name == s.columns[k].name);
    CHECK(b.columns[k].kind == s.columns[k].kind);
    CHECK(b.columns[k].decimals == s.columns[k].decimals);
  }
  CHECK(b.columns[1].lo == -0.5);
  CHECK(b.columns[1].hi == 1e300);
  CHECK(std::isnan(b.columns[2].lo));
}

TEST_CASE("schema: validation errors name the line and column") {
  const std::string head = "column,type,min,max,decimals\n";
  auto err = [&](const std::string& body) { return error_of([&] { parse_schema(head + body, "s.csv"); }); };
  CHECK(err("a,integer,,,\nb,float,,,\n") ==
        "s.csv, line 3, column 3: unknown column type 'float' (expected continuous, integer or categorical)");
  CHECK(err("a,integer,,,\nb,integer,,,\na,continuous,,,\n") ==
        "s.csv, line 4, column 1: column 'a' is listed twice (first at line 2)");
  CHECK(err("a,continuous,10,5,\n") == "s.csv, line 2, column 14: min 10 is greater than max 5 for column 'a'");
  CHECK(err("a,continuous,low,5,\n") ==
        "s.csv, line 2, column 14: 'low' is not a number (leave min empty for the observed range)");
  CHECK(err("a,continuous,,,-1\n") ==
        "s.csv, line 2, column 16: decimals '-1' is not a whole number from 0 to 30 (leave it empty to infer it)");
  CHECK(err("a,categorical,0,1,\n") ==
        "s.csv, line 2, column 15: column 'a' is categorical: leave min, max and decimals empty");
  CHECK(err("a,integer,,,2\n") == "s.csv, line 2, column 13: column 'a' is integer: its decimals must be 0 or empty");
  CHECK(err(",integer,,,\n") == "s.csv, line 2, column 1: the column name is empty");
  CHECK(err("a,integer,,\n") == "s.csv, line 2, column 12: line 2 has 4 fields, the header has 5");
  CHECK(error_of([] { parse_schema("name,type,min,max,decimals\n", "s.csv"); }) ==
        "s.csv, line 1, column 1: the header of a schema file is column,type,min,max,decimals");
  CHECK_THROWS_WITH_AS(load_schema("/nonexistent/s.csv"), doctest::Contains("cannot open '/nonexistent/s.csv'"),
                       FormatError);
}

TEST_CASE("write_csv: quoting, numbers, missing cells, and back") {
  Table t;
  Column name;
  name.name = "na,me";
  name.kind = ColumnKind::Categorical;
  for (const char* s : {"plain", "with, comma", "say \"hi\"", "two\nlines", " lead", "trail ", "", "?", "cr\rlf\r\n"})
    name.push_category(s);
  const Column n = numeric("n", ColumnKind::Integer, {1, -2, 3, NAN, 9007199254740991.0, -0.0, 7, 8, 2.6});
  const Column x = numeric("x", ColumnKind::Continuous, {0.5, -1.25, NAN, 3, 1e6, 0.125, 2, 3, 4}, 3);
  const Column y = numeric("y", ColumnKind::Continuous, {0.1, 1e-7, 1e22, NAN, 2.5, 3, 4, 5, 6}, 0);  // shortest form
  t.columns = {name, n, x, y};
  const std::string text = to_csv_text(t);
  CHECK(text ==
        "\"na,me\",n,x,y\n"
        "plain,1,0.5,0.1\n"
        "\"with, comma\",-2,-1.25,1e-07\n"
        "\"say \"\"hi\"\"\",3,,1e+22\n"
        "\"two\nlines\",,3,\n"
        "\" lead\",9007199254740991,1000000,2.5\n"
        "\"trail \",0,0.125,3\n"
        ",7,2,4\n"
        "?,8,3,5\n"
        "\"cr\rlf\r\n\",3,4,6\n");  // integers rounded, no trailing zeros
  Schema s = infer_schema(t);
  s.find("y")->decimals = 0;
  const Table back = parse_csv(text, {}, "back.csv", &s);
  Table want = t;
  want.columns[1].numbers.back() = 3;
  check_same(back, want);
  // Without a schema the same kinds come back, and y's decimals from its text.
  const Table inferred = parse(text);
  CHECK(inferred.column("n").kind == ColumnKind::Integer);
  CHECK(inferred.column("x").decimals == 3);
  CHECK(inferred.column("y").kind == ColumnKind::Continuous);

  // A single column: an empty cell is written "" so the line is not blank.
  Table one;
  one.columns.push_back(numeric("v", ColumnKind::Continuous, {1.5, NAN, 2.5}, 1));
  CHECK(to_csv_text(one) == "v\n1.5\n\"\"\n2.5\n");
  check_same(parse(to_csv_text(one)), one);

  CsvOptions semi;
  semi.separator = ';';
  semi.missing_out = "NA";
  CHECK(to_csv_text(one, semi) == "v\n1.5\nNA\n2.5\n");
  semi.missing_out = "n/a";  // would not read back as missing
  CHECK_THROWS_AS(to_csv_text(one, semi), std::invalid_argument);
  one.columns[0].numbers[0] = INFINITY;
  CHECK_THROWS_WITH_AS(to_csv_text(one), doctest::Contains("column 'v', row 1: the value is infinite"),
                       std::invalid_argument);
  Table bad;
  bad.columns.push_back(Column());
  bad.columns[0].name = "c";
  bad.columns[0].kind = ColumnKind::Categorical;
  bad.columns[0].codes = {0, 1};
  bad.columns[0].categories = {"a"};
  CHECK_THROWS_WITH_AS(to_csv_text(bad), doctest::Contains("column 'c', row 2: code 1 is not one of its 1 categories"),
                       std::invalid_argument);
}

TEST_CASE("write_csv: atomic, no partial or stray files") {
  TempDir dir;
  Table t;
  t.columns.push_back(numeric("v", ColumnKind::Continuous, {1.5, 2.5, 3.5}, 1));
  CHECK_THROWS(write_csv(dir / "missing_dir/out.csv", t));
  CHECK(!fs::exists(dir / "missing_dir"));
  CHECK(dir.files() == 0);

  write_csv(dir / "out.csv", t);
  const std::string before = slurp(dir / "out.csv");
  CHECK(before == "v\n1.5\n2.5\n3.5\n");
  Table broken = t;
  broken.columns[0].numbers[1] = INFINITY;
  CHECK_THROWS(write_csv(dir / "out.csv", broken));  // fails before writing: the old file stays
  CHECK(slurp(dir / "out.csv") == before);
  fs::create_directories(dir / "a_dir");
  CHECK_THROWS(write_csv(dir / "a_dir", t));  // the rename fails: the temporary is removed
  CHECK(dir.files() == 2);
  CHECK(fs::is_empty(dir / "a_dir"));
  check_same(read_csv(dir / "out.csv"), t);
}

TEST_CASE("fuzz: random tables round-trip through write_csv and read_csv") {
  std::mt19937 rng(20240611);
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::string alphabet = ",\"\r\n abc;\txé";
  auto random_text = [&](int max_len) {
    std::string s;
    const int len = uni(0, max_len);
    for (int k = 0; k < len; ++k) {
      const int c = uni(0, int(alphabet.size()) + 3);
      s += c < int(alphabet.size()) ? alphabet.substr(std::size_t(c), 1) : std::string(1, "abc"[c % 3]);
    }
    return s;
  };
  const char seps[] = {',', ';', '\t'};
  int runs = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    CsvOptions opt;
    opt.separator = seps[uni(0, 2)];
    opt.trim_spaces = uni(0, 1) == 1;
    opt.header = uni(0, 4) != 0;
    const int cols = uni(1, 5), rows = uni(opt.header ? 0 : 1, 8);  // no header and no rows: no text
    Table t;
    Schema s;
    for (int j = 0; j < cols; ++j) {
      Column c;
      if (opt.header) {
        do c.name = random_text(6) + char('a' + j);  // unique, never empty
        while (c.name.size() > 12);
      } else {
        c.name = "c" + std::to_string(j + 1);
      }
      c.kind = ColumnKind(uni(0, 2));
      const int d = uni(0, 4);
      for (int r = 0; r < rows; ++r) {
        if (c.kind == ColumnKind::Categorical) {
          c.push_category(uni(0, 5) == 0 ? std::string("?") : random_text(5));
          continue;
        }
        double v = std::numeric_limits<double>::quiet_NaN();
        if (uni(0, 5) != 0) {
          if (c.kind == ColumnKind::Integer)
            v = double(std::uniform_int_distribution<long long>(-(1ll << 53) + 1, (1ll << 53) - 1)(rng) >> uni(0, 50));
          else if (d > 0)
            v = double(std::uniform_int_distribution<long long>(-1000000000, 1000000000)(rng)) / std::pow(10.0, d);
          else
            v = std::uniform_real_distribution<double>(-1e6, 1e6)(rng) * std::pow(10.0, uni(-20, 20));
        }
        c.numbers.push_back(v);
      }
      c.decimals = c.kind == ColumnKind::Continuous ? d : 0;
      SchemaEntry e{c.name, c.kind};
      if (c.kind == ColumnKind::Continuous && d == 0) e.decimals = 0;  // the shortest form: decimals vary
      s.columns.push_back(e);
      t.columns.push_back(std::move(c));
    }
    const std::string text = to_csv_text(t, opt);
    Table back;
    try {
      back = parse_csv(text, opt, "fuzz.csv", &s);
    } catch (const std::exception& e) {
      FAIL("trial ", trial, ": ", e.what(), "\n", text);
    }
    // A column of missing numbers only has no decimals to infer them from.
    for (Column& c : back.columns)
      if (c.kind == ColumnKind::Continuous && std::all_of(c.numbers.begin(), c.numbers.end(), [](double v) { return std::isnan(v); }))
        c.decimals = t.column(c.name).decimals;
    INFO("trial ", trial, " text:\n", text);
    check_same(back, t);
    ++runs;
  }
  CHECK(runs == 2000);
}

TEST_CASE("fuzz: random bytes either parse or throw FormatError") {
  std::mt19937 rng(7);
  const std::string weighted = "\"\",,,\r\r\n\n\n  aa11;\t";
  std::size_t parsed = 0, rejected = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string s;
    const int len = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int k = 0; k < len; ++k) {
      const unsigned u = rng();
      s += (u % 16 == 0) ? char(u >> 8) : weighted[(u >> 8) % weighted.size()];
    }
    if (trial % 3 == 0) s = "\xEF\xBB\xBF" + s;
    CsvOptions opt;
    opt.header = trial % 2 == 0;
    opt.trim_spaces = trial % 4 < 2;
    opt.separator = trial % 5 == 0 ? ';' : ',';
    try {
      const Table t = parse_csv(s, opt, "bytes.csv");
      t.check();
      ++parsed;
    } catch (const FormatError& e) {
      CHECK(std::string(e.what()).starts_with("bytes.csv, line "));
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("trial ", trial, ": not a FormatError: ", e.what());
    }
  }
  MESSAGE(parsed, " parsed, ", rejected, " rejected");
  CHECK(parsed > 1000);
  CHECK(rejected > 1000);
}

TEST_CASE("the Adult and Breast Cancer files") {
  const std::string dir = GAN_DATA_DIR;
  const auto start = std::chrono::steady_clock::now();
  CsvReport report;
  const Table adult = read_csv(dir + "/adult/adult_train.csv", {}, nullptr, &report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("adult_train.csv read in ", seconds, " s");
  CHECK(adult.rows() == 26048);
  CHECK(report.rows == 26048);
  CHECK(report.blank_lines == 0);
  REQUIRE(adult.cols() == 15);
  for (const char* name : {"age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"})
    CHECK_MESSAGE(adult.column(name).kind == ColumnKind::Integer, name);
  const Column& work = adult.column("workclass");
  CHECK(work.kind == ColumnKind::Categorical);
  CHECK(work.categories.size() == 9);
  CHECK(work.code_of("?") >= 0);
  CHECK(adult.column("occupation").categories.size() == 15);
  CHECK(adult.column("native-country").categories.size() == 42);
  CHECK(adult.column("education").categories.size() == 16);
  CHECK(adult.column("sex").categories.size() == 2);
  const Column& income = adult.column("income");
  CHECK(income.categories.size() == 2);
  CHECK(income.code_of("<=50K") >= 0);
  CHECK(income.code_of(">50K") >= 0);
  CHECK(adult.column("age").numbers[0] == 19);  // the first row: 19,?,140399,...
  CHECK(work.categories[std::size_t(work.codes[0])] == "?");

  // Written back, the same text (the file is as write_csv would write it).
  CHECK(to_csv_text(adult) == slurp(dir + "/adult/adult_train.csv"));
  CHECK(read_csv(dir + "/adult/adult_test.csv").rows() == 6513);

  const Table bc = read_csv(dir + "/breast_cancer/breast_cancer_train.csv");
  CHECK(bc.rows() == 455);
  REQUIRE(bc.cols() == 31);
  int continuous = 0;
  for (const Column& c : bc.columns) continuous += c.kind == ColumnKind::Continuous;
  CHECK(continuous == 30);
  CHECK(bc.column("mean radius").kind == ColumnKind::Continuous);
  const Column& target = bc.column("target");
  CHECK(target.kind == ColumnKind::Categorical);
  CHECK(target.categories.size() == 2);
  CHECK(target.code_of("0") >= 0);
  CHECK(target.code_of("1") >= 0);
  CHECK(read_csv(dir + "/breast_cancer/breast_cancer_test.csv").rows() == 114);
}
