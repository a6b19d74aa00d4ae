// Unit tests for service/card_renderer: GFM rendering, the sanitizer's rules against injection,
// relative URLs, heading ids, broken Markdown and YAML, size and nesting bounds.
#include "formats/card/card_renderer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>

#include "../../fuzz/card_html_invariants.hpp"

namespace vitrine::service {
namespace {

RenderOptions opts() {
  RenderOptions o;
  o.repo_path = "/alice/bert";
  o.revision = "0123abcd";
  return o;
}

std::string render(std::string_view md) {
  auto html = render_card(md, opts()).html;
  EXPECT_EQ(fuzz::card_html_violation(html), "") << html;
  return html;
}

std::string sanitize(std::string_view html) {
  auto out = sanitize_card_html(html, opts());
  EXPECT_EQ(fuzz::card_html_violation(out), "") << out;
  return out;
}

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// No executable markup: what every injection test asserts on top of its specific check.
void expect_inert(const std::string& html) {
  std::string l = lower(html);
  EXPECT_FALSE(has(l, "<script")) << html;
  EXPECT_FALSE(has(l, "<iframe")) << html;
  EXPECT_FALSE(has(l, "<svg")) << html;
  EXPECT_FALSE(has(l, "<style")) << html;
  EXPECT_FALSE(has(l, " on")) << html;  // no on* attribute (nor " on" in these texts)
  EXPECT_FALSE(has(l, "style=")) << html;
  EXPECT_FALSE(has(l, "href=\"javascript")) << html;
  EXPECT_FALSE(has(l, "src=\"javascript")) << html;
  EXPECT_FALSE(has(l, "data:text")) << html;
}

TEST(CardRenderer, GfmTable) {
  auto html = render("| a | b |\n|:-|:-:|\n| 1 | 2 |\n");
  EXPECT_TRUE(has(html, "<table>")) << html;
  EXPECT_TRUE(has(html, "<th align=\"left\">a</th>")) << html;
  EXPECT_TRUE(has(html, "<td align=\"center\">2</td>")) << html;
}

TEST(CardRenderer, GfmTaskListStrikethroughAutolink) {
  auto html = render("- [x] done\n- [ ] todo\n\n~~old~~ and www.example.org and https://a.org/x\n");
  EXPECT_TRUE(has(html, "<input type=\"checkbox\" checked=\"\" disabled=\"\" />")) << html;
  EXPECT_TRUE(has(html, "<input type=\"checkbox\" disabled=\"\" />")) << html;
  EXPECT_TRUE(has(html, "<del>old</del>")) << html;
  EXPECT_TRUE(has(html, "<a href=\"http://www.example.org\" rel=\"nofollow noopener noreferrer\">"))
      << html;
  EXPECT_TRUE(has(html, "<a href=\"https://a.org/x\" rel=\"nofollow noopener noreferrer\">"))
      << html;
}

TEST(CardRenderer, CodeBlockKeepsOnlyTheLanguageClass) {
  auto html = render("```python\nprint('<b>')\n```\n");
  EXPECT_TRUE(has(html, "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>"))
      << html;
  EXPECT_EQ(sanitize("<code class=\"language-x evil\">a</code>"), "<code>a</code>");
  EXPECT_EQ(sanitize("<code class=\"hljs\">a</code>"), "<code>a</code>");
  EXPECT_EQ(sanitize("<pre lang=\"x\" class=\"y\">a</pre>"), "<pre>a</pre>");
}

TEST(CardRenderer, HeadingIdsAreSlugsAndUnique) {
  auto html = render(
      "# Model Details\n## Model Details\n## Model Details\n### Uses: `pip` & co!\n"
      "## Modèle\n## !!!\n");
  EXPECT_TRUE(has(html, "<h1 id=\"model-details\">")) << html;
  EXPECT_TRUE(has(html, "<h2 id=\"model-details-1\">")) << html;
  EXPECT_TRUE(has(html, "<h2 id=\"model-details-2\">")) << html;
  EXPECT_TRUE(has(html, "<h3 id=\"uses-pip--co\">")) << html;
  EXPECT_TRUE(has(html, "<h2 id=\"modèle\">")) << html;
  EXPECT_TRUE(has(html, "<h2 id=\"section\">")) << html;
  EXPECT_EQ(heading_slug(std::string(500, 'a')).size(), 100u);
}

TEST(CardRenderer, FrontMatterSplitOff) {
  auto card = render_card("---\nlicense: mit\ntags: [a]\n---\n# Title\n", opts());
  EXPECT_TRUE(card.front_matter);
  EXPECT_EQ(card.metadata, nlohmann::json::parse(R"({"license":"mit","tags":["a"]})"));
  EXPECT_EQ(card.yaml_error, "");
  EXPECT_EQ(card.html, "<h1 id=\"title\">Title</h1>\n");
}

TEST(CardRenderer, BrokenYamlStillRendersTheBody) {
  auto card = render_card("\xEF\xBB\xBF---\nlicense: [mit\n---\n**bold**\n", opts());
  EXPECT_TRUE(card.front_matter);
  EXPECT_NE(card.yaml_error, "");
  EXPECT_EQ(card.metadata, nlohmann::json::object());
  EXPECT_EQ(card.html, "<p><strong>bold</strong></p>\n");
  // Unterminated front matter is Markdown (a rule, then text), as in huggingface_hub.
  auto open = render_card("---\nlicense: mit\n", opts());
  EXPECT_FALSE(open.front_matter);
  EXPECT_TRUE(has(open.html, "<hr />")) << open.html;
}

TEST(CardRenderer, RawHtmlIsDropped) {
  for (const char* md : {
           "<script>alert(1)</script>\n",
           "text <script>alert(1)</script> inline\n",
           "<img src=x onerror=alert(1)>\n",
           "para <img src=x onerror=alert(1)> inline\n",
           "<a href=\"&#106;avascript:alert(1)\">x</a>\n",
           "<iframe src=\"https://evil.example\"></iframe>\n",
           "<svg onload=alert(1)>\n",
           "<style>body{display:none}</style>\n",
           "<div style=\"position:fixed\" onclick=\"alert(1)\">x</div>\n",
           "<details open ontoggle=alert(1)>\n",
       }) {
    auto html = render(md);
    expect_inert(html);
    EXPECT_FALSE(has(html, "alert(1)</script>")) << md;
  }
}

TEST(CardRenderer, DangerousLinkSchemes) {
  for (const char* md : {
           "[a](javascript:alert(1))\n",
           "[a](JaVaScRiPt:alert(1))\n",
           "[a](jav&#x09;ascript:alert(1))\n",
           "[a](jav&#x0A;ascript:alert(1))\n",
           "[a](&#106;&#97;vascript:alert(1))\n",
           "[a](javascript&colon;alert(1))\n",
           "[a](%20javascript:alert(1))\n",
           "[a]( vbscript:msgbox(1))\n",
           "[a](data:text/html;base64,PHNjcmlwdD4=)\n",
           "![a](data:text/html;base64,PHNjcmlwdD4=)\n",
           "![a](javascript:alert(1))\n",
           "<javascript:alert(1)>\n",
           "[a]: javascript:alert(1)\n\n[x][a]\n",
           "[a](file:///etc/passwd)\n",
       }) {
    auto html = render(md);
    expect_inert(html);
    EXPECT_FALSE(has(lower(html), "href=\"vbscript")) << md;
    EXPECT_FALSE(has(lower(html), "href=\"file")) << md;
  }
  EXPECT_TRUE(has(render("[a](mailto:x@example.org)"), "href=\"mailto:x@example.org\""));
}

// The sanitizer alone, fed what cmark would never emit (defence in depth).
TEST(CardSanitizer, InjectionVectorsInRawHtml) {
  EXPECT_EQ(sanitize("<script>alert(1)</script>ok"), "ok");
  EXPECT_EQ(sanitize("<SCRIPT SRC=//x.js></SCRIPT >ok"), "ok");
  EXPECT_EQ(sanitize("<img src=x onerror=alert(1)>"),
            "<img src=\"/alice/bert/resolve/0123abcd/x\" />");
  EXPECT_EQ(sanitize("<a href=\"&#106;avascript:alert(1)\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<a href=\"jav&#x09;ascript:alert(1)\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<a href=\"jav&Tab;ascript&colon;alert(1)\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<a href=\"&#x6A&#x61vascript:alert(1)\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<a href=\"\x01javascript:alert(1)\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(
      sanitize("<a href='https://ok.org/?a=1&amp;b=\"2' onclick=x target=_blank>x</a>"),
      "<a href=\"https://ok.org/?a=1&amp;b=&quot;2\" rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<iframe src=x>inner</iframe>after"), "after");
  EXPECT_EQ(sanitize("<svg onload=alert(1)><script>x</script></svg>t"), "t");
  EXPECT_EQ(sanitize("<style>*{}</style><p style=\"x\" class=\"y\" id=\"z\">t</p>"), "<p>t</p>");
  EXPECT_EQ(sanitize("<div onmouseover=\"x\">t</div>"), "t");
  EXPECT_EQ(sanitize("<input type=\"text\" value=\"x\"><input type=checkbox checked>"),
            "<input type=\"checkbox\" checked=\"\" disabled=\"\" />");
  EXPECT_EQ(sanitize("<!-- <script>x</script> -->t<!doctype html><?php x ?>"), "t");
  EXPECT_EQ(sanitize("a < b > c & d &amp; &#60; &bogus"),
            "a &lt; b &gt; c &amp; d &amp; &#60; &amp;bogus");
  EXPECT_EQ(sanitize("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"),
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" />");
  EXPECT_EQ(sanitize("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"), "<img />");
  EXPECT_EQ(sanitize("<a href=\"data:image/png;base64,AAAA\">x</a>"),
            "<a rel=\"nofollow noopener noreferrer\">x</a>");
  EXPECT_EQ(sanitize("<ol start=\"3\" type=\"i\"><li>x</li></ol><ol start=\"-1\"></ol>"),
            "<ol start=\"3\"><li>x</li></ol><ol></ol>");
  EXPECT_EQ(sanitize("<td align=\"center\" style=\"x\">a</td><th align=\"javascript:\">b</th>"),
            "<td align=\"center\">a</td><th>b</th>");
  EXPECT_EQ(sanitize("<img src=x alt=\"&quot;><script>\">"),
            "<img src=\"/alice/bert/resolve/0123abcd/x\" alt=\"&quot;&gt;&lt;script&gt;\" />");
  EXPECT_EQ(sanitize("<a href=\"x\"<script>"),
            "<a href=\"/alice/bert/blob/0123abcd/x\" rel=\"nofollow noopener noreferrer\"></a>");
}

TEST(CardSanitizer, BalancesElements) {
  EXPECT_EQ(sanitize("</div></p><em><strong>x</em>y"), "<em><strong>x</strong></em>y");
  EXPECT_EQ(sanitize("<blockquote><p>x"), "<blockquote><p>x</p></blockquote>");
  EXPECT_EQ(sanitize("<br></br><hr/>"), "<br /><hr />");
}

TEST(CardRenderer, RelativeUrlsResolveInsideTheRepository) {
  EXPECT_TRUE(has(render("![x](figure.png)"),
                  "<img src=\"/alice/bert/resolve/0123abcd/figure.png\" alt=\"x\" />"));
  EXPECT_TRUE(
      has(render("[x](docs/a.md#usage)"), "href=\"/alice/bert/blob/0123abcd/docs/a.md#usage\""));
  EXPECT_TRUE(
      has(render("[x](./docs/../b.md?x=1)"), "href=\"/alice/bert/blob/0123abcd/b.md?x=1\""));
  EXPECT_TRUE(has(render("![x](../../../../etc/passwd)"),
                  "src=\"/alice/bert/resolve/0123abcd/etc/passwd\""));
  EXPECT_TRUE(has(render("[x](%2e%2e/%2E%2e/x)"), "href=\"/alice/bert/blob/0123abcd/x\""));
  EXPECT_TRUE(
      has(sanitize("<a href=\"a\\..\\..\\b\">x</a>"), "href=\"/alice/bert/blob/0123abcd/b\""));
  EXPECT_TRUE(has(render("[x](..)"), "href=\"/alice/bert/tree/0123abcd\""));
  EXPECT_TRUE(has(render("[x](#usage)"), "href=\"#usage\""));
  EXPECT_TRUE(has(render("[x](/bob/other)"), "href=\"/bob/other\""));
  EXPECT_TRUE(has(render("[x](https://hf.co/a/../b)"), "href=\"https://hf.co/a/../b\""));
  RenderOptions dataset;
  dataset.repo_path = "/datasets/alice/wiki";
  dataset.revision = "refs/pr/1";
  EXPECT_TRUE(has(render_card("![x](<a b.png>)", dataset).html,
                  "src=\"/datasets/alice/wiki/resolve/refs%2Fpr%2F1/a%20b.png\""));
}

TEST(CardRenderer, RelativeUrlsOfAFileInAFolderResolveFromThatFolder) {
  RenderOptions nested = opts();
  nested.base_dir = "docs/guide";
  auto html = [&](std::string_view md) { return render_card(md, nested).html; };
  EXPECT_TRUE(
      has(html("![x](fig.png)"), "src=\"/alice/bert/resolve/0123abcd/docs/guide/fig.png\""));
  EXPECT_TRUE(
      has(html("[x](../api.md#top)"), "href=\"/alice/bert/blob/0123abcd/docs/api.md#top\""));
  // Climbing stops at the repository's root.
  EXPECT_TRUE(has(html("[x](../../../../x.md)"), "href=\"/alice/bert/blob/0123abcd/x.md\""));
  EXPECT_TRUE(has(html("[x](.)"), "href=\"/alice/bert/blob/0123abcd/docs/guide\""));
  EXPECT_TRUE(has(html("[x](/bob/other)"), "href=\"/bob/other\""));
  EXPECT_TRUE(has(html("[x](#usage)"), "href=\"#usage\""));
  // A folder name is a path, not a URL: "?", "#", "%" and spaces in it are encoded.
  nested.base_dir = "a?b/c#d/e%f g";
  EXPECT_TRUE(
      has(html("![x](p.png)"), "src=\"/alice/bert/resolve/0123abcd/a%3Fb/c%23d/e%25f%20g/p.png\""));
}

TEST(CardRenderer, BrokenMarkdown) {
  expect_inert(render("```js\n<script>alert(1)</script>\n"));  // unclosed fence
  EXPECT_TRUE(has(render("```js\nx\n"), "<code class=\"language-js\">x\n</code>"));
  render("[unclosed](http://x\n**bold *em ~~del\n| a |\n|---\n<a href=\"x\n");
  render("* \n  * \n\t\t* x\n>\n>>\n1. \n2) x\n");
}

TEST(CardRenderer, DeepNestingIsBoundedAndFast) {
  auto started = std::chrono::steady_clock::now();
  std::string quotes(10000, '>');
  quotes += " deep\n";
  auto html = render(quotes);
  EXPECT_TRUE(has(html, "deep"));
  std::string lists;
  for (int i = 0; i < 10000; ++i) lists += "- ";
  lists += "x\n";
  render(lists);
  std::string indented;
  for (int i = 0; i < 2000; ++i) indented += std::string(static_cast<size_t>(i) * 2, ' ') + "- x\n";
  render(indented);
  render(std::string(100000, '[') + std::string(100000, ']'));
  render(std::string(100000, '*') + "a" + std::string(100000, '*'));
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 10.0);
  // At most kMaxHtmlDepth elements deep: the text stays, deeper tags go.
  size_t open = 0, max_open = 0;
  for (size_t i = 0; i + 1 < html.size(); ++i) {
    if (html[i] == '<' && html[i + 1] != '/') max_open = std::max(max_open, ++open);
    if (html[i] == '<' && html[i + 1] == '/') --open;
  }
  EXPECT_LE(max_open, kMaxHtmlDepth);
  // A heading dropped for depth does not shift the ids of the following ones.
  auto ids = render(std::string(200, '>') + " # deep\n\n# Next\n");
  EXPECT_TRUE(has(ids, "<h1 id=\"next\">Next</h1>")) << ids;
}

TEST(CardRenderer, InvalidUtf8AndNul) {
  auto card = render_card(std::string("# T\xff\xfe\n\nab\0cd \xc3\n", 16), opts());
  EXPECT_EQ(fuzz::card_html_violation(card.html), "");
  EXPECT_TRUE(has(card.html, "\xEF\xBF\xBD")) << card.html;  // U+FFFD
  EXPECT_FALSE(has(card.html, "\xff"));
  EXPECT_NO_THROW((void)nlohmann::json(card.html).dump());
}

TEST(CardRenderer, OversizedReadmeIsCutWithANote) {
  RenderOptions small = opts();
  small.max_bytes = 1000;
  std::string md = "# Big\n\n" + std::string(2000, 'x') + "\n";
  auto card = render_card(md, small);
  EXPECT_TRUE(card.truncated);
  EXPECT_TRUE(has(card.html, "only its beginning is shown")) << card.html;
  EXPECT_LT(card.html.size(), 1200u);
  // A cut inside a UTF-8 sequence drops the partial character.
  small.max_bytes = 8;
  EXPECT_FALSE(has(render_card("# T \xc3\xa9\xc3\xa9", small).html, "\xEF\xBF\xBD"));
  EXPECT_FALSE(render_card("# Small\n", opts()).truncated);
}

TEST(CardRenderer, HtmlExpansionIsBounded) {
  RenderOptions small = opts();
  small.max_html_bytes = 200;
  std::string md;
  for (int i = 0; i < 100; ++i) md += "> # x\n";
  auto card = render_card(md, small);
  EXPECT_TRUE(card.truncated);
  EXPECT_LT(card.html.size(), 200u + 300u);
  EXPECT_EQ(fuzz::card_html_violation(card.html), "") << card.html;
  EXPECT_TRUE(card.html.ends_with("</blockquote>\n" +
                                  std::string("<p><em>This card is larger than the hub renders; "
                                              "only its beginning is shown.</em></p>\n")))
      << card.html;
}

TEST(CardRenderer, WideTableRowsStayFast) {
  // cmark's tables are quadratic in the cells of a row: past 256 pipes a line's pipes are text.
  std::string row = "|", delimiter = "|";
  for (int i = 0; i < 30000; ++i) {
    row += "a|";
    delimiter += "-|";
  }
  std::string md = row + "\n" + delimiter + "\n" + row + "\n";
  auto started = std::chrono::steady_clock::now();
  auto html = render(md);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2.0);
  EXPECT_TRUE(has(render("| a | b |\n|---|---|\n| 1 | 2 |\n"), "<td>2</td>"));
}

TEST(CardRenderer, EmptyReadme) {
  auto card = render_card("", opts());
  EXPECT_EQ(card.html, "");
  EXPECT_FALSE(card.front_matter);
  EXPECT_EQ(render_card("---\nlicense: mit\n---\n", opts()).html, "");
}

}  // namespace
}  // namespace vitrine::service
