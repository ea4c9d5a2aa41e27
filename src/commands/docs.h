// COMMAND DOCS texts, kept apart from the command tables so that a table line stays one line.
#pragma once

#include <string_view>

namespace strata::commands {

struct CommandDoc {
  std::string_view name;   // lower case
  std::string_view group;  // Redis's group: "string", "generic", "connection", "server", ...
  std::string_view since;  // the Redis version that introduced the command
  std::string_view summary;
};

// The docs of a command (lower-case name), or nullptr.
const CommandDoc* FindDoc(std::string_view name);

}  // namespace strata::commands
