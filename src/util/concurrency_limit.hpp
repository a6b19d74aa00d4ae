// ConcurrencyLimit: at most N holders of a costly resource at once (memory-hungry parses,
// password hashes), as RAII permits. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <semaphore>

namespace vitrine::util {

class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(std::ptrdiff_t holders) : slots_(holders) {}
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  // A held slot, given back when it goes out of scope; held() is false when none was free.
  class Permit {
   public:
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() {
      if (held_) limit_.slots_.release();
    }
    bool held() const { return held_; }

   private:
    friend class ConcurrencyLimit;
    Permit(ConcurrencyLimit& limit, bool held) : limit_(limit), held_(held) {}
    ConcurrencyLimit& limit_;
    bool held_;
  };

  // Waits for a slot as long as it takes.
  Permit acquire() {
    slots_.acquire();
    return Permit(*this, true);
  }
  // Waits at most `wait`; the permit is not held if no slot came free by then.
  template <class Rep, class Period>
  Permit try_acquire_for(std::chrono::duration<Rep, Period> wait) {
    return Permit(*this, slots_.try_acquire_for(wait));
  }

 private:
  std::counting_semaphore<> slots_;
};

}  // namespace vitrine::util
