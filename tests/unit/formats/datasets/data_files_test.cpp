// Unit tests for formats/datasets/data_files: configs and splits derived as the `datasets`
// library derives them. Rows come from the library's own tests (named in each row's `source`:
// tests/test_data_files.py, tests/test_load.py, tests/test_metadata_util.py at b7cb10b) or, where
// the library has no test for a rule, from the source line that states it.
#include "formats/datasets/data_files.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vitrine::datasets {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// fsspec_match: fsspec >= 2023.12 glob semantics.

struct GlobRow {
  const char* source;
  const char* pattern;
  const char* path;
  bool match;
};

const GlobRow kGlobRows[] = {
    // test_data_files.py pattern_results / _TEST_PATTERNS_SIZES over complex_data_dir.
    {"test_data_files: '*' stays at the first level", "*", "data/train.txt", false},
    {"test_data_files: '*' at the first level (README is ignored later)", "*", "README.md", true},
    {"test_data_files: '**' matches all levels", "**", "data/subdir/train.txt", true},
    {"test_data_files: '**/*' includes the first level", "**/*", "README.md", true},
    {"test_data_files: '**/*' deeper", "**/*", "data/subdir/test.txt", true},
    {"test_data_files: '*.txt' stays at the first level", "*.txt", "data/train.txt", false},
    {"test_data_files: 'data/*' one level", "data/*", "data/subdir/train.txt", false},
    {"test_data_files: 'data/**' all below", "data/**", "data/subdir/train.txt", true},
    {"test_data_files: '**/train.txt' at the root ('**' as zero components)", "**/train.txt",
     "train.txt", true},
    {"test_data_files: '**/train.txt' deeper", "**/train.txt", "data/subdir/train.txt", true},
    {"glob_translate: '**' between components matches none", "data/**/train.txt", "data/train.txt",
     true},
    {"glob_translate: a lone '*' needs a whole component", "*/train.txt", "train.txt", false},
    {"glob_translate: '*' does not cross '/'", "data/*.txt", "data/subdir/x.txt", false},
    {"glob_translate: '?' is one character, not '/'", "data?train.txt", "data/train.txt", false},
    {"glob_translate: '?' is one code point", "?.csv", "\xc3\xa9.csv", true},
    {"glob_translate: two '?' are two code points",
     "?"
     "?.csv",
     "\xc3\xa9.csv", false},
    // SPLIT_PATTERN_SHARDED with {split} as '*' (data_files.py).
    {"SPLIT_PATTERN_SHARDED", "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*",
     "data/train-00000-of-00001.parquet", true},
    {"SPLIT_PATTERN_SHARDED: digits only",
     "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*",
     "data/train-0000a-of-00001.parquet", false},
    {"SPLIT_PATTERN_SHARDED: needs a '.'",
     "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*",
     "data/train-00000-of-00001", false},
    {"SPLIT_PATTERN_SHARDED: only directly in data/",
     "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*",
     "data/x/train-00000-of-00001.csv", false},
    // KEYWORDS_IN_FILENAME_BASE_PATTERNS / KEYWORDS_IN_DIR_NAME_BASE_PATTERNS, sep "-._ 0-9".
    {"keyword in file name: 'test-file.csv'", "**/test[-._ 0-9]*", "test-file.csv", true},
    {"keyword in file name: not 'testfile.csv'", "**/test[-._ 0-9]*", "testfile.csv", false},
    {"keyword in file name: a digit separates", "**/test[-._ 0-9]*", "test00001.txt", true},
    {"keyword in file name: a space separates", "**/*[-._ 0-9]test[-._ 0-9]*", "my test file.txt",
     true},
    {"keyword in file name: not 'contest.txt'", "**/*[-._ 0-9]test[-._ 0-9]*", "contest.txt",
     false},
    {"keyword in file name: only the last component", "**/test[-._ 0-9]*", "test.d/x.csv", false},
    {"keyword as a folder", "**/test/**", "a/test/b/c.csv", true},
    {"keyword as a folder, not as the file", "**/test/**", "a/test", false},
    {"keyword in a folder name", "**/*[-._ 0-9]train[-._ 0-9]*/**", "my_train_dir/dataset.txt",
     true},
    // fnmatch._translate's character classes as fsspec copies them.
    {"class: a range", "[a-c]x", "bx", true},
    {"class: negated", "[!a]x", "ax", false},
    {"class: ']' first is literal", "[]]x", "]x", true},
    {"class: unclosed '[' is literal", "[ab", "[ab", true},
    {"class: trailing '-' is literal", "[a-]x", "-x", true},
    {"class: an empty range never matches", "[b-a]x", "ax", false},
    {"class: a negated empty range matches anything", "q[!b-a]x", "qzx", true},
    {"class: '^' first is literal", "[^a]x", "^x", true},
    {"class: a code point range", "[\xc3\xa0-\xc3\xbc]x", "\xc3\xa9x", true},
    {"class: negated matches '/' under '**'", "**/a[!x]b", "a/b", true},
    {"class: but not past fsspec's find depth", "a[!x]b", "a/b", false},
    // Not special in fsspec >= 2023.12.
    {"'**' inside a component is invalid", "data/**.csv", "data/a.csv", false},
    {"'**' inside a component is invalid", "a**", "ab", false},
    {"braces are literal", "{a,b}.csv", "a.csv", false},
    {"braces are literal", "{a,b}.csv", "{a,b}.csv", true},
    {"backslash is literal", "a\\[b]", "a\\b", true},
    // Without wildcards: fsspec's exists() of the path, trailing '/' stripped.
    {"no wildcard: exact", "data/train.csv", "data/train.csv", true},
    {"no wildcard: trailing '/' stripped", "data/train.csv/", "data/train.csv", true},
    {"no wildcard: not a prefix", "data", "data/train.csv", false},
    {"wildcard with trailing '/': folders only", "data/*/", "data/x", false},
};

TEST(FsspecMatch, Table) {
  for (const GlobRow& row : kGlobRows) {
    EXPECT_EQ(fsspec_match(row.pattern, row.path), row.match)
        << row.source << ": '" << row.pattern << "' vs '" << row.path << "'";
  }
}

