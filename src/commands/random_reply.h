// What the commands with random replies share (SPOP, SRANDMEMBER, HRANDFIELD...): one
// random generator, and the guard that stops a reply of repeated picks (a negative count of
// up to 2^63) from growing without bound.
#pragma once

#include <random>

#include "server/command.h"

namespace strata::commands {

// The loop thread's generator for random elements.
std::mt19937_64& CommandRng();

// True once the reply being written is over the client's output limit (the hard
// client-output-buffer-limit, or 1 GiB when there is none): the caller stops writing, and
// the client is closed after the command, as Redis stops at CLIENT_CLOSE_ASAP.
bool ReplyOverLimit(server::CommandContext& ctx);

}  // namespace strata::commands
