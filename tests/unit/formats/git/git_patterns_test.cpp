// Unit tests for service/git_patterns: wildmatch, .gitattributes and .gitignore semantics.
#include "formats/git/git_patterns.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

struct WildCase {
  const char* text;
  const char* pattern;
  bool pathname_match;  // wildmatch(pattern, text, /*pathname=*/true)
  bool plain_match;     // wildmatch(pattern, text, /*pathname=*/false)
};

// The case-sensitive expectations of git's t3070-wildmatch.
constexpr WildCase kGitWildmatchCases[] = {
    {"foo", "foo", true, true},
    {"foo", "bar", false, false},
    {"", "", true, true},
    {"foo", "???", true, true},
    {"foo", "??", false, false},
    {"foo", "*", true, true},
    {"foo", "f*", true, true},
    {"foo", "*f", false, false},
    {"foo", "*foo*", true, true},
    {"foobar", "*ob*a*r*", true, true},
    {"aaaaaaabababab", "*ab", true, true},
    {"foo*", "foo\\*", true, true},
    {"foobar", "foo\\*bar", false, false},
    {"f\\oo", "f\\\\oo", true, true},
    {"ball", "*[al]?", true, true},
    {"ten", "[ten]", false, false},
    {"ten", "**[!te]", true, true},
    {"ten", "**[!ten]", false, false},
    {"ten", "t[a-g]n", true, true},
    {"ten", "t[!a-g]n", false, false},
    {"ton", "t[!a-g]n", true, true},
    {"ton", "t[^a-g]n", true, true},
    {"a]b", "a[]]b", true, true},
    {"a-b", "a[]-]b", true, true},
    {"a]b", "a[]-]b", true, true},
    {"aab", "a[]-]b", false, false},
    {"aab", "a[]a-]b", true, true},
    {"]", "]", true, true},
    {"foo/baz/bar", "foo*bar", false, true},
    {"foo/baz/bar", "foo**bar", false, true},
    {"foobazbar", "foo**bar", true, true},
    {"foo/baz/bar", "foo/**/bar", true, true},
    {"foo/baz/bar", "foo/**/**/bar", true, false},
    {"foo/b/a/z/bar", "foo/**/bar", true, true},
    {"foo/b/a/z/bar", "foo/**/**/bar", true, true},
    {"foo/bar", "foo/**/bar", true, false},
    {"foo/bar", "foo/**/**/bar", true, false},
    {"foo/bar", "foo?bar", false, true},
    {"foo/bar", "foo[/]bar", false, true},
    {"foo/bar", "foo[^a-z]bar", false, true},
    {"foo/bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r", false, true},
    {"foo-bar", "f[^eiu][^eiu][^eiu][^eiu][^eiu]r", true, true},
    {"foo", "**/foo", true, false},
    {"XXX/foo", "**/foo", true, true},
    {"bar/baz/foo", "**/foo", true, true},
    {"bar/baz/foo", "*/foo", false, true},
    {"foo/bar/baz", "**/bar*", false, true},
    {"deep/foo/bar/baz", "**/bar/*", true, true},
    {"deep/foo/bar/baz/", "**/bar/*", false, true},
    {"deep/foo/bar/baz/", "**/bar/**", true, true},
    {"deep/foo/bar", "**/bar/*", false, false},
    {"deep/foo/bar/", "**/bar/**", true, true},
    {"foo/bar/baz", "**/bar**", false, true},
    {"foo/bar/baz/x", "*/bar/**", true, true},
    {"deep/foo/bar/baz/x", "*/bar/**", false, true},
    {"deep/foo/bar/baz/x", "**/bar/*/*", true, true},
    {"acrt", "a[c-c]st", false, false},
    {"acrt", "a[c-c]rt", true, true},
    {"]", "[!]-]", false, false},
    {"a", "[!]-]", true, true},
    {"", "\\", false, false},
    {"\\", "\\", false, false},
    {"XXX/\\", "*/\\", false, false},
    {"XXX/\\", "*/\\\\", true, true},
    {"foo", "foo", true, true},
    {"@foo", "@foo", true, true},
    {"foo", "@foo", false, false},
    {"[ab]", "\\[ab]", true, true},
    {"[ab]", "[[]ab]", true, true},
    {"[ab]", "[[:]ab]", true, true},
    {"[ab]", "[[::]ab]", false, false},
    {"[ab]", "[[:digit]ab]", true, true},
    {"[ab]", "[\\[:]ab]", true, true},
    {"?a?b", "\\??\\?b", true, true},
    {"abc", "\\a\\b\\c", true, true},
    {"foo", "", false, false},
    {"foo/bar/baz/to", "**/t[o]", true, true},
    {"a1B", "[[:alpha:]][[:digit:]][[:upper:]]", true, true},
    {"a", "[[:digit:][:upper:][:space:]]", false, false},
    {"A", "[[:digit:][:upper:][:space:]]", true, true},
    {"1", "[[:digit:][:upper:][:space:]]", true, true},
    {"1", "[[:digit:][:upper:][:spaci:]]", false, false},
    {" ", "[[:digit:][:upper:][:space:]]", true, true},
    {".", "[[:digit:][:upper:][:space:]]", false, false},
    {".", "[[:digit:][:punct:][:space:]]", true, true},
    {"5", "[[:xdigit:]]", true, true},
    {"f", "[[:xdigit:]]", true, true},
    {"D", "[[:xdigit:]]", true, true},
    {"_",
     "[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:"
     "upper:][:xdigit:]]",
     true, true},
    {".", "[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]",
     true, true},
    {"5", "[a-c[:digit:]x-z]", true, true},
    {"b", "[a-c[:digit:]x-z]", true, true},
    {"y", "[a-c[:digit:]x-z]", true, true},
    {"q", "[a-c[:digit:]x-z]", false, false},
    {"]", "[\\\\-^]", true, true},
    {"[", "[\\\\-^]", false, false},
    {"-", "[\\-_]", true, true},
    {"]", "[\\]]", true, true},
    {"\\]", "[\\]]", false, false},
    {"\\", "[\\]]", false, false},
    {"ab", "a[]b", false, false},
    {"a[]b", "a[]b", false, false},
    {"ab[", "ab[", false, false},
    {"ab", "[!", false, false},
    {"ab", "[-", false, false},
    {"-", "[-]", true, true},
    {"-", "[a-", false, false},
    {"-", "[!a-", false, false},
    {"-", "[--A]", true, true},
    {"5", "[--A]", true, true},
    {" ", "[ --]", true, true},
    {"$", "[ --]", true, true},
    {"-", "[ --]", true, true},
    {"0", "[ --]", false, false},
    {"-", "[---]", true, true},
    {"-", "[------]", true, true},
    {"j", "[a-e-n]", false, false},
    {"-", "[a-e-n]", true, true},
    {"a", "[!------]", true, true},
    {"[", "[]-a]", false, false},
    {"^", "[]-a]", true, true},
    {"^", "[!]-a]", false, false},
    {"[", "[!]-a]", true, true},
    {"^", "[a^bc]", true, true},
    {"-b]", "[a-]b]", true, true},
    {"\\", "[\\]", false, false},
    {"\\", "[\\\\]", true, true},
    {"\\", "[!\\\\]", false, false},
    {"G", "[A-\\\\]", true, true},
    {"aaabbb", "b*a", false, false},
    {"aabcaa", "*ba*", false, false},
    {",", "[,]", true, true},
    {",", "[\\\\,]", true, true},
    {"\\", "[\\\\,]", true, true},
    {"-", "[,-.]", true, true},
    {"+", "[,-.]", false, false},
    {"-.]", "[,-.]", false, false},
    {"2", "[\\1-\\3]", true, true},
    {"3", "[\\1-\\3]", true, true},
    {"4", "[\\1-\\3]", false, false},
    {"\\", "[[-\\]]", true, true},
    {"[", "[[-\\]]", true, true},
    {"]", "[[-\\]]", true, true},
    {"-", "[[-\\]]", false, false},
    {"-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", "-*-*-*-*-*-*-12-*-*-*-m-*-*-*",
     true, true},
    {"-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", "-*-*-*-*-*-*-12-*-*-*-m-*-*-*",
     false, false},
    {"-adobe-courier-bold-o-normal--12-120-75-75-/-70-iso8859-1", "-*-*-*-*-*-*-12-*-*-*-m-*-*-*",
     false, false},
    {"XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1",
     "XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", true, true},
    {"XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1",
     "XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", false, false},
    {"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", "**/*a*b*g*n*t", true, true},
    {"abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", "**/*a*b*g*n*t", false, false},
    {"foo", "*/*/*", false, false},
    {"foo/bar", "*/*/*", false, false},
    {"foo/bba/arr", "*/*/*", true, true},
    {"foo/bb/aa/rr", "*/*/*", false, true},
    {"foo/bb/aa/rr", "**/**/**", true, true},
    {"abcXdefXghi", "*X*i", true, true},
    {"ab/cXd/efXg/hi", "*X*i", false, true},
    {"ab/cXd/efXg/hi", "*/*X*/*/*i", true, true},
    {"ab/cXd/efXg/hi", "**/*X*/**/*i", true, true},
    {"foo", "fo", false, false},
    {"foo/bar", "foo/bar", true, true},
    {"foo/bar", "foo/*", true, true},
    {"foo/bba/arr", "foo/*", false, true},
    {"foo/bba/arr", "foo/**", true, true},
    {"foo/bba/arr", "foo*", false, true},
    {"foo/bba/arr", "foo**", false, true},
    {"foo/bba/arr", "foo/*arr", false, true},
    {"foo/bba/arr", "foo/**arr", false, true},
    {"foo/bba/arr", "foo/*z", false, false},
    {"foo/bba/arr", "foo/**z", false, false},
    {"foo/bar", "foo?bar", false, true},
    {"foo/bar", "foo[/]bar", false, true},
    {"foo/bar", "foo[^a-z]bar", false, true},
    {"ab/cXd/efXg/hi", "*Xg*i", false, true},
    {"a", "[A-Z]", false, false},
    {"A", "[A-Z]", true, true},
    {"A", "[a-z]", false, false},
    {"a", "[a-z]", true, true},
    {"a", "[[:upper:]]", false, false},
    {"A", "[[:upper:]]", true, true},
    {"A", "[[:lower:]]", false, false},
    {"a", "[[:lower:]]", true, true},
    {"A", "[B-Za]", false, false},
    {"a", "[B-Za]", true, true},
    {"A", "[B-a]", false, false},
    {"a", "[B-a]", true, true},
    {"z", "[Z-y]", false, false},
    {"Z", "[Z-y]", true, true},
};

