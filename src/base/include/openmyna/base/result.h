// Result<T> and Status: the error channel of every OpenMyna library.
//
// The API is that of C++23 std::expected (has_value, value, error, value_or,
// and_then, transform, or_else, transform_error, Unexpected). GCC 12 ships
// <expected> only for -std=c++23 and clang 14 (the fuzz preset) cannot compile
// it, so the project carries this small equivalent; it can be replaced by an
// alias of std::expected once both compilers accept it.
//
// An Error names the library it comes from, a code from that library's own
// enum, and a message for humans. Libraries declare their enum once:
//
//   enum class PkiErrc { kLintFailed = 1, ... };
//   template <> struct openmyna::ErrorTraits<PkiErrc> {
//     static constexpr std::string_view kLibrary = "pki";
//     static std::string_view Name(PkiErrc code);
//   };
//
// and return `Unexpected(Error(PkiErrc::kLintFailed, "keyUsage not critical"))`
// or the shorter `Fail(PkiErrc::kLintFailed, "...")`.
#pragma once

#include <concepts>
#include <cstdlib>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace openmyna {

// Specialised by each library for its error enum (see the file comment).
template <typename Enum>
struct ErrorTraits;

template <typename Enum>
concept ErrorEnum = std::is_enum_v<Enum> && requires(Enum e) {
  { ErrorTraits<Enum>::kLibrary } -> std::convertible_to<std::string_view>;
  { ErrorTraits<Enum>::Name(e) } -> std::convertible_to<std::string_view>;
};

// What went wrong: library, code and message. Copyable, cheap to move.
class Error {
 public:
  template <ErrorEnum Enum>
  Error(Enum code, std::string message)
      : library_(ErrorTraits<Enum>::kLibrary),
        code_(static_cast<int>(code)),
        code_name_(ErrorTraits<Enum>::Name(code)),
        message_(std::move(message)) {}

  // The library that raised it: "base", "domain", "card", "pki", ...
  std::string_view library() const { return library_; }
  // The numeric value of the library's enum.
  int code() const { return code_; }
  // The enum's name, e.g. "kInvalidCheckDigit" -> "invalid_check_digit".
  std::string_view code_name() const { return code_name_; }
  const std::string& message() const { return message_; }

  // True when this error carries exactly `code` of library Enum.
  template <ErrorEnum Enum>
  bool Is(Enum code) const {
    return library_ == ErrorTraits<Enum>::kLibrary &&
           code_ == static_cast<int>(code);
  }

  // "library/code_name: message"
  std::string ToString() const;

  // A copy whose message is prefixed with context ("reading profile: ...").
  Error WithContext(std::string_view context) const;

 private:
  std::string_view library_;
  int code_;
  std::string_view code_name_;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Error& error);

