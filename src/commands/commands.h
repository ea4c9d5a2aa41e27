// The command families. Each cmd_<family>.cc parses arguments and shapes replies for one
// family of Redis commands and ends with its table: one line per command (name, arity,
// flags, key positions, function; see server/command.h). Data encodings belong to
// src/types, never to a command file.
//
// Adding a family (say hashes): src/types/hash.{h,cc} for the encoding, a
// src/commands/cmd_hash.cc ending with its table and a RegisterHashCommands function, one
// declaration below, one line in RegisterAllCommands (registry.cc), and the commands' entries
// in docs.cc. Nothing in src/server changes.
#pragma once

#include "server/command.h"

namespace strata::commands {

// Registers every family's commands into t.
void RegisterAllCommands(server::CommandTable* t);

void RegisterConnectionCommands(server::CommandTable* t);
void RegisterStringCommands(server::CommandTable* t);
void RegisterKeyspaceCommands(server::CommandTable* t);
void RegisterServerCommands(server::CommandTable* t);
void RegisterHashCommands(server::CommandTable* t);
void RegisterListCommands(server::CommandTable* t);
void RegisterTransactionCommands(server::CommandTable* t);
void RegisterPubSubCommands(server::CommandTable* t);
void RegisterScriptingCommands(server::CommandTable* t);
void RegisterObjectCommands(server::CommandTable* t);
void RegisterSetCommands(server::CommandTable* t);
void RegisterZSetCommands(server::CommandTable* t);

}  // namespace strata::commands