TEST(FsspecMatch, HostilePatternIsNotExponential) {
  std::string pattern;
  for (int i = 0; i < 400; ++i) pattern += "*a";
  pattern += "*b";
  std::string path(900, 'a');
  EXPECT_FALSE(fsspec_match(pattern, path));  // a backtracking matcher would not finish
  EXPECT_TRUE(fsspec_match(pattern, path + "b"));
}

// ---------------------------------------------------------------------------------------------
// derive_layout. `expected` is an X-Error-Code, or the configs as JSON:
// [{"name", "builder", "default", "splits": [[split, [files…]]…], "kwargs"?, "features"?,
//   "error"?}] in output order.

struct LayoutRow {
  const char* source;
  std::vector<std::string> files;
  const char* card;  // the YAML as JSON; "" for none
  const char* expected;
};

json summarize(const LayoutResult& result) {
  if (!result.ok) return result.error.code;
  json configs = json::array();
  for (const ConfigLayout& config : result.layout.configs) {
    json c = {{"name", config.name}, {"builder", config.builder}, {"default", config.is_default}};
    json splits = json::array();
    for (const SplitFiles& split : config.splits) splits.push_back({split.split, split.files});
    c["splits"] = splits;
    if (!config.builder_kwargs.empty()) c["kwargs"] = config.builder_kwargs;
    if (!config.features.is_null()) c["features"] = config.features;
    if (config.error) c["error"] = config.error->code;
    configs.push_back(c);
  }
  return configs;
}

json expected_json(const char* expected) {
  if (expected[0] == '[') return json::parse(expected);
  return std::string(expected);
}

// One config "default" of `builder` with the given splits, as the rows of test_load write it.
std::string one_default(const std::string& builder, const std::string& splits) {
  return R"([{"name": "default", "builder": ")" + builder + R"(", "default": true, "splits": )" +
         splits + "}]";
}

// test_data_files.py::test_get_data_files_patterns: each data_file_per_split row, with the
// files in the order the test expects them. Rows listing only .txt files give "text".
struct DetectionRow {
  const char* comment;
  const char* builder;
  const char* splits;  // [[split, [files]]…]
};

