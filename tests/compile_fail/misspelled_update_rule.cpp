// An optimiser rule with a misspelled member is a compile error naming the contract.
// expect: Rule must provide static name\(\), static constexpr int slots
#include <gan/gan.hpp>
struct Halving {
  static std::string name() { return "halving"; }
  static constexpr int slots = 0;
  template <class T>
  struct Coefficients {};
  template <class T>
  Coefficients<T> coefficients(std::uint64_t) const { return {}; }
  template <class T>
  static void updat(T& p, T g, T&, T&, const Coefficients<T>&) { p -= g / 2; }
};
gan::Optimizer<Halving, float, gan::Cpu> opt;