TEST(Wildmatch, AgreesWithGit) {
  for (const WildCase& c : kGitWildmatchCases) {
    EXPECT_EQ(wildmatch(c.pattern, c.text, true), c.pathname_match)
        << "pattern '" << c.pattern << "' text '" << c.text << "' (pathname)";
    EXPECT_EQ(wildmatch(c.pattern, c.text, false), c.plain_match)
        << "pattern '" << c.pattern << "' text '" << c.text << "'";
  }
}

TEST(Wildmatch, HubDefaultPatterns) {
  EXPECT_TRUE(wildmatch("*.bin", "pytorch_model.bin", true));
  EXPECT_FALSE(wildmatch("*.bin", "a/b.bin", true));  // '*' stops at '/'
  EXPECT_TRUE(wildmatch("*.bin", "a/b.bin", false));
  EXPECT_TRUE(wildmatch("saved_model/**/*", "saved_model/x.pb", true));
  EXPECT_TRUE(wildmatch("saved_model/**/*", "saved_model/variables/v.data", true));
  EXPECT_FALSE(wildmatch("saved_model/**/*", "other/saved_model/x.pb", true));
  EXPECT_FALSE(wildmatch("saved_model/**/*", "saved_model", true));
  EXPECT_TRUE(wildmatch("*.tar.*", "data.tar.gz", true));
  EXPECT_FALSE(wildmatch("*.tar.*", "data.tar", true));
  EXPECT_TRUE(wildmatch("*tfevents*", "events.out.tfevents.1700000000.host", true));
  EXPECT_TRUE(wildmatch("*.lfs.*", "test.lfs.txt", true));
}