const DetectionRow kDetectionRows[] = {
    // === Main cases ===
    {"file named after split at the root", "text",
     R"([["train", ["train.txt"]], ["validation", ["valid.txt"]], ["test", ["test.txt"]]])"},
    {"file named after split in a directory", "text",
     R"([["train", ["data/train.txt"]], ["validation", ["data/valid.txt"]], ["test", ["data/test.txt"]]])"},
    {"directory named after split", "text",
     R"([["train", ["train/split.txt"]], ["validation", ["valid/split.txt"]], ["test", ["test/split.txt"]]])"},
    {"sharded splits", "text",
     R"([["train", ["data/train_0.txt", "data/train_1.txt", "data/train_2.txt"]],
         ["validation", ["data/validation_0.txt", "data/validation_1.txt", "data/validation_2.txt"]],
         ["test", ["data/test_0.txt", "data/test_1.txt", "data/test_2.txt"]]])"},
    {"sharded splits with standard format (+ custom split name)", "text",
     R"([["train", ["data/train-00000-of-00003.txt", "data/train-00001-of-00003.txt", "data/train-00002-of-00003.txt"]],
         ["validation", ["data/validation-00000-of-00003.txt", "data/validation-00001-of-00003.txt", "data/validation-00002-of-00003.txt"]],
         ["test", ["data/test-00000-of-00003.txt", "data/test-00001-of-00003.txt", "data/test-00002-of-00003.txt"]],
         ["random", ["data/random-00000-of-00003.txt", "data/random-00001-of-00003.txt", "data/random-00002-of-00003.txt"]]])"},
    // === Secondary cases ===
    {"default to train split", "text", R"([["train", ["dataset.txt"]]])"},
    {"default to train split", "text", R"([["train", ["data/dataset.txt"]]])"},
    {"default to train split", "imagefolder",
     R"([["train", ["data/image.jpg", "metadata.jsonl"]]])"},
    {"default to train split", "imagefolder", R"([["train", ["data/image.jpg", "metadata.csv"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["my_train_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["data/my_train_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["my_test_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["data/my_test_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["my_validation_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["data/my_validation_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["train_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["data/train_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["test_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["data/test_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["validation_dir/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["data/validation_file.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["my_train/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["train", ["data/my_train.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["my_test/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["test", ["data/my_test.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["my_validation/dataset.txt"]]])"},
    {"prefix or suffix in names", "text", R"([["validation", ["data/my_validation.txt"]]])"},
    {"test<>eval aliases", "text", R"([["test", ["eval.txt"]]])"},
    {"test<>eval aliases", "text", R"([["test", ["data/eval.txt"]]])"},
    {"test<>eval aliases", "text", R"([["test", ["eval/dataset.txt"]]])"},
    {"valid<>dev aliases", "text", R"([["validation", ["dev.txt"]]])"},
    {"valid<>dev aliases", "text", R"([["validation", ["data/dev.txt"]]])"},
    {"valid<>dev aliases", "text", R"([["validation", ["dev/dataset.txt"]]])"},
    {"valid<>val aliases", "text", R"([["validation", ["val.txt"]]])"},
    {"valid<>val aliases", "text", R"([["validation", ["data/val.txt"]]])"},
    {"other extensions", "parquet",
     R"([["train", ["train.parquet"]], ["validation", ["valid.parquet"]], ["test", ["test.parquet"]]])"},
    {"'dev' or 'eval' without separators", "text", R"([["train", ["developers_list.txt"]]])"},
    {"'dev' or 'eval' without separators", "text", R"([["train", ["data/seqeval_results.txt"]]])"},
    {"'dev' or 'eval' without separators", "text", R"([["train", ["contest.txt"]]])"},
    {"supported separators", "text", R"([["test", ["my.test.file.txt"]]])"},
    {"supported separators", "text", R"([["test", ["my-test-file.txt"]]])"},
    {"supported separators", "text", R"([["test", ["my_test_file.txt"]]])"},
    {"supported separators", "text", R"([["test", ["my test file.txt"]]])"},
    {"supported separators", "text", R"([["test", ["my-test_file.txt"]]])"},
    {"supported separators", "text", R"([["test", ["test00001.txt"]]])"},
    {"<split>.<split> case: the folder decides", "text", R"([["test", ["test/train.txt"]]])"},
};

TEST(DeriveLayout, SplitDetectionFromTestGetDataFilesPatterns) {
  for (const DetectionRow& row : kDetectionRows) {
    json splits = json::parse(row.splits);
    std::vector<std::string> files;
    for (const json& split : splits) {
      for (const json& file : split[1]) files.push_back(file);
    }
    std::reverse(files.begin(), files.end());  // input order must not matter
    json got = summarize(derive_layout(files, json()));
    EXPECT_EQ(got, json::parse(one_default(row.builder, row.splits)))
        << "test_get_data_files_patterns: " << row.comment << ": " << row.splits;
  }
}

const std::vector<LayoutRow>& layout_rows() {
  static const std::vector<LayoutRow> rows = {
      // --- Split detection beyond test_get_data_files_patterns.
      {"test_get_data_patterns_from_directory_with_the_word_data_twice",
       {"data/train-00001-of-00009.parquet"},
       "",
       R"([{"name": "default", "builder": "parquet", "default": true,
            "splits": [["train", ["data/train-00001-of-00009.parquet"]]]}])"},
      {"get_data_patterns docstring: custom shard splits, train/validation/test then sorted",
       {"data/zeta-00000-of-00001.csv", "data/test-00000-of-00001.csv",
        "data/alpha-00000-of-00001.csv", "data/train-00000-of-00001.csv",
        "data/validation-00000-of-00001.csv", "README.md"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [
            ["train", ["data/train-00000-of-00001.csv"]], ["validation", ["data/validation-00000-of-00001.csv"]],
            ["test", ["data/test-00000-of-00001.csv"]], ["alpha", ["data/alpha-00000-of-00001.csv"]],
            ["zeta", ["data/zeta-00000-of-00001.csv"]]]}])"},
      {"_get_data_files_patterns: a shard split name must match _split_re",
       {"data/my-split-00000-of-00001.csv"},
       "",
       "ConfigNamesError"},
      {"_get_data_files_patterns: dotted shard split names are valid",
       {"data/my.split-00000-of-00001.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true,
            "splits": [["my.split", ["data/my.split-00000-of-00001.csv"]]]}])"},
      {"string_to_dict: a '-' near the end of a shard name is no split boundary",
       {"data/train-00000-of-00001.x-.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true,
            "splits": [["train", ["data/train-00000-of-00001.x-.csv"]]]}])"},
      {"string_to_dict: a shard name without a split does not parse",
       {"data/a-00000-of-00001.csv", "data/-00000-of-00001.csv"},
       "",
       "ConfigNamesError"},
      {"_get_data_files_patterns: shards win over keywords elsewhere",
       {"data/train-00000-of-00001.csv", "test/x.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true,
            "splits": [["train", ["data/train-00000-of-00001.csv"]]]}])"},
      {"DEFAULT_PATTERNS_LOGS: .eval files make a 'logs' split before keywords",
       {"runs/a.eval", "train.csv"},
       "",
       R"([{"name": "default", "builder": "eval", "default": true, "splits": [["logs", ["runs/a.eval"]]]}])"},
      {"resolve_pattern: one file two patterns match is listed twice, pattern by pattern",
       {"a/train/x.csv", "a/train/b_train/y.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true,
            "splits": [["train", ["a/train/b_train/y.csv", "a/train/x.csv", "a/train/b_train/y.csv"]]]}])"},
      {"test_resolve_pattern_locally_sorted_files",
       {"3.txt", "0.txt", "2.txt"},
       "",
       R"([{"name": "default", "builder": "text", "default": true,
            "splits": [["train", ["0.txt", "2.txt", "3.txt"]]]}])"},
      // --- Ignored, hidden and special files (FILES_TO_IGNORE, resolve_pattern).
      {"test_load_dataset_builder_for_absolute_data_dir (complex_data_dir)",
       {"data/train.txt", "data/test.txt", "README.md", ".dummy"},
       "",
       R"([{"name": "default", "builder": "text", "default": true,
            "splits": [["train", ["data/train.txt"]], ["test", ["data/test.txt"]]]}])"},
      {"test_data_files complex_data_dir: hidden and __pycache__ folders are skipped",
       {"data/train.txt", "data/.dummy_subdir/test.txt", "__pycache__/test.txt",
        "dataset_infos.json", "config.json", "dummy_data.zip"},
       "",
       R"([{"name": "default", "builder": "text", "default": true, "splits": [["train", ["data/train.txt"]]]}])"},
      {"get_data_patterns: no file at all is EmptyDatasetError",
       {"README.md", ".gitattributes"},
       "",
       "EmptyDatasetError"},
      {"get_data_patterns: an empty repository", {}, "", "EmptyDatasetError"},
      {"infer_module_for_data_files: files, none with a data extension",
       {"README.md", "LICENSE", "notes.md"},
       "",
       "DataFilesNotFoundError"},
      {"_get_data_files_patterns ignores extensions: a keyword folder of non-data files decides",
       {"test/notes.md", "data.csv"},
       "",
       "DataFilesNotFoundError"},
      // --- Extensions and module inference (test_load.py::test_infer_module_for_data_files).
      {"test_infer_module_for_data_files: .csv",
       {"train.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["train.csv"]]]}])"},
      {"test_infer_module_for_data_files: .tsv is csv with sep",
       {"train.tsv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "kwargs": {"sep": "\t"},
            "splits": [["train", ["train.tsv"]]]}])"},
      {"test_infer_module_for_data_files: .json",
       {"train.json"},
       "",
       R"([{"name": "default", "builder": "json", "default": true, "splits": [["train", ["train.json"]]]}])"},
      {"test_infer_module_for_data_files: .jsonl",
       {"train.jsonl"},
       "",
       R"([{"name": "default", "builder": "json", "default": true, "splits": [["train", ["train.jsonl"]]]}])"},
      {"test_infer_module_for_data_files: .geoparquet",
       {"train.geoparquet"},
       "",
       R"([{"name": "default", "builder": "parquet", "default": true, "splits": [["train", ["train.geoparquet"]]]}])"},
      {"test_infer_module_for_data_files: .gpq",
       {"train.gpq"},
       "",
       R"([{"name": "default", "builder": "parquet", "default": true, "splits": [["train", ["train.gpq"]]]}])"},
      {"test_infer_module_for_data_files: .arrow",
       {"train.arrow"},
       "",
       R"([{"name": "default", "builder": "arrow", "default": true, "splits": [["train", ["train.arrow"]]]}])"},
      {"test_infer_module_for_data_files: 'uppercase.TXT' is text there, but resolve_pattern's "
       "allowed extensions are case-sensitive, so through the pipeline it is no data file",
       {"uppercase.TXT"},
       "",
       "DataFilesNotFoundError"},
      {"test_infer_module_for_data_files: unsupported.ext",
       {"unsupported.ext"},
       "",
       "DataFilesNotFoundError"},
      {"_EXTENSION_TO_MODULE: image extensions also in upper case",
       {"IMG.JPG"},
       "",
       R"([{"name": "default", "builder": "imagefolder", "default": true, "splits": [["train", ["IMG.JPG"]]]}])"},
      {"_EXTENSION_TO_MODULE: .mpg is audio (audiofolder's update comes after imagefolder's)",
       {"a.mpg"},
       "",
       R"([{"name": "default", "builder": "audiofolder", "default": true, "splits": [["train", ["a.mpg"]]]}])"},
      {"_EXTENSION_TO_MODULE: .mp4 is video (videofolder's update comes last)",
       {"a.mp4"},
       "",
       R"([{"name": "default", "builder": "videofolder", "default": true, "splits": [["train", ["a.mp4"]]]}])"},
      {"resolve_pattern: any dot-suffix counts, so compressed files keep their format",
       {"train.csv.gz", "test.jsonl.zst"},
       "",
       "FileFormatMismatchBetweenSplitsError"},
      {"resolve_pattern: .csv.gz is csv",
       {"train.csv.gz", "test.csv.bz2"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true,
            "splits": [["train", ["train.csv.gz"]], ["test", ["test.csv.bz2"]]]}])"},
      {"resolve_pattern: .jsonl.zst is json",
       {"data.jsonl.zst"},
       "",
       R"([{"name": "default", "builder": "json", "default": true, "splits": [["train", ["data.jsonl.zst"]]]}])"},
      {"resolve_pattern: .tar.gz is webdataset",
       {"shard.tar.gz"},
       "",
       R"([{"name": "default", "builder": "webdataset", "default": true, "splits": [["train", ["shard.tar.gz"]]]}])"},
      {"resolve_pattern: a lone compression suffix is no data extension",
       {"data.gz"},
       "",
       "DataFilesNotFoundError"},
      {"infer_module_for_data_files_list: the most common extension wins",
       {"a.csv", "b.csv", "c.parquet"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["a.csv", "b.csv"]]]}])"},
      {"infer_module_for_data_files_list: a tie prefers parquet",
       {"a.csv", "b.parquet"},
       "",
       R"([{"name": "default", "builder": "parquet", "default": true, "splits": [["train", ["b.parquet"]]]}])"},
      {"infer_module_for_data_files_list: then lance over arrow",
       {"a.arrow", "b.lance"},
       "",
       R"([{"name": "default", "builder": "lance", "default": true, "splits": [["train", ["b.lance"]]]}])"},
      {"infer_module_for_data_files_list: then arrow over jsonl",
       {"a.arrow", "b.jsonl"},
       "",
       R"([{"name": "default", "builder": "arrow", "default": true, "splits": [["train", ["a.arrow"]]]}])"},
      {"infer_module_for_data_files_list: then json over csv",
       {"a.csv", "b.json"},
       "",
       R"([{"name": "default", "builder": "json", "default": true, "splits": [["train", ["b.json"]]]}])"},
      {"infer_module_for_data_files_list: then csv over others",
       {"a.csv", "b.txt"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["a.csv"]]]}])"},
      {"infer_module_for_data_files_list: then the greater extension (sorted in reverse)",
       {"a.tsv", "b.txt"},
       "",
       R"([{"name": "default", "builder": "text", "default": true, "splits": [["train", ["b.txt"]]]}])"},
      {"infer_module_for_data_files_list: metadata files count last",
       {"train/metadata.csv", "train/a.jpg", "test/metadata.csv", "test/b.jpg"},
       "",
       R"([{"name": "default", "builder": "imagefolder", "default": true, "splits": [
            ["train", ["train/a.jpg", "train/metadata.csv"]], ["test", ["test/b.jpg", "test/metadata.csv"]]]}])"},
      {"test_LocalDatasetModuleFactory_with_metadata: metadata.jsonl stays with the images",
       {"train/cat.jpg", "test/dog.jpg", "train/metadata.jsonl", "test/metadata.jsonl"},
       "",
       R"([{"name": "default", "builder": "imagefolder", "default": true, "splits": [
            ["train", ["train/cat.jpg", "train/metadata.jsonl"]], ["test", ["test/dog.jpg", "test/metadata.jsonl"]]]}])"},
      {"infer_module_for_data_files: splits must agree",
       {"train.csv", "test.json"},
       "",
       "FileFormatMismatchBetweenSplitsError"},
      {"infer_module_for_data_files: module and kwargs must agree (.csv vs .tsv)",
       {"train.csv", "test.tsv"},
       "",
       "FileFormatMismatchBetweenSplitsError"},
      {"infer_module_for_data_files: a split with no data file disagrees",
       {"train/a.csv", "test/notes.md"},
       "",
       "FileFormatMismatchBetweenSplitsError"},
      {"load.py: without configs the files are filtered to the module's extensions",
       {"train/a.csv", "train/b.csv", "train/c.json"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["train/a.csv", "train/b.csv"]]]}])"},
      {"load.py: .zip needs a look inside; without list_archive the module is 'zip'",
       {"data/train.zip"},
       "",
       R"([{"name": "default", "builder": "zip", "default": true, "splits": [["train", ["data/train.zip"]]]}])"},
      // --- Scripts and the viewer flag.
      {"dataset_module_factory: a dataset script at the root",
       {"my_dataset.py", "data.csv"},
       "",
       "DatasetWithScriptNotSupportedError"},
      {"dataset_module_factory: a .py below the root is no script",
       {"scripts/convert.py", "data.csv"},
       "",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["data.csv"]]]}])"},
      {"operations.py: viewer: false",
       {"data.csv"},
       R"({"viewer": false})",
       "NotSupportedDisabledViewerError"},
      {"operations.py: cardData.get('viewer', True) is falsy for null too",
       {"data.csv"},
       R"({"viewer": null})",
       "NotSupportedDisabledViewerError"},
      {"operations.py: viewer: true",
       {"data.csv"},
       R"({"viewer": true})",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["data.csv"]]]}])"},
      {"operations.py: the viewer flag comes before the script check",
       {"x.py", "data.csv"},
       R"({"viewer": false})",
       "NotSupportedDisabledViewerError"},
      // --- YAML configs (test_load.py, test_metadata_util.py).
      {"test_LocalDatasetModuleFactory_with_single_config_in_metadata",
       {"cats/cat.jpg", "dogs/dog.jpg", "README.md"},
       R"({"configs": [{"config_name": "custom", "drop_labels": true}]})",
       R"([{"name": "custom", "builder": "imagefolder", "default": true, "kwargs": {"drop_labels": true},
            "splits": [["train", ["cats/cat.jpg", "dogs/dog.jpg"]]]}])"},
      {"test_LocalDatasetModuleFactory_with_config_and_data_files",
       {"data/cats/cat.jpg", "data/dogs/dog.jpg", "README.md"},
       R"({"configs": [{"config_name": "custom", "data_files": "data/**/*.jpg"}]})",
       R"([{"name": "custom", "builder": "imagefolder", "default": true,
            "splits": [["train", ["data/cats/cat.jpg", "data/dogs/dog.jpg"]]]}])"},
      {"test_LocalDatasetModuleFactory_with_two_configs_in_metadata",
       {"cats/cat.jpg", "dogs/dog.jpg", "README.md"},
       R"({"configs": [{"config_name": "v1", "drop_labels": true, "default": true},
                       {"config_name": "v2", "drop_labels": false}]})",
       R"([{"name": "v1", "builder": "imagefolder", "default": true, "kwargs": {"drop_labels": true},
            "splits": [["train", ["cats/cat.jpg", "dogs/dog.jpg"]]]},
           {"name": "v2", "builder": "imagefolder", "default": false, "kwargs": {"drop_labels": false},
            "splits": [["train", ["cats/cat.jpg", "dogs/dog.jpg"]]]}])"},
      {"test_metadata_configs_dataset_card_data: README_METADATA_SINGLE_CONFIG",
       {"v1/train.csv", "v1/test.csv"},
       R"({"configs": [{"config_name": "custom", "data_dir": "v1", "drop_labels": true}]})",
       R"([{"name": "custom", "builder": "csv", "default": true, "kwargs": {"drop_labels": true},
            "splits": [["train", ["v1/train.csv"]], ["test", ["v1/test.csv"]]]}])"},
      {"test_metadata_configs_dataset_card_data: README_METADATA_TWO_CONFIGS_WITH_DEFAULT_FLAG",
       {"v1/a.csv", "v2/b.csv"},
       R"({"configs": [{"config_name": "v1", "data_dir": "v1", "drop_labels": true},
                       {"config_name": "v2", "data_dir": "v2", "drop_labels": false, "default": true}]})",
       R"([{"name": "v2", "builder": "csv", "default": true, "kwargs": {"drop_labels": false},
            "splits": [["train", ["v2/b.csv"]]]},
           {"name": "v1", "builder": "csv", "default": false, "kwargs": {"drop_labels": true},
            "splits": [["train", ["v1/a.csv"]]]}])"},
      {"test_metadata_configs_dataset_card_data: README_METADATA_TWO_CONFIGS_WITH_DEFAULT_NAME",
       {"custom/a.csv", "data/b.csv"},
       R"({"configs": [{"config_name": "custom", "data_dir": "custom", "drop_labels": true},
                       {"config_name": "default", "data_dir": "data", "drop_labels": false}]})",
       R"([{"name": "default", "builder": "csv", "default": true, "kwargs": {"drop_labels": false},
            "splits": [["train", ["data/b.csv"]]]},
           {"name": "custom", "builder": "csv", "default": false, "kwargs": {"drop_labels": true},
            "splits": [["train", ["custom/a.csv"]]]}])"},
      {"test_metadata_configs_dataset_card_data: README_METADATA_WITH_FEATURES",
       {"a.csv"},
       R"({"configs": [{"config_name": "default", "features": [{"name": "id", "dtype": "int64"}]}]})",
       R"([{"name": "default", "builder": "csv", "default": true,
            "features": [{"name": "id", "dtype": "int64"}], "splits": [["train", ["a.csv"]]]}])"},
      {"test_metadata_configs_incorrect_yaml: configs must be a list",
       {"a.csv"},
       R"({"configs": {"data_dir": "v1", "drop_labels": true}})",
       "ConfigNamesError"},
      {"MetadataConfigs.from_dataset_card_data: config_name is required",
       {"a.csv"},
       R"({"configs": [{"data_dir": "v1"}]})",
       "ConfigNamesError"},
      {"MetadataConfigs.from_dataset_card_data: empty configs mean none",
       {"a.csv"},
       R"({"configs": []})",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["a.csv"]]]}])"},
      {"get_default_config_name: several defaults are an error",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "default": true}, {"config_name": "b", "default": true}]})",
       "ConfigNamesError"},
      {"get_default_config_name: 'default' and default: true are two defaults",
       {"a.csv"},
       R"({"configs": [{"config_name": "default"}, {"config_name": "b", "default": true}]})",
       "ConfigNamesError"},
      {"get_default_config_name: no default, configs by name",
       {"a.csv"},
       R"({"configs": [{"config_name": "zz"}, {"config_name": "aa"}]})",
       R"([{"name": "aa", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "zz", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]}])"},
      {"HubDatasetModuleFactory: a single YAML dataset_info names the default",
       {"a.csv"},
       R"({"configs": [{"config_name": "zz"}, {"config_name": "aa"}], "dataset_info": {"config_name": "zz"}})",
       R"([{"name": "zz", "builder": "csv", "default": true, "splits": [["train", ["a.csv"]]]},
           {"name": "aa", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]}])"},
      {"sanitize_patterns: string, list, and list of {split, path}",
       {"a.csv", "b.csv", "c.csv", "d.csv"},
       R"({"configs": [{"config_name": "s", "data_files": "a.csv"},
                       {"config_name": "l", "data_files": ["b.csv", "a.csv"]},
                       {"config_name": "d", "data_files": [{"split": "test", "path": "c.csv"},
                                                           {"split": "train", "path": ["d.csv", "*.csv"]}]}]})",
       R"([{"name": "d", "builder": "csv", "default": false,
            "splits": [["test", ["c.csv"]], ["train", ["d.csv", "a.csv", "b.csv", "c.csv", "d.csv"]]]},
           {"name": "l", "builder": "csv", "default": false, "splits": [["train", ["b.csv", "a.csv"]]]},
           {"name": "s", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]}])"},
      {"_raise_if_data_files_field_not_valid: a split name must match _split_re",
       {"a.csv"},
       R"({"configs": [{"config_name": "x", "data_files": [{"split": "bad-split", "path": "a.csv"}]}]})",
       "ConfigNamesError"},
      {"_raise_if_data_files_field_not_valid: a dict is not allowed",
       {"a.csv"},
       R"({"configs": [{"config_name": "x", "data_files": {"train": "a.csv"}}]})",
       "ConfigNamesError"},
      {"sanitize_patterns: duplicated splits",
       {"a.csv"},
       R"({"configs": [{"config_name": "x", "data_files": [{"split": "train", "path": "a.csv"},
                                                          {"split": "train", "path": "a.csv"}]}]})",
       "ConfigNamesError"},
      {"sanitize_patterns: strings and dicts mixed",
       {"a.csv"},
       R"({"configs": [{"config_name": "x", "data_files": ["a.csv", {"split": "test", "path": "a.csv"}]}]})",
       "ConfigNamesError"},
      {"create_builder_configs_from_metadata_configs: builder kwargs pass through (sep)",
       {"a.csv"},
       R"({"configs": [{"config_name": "default", "data_files": "a.csv", "sep": ";"}]})",
       R"([{"name": "default", "builder": "csv", "default": true, "kwargs": {"sep": ";"},
            "splits": [["train", ["a.csv"]]]}])"},
      {"create_builder_configs_from_metadata_configs: YAML kwargs override the module's (.tsv sep)",
       {"a.tsv"},
       R"({"configs": [{"config_name": "default", "sep": ","}]})",
       R"([{"name": "default", "builder": "csv", "default": true, "kwargs": {"sep": ","},
            "splits": [["train", ["a.tsv"]]]}])"},
      {"BuilderConfig._resolve_data_files: data_files are relative to data_dir",
       {"sub/a.csv", "a.csv"},
       R"({"configs": [{"config_name": "default", "data_files": "*.csv"},
                       {"config_name": "sub", "data_dir": "sub", "data_files": "*.csv"}]})",
       R"([{"name": "default", "builder": "csv", "default": true, "splits": [["train", ["a.csv"]]]},
           {"name": "sub", "builder": "csv", "default": false, "splits": [["train", ["sub/a.csv"]]]}])"},
      {"HubDatasetModuleFactory: the module comes from the first config's data_files from the root",
       {"sub/a.csv"},
       R"({"configs": [{"config_name": "default", "data_dir": "sub", "data_files": "*.csv"}]})",
       "DataFilesNotFoundError"},
      {"HubDatasetModuleFactory: one module for all configs; YAML configs keep every data file",
       {"a.csv", "b/c.json", "b/d.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "a.csv"}, {"config_name": "b", "data_dir": "b"}]})",
       R"([{"name": "a", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "b", "builder": "csv", "default": false, "splits": [["train", ["b/c.json", "b/d.csv"]]]}])"},
      {"create_builder_configs_from_metadata_configs: an empty data_dir is EmptyDatasetError",
       {"a.csv"},
       R"({"configs": [{"config_name": "a"}, {"config_name": "b", "data_dir": "nope"}]})",
       "EmptyDatasetError"},
      {"BuilderConfig.__post_init__: bad characters in a config name",
       {"a.csv"},
       R"({"configs": [{"config_name": "a/b"}]})",
       "ConfigNamesError"},
      {"MetadataConfigs: a repeated config_name keeps its first place and last definition",
       {"a.csv", "b.csv"},
       R"({"configs": [{"config_name": "x", "data_files": "a.csv"}, {"config_name": "y", "data_files": "a.csv"},
                       {"config_name": "x", "data_files": "b.csv", "default": true}]})",
       R"([{"name": "x", "builder": "csv", "default": true, "splits": [["train", ["b.csv"]]]},
           {"name": "y", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]}])"},
      // --- Patterns that find nothing (test_fail_resolve_pattern_*, from_patterns).
      {"test_DataFilesList_from_patterns_raises_FileNotFoundError: in the module's config",
       {"a.csv"},
       R"({"configs": [{"config_name": "x", "data_files": "file_that_doesnt_exist.txt"}]})",
       "ConfigNamesError"},
      {"test_fail_resolve_pattern_in_dataset_repository: in another config, that config fails",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "a.csv"},
                       {"config_name": "b", "data_files": [{"split": "test", "path": "blablabla"}]}]})",
       R"([{"name": "a", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "b", "builder": "csv", "default": false, "splits": [], "error": "SplitNamesFromStreamingError"}])"},
      {"glob_translate: '**' inside a component fails that config",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "a.csv"}, {"config_name": "b", "data_files": "**.csv"}]})",
       R"([{"name": "a", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "b", "builder": "csv", "default": false, "splits": [], "error": "SplitNamesFromStreamingError"}])"},
      {"glob_translate: a glob outside the repository is still translated (and rejected)",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "a.csv"},
                       {"config_name": "b", "data_dir": "/abs", "data_files": "**.csv"}]})",
       R"([{"name": "a", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "b", "builder": "csv", "default": false, "splits": [], "error": "SplitNamesFromStreamingError"}])"},
      {"DataFilesList.from_patterns: a glob that finds nothing is an empty split",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "a.csv"}, {"config_name": "b", "data_files": "*.parquet"}]})",
       R"([{"name": "a", "builder": "csv", "default": false, "splits": [["train", ["a.csv"]]]},
           {"name": "b", "builder": "csv", "default": false, "splits": [["train", []]]}])"},
      {"is_relative_path: a URL is outside the repository",
       {"a.csv"},
       R"({"configs": [{"config_name": "a", "data_files": "https://example.com/a.csv"}]})",
       "ConfigNamesError"},
  };
  return rows;
}

