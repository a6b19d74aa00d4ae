#include "service/transfer/push_hooks.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vitrine::service {
namespace {

const std::string kZero(40, '0');
const std::string kA(40, 'a');
const std::string kB(40, 'b');

TEST(PushHooks, RefLinesAreTheMovesOfNamedRefsWithZeroIdsAsNone) {
  std::string input = kZero + " " + kA + " refs/heads/new\n" +  // created
                      kA + " " + kB + " refs/heads/main\n" +    // moved
                      kB + " " + kZero + " refs/tags/v1\n" +    // deleted
                      kA + " " + kB + " HEAD\n" +               // symbolic: not a named ref
                      kA + " " + kA + " refs/heads/same\n" +    // rewritten by pack-refs
                      "not a line\n";
  auto lines = parse_ref_lines(input);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].ref, "refs/heads/new");
  EXPECT_EQ(lines[0].old_value, "");
  EXPECT_EQ(lines[0].new_value, kA);
  EXPECT_EQ(lines[1].ref, "refs/heads/main");
  EXPECT_EQ(lines[1].old_value, kA);
  EXPECT_EQ(lines[1].new_value, kB);
  EXPECT_EQ(lines[2].ref, "refs/tags/v1");
  EXPECT_EQ(lines[2].new_value, "");
}

TEST(PushHooks, PreReceiveRefusesInputThatIsNotRefUpdates) {
  PushHookContext context;
  context.data_dir = "/nonexistent";
  auto st = run_pre_receive(context, "garbage\n");
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message().rfind("push refused: ", 0), 0u) << st.message();
}

}  // namespace
}  // namespace vitrine::service