TEST(Wildmatch, DoubleStarPositions) {
  EXPECT_TRUE(wildmatch("**", "a/b/c", true));
  EXPECT_TRUE(wildmatch("a/**", "a/b/c", true));
  EXPECT_FALSE(wildmatch("a/**", "a", true));
  EXPECT_TRUE(wildmatch("a/**/b", "a/b", true));
  EXPECT_TRUE(wildmatch("a/**/b", "a/x/y/b", true));
  EXPECT_FALSE(wildmatch("a/**/b", "a/x/y/c", true));
  EXPECT_TRUE(wildmatch("**/x", "x", true));
  EXPECT_TRUE(wildmatch("**/x", "p/q/x", true));
  EXPECT_FALSE(wildmatch("a**b/c", "ax/yb/c", true));  // "**" inside a component is '*'
}

TEST(Wildmatch, PathologicalPatternTerminatesQuickly) {
  std::string text(200, 'a');
  EXPECT_FALSE(wildmatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text, true));
  EXPECT_FALSE(wildmatch("**/**/**/**/**/**/**/**/b", std::string(60, 'a') + "/c", true));
}

TEST(GitAttributes, DefaultsTrackHubPatterns) {
  auto attrs = GitAttributes::parse(default_gitattributes(false));
  for (const char* path :
       {"model.bin", "a/b/model.bin", "x.pkl", "weights.safetensors", "test.lfs.txt",
        "archive.tar.gz", "archive.tar", "runs/events.out.tfevents.1.h",
        "saved_model/variables/variables.data-00000-of-00001", "saved_model/x.pb",
        "dir/data.parquet"}) {
    EXPECT_TRUE(attrs.is_lfs(path)) << path;
  }
  for (const char* path : {"README.md", "config.json", "bin", "model.bin.txt", ".gitattributes",
                           "image.png", "sub/saved_model_x/y.txt"}) {
    EXPECT_FALSE(attrs.is_lfs(path)) << path;
  }
}