TEST(DeriveLayout, Table) {
  for (const LayoutRow& row : layout_rows()) {
    json card = row.card[0] ? json::parse(row.card) : json();
    EXPECT_EQ(summarize(derive_layout(row.files, card)), expected_json(row.expected)) << row.source;
  }
}

// resolve_pattern's filters, seen through a probe config (a second config, so that a pattern
// finding nothing is not the module's error): the probe's "train" files but the anchor, or its
// error.
json probe(std::vector<std::string> files, const std::string& pattern,
           const std::string& data_dir = "") {
  files.push_back("anchor.txt");
  json probe = {{"config_name", "probe"}, {"data_files", pattern}};
  if (!data_dir.empty()) probe["data_dir"] = data_dir;
  json card = {{"configs", {{{"config_name", "anchor"}, {"data_files", "anchor.txt"}}, probe}}};
  LayoutResult result = derive_layout(files, card);
  if (!result.ok) return result.error.code;
  for (const ConfigLayout& config : result.layout.configs) {
    if (config.name != "probe") continue;
    if (config.error) return config.error->code;
    json listed = json::array();
    for (const std::string& file : config.splits.at(0).files) {
      if (file != "anchor.txt") listed.push_back(file);
    }
    return listed;
  }
  return nullptr;
}

struct ProbeRow {
  const char* source;
  const char* file;
  const char* pattern;
  const char* data_dir;
  bool listed;
};

