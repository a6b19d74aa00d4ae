// A full-text index of a dataset split's rows (/search, dataset-viewer-contract.md §5.1): one
// SQLite file holding an FTS5 table without content (the documents themselves are not kept:
// only what finds and ranks them), keyed by row index.
//
// Tokens: FTS5's unicode61 tokenizer with diacritics removed — runs of Unicode letters and
// digits, case-folded (search_text.hpp says what the documents hold). Ranking: Okapi BM25 as
// the Hub computes it (k = 1.2, b = 0.75, idf = ln((N - df + 0.5) / (df + 0.5) + 1), a phrase
// counting as one term), computed by an FTS5 function of this file, not FTS5's own bm25 (whose
// idf differs); matching is disjunctive: a row matches when it holds any of the terms.
//
// The file is written under a temporary name and renamed when complete: a crash never leaves a
// half-built index under its name. Costs: a query scores every row that holds one of its
// terms (about a microsecond each); `max_millis` stops one that takes longer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

struct sqlite3;

namespace vitrine::storage {

class FtsIndexWriter {
 public:
  // A new index to be renamed to `path` by finish() (its folder must exist).
  static Result<std::unique_ptr<FtsIndexWriter>> create(const std::string& path);
  ~FtsIndexWriter();  // an unfinished index is removed
  FtsIndexWriter(const FtsIndexWriter&) = delete;
  FtsIndexWriter& operator=(const FtsIndexWriter&) = delete;

  // The document of row `row` (rows in increasing order).
  Status add(uint64_t row, std::string_view text);
  // Merges the index into one segment and renames it into place.
  Status finish();

 private:
  FtsIndexWriter() = default;
  std::string path_, tmp_;
  sqlite3* db_ = nullptr;
  struct Insert;
  std::unique_ptr<Insert> insert_;
};

struct FtsHits {
  uint64_t total = 0;          // rows that match
  std::vector<uint64_t> rows;  // the page's rows, best first (ties by row)
};

class FtsIndex {
 public:
  static Result<std::unique_ptr<FtsIndex>> open(const std::string& path);
  ~FtsIndex();
  FtsIndex(const FtsIndex&) = delete;
  FtsIndex& operator=(const FtsIndex&) = delete;

  // Rows holding any of `terms` (each a word, or words that must follow each other: a phrase),
  // ranked by BM25, [offset, offset + length) of them. Past `max_millis` of work:
  // kPayloadTooLarge. No term: no rows.
  Result<FtsHits> search(const std::vector<std::string>& terms, uint64_t offset, uint64_t length,
                         uint64_t max_millis) const;

 private:
  FtsIndex() = default;
  sqlite3* db_ = nullptr;
};

}  // namespace vitrine::storage