TEST(GitAttributes, DatasetDefaultsAddMedia) {
  auto model = GitAttributes::parse(default_gitattributes(false));
  auto dataset = GitAttributes::parse(default_gitattributes(true));
  for (const char* path : {"a.mp3", "b.ogg", "c.wav", "d.flac", "e.jpg", "f.jpeg", "g.png",
                           "h.webp", "i.gif", "j.mp4", "k.lz4", "l.mds", "m.webm", "n.tiff"}) {
    EXPECT_TRUE(dataset.is_lfs(path)) << path;
    EXPECT_FALSE(model.is_lfs(path)) << path;
  }
  EXPECT_TRUE(dataset.is_lfs("x.parquet"));
  EXPECT_FALSE(dataset.is_lfs("data.jsonl"));
}

TEST(GitAttributes, DefaultTextFormat) {
  std::string text = default_gitattributes(false);
  EXPECT_EQ(text.substr(0, 40), "*.7z filter=lfs diff=lfs merge=lfs -text");
  EXPECT_NE(text.find("\nsaved_model/**/* filter=lfs diff=lfs merge=lfs -text\n"),
            std::string::npos);
  EXPECT_TRUE(text.ends_with("*tfevents* filter=lfs diff=lfs merge=lfs -text\n"));
  EXPECT_EQ(text.find('#'), std::string::npos);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 35u);
  std::string dataset = default_gitattributes(true);
  EXPECT_NE(dataset.find("*.lfs.* filter=lfs diff=lfs merge=lfs -text\n"
                         "*.lz4 filter=lfs diff=lfs merge=lfs -text\n"
                         "*.mds filter=lfs diff=lfs merge=lfs -text\n"),
            std::string::npos);
  EXPECT_NE(dataset.find("\n# Audio files - uncompressed\n"), std::string::npos);
  EXPECT_TRUE(dataset.starts_with(text.substr(0, text.find("*.lfs.*"))));
}