const ProbeRow kProbeRows[] = {
    // test_is_unrequested_hidden_file_or_is_inside_unrequested_hidden_dir (.txt files there).
    {"hidden file, '**'", ".hidden_file.txt", "**", "", false},
    {"hidden file, '.*'", ".hidden_file.txt", ".*", "", true},
    {"hidden dir, '**'", ".hidden_dir/a.txt", "**", "", false},
    {"hidden dir, '.*/*'", ".hidden_dir/a.txt", ".*/*", "", true},
    {"hidden dir, '.hidden_dir/*'", ".hidden_dir/a.txt", ".hidden_dir/*", "", true},
    {"hidden file in hidden dir, '**'", ".hidden_dir/.hidden_file.txt", "**", "", false},
    {"hidden file in hidden dir, '.*/*'", ".hidden_dir/.hidden_file.txt", ".*/*", "", false},
    {"hidden file in hidden dir, '.*/.*'", ".hidden_dir/.hidden_file.txt", ".*/.*", "", true},
    {"hidden file in hidden dir, '.hidden_dir/*'", ".hidden_dir/.hidden_file.txt", ".hidden_dir/*",
     "", false},
    {"hidden file in hidden dir, '.hidden_dir/.*'", ".hidden_dir/.hidden_file.txt",
     ".hidden_dir/.*", "", true},
    // test_is_inside_unrequested_special_dir.
    {"special dir, '**'", "__pycache__/b.txt", "**", "", false},
    {"special dir, '*/b.txt'", "__pycache__/b.txt", "*/b.txt", "", false},
    {"special dir, '__pycache__/*'", "__pycache__/b.txt", "__pycache__/*", "", true},
    {"special dir, '__pycache__/*' (special file name)", "__pycache__/__b.txt", "__pycache__/*", "",
     true},
    {"special dir, '__*/*'", "__pycache__/__b.txt", "__*/*", "", true},
    {"a special file name is no special dir", "__b.txt", "*", "", true},
    // test_resolve_pattern_in_dataset_repository_returns_hidden_file_only_if_requested.
    {"'*dummy.txt' does not request a hidden file", ".dummy.txt", "*dummy.txt", "", false},
    {"'.dummy.txt' requests it", ".dummy.txt", ".dummy.txt", "", true},
    // test_resolve_pattern_in_dataset_repository_returns_hidden_dir_only_if_requested.
    {"'data/*dummy_subdir/train.txt'", "data/.dummy_subdir/train.txt",
     "data/*dummy_subdir/train.txt", "", false},
    {"'data/.dummy_subdir/train.txt'", "data/.dummy_subdir/train.txt",
     "data/.dummy_subdir/train.txt", "", true},
    {"'*/.dummy_subdir/train.txt'", "data/.dummy_subdir/train.txt", "*/.dummy_subdir/train.txt", "",
     true},
    // test_resolve_pattern_in_dataset_repository_hidden_base_path / _special_base_path.
    {"hidden base path", ".hidden/a.txt", "*", ".hidden", true},
    {"special base path", "__special__/a.txt", "*", "__special__", true},
    // test_resolve_pattern_in_dataset_repository_with_base_path.
    {"base path data/subdir", "data/subdir/train.txt", "**", "data/subdir", true},
    {"base path data/subdir2", "data/subdir/train.txt", "**", "data/subdir2", false},
    // FILES_TO_IGNORE minus the pattern's own file name (resolve_pattern).
    {"README.md is ignored by a glob", "docs/README.md", "docs/*", "", false},
    {"dataset_infos.json is listed when named", "dataset_infos.json", "dataset_infos.json", "",
     true},
    {"dataset_infos.json is ignored by a glob", "dataset_infos.json", "*.json", "", false},
    // The allowed extensions (a data extension among the dot-suffixes, case-sensitive).
    {"test_resolve_pattern_in_dataset_repository_with_extensions: .blablabla", "a.blablabla", "*",
     "", false},
    {".CSV is no data extension", "a.CSV", "*", "", false},
    {"lance metadata extensions are allowed", "a.manifest", "*", "", true},
};

