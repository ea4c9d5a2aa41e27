#include "commands/commands.h"
#include "commands/docs.h"

namespace strata::commands {

void RegisterAllCommands(server::CommandTable* t) {
  t->SetDocLookup([](std::string_view name, server::Command* cmd) {
    const CommandDoc* d = FindDoc(name);
    if (d == nullptr) return false;
    cmd->group = d->group;
    cmd->since = d->since;
    cmd->summary = d->summary;
    return true;
  });
  RegisterConnectionCommands(t);
  RegisterStringCommands(t);
  RegisterKeyspaceCommands(t);
  RegisterServerCommands(t);
  RegisterHashCommands(t);
  RegisterListCommands(t);
  RegisterTransactionCommands(t);
  RegisterPubSubCommands(t);
  RegisterScriptingCommands(t);
  RegisterObjectCommands(t);
  RegisterSetCommands(t);
  RegisterZSetCommands(t);
}

}  // namespace strata::commands