TEST(GitAttributes, LastMatchingLineWins) {
  auto attrs = GitAttributes::parse(
      "*.bin filter=lfs diff=lfs merge=lfs -text\n"
      "small.bin -filter\n"
      "keep/*.bin !filter\n"
      "other.bin filter=custom\n"
      "set.bin filter\n"
      "*.txt text\n");  // a later line without filter does not reset it
  EXPECT_TRUE(attrs.is_lfs("model.bin"));
  EXPECT_TRUE(attrs.is_lfs("x.txt.bin"));
  EXPECT_FALSE(attrs.is_lfs("small.bin"));
  EXPECT_FALSE(attrs.is_lfs("dir/small.bin"));
  EXPECT_FALSE(attrs.is_lfs("keep/a.bin"));
  EXPECT_TRUE(attrs.is_lfs("keep/sub/a.bin"));  // '*' does not cross '/'
  EXPECT_FALSE(attrs.is_lfs("other.bin"));
  EXPECT_FALSE(attrs.is_lfs("set.bin"));

  auto relinked = GitAttributes::parse("big.dat -filter\n*.dat filter=lfs\n");
  EXPECT_TRUE(relinked.is_lfs("big.dat"));
}

TEST(GitAttributes, AnchoredAndBasenamePatterns) {
  auto attrs = GitAttributes::parse(
      "# comment line\n"
      "\n"
      "   \t\n"
      "/root.dat filter=lfs\n"
      "data/*.csv filter=lfs\n"
      "deep/**/*.raw filter=lfs\n"
      "weights filter=lfs\n"
      "dir/ filter=lfs\n"
      "[attr]binary -diff -merge -text\n"
      "\"quoted file\" filter=lfs\r\n"
      "*.crlf filter=lfs\r\n");
  EXPECT_TRUE(attrs.is_lfs("root.dat"));
  EXPECT_FALSE(attrs.is_lfs("sub/root.dat"));
  EXPECT_TRUE(attrs.is_lfs("data/a.csv"));
  EXPECT_FALSE(attrs.is_lfs("data/x/a.csv"));
  EXPECT_FALSE(attrs.is_lfs("other/data/a.csv"));
  EXPECT_TRUE(attrs.is_lfs("deep/a.raw"));
  EXPECT_TRUE(attrs.is_lfs("deep/x/y/a.raw"));
  EXPECT_TRUE(attrs.is_lfs("weights"));
  EXPECT_TRUE(attrs.is_lfs("a/b/weights"));
  EXPECT_FALSE(attrs.is_lfs("weights/file"));  // attributes do not recurse into directories
  EXPECT_FALSE(attrs.is_lfs("dir/file"));      // directory patterns never match files
  EXPECT_TRUE(attrs.is_lfs("x.crlf"));
  EXPECT_FALSE(attrs.is_lfs("#"));
}

TEST(GitAttributes, EmptyTracksNothing) {
  auto attrs = GitAttributes::parse("");
  EXPECT_FALSE(attrs.is_lfs("model.bin"));
}

TEST(GitIgnore, NestedStarIgnoresFilesInside) {
  auto ignore = GitIgnore::parse("nested/*\n");
  EXPECT_TRUE(ignore.is_ignored("nested/file.bin"));
  EXPECT_TRUE(ignore.is_ignored("nested/sub/file.bin"));  // its parent nested/sub is ignored
  EXPECT_FALSE(ignore.is_ignored("nested"));
  EXPECT_FALSE(ignore.is_ignored("other/nested/file.bin"));  // anchored: has a slash
  EXPECT_FALSE(ignore.is_ignored("file.bin"));
}