TEST(DeriveLayout, ResolvePatternFilters) {
  for (const ProbeRow& row : kProbeRows) {
    json got = probe({row.file}, row.pattern, row.data_dir);
    json expected = row.listed ? json::array({row.file}) : json::array();
    EXPECT_EQ(got, expected) << row.source << ": '" << row.pattern << "' on '" << row.file << "'";
  }
}

TEST(DeriveLayout, MissingNonGlobPatternFailsOnlyItsConfig) {
  EXPECT_EQ(probe({"a.txt"}, "blablabla"), "SplitNamesFromStreamingError");  // test_fail_resolve_*
  EXPECT_EQ(probe({"notes.md"}, "notes.md"), "SplitNamesFromStreamingError");  // no data extension
  EXPECT_EQ(probe({"a.txt"}, "/abs/a.txt"), "SplitNamesFromStreamingError");   // not relative
}

TEST(DeriveLayout, DatasetScriptNamedAfterTheRepository) {
  // dataset_module_factory looks for "<name>.py"; without a name any root *.py counts.
  LayoutOptions options;
  options.dataset_name = "user/squad";
  EXPECT_EQ(derive_layout({"squad.py", "a.csv"}, json(), options).error.code,
            "DatasetWithScriptNotSupportedError");
  EXPECT_TRUE(derive_layout({"convert.py", "a.csv"}, json(), options).ok);
  EXPECT_FALSE(derive_layout({"convert.py", "a.csv"}, json()).ok);
}

