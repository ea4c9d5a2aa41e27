// INFO: the report Redis clients and tools parse (redis-cli --stat reads db*:keys=,
// used_memory, connected_clients, total_commands_processed, ...), plus "# Storage" from the
// engine. Section names as Redis 7: default, all, everything, or a list of names.
#pragma once

#include <string>
#include <vector>

namespace strata::server {

class Server;

// Returns the INFO text for the requested sections (empty list: "default").
std::string GenerateInfo(Server& server, const std::vector<std::string>& sections);

}  // namespace strata::server