TEST(GitIgnore, NegationAndLastMatchWins) {
  auto ignore = GitIgnore::parse("*.log\n!keep.log\n");
  EXPECT_TRUE(ignore.is_ignored("a.log"));
  EXPECT_TRUE(ignore.is_ignored("dir/b.log"));
  EXPECT_FALSE(ignore.is_ignored("keep.log"));
  EXPECT_FALSE(ignore.is_ignored("dir/keep.log"));
  EXPECT_FALSE(ignore.is_ignored("a.txt"));

  auto reversed = GitIgnore::parse("!keep.log\n*.log\n");
  EXPECT_TRUE(reversed.is_ignored("keep.log"));
}

TEST(GitIgnore, DirectoryOnlyPatterns) {
  auto ignore = GitIgnore::parse("build/\n");
  EXPECT_TRUE(ignore.is_ignored("build/out.o"));
  EXPECT_TRUE(ignore.is_ignored("src/build/out.o"));  // no slash before the trailing one
  EXPECT_FALSE(ignore.is_ignored("build"));           // a file named build
  EXPECT_FALSE(ignore.is_ignored("builds/x"));
}

TEST(GitIgnore, CannotReincludeUnderExcludedDirectory) {
  auto ignore = GitIgnore::parse("cache/\n!cache/keep.txt\n");
  EXPECT_TRUE(ignore.is_ignored("cache/keep.txt"));
  EXPECT_TRUE(ignore.is_ignored("cache/other.txt"));

  // Re-including works when the directory itself is not excluded, only its contents.
  auto contents = GitIgnore::parse("cache/*\n!cache/keep.txt\n");
  EXPECT_FALSE(contents.is_ignored("cache/keep.txt"));
  EXPECT_TRUE(contents.is_ignored("cache/other.txt"));
}

TEST(GitIgnore, AnchoredPatterns) {
  auto ignore = GitIgnore::parse("/root.txt\ndocs/*.md\n**/tmp\nlogs/**\n");
  EXPECT_TRUE(ignore.is_ignored("root.txt"));
  EXPECT_FALSE(ignore.is_ignored("sub/root.txt"));
  EXPECT_TRUE(ignore.is_ignored("docs/a.md"));
  EXPECT_FALSE(ignore.is_ignored("docs/sub/a.md"));
  EXPECT_FALSE(ignore.is_ignored("x/docs/a.md"));
  EXPECT_TRUE(ignore.is_ignored("tmp"));
  EXPECT_TRUE(ignore.is_ignored("a/b/tmp/file"));
  EXPECT_TRUE(ignore.is_ignored("logs/a/b.txt"));
  EXPECT_FALSE(ignore.is_ignored("logs"));
}

TEST(GitIgnore, CommentsEscapesAndWhitespace) {
  auto ignore = GitIgnore::parse(
      "# a comment\n"
      "\n"
      "\\#hash\n"
      "\\!bang\n"
      "trailing   \n"
      "escaped\\ \n"
      "crlf.txt\r\n");
  EXPECT_FALSE(ignore.is_ignored("# a comment"));
  EXPECT_TRUE(ignore.is_ignored("#hash"));
  EXPECT_TRUE(ignore.is_ignored("!bang"));
  EXPECT_TRUE(ignore.is_ignored("trailing"));
  EXPECT_TRUE(ignore.is_ignored("escaped "));
  EXPECT_TRUE(ignore.is_ignored("crlf.txt"));
  EXPECT_FALSE(ignore.is_ignored("a comment"));
}

TEST(GitIgnore, EmptyIgnoresNothing) {
  EXPECT_FALSE(GitIgnore::parse("").is_ignored("anything"));
  EXPECT_FALSE(GitIgnore::parse("\n# only comments\n").is_ignored("x"));
}

}  // namespace
}  // namespace vitrine::service