TEST(DeriveLayout, ArchivesDecideTheModule) {
  // test_load.py::test_infer_module_for_data_files_in_archives: zip_csv_path,
  // zip_uppercase_csv_path, zip_unsupported_ext_path; at most 10 archives are opened.
  std::vector<std::string> opened;
  LayoutOptions options;
  options.list_archive = [&](const std::string& path) -> std::optional<std::vector<std::string>> {
    opened.push_back(path);
    if (path == "upper.zip") return std::vector<std::string>{"DATASET.CSV"};
    if (path == "other.zip") return std::vector<std::string>{"dataset.unsupported_ext"};
    return std::vector<std::string>{"dir", "dir/dataset.csv", "dir/dataset2.csv"};
  };
  EXPECT_EQ(summarize(derive_layout({"train.zip"}, json(), options)),
            json::parse(one_default("csv", R"([["train", ["train.zip"]]])")));
  EXPECT_EQ(summarize(derive_layout({"upper.zip"}, json(), options)),
            json::parse(one_default("csv", R"([["train", ["upper.zip"]]])")));
  EXPECT_EQ(derive_layout({"other.zip"}, json(), options).error.code, "DataFilesNotFoundError");
  opened.clear();
  std::vector<std::string> many;
  for (int i = 10; i < 22; ++i) many.push_back("part" + std::to_string(i) + ".zip");
  EXPECT_TRUE(derive_layout(many, json(), options).ok);
  EXPECT_EQ(opened.size(), kMaxArchivesForInference);
  options.list_archive = [](const std::string&) { return std::nullopt; };
  EXPECT_EQ(derive_layout({"a.zip"}, json(), options).error.code, "ConfigNamesError");
}

