#pragma once
// A command line as the tests write it, handed to a binary's parse_options as argv.

#include <string>
#include <vector>

namespace vsync::test {

template <typename Parse>
auto parse_words(Parse parse_options, std::vector<std::string> words) {
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  return parse_options(argv);
}

}  // namespace vsync::test