// std::unexpected equivalent.
template <typename E>
class Unexpected {
 public:
  explicit Unexpected(E error) : error_(std::move(error)) {}
  const E& error() const& { return error_; }
  E& error() & { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

// Shorthand: `return Fail(DomainErrc::kBadDate, "2024-02-30");`
template <ErrorEnum Enum>
Unexpected<Error> Fail(Enum code, std::string message) {
  return Unexpected<Error>(Error(code, std::move(message)));
}

// Thrown by value() on an error, as std::bad_expected_access; it never
// crosses a library's public header by design (callers test first).
class BadResultAccess : public std::exception {
 public:
  explicit BadResultAccess(Error error)
      : error_(std::move(error)), what_(error_.ToString()) {}
  const char* what() const noexcept override { return what_.c_str(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  std::string what_;
};

template <typename T, typename E = Error>
class Expected;

namespace detail {
template <typename T>
struct IsExpected : std::false_type {};
template <typename T, typename E>
struct IsExpected<Expected<T, E>> : std::true_type {};
}  // namespace detail

// std::expected<T, E> equivalent for a non-void T.
template <typename T, typename E>
class [[nodiscard]] Expected {
  static_assert(!std::is_reference_v<T>, "Expected<T&> is not supported");

 public:
  using value_type = T;
  using error_type = E;

  Expected() requires std::is_default_constructible_v<T>
      : storage_(std::in_place_index<0>) {}
  template <typename U = T>
  requires(std::is_constructible_v<T, U&&> &&
           !std::is_same_v<std::remove_cvref_t<U>, Expected> &&
           !std::is_same_v<std::remove_cvref_t<U>, Unexpected<E>>)
      Expected(
          U&& value)  // NOLINT(google-explicit-constructor): as std::expected
      : storage_(std::in_place_index<0>, std::forward<U>(value)) {}
  template <typename G>
  requires std::is_constructible_v<E, const G&> Expected(
      const Unexpected<G>& error)  // NOLINT(google-explicit-constructor)
      : storage_(std::in_place_index<1>, error.error()) {}
  template <typename G>
  requires std::is_constructible_v<E, G&&> Expected(
      Unexpected<G>&& error)  // NOLINT(google-explicit-constructor)
      : storage_(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    Check();
    return std::get<0>(storage_);
  }
  const T& value() const& {
    Check();
    return std::get<0>(storage_);
  }
  T&& value() && {
    Check();
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return std::get<0>(storage_); }
  const T& operator*() const& { return std::get<0>(storage_); }
  T&& operator*() && { return std::get<0>(std::move(storage_)); }
  T* operator->() { return &std::get<0>(storage_); }
  const T* operator->() const { return &std::get<0>(storage_); }

  E& error() & { return std::get<1>(storage_); }
  const E& error() const& { return std::get<1>(storage_); }
  E&& error() && { return std::get<1>(std::move(storage_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U>
  T value_or(U&& fallback) && {
    return has_value() ? std::move(**this)
                       : static_cast<T>(std::forward<U>(fallback));
  }

  // f: T -> Expected<U, E>
  template <typename F>
  auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
    static_assert(detail::IsExpected<R>::value, "f must return an Expected");
    if (has_value()) return std::invoke(std::forward<F>(f), **this);
    return R(Unexpected<E>(error()));
  }
  template <typename F>
  auto and_then(F&& f) && {
    using R = std::remove_cvref_t<std::invoke_result_t<F, T&&>>;
    static_assert(detail::IsExpected<R>::value, "f must return an Expected");
    if (has_value()) return std::invoke(std::forward<F>(f), std::move(**this));
    return R(Unexpected<E>(std::move(*this).error()));
  }
  // f: T -> U
  template <typename F>
  auto transform(F&& f) const& {
    using U = std::remove_cvref_t<std::invoke_result_t<F, const T&>>;
    if (!has_value()) return Expected<U, E>(Unexpected<E>(error()));
    if constexpr (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f), **this);
      return Expected<U, E>();
    } else {
      return Expected<U, E>(std::invoke(std::forward<F>(f), **this));
    }
  }
  // f: E -> Expected<T, G>
  template <typename F>
  auto or_else(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F, const E&>>;
    if (has_value()) return R(**this);
    return std::invoke(std::forward<F>(f), error());
  }
  // f: E -> G
  template <typename F>
  auto transform_error(F&& f) const& {
    using G = std::remove_cvref_t<std::invoke_result_t<F, const E&>>;
    if (has_value()) return Expected<T, G>(**this);
    return Expected<T, G>(
        Unexpected<G>(std::invoke(std::forward<F>(f), error())));
  }

 private:
  void Check() const {
    if (!has_value()) {
      if constexpr (std::is_same_v<E, Error>) {
        throw BadResultAccess(std::get<1>(storage_));
      } else {
        std::abort();
      }
    }
  }

  std::variant<T, E> storage_;
};

// std::expected<void, E> equivalent.
template <typename E>
class [[nodiscard]] Expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  Expected() = default;
  template <typename G>
  requires std::is_constructible_v<E, const G&> Expected(
      const Unexpected<G>& error)  // NOLINT(google-explicit-constructor)
      : error_(std::in_place_index<1>, error.error()) {}
  template <typename G>
  requires std::is_constructible_v<E, G&&> Expected(
      Unexpected<G>&& error)  // NOLINT(google-explicit-constructor)
      : error_(std::in_place_index<1>, std::move(error).error()) {}

  bool has_value() const noexcept { return error_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (!has_value()) {
      if constexpr (std::is_same_v<E, Error>) {
        throw BadResultAccess(error());
      } else {
        std::abort();
      }
    }
  }
  const E& error() const& { return std::get<1>(error_); }
  E&& error() && { return std::get<1>(std::move(error_)); }

  // f: () -> Expected<U, E>
  template <typename F>
  auto and_then(F&& f) const {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (has_value()) return std::invoke(std::forward<F>(f));
    return R(Unexpected<E>(error()));
  }
  // f: () -> U
  template <typename F>
  auto transform(F&& f) const {
    using U = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (!has_value()) return Expected<U, E>(Unexpected<E>(error()));
    if constexpr (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f));
      return Expected<U, E>();
    } else {
      return Expected<U, E>(std::invoke(std::forward<F>(f)));
    }
  }
  template <typename F>
  auto transform_error(F&& f) const {
    using G = std::remove_cvref_t<std::invoke_result_t<F, const E&>>;
    if (has_value()) return Expected<void, G>();
    return Expected<void, G>(
        Unexpected<G>(std::invoke(std::forward<F>(f), error())));
  }

 private:
  std::variant<std::monostate, E> error_;
};

template <typename T>
using Result = Expected<T, Error>;
using Status = Expected<void, Error>;

// The success value of a Status.
inline Status Ok() { return {}; }

#define OPENMYNA_CONCAT_INNER_(a, b) a##b
#define OPENMYNA_CONCAT_(a, b) OPENMYNA_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Result or Status); on error returns it from the caller.
// The temporary is named per expansion so that a nested use (in a lambda within
// `expr`) does not shadow it (-Wshadow).
#define OPENMYNA_RETURN_IF_ERROR(expr) \
  OPENMYNA_RETURN_IF_ERROR_IMPL_(      \
      OPENMYNA_CONCAT_(openmyna_status_, __COUNTER__), expr)
#define OPENMYNA_RETURN_IF_ERROR_IMPL_(status, expr)            \
  do {                                                          \
    if (auto status = (expr); !status) {                        \
      return ::openmyna::Unexpected(std::move(status).error()); \
    }                                                           \
  } while (false)

// `OPENMYNA_ASSIGN_OR_RETURN(auto key, LoadKey(path));`
#define OPENMYNA_ASSIGN_OR_RETURN(lhs, expr)                               \
  OPENMYNA_ASSIGN_OR_RETURN_IMPL_(OPENMYNA_CONCAT_(openmyna_r_, __LINE__), \
                                  lhs, expr)
#define OPENMYNA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)            \
  auto tmp = (expr);                                               \
  if (!tmp) return ::openmyna::Unexpected(std::move(tmp).error()); \
  lhs = std::move(tmp).value()

}  // namespace openmyna