// ---------------------------------------------------------------------------------------------
// Limits.

TEST(DeriveLayout, SplitLimitFailsTheConfig) {
  // config/split_names.py: more than kMaxSplitsPerConfig splits.
  auto shards = [](size_t n) {
    std::vector<std::string> files;
    for (size_t i = 0; i < n; ++i)
      files.push_back("data/s" + std::to_string(100 + i) + "-00000-of-00001.csv");
    return files;
  };
  LayoutResult at_limit = derive_layout(shards(kMaxSplitsPerConfig), json());
  ASSERT_TRUE(at_limit.ok);
  EXPECT_EQ(at_limit.layout.configs[0].splits.size(), kMaxSplitsPerConfig);
  EXPECT_FALSE(at_limit.layout.configs[0].error);
  LayoutResult over = derive_layout(shards(kMaxSplitsPerConfig + 1), json());
  ASSERT_TRUE(over.ok);
  ASSERT_TRUE(over.layout.configs[0].error);
  EXPECT_EQ(over.layout.configs[0].error->code, "DatasetWithTooManySplitsError");
  EXPECT_TRUE(over.layout.configs[0].splits.empty());
}

TEST(DeriveLayout, ConfigLimit) {
  // dataset/config_names.py: more than kMaxConfigs configs.
  auto configs = [](size_t n) {
    json list = json::array();
    for (size_t i = 0; i < n; ++i)
      list.push_back({{"config_name", "c" + std::to_string(i)}, {"data_files", "a.csv"}});
    return json{{"configs", list}};
  };
  LayoutResult at_limit = derive_layout({"a.csv"}, configs(kMaxConfigs));
  ASSERT_TRUE(at_limit.ok);
  EXPECT_EQ(at_limit.layout.configs.size(), kMaxConfigs);
  EXPECT_EQ(derive_layout({"a.csv"}, configs(kMaxConfigs + 1)).error.code,
            "DatasetWithTooManyConfigsError");
}

TEST(DeriveLayout, FileListLimit) {
  std::vector<std::string> files(kMaxRepoFiles + 1, "a.csv");
  EXPECT_EQ(derive_layout(files, json()).error.code, "ConfigNamesError");
}

TEST(DeriveLayout, PatternBounds) {
  json long_pattern = {
      {"configs",
       {{{"config_name", "a"}, {"data_files", std::string(kMaxPatternBytes + 1, 'a')}}}}};
  EXPECT_EQ(derive_layout({"a.csv"}, long_pattern).error.code, "ConfigNamesError");
  json globs = json::array();
  for (size_t i = 0; i <= kMaxGlobPatterns; ++i) globs.push_back("*" + std::to_string(i));
  json many = {{"configs", {{{"config_name", "a"}, {"data_files", globs}}}}};
  EXPECT_EQ(derive_layout({"a.csv"}, many).error.code, "ConfigNamesError");
}

}  // namespace
}  // namespace vitrine::datasets
