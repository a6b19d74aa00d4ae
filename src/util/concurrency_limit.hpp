// Limits on concurrent work, thread-safe: ConcurrencyLimit (at most N holders of a costly
// resource at once: memory-hungry parses, password hashes, as RAII permits), FairLimit (the
// same, one turn per caller) and StripedMutex (one turn per key).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <unordered_set>

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

// FairLimit: a ConcurrencyLimit that also gives each key (a user, a client address) one turn at
// a time, so that one caller cannot take every turn. Thread-safe.
class FairLimit {
 public:
  explicit FairLimit(std::ptrdiff_t holders) : all_(holders) {}
  FairLimit(const FairLimit&) = delete;
  FairLimit& operator=(const FairLimit&) = delete;

  // A turn, given back when destroyed; held() is false when none came free within the wait
  // (a key that holds a turn waits for it to be given back first).
  class Turn {
   public:
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() {
      permit_.reset();
      if (!keyed_) return;
      {
        std::lock_guard lock(limit_.mutex_);
        limit_.keys_.erase(key_);
      }
      limit_.freed_.notify_all();
    }
    bool held() const { return permit_ && permit_->held(); }

   private:
    friend class FairLimit;
    Turn(FairLimit& limit, std::string key) : limit_(limit), key_(std::move(key)) {}
    FairLimit& limit_;
    std::string key_;
    bool keyed_ = false;
    std::unique_ptr<ConcurrencyLimit::Permit> permit_;
  };

  template <class Rep, class Period>
  std::unique_ptr<Turn> try_take(const std::string& key, std::chrono::duration<Rep, Period> wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    std::unique_ptr<Turn> turn(new Turn(*this, key));
    {
      std::unique_lock lock(mutex_);
      if (!freed_.wait_until(lock, until, [&] { return !keys_.contains(key); })) return turn;
      keys_.insert(key);
      turn->keyed_ = true;
    }
    turn->permit_.reset(new ConcurrencyLimit::Permit(all_.try_acquire_for(std::max(
        until - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero()))));
    return turn;
  }

 private:
  ConcurrencyLimit all_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::unordered_set<std::string> keys_;
};

// StripedMutex: one mutex per stripe of keys (a repository's uid...), so work on one key takes
// turns with bounded memory; a few keys share a stripe.
class StripedMutex {
 public:
  std::mutex& of(const std::string& key) {
    return stripes_[std::hash<std::string>{}(key) % stripes_.size()];
  }

 private:
  std::array<std::mutex, 64> stripes_;
};

}  // namespace vitrine::util
